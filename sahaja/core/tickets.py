"""The core's view of a ticket, and how its number is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MAX_NUMBER = 999  # three digits per service per day


def format_number(prefix: str, seq: int) -> str:
    """'A' and 12 -> 'A012'."""
    if not 1 <= seq <= MAX_NUMBER:
        raise ValueError(f"ticket sequence {seq} outside 1..{MAX_NUMBER}")
    return f"{prefix}{seq:03d}"


@dataclass(frozen=True)
class WaitingTicket:
    """What balancing and estimates need to know about a waiting ticket."""

    id: int
    service: str
    priority: bool
    issued_at: datetime
    eligible_after_call: int | None = None  # set after a skip: site call count to wait for

    def call_order(self) -> tuple:
        """Priority first, then longest waiting, then issue order as the tie-break."""
        return (not self.priority, self.issued_at, self.id)
