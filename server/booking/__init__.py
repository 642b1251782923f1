"""Service point by domicile (``/lokasi``) and online booking (``/booking``, the booking API and
the kiosk's check-in): see docs/booking.md.

``init_app`` is called by ``server.app.create_app``. Settings (app config, or ``SAHAJA_``
environment variables): ``BOOKING_ATTEMPTS`` (20: bookings and cancellations per client
address...) and ``BOOKING_READS`` (120: status look-ups per address...) per
``BOOKING_WINDOW_SECONDS`` (600). The office's rules (share, horizon, windows) are the config's
``[booking]`` table.
"""

from __future__ import annotations

from flask import Flask

from server.extensions import services
from server.throttle import AddressThrottle, Limit

EXTENSION = "sahaja_booking"


class BookingServices:
    """The booking store and the two per-address limits, hung on the app."""

    def __init__(self, app: Flask) -> None:
        from server.store.bookings import BookingStore

        svc = services(app)
        store = svc.store
        self.store = BookingStore(store.base, store.views, store.writes, app.config["SECRET_KEY"])
        window = float(app.config.get("BOOKING_WINDOW_SECONDS", 600))
        writes = Limit(int(app.config.get("BOOKING_ATTEMPTS", 20)), window)
        reads = Limit(int(app.config.get("BOOKING_READS", 120)), window)
        self.writes = AddressThrottle(svc.db, svc.clock, writes, prefix="booking:")
        self.reads = AddressThrottle(svc.db, svc.clock, reads, prefix="booking-read:")


def bookings(app: Flask | None = None) -> BookingServices:
    from flask import current_app

    return (app or current_app).extensions[EXTENSION]


def init_app(app: Flask) -> None:
    from server.booking.api import bp as api_bp
    from server.booking.pages import bp as pages_bp

    app.extensions[EXTENSION] = BookingServices(app)
    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
