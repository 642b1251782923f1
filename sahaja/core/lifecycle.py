"""What happens to one ticket over its day: called, finished, skipped, transferred, voided,
expired.

Each rule answers the fields to change (a ``TicketChange``) or a ``Refusal``; the server
writes exactly those fields, so every rule is written once, here.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict

from sahaja import protocol as p
from sahaja.config import QueueRules, Site
from sahaja.core import balancing, documents
from sahaja.core.refusal import Refusal

VOID_REASON_MAX = 64  # characters of a kiosk's void reason that are kept


class TicketChange(TypedDict, total=False):
    """The ticket fields a rule sets (names as in the server's ticket table)."""

    status: str
    service: str
    counter_id: str | None
    called_at: datetime | None
    finished_at: datetime | None
    service_seconds: float | None
    eligible_after_call: int | None
    skips: int
    recalls: int
    void_reason: str
    document_stage: str  # sahaja.core.documents: "received" once finished
    document_stage_at: datetime


# --- calling, finishing, skipping ------------------------------------------------------------
def called(counter_id: str, now: datetime) -> TicketChange:
    """A counter calls the ticket; a skipped ticket's wait is over."""
    return {
        "status": p.STATUS_CALLED,
        "called_at": now,
        "counter_id": counter_id,
        "eligible_after_call": None,
    }


def finished(called_at: datetime | None, now: datetime) -> TicketChange:
    """Served: its service time (call to finish) feeds the estimates, and its application's
    document is received (``documents.received``)."""
    change: TicketChange = {"status": p.STATUS_FINISHED, "finished_at": now}
    change.update(documents.received(now))
    if called_at is not None:
        change["service_seconds"] = (now - called_at).total_seconds()
    return change


def recalled(recalls: int) -> TicketChange:
    return {"recalls": recalls + 1}


def skipped(
    previous_skips: int, call_count: int, counter_id: str, now: datetime, rules: QueueRules
) -> TicketChange:
    """Did not come: back in the queue after ``skip_recall_after`` calls, or a no-show."""
    outcome = balancing.skip(previous_skips, call_count, rules)
    back = outcome.status == p.STATUS_WAITING
    change: TicketChange = {
        "skips": outcome.skips,
        "status": outcome.status,
        "eligible_after_call": outcome.eligible_after_call,
        "counter_id": None if back else counter_id,
    }
    if not back:
        change["finished_at"] = now
    return change


# --- transfer --------------------------------------------------------------------------------
def transfer_refusal(
    site: Site, known_services: Container[str], target: str | None
) -> Refusal | None:
    """A transfer goes to a service the office knows and this site offers."""
    if target is None or target not in known_services:
        return Refusal(p.ERR_UNKNOWN_SERVICE, "server.unknown_service", {"service": str(target)})
    if target not in site.services:
        return Refusal(p.ERR_SERVICE_NOT_OFFERED, "server.service_not_offered", {"service": target})
    return None


def transferred(target: str) -> TicketChange:
    """Same number, same quota (charged to the issuing service), same place: the ticket
    waits again for the new service, ordered by its original issue time."""
    return {
        "service": target,
        "status": p.STATUS_WAITING,
        "counter_id": None,
        "called_at": None,
        "eligible_after_call": None,
    }


# --- document ready --------------------------------------------------------------------------
def ready_refusal(number: str, status: str, stage: str | None = None) -> Refusal | None:
    """Only a finished ticket can be called back to collect its document, and only while its
    document may be (or already is) ``ready``: not once collected or rejected."""
    if status != p.STATUS_FINISHED:
        return Refusal(
            p.ERR_TICKET_NOT_READY, "server.ticket_not_ready", {"number": number, "status": status}
        )
    return documents.move_refusal(number, status, stage, p.STAGE_READY)


# --- voiding ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class VoidFacts:
    """What the void rule needs to know about a ticket."""

    number: str
    status: str
    issuer: int | None  # id of the kiosk (device) that issued it; None for other issuers
    issued_at: datetime
    ever_called: bool  # called at least once (a skip or a transfer puts it back to waiting)


def void_refusal(
    ticket: VoidFacts, device: int, now: datetime, rules: QueueRules
) -> Refusal | None:
    """A kiosk voids a ticket it could not print: only one it issued itself, only within
    ``void_window_minutes`` of issuing it, and only while it was never called.

    Voiding an already voided ticket again is allowed (a retry after a lost answer) and
    changes nothing; the caller checks ``ticket.status == STATUS_VOIDED`` for that.
    """
    if ticket.issuer is None or ticket.issuer != device:
        params = {"number": ticket.number}
        return Refusal(p.ERR_NOT_TICKET_ISSUER, "server.not_ticket_issuer", params)
    if ticket.status == p.STATUS_VOIDED:
        return None
    if ticket.status != p.STATUS_WAITING or ticket.ever_called:
        return Refusal(
            p.ERR_TICKET_NOT_VOIDABLE,
            "server.ticket_not_voidable",
            {"number": ticket.number, "status": ticket.status},
        )
    if now - ticket.issued_at > timedelta(minutes=rules.void_window_minutes):
        return Refusal(
            p.ERR_VOID_WINDOW_PASSED,
            "server.void_window_passed",
            {"number": ticket.number, "minutes": str(rules.void_window_minutes)},
        )
    return None


def voided(reason: str) -> TicketChange:
    """Its number is never reused; the quota it used returns (the server counts it back)."""
    return {"status": p.STATUS_VOIDED, "void_reason": reason[:VOID_REASON_MAX]}


# --- the end of the day ----------------------------------------------------------------------
EXPIRING_STATUSES: tuple[str, ...] = p.OPEN_STATUSES


def expires(status: str, day: date, today: date) -> bool:
    """At the first write of a new local day, tickets of earlier days still open expire."""
    return status in EXPIRING_STATUSES and day < today


def status_after_rollover(status: str, day: date, today: date) -> str:
    return p.STATUS_EXPIRED if expires(status, day, today) else status
