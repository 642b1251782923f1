"""Socket.IO: clients authenticate on connect, join their rooms and get a snapshot."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, Namespace, SocketIO, emit, join_room

from sahaja import protocol as p
from server.console.sessions import EXTENSION, SESSION_KEY, officer_session_live
from server.extensions import services

log = logging.getLogger(__name__)


class LiveNamespace(Namespace):
    """One namespace for every kind of client; the token decides the rooms."""

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.devices: dict[str, int] = {}  # connected sid -> device id (this process only)
        self.officers: dict[str, str] = {}  # connected sid -> console session token

    def _rooms_for(self, auth: Any) -> tuple[str, str | None]:
        svc = services()
        token = auth.get("token") if isinstance(auth, dict) else None
        if token:
            device = svc.accounts.authenticate(str(token))
            if device is None:
                raise ConnectionRefusedError(p.ERR_UNAUTHORIZED)
            svc.accounts.touch(device.id, svc.clock.now())
            self.devices[request.sid] = device.id
            return device.site, device.counter_id
        live = officer_session_live(session)  # not signed out, reset or locked since
        counter_id = session.get("counter") if live else None
        found = svc.config.counter(counter_id) if counter_id else None
        if found is None:
            raise ConnectionRefusedError(p.ERR_UNAUTHORIZED)
        self.officers[request.sid] = session.get(SESSION_KEY)
        return found[0].code, found[1].id

    def on_connect(self, auth: Any = None) -> None:
        site, counter_id = self._rooms_for(auth)
        session["live_site"] = site
        session["live_counter"] = counter_id
        join_room(p.site_room(site))
        if counter_id:
            join_room(p.counter_room(counter_id))
        emit(p.SNAPSHOT, services().store.snapshot(site, counter_id), to=request.sid)

    def on_disconnect(self, *_reason: Any) -> None:
        self.devices.pop(request.sid, None)
        self.officers.pop(request.sid, None)

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


def init_app(socketio: SocketIO) -> None:
    """Register the namespace on the server ``socketio.init_app`` just created for this app."""
    socketio.on_namespace(LiveNamespace("/"))
