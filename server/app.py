"""The application factory: config, database, queue store, HTTP API and Socket.IO."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from sahaja.core.clock import Clock, SystemClock
from server.accounts import Accounts
from server.announcer import QueueAnnouncer
from server.database import Database
from server.extensions import Services, publish, socketio
from server.relay import Relay
from server.setup import stored_config
from server.store import BackgroundForecasts, QueueStore


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'sahaja.db'}"


def _secret_key(instance_path: str) -> str:
    """A per-installation key kept in the instance folder, never one hard-coded here."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def create_app(test_config: dict[str, Any] | None = None, *, clock: Clock | None = None) -> Flask:
    app = Flask("server", instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=default_database_url(app.instance_path),
        REDIS_URL=None,  # set (SAHAJA_REDIS_URL) when several server processes share events
        REDIS_CHANNEL="sahaja-lekat",
        SECRET_KEY=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024,
        ASYNC_MODE="threading",  # Flask's test clients; `sahaja-server run` serves with gevent
        REDIS_TIMEOUT=0.5,  # seconds a relay call to Redis may take (a hung Redis costs this)
        PING_INTERVAL=25,  # Engine.IO pings every client this often (seconds)...
        PING_TIMEOUT=20,  # ...and drops one that has not answered this long after a ping
        LIVE_MAX_CONNECTIONS=6000,  # live clients per process; past it the handshake is 503
        LIVE_MAX_PENDING=500,  # of those, not yet authenticated (Socket.IO connect pending)
        LIVE_AUTH_SECONDS=10,  # a connection must authenticate within this, else it is closed
        DB_POOL_SIZE=None,  # database connections per process (None: see server/database.py)
        DB_MAX_OVERFLOW=None,
        # queue counts go to a site's room at most this often: each send is one frame to
        # every client of the site (hundreds), so 20 a second per site swamped one process
        QUEUE_COUNTS_SECONDS=1.0,
        # reverse proxies in front (Caddy, nginx: deploy/): their X-Forwarded-For/-Proto/-Host
        # are believed, so per-address limits see the citizen's address, not the proxy's
        TRUSTED_PROXIES=0,
        # a site's forecast is made again in the background at most this often after a change,
        # and answers use one at most FORECAST_MAX_STALE_SECONDS old (server/store/forecasts.py)
        FORECAST_SECONDS=1.0,
        FORECAST_MAX_STALE_SECONDS=3.0,
        # gevent: live events go straight to an idle client's WebSocket, the frame built once
        # per event, instead of through a queue and a writer greenlet per client
        # (server/direct_writes.py); off: Engine.IO's path for every packet
        DIRECT_WRITES=True,
    )
    app.config.from_prefixed_env("SAHAJA")
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)

    db = Database.connect(
        app.config["DATABASE_URL"],
        pool_size=app.config["DB_POOL_SIZE"],
        max_overflow=app.config["DB_MAX_OVERFLOW"],
    )
    config = stored_config(db)
    clock = clock or SystemClock()
    forecasts = BackgroundForecasts(
        float(app.config["FORECAST_SECONDS"]), float(app.config["FORECAST_MAX_STALE_SECONDS"])
    )
    store = QueueStore(db, config, clock, forecasts=forecasts)

    def send_counts(site: str) -> None:
        publish([store.queue_event(site)])

    relay = None
    if app.config["REDIS_URL"]:
        relay = Relay(
            app.config["REDIS_URL"], app.config["REDIS_CHANNEL"], app.config["REDIS_TIMEOUT"]
        )
    app.extensions["sahaja"] = Services(
        db=db,
        config=config,
        clock=clock,
        store=store,
        accounts=Accounts(db, config),
        announcer=QueueAnnouncer(send_counts, float(app.config["QUEUE_COUNTS_SECONDS"])),
        relay=relay,
    )

    from server import api, errors_http, live, logging_setup, metrics

    errors_http.init_app(app)
    store.base.observers.append(logging_setup.log_audited)  # a log line per ticket change
    metrics.init_app(app)  # GET /metrics, request timing, ticket counters
    app.register_blueprint(api.bp)
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        client_manager=relay,  # None: this process's clients only
        ping_interval=app.config["PING_INTERVAL"],
        ping_timeout=app.config["PING_TIMEOUT"],
        # None: browsers may open a socket from this server's own origin only (devices send
        # no Origin header and are unaffected); SAHAJA_CORS_ORIGINS widens it when needed.
        cors_allowed_origins=app.config.get("CORS_ORIGINS"),
    )
    if app.config["ASYNC_MODE"] == "gevent" and app.config["DIRECT_WRITES"]:
        from server import direct_writes

        app.extensions["sahaja_direct_writes"] = direct_writes.install(socketio.server.eio)
    live.init_app(app, socketio)
    from server import public

    public.init_app(app)
    from server import booking

    booking.init_app(app)  # /lokasi, /booking and the booking API (docs/booking.md)
    try:
        from server import console
    except ImportError:  # the staff console is optional while it is being built
        console = None
    if console is not None and hasattr(console, "init_app"):
        console.init_app(app)
    from server import admin

    admin.init_app(app)
    from server import reports

    reports.init_app(app)
    trust_proxies(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Believe ``TRUSTED_PROXIES`` reverse proxies' forwarded headers (0: none)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0 and not isinstance(app.wsgi_app, ProxyFix):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
