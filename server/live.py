"""Socket.IO: clients authenticate on connect, join their rooms and get a snapshot.

Limits (docs/limits.md): at most ``LIVE_MAX_CONNECTIONS`` Engine.IO sessions per process and,
of those, ``LIVE_MAX_PENDING`` that have not completed the Socket.IO connect; past either a new
handshake gets HTTP 503 ``too_many_connections`` (JSON) while HTTP keeps answering. A session
that has not authenticated within ``LIVE_AUTH_SECONDS`` is closed.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, request, session
from flask_socketio import ConnectionRefusedError, Namespace, SocketIO, emit, join_room

from sahaja import i18n
from sahaja import protocol as p
from server import metrics
from server.console.sessions import EXTENSION, SESSION_KEY, officer_session_live
from server.extensions import services
from server.logging_setup import event

log = logging.getLogger(__name__)
CONSOLE = "console"  # the role /metrics gives an officer's browser


class LiveNamespace(Namespace):
    """One namespace for every kind of client; the token decides the rooms."""

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.devices: dict[str, int] = {}  # connected sid -> device id (this process only)
        self.officers: dict[str, str] = {}  # connected sid -> console session token
        # connected sid -> (site, counter): what a resync sends each client of this process
        self.clients: dict[str, tuple[str, str | None]] = {}
        # connected sid -> (role, device name or None): the log lines and /metrics
        self.kinds: dict[str, tuple[str, str | None]] = {}
        self._names: dict[str, str] = {}  # sid -> device name, until the connect completes

    def _rooms_for(self, auth: Any) -> tuple[str, str | None, str | None]:
        """The client's site, counter and device role (None for a console officer)."""
        svc = services()
        token = auth.get("token") if isinstance(auth, dict) else None
        if token:
            device = svc.accounts.authenticate(str(token))
            if device is None:
                raise ConnectionRefusedError(p.ERR_UNAUTHORIZED)
            svc.accounts.touch(device.id, svc.clock.now())
            self.devices[request.sid] = device.id
            self._names[request.sid] = device.name
            return device.site, device.counter_id, device.role
        live = officer_session_live(session)  # not signed out, reset or locked since
        counter_id = session.get("counter") if live else None
        found = svc.config.counter(counter_id) if counter_id else None
        if found is None:
            raise ConnectionRefusedError(p.ERR_UNAUTHORIZED)
        self.officers[request.sid] = session.get(SESSION_KEY)
        return found[0].code, found[1].id, None

    def on_connect(self, auth: Any = None) -> None:
        site, counter_id, role = self._rooms_for(auth)
        session["live_site"] = site
        session["live_counter"] = counter_id
        join_room(p.site_room(site))
        if counter_id:
            join_room(p.counter_room(counter_id))
        if role == p.ROLE_KIOSK:
            join_room(p.kiosk_room(site))
        self.clients[request.sid] = (site, counter_id)
        self._connected(request.sid, role, site, counter_id)
        emit(p.SNAPSHOT, services().store.snapshot(site, counter_id), to=request.sid)

    def _connected(self, sid: str, role: str | None, site: str, counter_id: str | None) -> None:
        name = self._names.pop(sid, None)
        self.kinds[sid] = (role or CONSOLE, name)
        metrics.connected(role or CONSOLE)
        if name is not None:
            event("device.connected", device=name, role=role, site=site, counter=counter_id)

    def on_disconnect(self, *_reason: Any) -> None:
        self._names.pop(request.sid, None)
        kind = self.kinds.pop(request.sid, None)
        if kind is not None:  # it had completed the connect
            role, name = kind
            metrics.disconnected(role)
            if name is not None:
                event("device.disconnected", device=name, role=role)
        self.devices.pop(request.sid, None)
        self.officers.pop(request.sid, None)
        self.clients.pop(request.sid, None)

    def on_request_snapshot(self, _data: Any = None) -> None:
        site = session.get("live_site")
        if site:
            snapshot = services().store.snapshot(site, session.get("live_counter"))
            emit(p.SNAPSHOT, snapshot, to=request.sid)


def disconnect_revoked(socketio: SocketIO) -> int:
    """Close the live connections of devices revoked, and of console sessions ended (signed
    out, reset, locked, expired), since they connected."""
    namespace = socketio.server.namespace_handlers["/"]
    connected = dict(namespace.devices)
    officers = dict(namespace.officers)
    gone: list[str] = []
    if connected:
        revoked = services().accounts.revoked_among(set(connected.values()))
        gone += [sid for sid, device_id in connected.items() if device_id in revoked]
    sessions = current_app.extensions.get(EXTENSION)
    if officers and sessions is not None:
        ended = sessions.ended_among(set(officers.values()))
        gone += [sid for sid, token in officers.items() if token in ended]
    for sid in gone:
        namespace.devices.pop(sid, None)
        namespace.officers.pop(sid, None)
        namespace.clients.pop(sid, None)
        socketio.server.disconnect(sid, namespace="/")
    return len(gone)


def watch_revocations(app, socketio: SocketIO, every_seconds: float = 15.0) -> None:
    """A revocation made by ``sahaja-server device revoke`` (another process) cuts live
    connections within ``every_seconds``; HTTP requests are refused within 5 s."""

    def loop() -> None:
        while True:
            socketio.sleep(every_seconds)
            try:
                with app.app_context():
                    disconnect_revoked(socketio)
            except Exception:  # keep watching
                log.exception("revocation check failed")

    socketio.start_background_task(loop)


def namespace_of(socketio: SocketIO) -> LiveNamespace:
    return socketio.server.namespace_handlers["/"]


def resend_snapshots(app: Flask, socketio: SocketIO) -> int:
    """Send every client of this process a fresh snapshot of its own site and counter (after
    the relay between processes was down and events may have been missed). Each distinct
    snapshot is computed once; delivery is local, never through the relay."""
    clients = dict(namespace_of(socketio).clients)
    cache: dict[tuple[str, str | None], Any] = {}
    with app.app_context():
        store = services(app).store
        for n, (sid, key) in enumerate(clients.items(), 1):
            if key not in cache:
                cache[key] = store.snapshot(*key)
            socketio.server.emit(p.SNAPSHOT, cache[key], to=sid, namespace="/", ignore_queue=True)
            if n % 200 == 0:
                socketio.sleep(0)  # let requests in between a large resync
    if clients:
        log.info("sent %d clients a fresh snapshot", len(clients))
    return len(clients)


class LiveGate:
    """WSGI middleware in front of Socket.IO: refuses a new Engine.IO session past the caps
    with a JSON 503 (clients retry with back-off), and stamps the handshake's time so
    that connections which never authenticate can be closed."""

    def __init__(self, wsgi_app, socketio: SocketIO, max_live: int, max_pending: int) -> None:
        self.wsgi_app = wsgi_app
        self.socketio = socketio
        self.max_live = max_live
        self.max_pending = max_pending
        self.refused = 0

    def counts(self) -> tuple[int, int]:
        """(live sessions, of which not yet authenticated) in this process."""
        server = self.socketio.server
        sessions = len(server.environ)
        return sessions, max(sessions - len(namespace_of(self.socketio).clients), 0)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(f"/{p.SOCKETIO_PATH}") and "sid=" not in environ.get("QUERY_STRING", ""):
            live, pending = self.counts()
            if live >= self.max_live or pending >= self.max_pending:
                self.refused += 1
                if self.refused % 100 == 1:
                    log.warning(
                        "refusing live connections: %d open, %d unauthenticated (caps %d, %d)",
                        live,
                        pending,
                        self.max_live,
                        self.max_pending,
                    )
                return self._refuse(environ, start_response)
            environ[OPENED_AT] = time.monotonic()
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def _refuse(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        lang = i18n.best_language(environ.get("HTTP_ACCEPT_LANGUAGE"))
        body = json.dumps(
            {
                "error": p.ERR_TOO_MANY_CONNECTIONS,
                "message": i18n.t("server.too_many_connections", lang),
            }
        ).encode()
        start_response(
            "503 Service Unavailable",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Retry-After", "5"),
            ],
        )
        return [body]


OPENED_AT = "sahaja.opened_at"  # WSGI environ key: when the Engine.IO handshake arrived


def close_unauthenticated(socketio: SocketIO, deadline: float, now: float | None = None) -> int:
    """Close Engine.IO sessions that have not completed the Socket.IO connect in time."""
    server = socketio.server
    if len(server.environ) <= len(namespace_of(socketio).clients):
        return 0  # every session is authenticated: skip the walk over thousands
    now = time.monotonic() if now is None else now
    stale = [
        eio_sid
        for eio_sid, environ in list(server.environ.items())
        if now - environ.get(OPENED_AT, now) > deadline
        and server.manager.sid_from_eio_sid(eio_sid, "/") is None
    ]
    for eio_sid in stale:
        server.eio.disconnect(eio_sid)
    return len(stale)


def watch_unauthenticated(socketio: SocketIO, deadline: float) -> None:
    def loop() -> None:
        while True:
            socketio.sleep(min(1.0, deadline / 2))
            try:
                closed = close_unauthenticated(socketio, deadline)
                if closed:
                    log.info("closed %d connections that did not authenticate in time", closed)
            except Exception:  # keep watching
                log.exception("closing unauthenticated connections failed")

    socketio.start_background_task(loop)


def init_app(app: Flask, socketio: SocketIO) -> None:
    """Register the namespace on the server ``socketio.init_app`` just created for this app,
    put the connection gate in front of it, and resync clients when the relay recovers."""
    socketio.on_namespace(LiveNamespace("/"))
    app.wsgi_app = LiveGate(
        app.wsgi_app,
        socketio,
        app.config["LIVE_MAX_CONNECTIONS"],
        app.config["LIVE_MAX_PENDING"],
    )
    relay = services(app).relay
    if relay is not None:

        def recovered() -> None:
            resend_snapshots(app, socketio)

        relay.on_recovered = recovered
