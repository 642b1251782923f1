"""Socket.IO: clients authenticate on connect, join their rooms and get a snapshot."""

from __future__ import annotations

from typing import Any

from flask import request, session
from flask_socketio import ConnectionRefusedError, Namespace, SocketIO, emit, join_room

from sahaja import protocol as p
from server.extensions import services


class LiveNamespace(Namespace):
    """One namespace for every kind of client; the token decides the rooms."""

    def _rooms_for(self, auth: Any) -> tuple[str, str | None]:
        svc = services()
        token = auth.get("token") if isinstance(auth, dict) else None
        if token:
            device = svc.accounts.authenticate(str(token))
            if device is None:
                raise ConnectionRefusedError(p.ERR_UNAUTHORIZED)
            svc.accounts.touch(device.id, svc.clock.now())
            return device.site, device.counter_id
        counter_id = session.get("counter") if session.get("officer") else None
        found = svc.config.counter(counter_id) if counter_id else None
        if found is None:
            raise ConnectionRefusedError(p.ERR_UNAUTHORIZED)
        return found[0].code, found[1].id

    def on_connect(self, auth: Any = None) -> None:
        site, counter_id = self._rooms_for(auth)
        session["live_site"] = site
        session["live_counter"] = counter_id
        join_room(p.site_room(site))
        if counter_id:
            join_room(p.counter_room(counter_id))
        emit(p.SNAPSHOT, services().store.snapshot(site, counter_id), to=request.sid)

    def on_request_snapshot(self, _data: Any = None) -> None:
        site = session.get("live_site")
        if site:
            snapshot = services().store.snapshot(site, session.get("live_counter"))
            emit(p.SNAPSHOT, snapshot, to=request.sid)


def init_app(socketio: SocketIO) -> None:
    if not any(isinstance(h, LiveNamespace) for h in socketio.namespace_handlers):
        socketio.on_namespace(LiveNamespace("/"))
