"""How many are ahead of a waiting ticket and when it will roughly be called."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sahaja.config import Counter, Site
from sahaja.core.tickets import WaitingTicket


def rolling_mean_seconds(durations: Sequence[float], default_seconds: float) -> float:
    """Mean of the recent service durations, or the configured default before there is data."""
    good = [d for d in durations if d > 0]
    return sum(good) / len(good) if good else default_seconds


def ahead_of(
    ticket: WaitingTicket, waiting: Iterable[WaitingTicket], now: datetime | None = None
) -> int:
    """Waiting tickets of the same service that will be called before ``ticket`` (in the
    call order at ``now``: booked tickets in their span go first)."""
    key = ticket.call_order(now)
    return sum(
        1
        for t in waiting
        if t.service == ticket.service and t.id != ticket.id and t.call_order(now) < key
    )


def counters_serving(site: Site, service: str) -> list[Counter]:
    return [c for c in site.counters if service in c.services]


def is_open(last_action_at: datetime | None, now: datetime, idle_minutes: int) -> bool:
    """A counter is open when it acted within the last ``idle_minutes``."""
    return last_action_at is not None and last_action_at >= now - timedelta(minutes=idle_minutes)


def open_counters(last_actions: Iterable[datetime | None], now: datetime, idle_minutes: int) -> int:
    """How many of these counters (by their last action) are open now."""
    return sum(1 for at in last_actions if is_open(at, now, idle_minutes))


def estimated_call_at(
    now: datetime, ahead: int, mean_seconds: float, open_counters: int
) -> datetime:
    """Rounds of service before this ticket's turn, each lasting one mean service time.

    With n counters open for the service, the tickets ahead go n at a time; nobody open yet
    (morning, or all idle) is treated as one counter, which errs on the late side.
    """
    counters = max(open_counters, 1)
    rounds = math.ceil(ahead / counters)
    return now + timedelta(seconds=rounds * mean_seconds)
