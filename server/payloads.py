"""Rows -> protocol payloads (the shapes in ``sahaja.protocol``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sahaja import protocol as p
from sahaja.config import Counter, Site
from sahaja.core import actions, documents
from sahaja.core.forecast import Estimate
from server.models import Action, Ticket


def iso(dt: datetime | None, tz: ZoneInfo) -> str | None:
    return dt.astimezone(tz).isoformat(timespec="seconds") if dt else None


def public_ticket_payload(
    t: Ticket, tz: ZoneInfo, ahead: int | None = None, eta: Estimate | None = None
) -> p.PublicTicketPayload:
    """A ticket without its status code: what boards, counters and public views may show.
    ``eta`` (the forecast) is shown only while the ticket waits."""
    waiting = t.status == p.STATUS_WAITING
    est = eta if waiting else None
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
        "estimated_call_at": iso(est.at, tz) if est else None,
        "estimate_from": iso(est.earliest, tz) if est else None,
        "estimate_to": iso(est.latest, tz) if est else None,
        "estimate_today": est.today if est else None,
        "counter": t.counter_id,
        "called_at": iso(t.called_at, tz),
        # getattr: the issue path answers from the inserted values, which hold no document
        "document_stage": documents.stage_of(t.status, getattr(t, "document_stage", None)),
        "document_stage_at": iso(getattr(t, "document_stage_at", None), tz),
    }


def ticket_payload(
    t: Ticket, tz: ZoneInfo, ahead: int | None = None, eta: Estimate | None = None
) -> p.TicketPayload:
    """The whole ticket, status code included: only for the kiosk that issued it and the
    ticket's own status page (the code behind the QR is private to the citizen)."""
    return {
        **public_ticket_payload(t, tz, ahead, eta),
        "status_code": t.status_code,
        "document_reject_reason": getattr(t, "document_reject_reason", None),
    }


def call_payload(
    t: Ticket, site: Site, counter: Counter, action: Action, tz: ZoneInfo
) -> p.CallPayload:
    kind = actions.CALL_KIND_OF_LOG[action.kind]
    return {
        "call_id": action.id,
        "kind": kind,
        "site": site.code,
        "counter": counter.id,
        "counter_name": counter.name,
        "counter_number": counter.number,
        "ticket_id": t.id,
        "number": t.number,
        "service": t.service,
        "priority": t.priority,
        "recall": kind == p.CALL_KIND_RECALL,
        "called_at": iso(action.at, tz) or "",
    }


def counter_info(counter: Counter, current: p.PublicTicketPayload | None) -> p.CounterInfo:
    return {
        "id": counter.id,
        "code": counter.code,
        "name": counter.name,
        "number": counter.number,
        "services": list(counter.services),
        "current": current,
    }
