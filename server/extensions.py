"""Extension objects created once and bound in ``create_app`` (the flaskr pattern)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_socketio import SocketIO

from sahaja.config import Config
from sahaja.core.clock import Clock
from server.accounts import Accounts
from server.database import Database
from server.queue_store import Emission, QueueStore

socketio = SocketIO()


@dataclass
class Services:
    """Everything a request handler needs, hung on ``app.extensions['sahaja']``."""

    db: Database
    config: Config
    clock: Clock
    store: QueueStore
    accounts: Accounts


def services(app: Flask | None = None) -> Services:
    return (app or current_app).extensions["sahaja"]


def publish(events: list[Emission]) -> None:
    """Announce committed changes to the rooms concerned (through Redis when configured)."""
    for e in events:
        socketio.emit(e.event, e.payload, to=list(e.rooms) if len(e.rooms) > 1 else e.rooms[0])
