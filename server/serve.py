"""Serving: Gunicorn's threaded worker in front of the Flask-SocketIO app.

Werkzeug's development server answered about 1,000 trivial requests/s here with a 17 ms p99;
Gunicorn's ``gthread`` worker answered 1,800/s (one worker) with a 9 ms p99, and serves
Flask-SocketIO's threading mode (simple-websocket) as documented upstream. A WebSocket client
holds a worker thread for as long as it is connected, hence the generous thread count.
"""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


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


def serve(make_app, host: str, port: int, workers: int, threads: int, verbose: bool) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 0,  # long-lived WebSocket connections are not hung workers
        "graceful_timeout": 5,
        "keepalive": 30,
        "accesslog": "-" if verbose else None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "sahaja-server",
        # no shared control socket in $HOME: several servers (tests, sites) run side by side
        "control_socket_disable": True,
    }
    SahajaServer(make_app, options).run()
