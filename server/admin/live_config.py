"""Every server process serves the newest config version, without a restart.

The process that saves a change applies it at once; the others notice the raised version in
``office_config`` (checked before a request at most every ``ADMIN_CONFIG_CHECK_SECONDS``, 1 s,
and by a background watcher every 2 s under ``sahaja-server run``, so a process that only holds
live connections notices too). Applying swaps the config into the queue store and accounts and
sends each live client of this process whose site changed a fresh ``snapshot``: kiosks see a
new quota or a closed day, boards a new running text.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from sahaja import protocol as p
from sahaja.config import Config, parse_config
from server.admin.config_store import current_text, stored_version
from server.extensions import services

log = logging.getLogger(__name__)
EXTENSION = "sahaja_live_config"


def changed_sites(old: Config, new: Config) -> set[str]:
    """Sites whose clients must see a new snapshot: all when an office-wide part changed."""
    office_wide = (
        old.services != new.services
        or old.holidays != new.holidays
        or old.national_holidays != new.national_holidays
        or old.timezone != new.timezone
        or old.rules != new.rules
        or old.name != new.name
        or old.public_url != new.public_url
    )
    if office_wide:
        return set(old.sites) | set(new.sites)
    return {
        code
        for code in set(old.sites) | set(new.sites)
        if old.sites.get(code) != new.sites.get(code)
    }


class LiveConfig:
    def __init__(self, app: Flask, socketio: SocketIO, check_seconds: float = 1.0) -> None:
        self.app = app
        self.socketio = socketio
        self.check_seconds = check_seconds
        self.version = stored_version(services(app).db)
        self._next_check = 0.0
        self._lock = threading.Lock()

    def check(self) -> bool:
        """Apply a newer stored version, if any (cheap when called often)."""
        now = time.monotonic()
        if now < self._next_check:
            return False
        self._next_check = now + self.check_seconds
        if stored_version(services(self.app).db) == self.version:
            return False
        text, version = current_text(services(self.app).db)
        return self.apply(parse_config(text, "stored config"), version)

    def apply(self, config: Config, version: int) -> bool:
        """Serve ``config`` (version ``version``) in this process; resend snapshots."""
        with self._lock:
            if version <= self.version:
                return False
            svc = services(self.app)
            old = svc.config
            svc.config = config
            svc.accounts.config = config
            svc.store.reconfigure(config)
            self.version = version
        sites = changed_sites(old, config)
        sent = resend_site_snapshots(self.app, self.socketio, sites)
        log.info("config version %d applied; %d live clients sent a snapshot", version, sent)
        return True


def resend_site_snapshots(app: Flask, socketio: SocketIO, sites: set[str]) -> int:
    """A fresh snapshot to every live client of this process at one of ``sites``."""
    from server.live import namespace_of

    try:
        clients = dict(namespace_of(socketio).clients)
    except (AttributeError, KeyError):  # no Socket.IO server in this process
        return 0
    cache: dict[tuple[str, str | None], Any] = {}
    sent = 0
    with app.app_context():
        store = services(app).store
        for sid, key in clients.items():
            if key[0] not in sites or key[0] not in services(app).config.sites:
                continue
            if key not in cache:
                cache[key] = store.snapshot(*key)
            socketio.server.emit(p.SNAPSHOT, cache[key], to=sid, namespace="/", ignore_queue=True)
            sent += 1
    return sent


def live_config(app: Flask | None = None) -> LiveConfig:
    from flask import current_app

    return (app or current_app).extensions[EXTENSION]


def watch_config(app: Flask, socketio: SocketIO, every_seconds: float = 2.0) -> None:
    """Background check for a process that may serve no request for a while."""

    def loop() -> None:
        watcher = live_config(app)
        while True:
            socketio.sleep(every_seconds)
            try:
                with app.app_context():
                    watcher._next_check = 0.0
                    watcher.check()
            except Exception:  # keep watching
                log.exception("config version check failed")

    socketio.start_background_task(loop)


def init_app(app: Flask, socketio: SocketIO) -> None:
    seconds = float(app.config.get("ADMIN_CONFIG_CHECK_SECONDS", 1.0))
    app.extensions[EXTENSION] = LiveConfig(app, socketio, seconds)

    @app.before_request
    def _newest_config() -> None:
        app.extensions[EXTENSION].check()
