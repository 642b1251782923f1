"""Rows -> protocol payloads (the shapes in ``sahaja.protocol``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sahaja.config import Counter, Site
from sahaja.protocol import CallPayload, CounterInfo, TicketPayload
from server.models import Action, Ticket


def iso(dt: datetime | None, tz: ZoneInfo) -> str | None:
    return dt.astimezone(tz).isoformat(timespec="seconds") if dt else None


def ticket_payload(
    t: Ticket, tz: ZoneInfo, ahead: int | None = None, eta: datetime | None = None
) -> TicketPayload:
    waiting = t.status == "waiting"
    return {
        "id": t.id,
        "number": t.number,
        "service": t.service,
        "site": t.site,
        "priority": t.priority,
        "priority_category": t.priority_category,
        "status": t.status,
        "issued_at": iso(t.issued_at, tz) or "",
        "ahead": ahead if waiting else None,
        "estimated_call_at": iso(eta, tz) if waiting else None,
        "status_code": t.status_code,
        "counter": t.counter_id,
        "called_at": iso(t.called_at, tz),
    }


CALL_KIND = {"call": "call", "recall": "recall", "ready": "document_ready"}


def call_payload(
    t: Ticket, site: Site, counter: Counter, action: Action, tz: ZoneInfo
) -> CallPayload:
    return {
        "call_id": action.id,
        "kind": CALL_KIND[action.kind],
        "site": site.code,
        "counter": counter.id,
        "counter_name": counter.name,
        "counter_number": counter.number,
        "ticket_id": t.id,
        "number": t.number,
        "service": t.service,
        "priority": t.priority,
        "recall": action.kind == "recall",
        "called_at": iso(action.at, tz) or "",
    }


def counter_info(counter: Counter, current: TicketPayload | None) -> CounterInfo:
    return {
        "id": counter.id,
        "code": counter.code,
        "name": counter.name,
        "number": counter.number,
        "services": list(counter.services),
        "current": current,
    }
