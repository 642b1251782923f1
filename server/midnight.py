"""Background upkeep: the midnight rollover, and SQLite checkpoints off the request path."""

from __future__ import annotations

import logging

from flask import Flask

from sahaja.core.calendar import next_midnight
from server.extensions import publish, services, socketio
from server.jobs import claim

ROLLOVER = "midnight_rollover"

log = logging.getLogger(__name__)


def start_midnight_rollover(app: Flask) -> None:
    def loop() -> None:
        svc = services(app)
        while True:
            target = next_midnight(svc.clock.now(), svc.config.tz)
            while (left := (target - svc.clock.now()).total_seconds()) > 0:
                socketio.sleep(min(left, 60))
            try:
                roll_over_once(app)
            except Exception:  # keep the loop alive; the next write rolls the day lazily
                log.exception("midnight rollover failed")

    socketio.start_background_task(loop)


def roll_over_once(app: Flask) -> bool:
    """Roll the day over and tell the clients, unless another server process already did
    for this local day (every process wakes at midnight; one sends ``day_rolled``)."""
    svc = services(app)
    now = svc.clock.now()
    if not claim(svc.db, ROLLOVER, svc.store.today(now).isoformat(), now):
        log.info("midnight rollover of %s done by another process", svc.store.today(now))
        return False
    publish(svc.store.roll_over(), app)
    booking = app.extensions.get("sahaja_booking")  # online bookings (server/booking)
    if booking is not None:
        expired = booking.store.expire(now)
        log.info("%d unused bookings of earlier days expired", expired)
    return True


def start_checkpointer(app: Flask, every_seconds: float = 1.0) -> None:
    """Move WAL checkpoints (fsync-heavy) from committing requests to this thread."""

    def loop() -> None:
        db = services(app).db
        while True:
            socketio.sleep(every_seconds)
            try:
                db.checkpoint()
            except Exception:  # a busy database: try again next round
                log.exception("checkpoint failed")

    socketio.start_background_task(loop)
