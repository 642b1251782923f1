"""The core's view of a ticket, how its number is written, and the call order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sahaja import protocol as p

MAX_NUMBER = p.MAX_NUMBER  # three digits per service per day
_NUMBER_INPUT = re.compile(p.NUMBER_INPUT_PATTERN)


def format_number(prefix: str, seq: int) -> str:
    """'A' and 12 -> 'A012'."""
    if not 1 <= seq <= MAX_NUMBER:
        raise ValueError(f"ticket sequence {seq} outside 1..{MAX_NUMBER}")
    return f"{prefix}{seq:0{p.NUMBER_DIGITS}d}"


def parse_number(text: str) -> str | None:
    """What staff typed ('a12', 'A 012') as a ticket number ('A012'), or None."""
    match = _NUMBER_INPUT.match(text)
    if match is None:
        return None
    seq = int(match.group(2))
    return format_number(match.group(1).upper(), seq) if 1 <= seq <= MAX_NUMBER else None


@dataclass(frozen=True)
class WaitingTicket:
    """What balancing and estimates need to know about a waiting ticket."""

    id: int
    service: str
    priority: bool
    issued_at: datetime
    eligible_after_call: int | None = None  # set after a skip: site call count to wait for
    # a checked-in booking: the span in which it has its lane (window start - 30 min .. end)
    booked_from: datetime | None = None
    booked_to: datetime | None = None

    def in_booked_lane(self, now: datetime | None) -> bool:
        """A booked ticket inside its span at ``now``: called before the walk-ins of its
        service. Without a time (``now`` None) no ticket is in the lane."""
        return (
            now is not None
            and self.booked_from is not None
            and self.booked_to is not None
            and self.booked_from <= now < self.booked_to
        )

    @property
    def ordered_by_issue(self) -> bool:
        """A fresh walk-in: its place never changes with time (priority, then issue time),
        so one index scan finds the first of a service. Skipped and booked tickets are read
        apart, since their place depends on the call count or the clock."""
        return self.eligible_after_call is None and self.booked_to is None

    def call_order(self, now: datetime | None = None) -> tuple:
        """Priority first; then booked tickets inside their span at ``now``, the earliest
        window end first; then everyone else (walk-ins, booked tickets that came late) by
        longest waiting; issue time and id as the tie-breaks.

        This is THE call order: "next" takes the first due ticket in it and "ahead" counts
        the tickets before one in it. The server's SQL (ORDER BY, counts) mirrors it for
        speed; tests/server/test_rules_agree.py checks that it agrees on random days."""
        lane = self.in_booked_lane(now)
        lane_time = self.booked_to if lane else self.issued_at
        return (not self.priority, not lane, lane_time, self.issued_at, self.id)
