"""Serving: Gunicorn in front of the Flask-SocketIO app.

The default worker is Gunicorn's ``gevent`` worker with Flask-SocketIO in ``gevent`` mode: an
open WebSocket costs a greenlet and a socket, not a thread, so one process holds thousands of
live clients (docs/benchmarks.md). ``server.cli`` monkey-patches the process (``server.green``)
before anything else is imported, so SQLAlchemy's pool, redis-py and psycopg 3 (which picks
its wait function when imported) all cooperate with the loop. ``--worker gthread`` keeps the earlier
threaded worker, where every WebSocket holds one of ``--threads`` threads.
"""

from __future__ import annotations

import gc
import os
import resource
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from server.logging_setup import gunicorn_logconfig, gunicorn_logger_class

WORKERS = ("gevent", "gthread")
HTTP_HEADROOM = 1000  # gevent connections kept for HTTP above the live-connection cap


class SahajaServer(BaseApplication):
    def __init__(self, make_app, options: dict[str, Any]) -> None:
        self.make_app = make_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # newer Gunicorn settings are skipped on older ones
                self.cfg.set(key, value)

    def load(self) -> Flask:
        app = self.make_app()  # in the worker, after the fork
        tame_garbage_collector()
        return app


def tame_garbage_collector() -> None:
    """Full collections walked every object SQLAlchemy and Flask keep for the process's life
    and put 15-20 ms pauses into 1 in 100 requests (docs/benchmarks.md): freeze what start-up
    built and collect the young generation less often. Memory grows by a few MB at most."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


def raise_open_files_limit() -> int:
    """Every live client is a file descriptor: lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def _worker_exited(_arbiter: Any, worker: Any) -> None:
    """A dead worker's live connections leave /metrics (multiprocess mode only)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def serve(
    make_app,
    host: str,
    port: int,
    *,
    workers: int,
    worker: str,
    threads: int,
    max_live: int,
    verbose: bool,
) -> None:
    raise_open_files_limit()
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "server.gevent_worker.FairGeventWorker" if worker == "gevent" else worker,
        "timeout": 0,  # long-lived WebSocket connections are not hung workers
        "graceful_timeout": 5,
        "keepalive": 30,
        "accesslog": "-" if verbose else None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "sahaja-server",
        # no shared control socket in $HOME: several servers (tests, sites) run side by side
        "control_socket_disable": True,
        # Gunicorn's lines in the same format as ours (text, or JSON: SAHAJA_LOG_FORMAT)
        "logconfig_dict": gunicorn_logconfig(access=verbose),
        "logger_class": gunicorn_logger_class(),  # no access-log line built unless written
        "child_exit": _worker_exited,
    }
    if worker == "gevent":
        # Gunicorn's default of 1,000 would refuse clients long before the live cap does;
        # the headroom keeps HTTP answering when every live slot is taken.
        options["worker_connections"] = max_live + HTTP_HEADROOM
    else:
        options["threads"] = threads
    SahajaServer(make_app, options).run()
