"""The booking endpoints of HTTP API v1 (in server/openapi.json): kecamatan, booking windows,
bookings, and the kiosk's check-in. Public endpoints are rate-limited per client address."""

from __future__ import annotations

import uuid

from flask import Blueprint, g, jsonify, request

from sahaja import protocol as p
from server import errors
from server.api import field, json_body, require_device
from server.booking import bookings
from server.errors import ApiError
from server.extensions import publish
from server.throttle import AddressThrottle, RateLimited

bp = Blueprint("booking_api", __name__, url_prefix=p.API_PREFIX)


def limited(throttle: AddressThrottle) -> None:
    """429 ``too_many_requests`` (with Retry-After) past the address's limit."""
    try:
        throttle.check(request.remote_addr)
    except RateLimited as exc:
        g.retry_after = exc.retry_after
        raise TooManyRequests(exc.retry_after) from None


class TooManyRequests(ApiError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, p.ERR_TOO_MANY_REQUESTS, "booking.too_many", seconds=retry_after)
        self.retry_after = retry_after


@bp.after_request
def _retry_after(response):
    """429 says when to try again (the error handler builds the body)."""
    if response.status_code == 429:
        response.headers["Retry-After"] = str(g.get("retry_after", 60))
    return response


@bp.get("/kecamatan")
def kecamatan():
    return jsonify(bookings().store.kecamatan_list())


@bp.get("/sites/<site>/booking-windows")
def booking_windows(site: str):
    limited(bookings().reads)
    service = request.args.get("service", "")
    day = request.args.get("date")
    return jsonify(bookings().store.windows(site, service, day))


@bp.post("/bookings")
def create_booking():
    b = bookings()
    body = json_body()
    values = {
        name: field(body, name, str, required=True)
        for name in ("nik", "kecamatan", "service", "date", "window")
    }
    limited(b.writes)
    outcome = b.store.create(**values)
    return jsonify(outcome.body), 201


@bp.get("/bookings/<code>")
def get_booking(code: str):
    b = bookings()
    limited(b.reads)
    return jsonify(b.store.get(code))


@bp.post("/bookings/<code>/cancel")
def cancel_booking(code: str):
    b = bookings()
    nik = field(json_body(), "nik", str, required=True)
    limited(b.writes)
    return jsonify(b.store.cancel(code, nik))


@bp.post("/sites/<site>/checkins")
def checkin(site: str):
    b = bookings()
    b.store.base.site(site)  # 404 first: site codes are public
    device = require_device("kiosk")
    if device.site != site:
        raise errors.forbidden()
    body = json_body()
    code = field(body, "code", str, required=True)
    request_id = field(body, "request_id", str, required=False)
    if request_id is None:
        request_id = f"srv-{uuid.uuid4()}"
    elif not 1 <= len(request_id) <= 64:
        raise errors.malformed("request_id", "must be 1 to 64 characters")
    outcome = b.store.checkin(site, code, request_id, device.actor, device.id)
    publish(outcome.events)
    return jsonify(outcome.body), 201 if outcome.created else 200
