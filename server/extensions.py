"""Extension objects created once and bound in ``create_app`` (the flaskr pattern)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_socketio import SocketIO

from sahaja.config import Config
from sahaja.core.clock import Clock
from sahaja.protocol import QUEUE_CHANGED
from server.accounts import Accounts
from server.announcer import QueueAnnouncer
from server.database import Database
from server.relay import Relay
from server.store import BackgroundForecasts, Emission, QueueStore

socketio = SocketIO()


@dataclass
class Services:
    """Everything a request handler needs, hung on ``app.extensions['sahaja']``."""

    db: Database
    config: Config
    clock: Clock
    store: QueueStore
    accounts: Accounts
    announcer: QueueAnnouncer
    relay: Relay | None = None  # the Redis relay between processes, when configured


def services(app: Flask | None = None) -> Services:
    return (app or current_app).extensions["sahaja"]


def publish(events: list[Emission], app: Flask | None = None) -> None:
    """Announce committed changes to the rooms concerned (through Redis when configured)."""
    for e in events:
        if e.event == QUEUE_CHANGED and e.payload is None:
            services(app).announcer.changed(e.rooms[0].partition(":")[2])
            continue
        socketio.emit(e.event, e.payload, to=list(e.rooms) if len(e.rooms) > 1 else e.rooms[0])


def start_announcer(app: Flask) -> None:
    """The background tasks of a serving process: the queue counts, and the forecasts made
    again off the request path (server/store/forecasts.py)."""
    socketio.start_background_task(services(app).announcer.run, socketio.sleep)
    forecasts = services(app).store.forecasts
    if isinstance(forecasts, BackgroundForecasts):
        socketio.start_background_task(forecasts.run, socketio.sleep)
