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

    def call_order(self) -> tuple:
        """Priority first, then longest waiting, then issue order as the tie-break.

        This is THE call order: "next" takes the first due ticket in it and "ahead" counts
        the tickets before one in it. The server's SQL (ORDER BY, counts) mirrors it for
        speed; tests/server/test_rules_agree.py checks that it agrees on random days."""
        return (not self.priority, self.issued_at, self.id)
