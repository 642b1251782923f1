"""Which waiting ticket a counter calls next, and what a skip does to a ticket.

"Next" gives a counter the oldest priority ticket, else a checked-in booking inside its span
(window start - 30 min .. window end), else the ticket that has waited longest, among the
services it serves (``WaitingTicket.call_order``). Oldest-first across services means no
service starves, and a counter never idles while a ticket it could serve waits: a skipped
ticket that is not yet due again is still called when nothing else is waiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sahaja import protocol as p
from sahaja.config import QueueRules
from sahaja.core.tickets import WaitingTicket


def is_due(ticket: WaitingTicket, call_count: int) -> bool:
    return ticket.eligible_after_call is None or call_count >= ticket.eligible_after_call


def pick_next(
    waiting: Iterable[WaitingTicket],
    services: Iterable[str],
    call_count: int,
    now: datetime | None = None,
) -> WaitingTicket | None:
    """The ticket a counter serving ``services`` calls at ``now`` (None: booked tickets
    have no lane, as before bookings existed)."""
    served = set(services)
    candidates = [t for t in waiting if t.service in served]
    if not candidates:
        return None

    def order(t: WaitingTicket) -> tuple:
        return t.call_order(now)

    due = [t for t in candidates if is_due(t, call_count)]
    if due:
        return min(due, key=order)
    # Only skipped tickets that are not due yet: call the one due soonest rather than idle.
    return min(candidates, key=lambda t: (t.eligible_after_call or 0, order(t)))


def next_candidates(
    waiting: Iterable[WaitingTicket], services: Iterable[str]
) -> list[WaitingTicket]:
    """The few tickets ``pick_next`` needs to see to choose as over the whole queue, at any
    time: every ticket of the services whose place depends on the call count or the clock
    (skipped and booked ones, few), and of the fresh walk-ins only the first of each service
    in call order (which an index gives). The server reads just these, so "next" costs the
    same at any queue length; ``pick_next(next_candidates(w, s), s, n, t) ==
    pick_next(w, s, n, t)`` for every ``t``, since a walk-in's place never changes."""
    waiting = list(waiting)
    served = list(dict.fromkeys(services))
    apart = [t for t in waiting if t.service in served and not t.ordered_by_issue]
    firsts = []
    for service in served:
        fresh = [t for t in waiting if t.service == service and t.ordered_by_issue]
        if fresh:
            firsts.append(min(fresh, key=WaitingTicket.call_order))
    return apart + firsts


@dataclass(frozen=True)
class SkipOutcome:
    status: str  # "waiting" (back in the queue) or "no_show"
    skips: int
    eligible_after_call: int | None


def skip(previous_skips: int, call_count: int, rules: QueueRules) -> SkipOutcome:
    """A called ticket that did not come: back in the queue a few calls later, or no-show."""
    skips = previous_skips + 1
    if skips > rules.max_skips:
        return SkipOutcome(p.STATUS_NO_SHOW, skips, None)
    return SkipOutcome(p.STATUS_WAITING, skips, call_count + rules.skip_recall_after)
