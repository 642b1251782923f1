"""The document of a finished ticket, from the counter to the citizen's hands.

A ticket finished at a counter starts its application's document at ``received``; officers of
its site move it on: ``processing`` -> ``ready`` (the citizen is called back to collect it) ->
``collected``, or ``rejected`` with a reason. Each rule answers the ticket fields to change or
a ``Refusal``; the server writes exactly those fields.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from sahaja import protocol as p
from sahaja.core.refusal import Refusal

REASON_MAX = 200  # characters of a rejection reason that are kept (the audit detail's size)

# Where a document may go from each stage. No way back: a mistake is corrected by the next
# stage (a document marked ready too early is simply collected later), not by undoing.
NEXT_STAGES: dict[str, tuple[str, ...]] = {
    p.STAGE_RECEIVED: (p.STAGE_PROCESSING, p.STAGE_READY, p.STAGE_REJECTED),
    p.STAGE_PROCESSING: (p.STAGE_READY, p.STAGE_REJECTED),
    p.STAGE_READY: (p.STAGE_COLLECTED,),
    p.STAGE_COLLECTED: (),
    p.STAGE_REJECTED: (),
}

# Sixteen digits in a row, spaces or dots allowed between them: what a NIK looks like. A
# rejection reason is shown to the citizen and kept in the audit log, so it may not hold one.
_NIK_LIKE = re.compile(r"(?:\d[\s.\-]?){15}\d")


class DocumentChange(TypedDict, total=False):
    """The ticket fields a document rule sets (names as in the server's ticket table)."""

    document_stage: str
    document_stage_at: datetime
    document_ready_at: datetime
    document_reject_reason: str | None


def received(now: datetime) -> DocumentChange:
    """Set when the ticket is finished: the counter has taken the application."""
    return {"document_stage": p.STAGE_RECEIVED, "document_stage_at": now}


def stage_of(status: str, stage: str | None) -> str | None:
    """The document's stage; None while the ticket has no document (not finished)."""
    if stage is not None:
        return stage
    return p.STAGE_RECEIVED if status == p.STATUS_FINISHED else None


def next_stages(status: str, stage: str | None) -> tuple[str, ...]:
    current = stage_of(status, stage)
    return NEXT_STAGES.get(current, ()) if current is not None else ()


def clean_reason(reason: str | None) -> str:
    """One line, trimmed, at most ``REASON_MAX`` characters."""
    return " ".join((reason or "").split())[:REASON_MAX]


def move_refusal(
    number: str, status: str, stage: str | None, target: str, reason: str | None = None
) -> Refusal | None:
    """Why the document of ticket ``number`` may not move to ``target`` now.

    Setting the stage it already has is no refusal (a retry after a lost answer changes
    nothing); the caller checks ``is_repeat`` for that.
    """
    current = stage_of(status, stage)
    if current is None:
        params = {"number": number, "status": status}
        return Refusal(p.ERR_TICKET_NOT_READY, "server.ticket_not_ready", params)
    text = clean_reason(reason)
    if target == p.STAGE_REJECTED and not text:  # a retry too: the same request either way
        return Refusal(p.ERR_REASON_REQUIRED, "documents.reason_required", {"number": number})
    if _NIK_LIKE.search(text):  # refused with any stage: a NIK is not to be sent at all
        return Refusal(p.ERR_REASON_PERSONAL, "documents.reason_personal", {"number": number})
    if current == target or target in NEXT_STAGES.get(current, ()):
        return None
    return Refusal(
        p.ERR_STAGE_NOT_ALLOWED,
        "documents.stage_not_allowed",
        {"number": number, "stage": current, "target": target},
    )


def is_repeat(status: str, stage: str | None, target: str) -> bool:
    return stage_of(status, stage) == target


def moved(target: str, now: datetime, reason: str | None = None) -> DocumentChange:
    """The fields of a move ``move_refusal`` allowed (and that is no repeat)."""
    change: DocumentChange = {"document_stage": target, "document_stage_at": now}
    if target == p.STAGE_READY:
        change["document_ready_at"] = now
    if target == p.STAGE_REJECTED:
        change["document_reject_reason"] = clean_reason(reason)
    return change


def announces(target: str) -> bool:
    """Moving to ``ready`` calls the number on the board for pickup (document_ready)."""
    return target == p.STAGE_READY


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The office-local ``day`` as UTC instants [start, end): what "the same day" means."""
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def ready_same_day(ticket_day: date, ready_at: datetime | None, tz: ZoneInfo) -> bool:
    """Satu hari jadi: the document was ready on the office-local day of its ticket."""
    if ready_at is None:
        return False
    start, end = day_bounds(ticket_day, tz)
    return start <= ready_at < end
