"""HTTP API v1: thin handlers that authenticate, validate, call the store and publish."""

from __future__ import annotations

import hmac
import json
import re
import uuid
from importlib import resources
from typing import Any

from flask import Blueprint, Response, jsonify, request, session
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import IntegerConverter

from sahaja import protocol as p
from server import errors
from server.accounts import DeviceIdentity
from server.console.sessions import officer_session_live
from server.extensions import publish, services

bp = Blueprint("api", __name__, url_prefix=p.API_PREFIX)


class AsciiIntConverter(IntegerConverter):
    """Digits 0-9 only: Werkzeug's ``int`` also takes full-width and other Unicode digits."""

    regex = r"[0-9]+"


def _ascii_int(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["int"] = AsciiIntConverter  # before the routes below are added


bp.record_once(_ascii_int)


# --- authentication ----------------------------------------------------------------------
def bearer_device() -> DeviceIdentity | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return services().accounts.authenticate(token.strip())


def require_device(role: str | None = None) -> DeviceIdentity:
    device = bearer_device()
    if device is None:
        raise errors.unauthorized()
    if role is not None and device.role != role:
        raise errors.forbidden()
    return device


def counter_actor(counter_id: str) -> str:
    """A counter device of this counter, or an officer signed in to it in the console.

    A browser session must also send the CSRF token it was given, since a cookie alone is
    sent by any site the officer happens to visit.
    """
    services().store.counter(counter_id)  # 404 for an unknown counter first
    if request.headers.get("Authorization"):
        device = require_device("counter")
        if device.counter_id != counter_id:
            raise errors.forbidden()
        return device.actor
    officer = session.get("officer")
    if not officer or not officer_session_live(session):  # signed out, reset or locked since
        raise errors.unauthorized()
    token = request.headers.get("X-CSRF-Token", "")
    expected = session.get("csrf") or ""
    if not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise errors.forbidden()
    if session.get("counter") != counter_id:
        raise errors.forbidden()
    return f"officer:{officer}"


# --- body validation ---------------------------------------------------------------------
def json_body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise errors.ApiError(422, p.ERR_MALFORMED, "server.malformed_json") from exc
    if not isinstance(body, dict):
        raise errors.malformed("(body)", "expected a JSON object")
    return body


def field(
    body: dict[str, Any],
    name: str,
    kind: type,
    *,
    required: bool,
    default: Any = None,
    nullable: bool = False,
):
    """A field of the body; null only where the OpenAPI document allows it (``nullable``)."""
    if body.get(name) is None:
        if name in body and not nullable:
            raise errors.malformed(name, "must not be null")
        if required:
            raise errors.malformed(name, "missing")
        return default
    value = body[name]
    if kind is not bool and isinstance(value, bool) or not isinstance(value, kind):
        raise errors.malformed(name, f"expected {kind.__name__}, got {type(value).__name__}")
    if isinstance(value, str) and not clean_text(value):
        raise errors.malformed(name, "contains a NUL byte or invalid characters")
    return value


def clean_text(value: str) -> bool:
    """Text a database can store: no NUL byte (PostgreSQL refuses it), no lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


MAX_ID = 2**31 - 1  # ticket ids are 32-bit integers on every database


# --- endpoints ---------------------------------------------------------------------------
@bp.get("/health")
def health():
    """``ok``; with Redis configured also the relay: ``degraded`` while events cannot reach
    the other server processes (still 200: this process serves, its own clients hear it)."""
    relay = services().relay
    if relay is None:
        return jsonify({"status": "ok"})
    up = relay.up
    return jsonify({"status": "ok" if up else "degraded", "relay": "up" if up else "down"})


@bp.get("/openapi.json")
def openapi():
    text = resources.files("server").joinpath("openapi.json").read_text(encoding="utf-8")
    return Response(text, mimetype="application/json")


@bp.get("/sites")
def sites():
    svc = services()
    cfg = svc.config
    office = {
        "name": cfg.name,
        "timezone": cfg.timezone,
        "public_url": cfg.public_url,
        "ticket": {
            "header": list(cfg.ticket.header),
            "footer": cfg.ticket.footer,
            "paper_mm": cfg.ticket.paper_mm,
        },
    }
    return jsonify({"office": office, "sites": svc.store.sites_view()})


@bp.get("/sites/<site>")
def site(site: str):
    return jsonify(services().store.site_view(site))


@bp.post("/sites/<site>/tickets")
def issue_ticket(site: str):
    svc = services()
    svc.store.site(site)  # 404 before 401/403 would leak nothing: site codes are public
    device = require_device("kiosk")
    if device.site != site:
        raise errors.forbidden()
    body = json_body()
    service = field(body, "service", str, required=True)
    priority = field(body, "priority", bool, required=False, default=False)
    category = field(body, "priority_category", str, required=False, nullable=True)
    if category is not None and category not in p.PRIORITY_CATEGORIES:
        raise errors.malformed(
            "priority_category", f"must be one of {', '.join(p.PRIORITY_CATEGORIES)}"
        )
    if category is not None:
        priority = True
    request_id = field(body, "request_id", str, required=False)
    if request_id is None:
        request_id = f"srv-{uuid.uuid4()}"
    elif not 1 <= len(request_id) <= 64:  # "" is refused: it would not be the same id again
        raise errors.malformed("request_id", "must be 1 to 64 characters")
    outcome = svc.store.issue(
        site,
        service,
        priority=priority,
        category=category,
        request_id=request_id,
        actor=device.actor,
        issuer=device.id,
    )
    publish(outcome.events)
    return jsonify(outcome.body), 201 if outcome.created else 200


@bp.post("/tickets/<int:ticket_id>/void")
def void_ticket(ticket_id: int):
    device = require_device("kiosk")
    if not 1 <= ticket_id <= MAX_ID:
        raise errors.not_found(p.ERR_UNKNOWN_TICKET, "server.unknown_ticket")
    body = json_body()
    reason = field(body, "reason", str, required=False, default="print_failed")
    outcome = services().store.void(ticket_id, device.site, reason, device.actor, device.id)
    publish(outcome.events)
    return jsonify(outcome.body)


@bp.get("/tickets/<status_code>")
def ticket_status(status_code: str):
    if not STATUS_CODE.fullmatch(status_code):
        raise errors.not_found(p.ERR_UNKNOWN_TICKET, "server.unknown_ticket")
    return jsonify(services().store.ticket_by_code(status_code))


STATUS_CODE = re.compile(p.STATUS_CODE_PATTERN)


@bp.get("/counters/<counter>")
def counter_view(counter: str):
    counter_actor(counter)
    return jsonify(services().store.counter_view(counter))


@bp.post("/counters/<counter>/<action>")
def counter_action(counter: str, action: str):
    svc = services()
    if action in BY_NUMBER:  # actions on any of today's tickets, named by its number
        actor = counter_actor(counter)
        number = field(json_body(), "number", str, required=True)
        outcome = getattr(svc.store, BY_NUMBER[action])(counter, number, actor)
        publish(outcome.events)
        return jsonify(outcome.body)
    if action not in p.CURRENT_TICKET_ACTIONS:
        raise errors.not_found(p.ERR_NOT_FOUND, "server.not_found")
    actor = counter_actor(counter)
    body = json_body()
    service = field(body, "service", str, required=action == p.ACTION_TRANSFER)
    outcome = svc.store.counter_action(counter, action, actor, service)
    publish(outcome.events)
    return jsonify(outcome.body)


BY_NUMBER = {p.ACTION_REPRINT: "reprint", p.ACTION_READY: "announce_ready"}


@bp.post("/devices/me/health")
def device_health():
    svc = services()
    device = require_device()
    body = json_body()
    report: dict[str, Any] = {
        "connected": field(body, "connected", bool, required=False, default=True),
        "printer": field(body, "printer", str, required=False, default="unknown"),
        "last_ticket": field(body, "last_ticket", str, required=False, nullable=True),
        "detail": field(body, "detail", str, required=False, nullable=True),
    }
    if report["printer"] not in p.PRINTER_STATES:
        raise errors.malformed("printer", f"must be one of {', '.join(p.PRINTER_STATES)}")
    for name, states in (("audio", p.AUDIO_STATES), ("voice_pack", p.VOICE_PACK_STATES)):
        value = field(body, name, str, required=False)
        if value is not None and value not in states:
            raise errors.malformed(name, f"must be one of {', '.join(states)}")
        if value is not None:
            report[name] = value
    version = field(body, "version", str, required=False, nullable=True)
    if version is not None:
        report["version"] = version[:40]
    uptime = body.get("uptime_seconds")
    if uptime is not None:
        if isinstance(uptime, bool) or not isinstance(uptime, int | float) or not uptime >= 0:
            raise errors.malformed("uptime_seconds", "expected a number of seconds, 0 or more")
        report["uptime_seconds"] = float(min(uptime, 1e12))
    if report["detail"] is not None:
        report["detail"] = report["detail"][:200]
    now = svc.clock.now()
    svc.accounts.record_health(device.id, report, now)
    return jsonify({"device": device.name, "last_seen_at": now.isoformat(), "state": report})
