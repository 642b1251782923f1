"""The report's counting rules and its percentile method, written once.

Pure: no Flask, no SQLAlchemy. The loader (``server/reports/data.py``) turns the database's
rows into ``TicketFacts``; everything a report says about them is decided here, so the page,
the command line and every export agree.

Counting rules (issue 11, section 3), per ticket and day:

- ``issued``: every ticket given out, voided ones too.
- ``served``: tickets finished at a counter; ``no_show``: tickets skipped too often;
  ``voided``: tickets a kiosk voided; ``expired``: tickets still open at midnight.
- A transferred ticket counts once, under the service it was issued for (its number's
  service), and once in ``transferred`` however often it moved.
- Waiting time: issued -> first call, for every ticket that was called, under the issued
  service. Service time: call -> finish (``service_seconds``), under the service that served
  it (after a transfer, the new one: that is where the time was spent).
- Estimate error: |first call - the call time estimated at issue|, for called tickets that
  carry an estimate; ``None`` when the database keeps no estimates.
- Documents the same day: finished tickets whose document was ready on the ticket's own
  office-local day; ``None`` when the database keeps no document stages.
"""

from __future__ import annotations

import calendar
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from sahaja import protocol as p
from sahaja.core import documents

PERIODS: tuple[str, ...] = ("day", "week", "month")
QUANTILES: dict[str, float] = {"median": 0.5, "p90": 0.9}


class TicketFacts(NamedTuple):
    """What a report needs to know about one ticket. Instants are POSIX seconds (UTC), as
    the loader reads them from SQL without building a datetime per value."""

    site: str
    day: date  # the ticket's office-local day
    issued_service: str
    service: str  # where it ended (differs from issued_service after a transfer)
    status: str
    issued_at: float
    first_call_at: float | None = None
    service_seconds: float | None = None
    counter: str | None = None  # the counter that called it last (and finished it if served)
    finished_by: str | None = None  # the officer who finished it; None for a button box
    transferred: bool = False
    estimated_call_at: float | None = None
    document_ready_at: float | None = None


class LocalTime:
    """Office-local day and hour of POSIX instants, cached per quarter hour (every time
    zone's offset is a multiple of 15 minutes), so a month of tickets costs a few hundred
    conversions, not one per ticket."""

    QUARTER = 900

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._cache: dict[int, tuple[date, int]] = {}

    def of(self, instant: float) -> tuple[date, int]:
        key = int(instant // self.QUARTER)
        found = self._cache.get(key)
        if found is None:
            local = datetime.fromtimestamp(key * self.QUARTER, self.tz)
            found = self._cache[key] = (local.date(), local.hour)
        return found


def posix(instant: datetime) -> float:
    return instant.timestamp()


# --- the percentile method -------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (Hyndman and Fan's type 7: numpy's
    default, Excel's PERCENTILE.INC): the median of 1, 2, 3, 4 is 2.5, its p90 3.7.
    ``None`` for no values."""
    if not values:
        return None
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile {q} outside 0..1")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: Sequence[float]) -> dict[str, float | None]:
    """``{"median": ..., "p90": ...}`` rounded to a tenth (minutes), ``None`` when empty."""
    out: dict[str, float | None] = {}
    for name, q in QUANTILES.items():
        value = percentile(values, q)
        out[name] = None if value is None else round(value, 1)
    return out


# --- periods ---------------------------------------------------------------------------------
def period_range(period: str, day: date) -> tuple[date, date]:
    """The day, its Monday-to-Sunday week, or its calendar month."""
    if period == "day":
        return day, day
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    raise ValueError(f"unknown period {period!r}")


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# --- one group of tickets --------------------------------------------------------------------
@dataclass
class Tally:
    """The counts and samples of one group (a service, a counter, a whole site)."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    voided: int = 0
    transferred: int = 0
    expired: int = 0
    waits: list[float] = field(default_factory=list)  # minutes, issued -> first call
    service_times: list[float] = field(default_factory=list)  # minutes, call -> finish
    estimate_errors: list[float] = field(default_factory=list)  # minutes
    documents_same_day: int = 0

    def count(self, t: TicketFacts, local: LocalTime) -> None:
        """The per-ticket rules: everything but the service time."""
        self.issued += 1
        status = t.status
        if status == p.STATUS_FINISHED:
            self.served += 1
            if t.document_ready_at is not None and documents.ready_same_day(
                t.day, datetime.fromtimestamp(t.document_ready_at, UTC), local.tz
            ):  # "satu hari jadi", the core's rule
                self.documents_same_day += 1
        elif status == p.STATUS_NO_SHOW:
            self.no_show += 1
        elif status == p.STATUS_VOIDED:
            self.voided += 1
        elif status == p.STATUS_EXPIRED:
            self.expired += 1
        if t.transferred:
            self.transferred += 1
        if t.first_call_at is not None:
            self.waits.append((t.first_call_at - t.issued_at) / 60.0)
            if t.estimated_call_at is not None:
                self.estimate_errors.append(abs(t.first_call_at - t.estimated_call_at) / 60.0)

    def merge(self, other: Tally) -> None:
        """Add ``other``'s counts and samples (a site's total from its services)."""
        for name in ("issued", "served", "no_show", "voided", "transferred", "expired"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.documents_same_day += other.documents_same_day
        self.waits += other.waits
        self.service_times += other.service_times
        self.estimate_errors += other.estimate_errors

    def add_service_time(self, t: TicketFacts) -> None:
        if t.status == p.STATUS_FINISHED and t.service_seconds is not None:
            self.service_times.append(t.service_seconds / 60.0)

    def figures(self, *, estimates: bool, documents: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "issued": self.issued,
            "served": self.served,
            "no_show": self.no_show,
            "voided": self.voided,
            "transferred": self.transferred,
            "expired": self.expired,
            "wait_minutes": spread(self.waits),
            "service_minutes": spread(self.service_times),
        }
        if estimates:
            out["estimate_error_minutes"] = spread(self.estimate_errors) | {
                "count": len(self.estimate_errors)
            }
        else:
            out["estimate_error_minutes"] = None
        out["documents_same_day"] = self.documents_same_day if documents else None
        return out


# --- a site over a range ---------------------------------------------------------------------
def site_figures(
    site: str,
    facts: Iterable[TicketFacts],
    tz: tzinfo,
    *,
    services: Sequence[str] = (),
    counters: Sequence[str] = (),
    estimates: bool,
    documents: bool,
) -> dict[str, Any]:
    """One site's entry of the report, in one pass over its tickets. ``services`` and
    ``counters`` are listed (with zeros) even without tickets, in that order."""
    by_service: dict[str, Tally] = {s: Tally() for s in services}
    by_counter: dict[str, Tally] = {c: Tally() for c in counters}
    by_officer: dict[str, Tally] = {}
    local = LocalTime(tz)
    arrivals: Counter[int] = Counter()
    finished = p.STATUS_FINISHED
    for t in facts:
        tally = by_service.get(t.issued_service)
        if tally is None:
            tally = by_service[t.issued_service] = Tally()
        tally.count(t, local)
        arrivals[local.of(t.issued_at)[1]] += 1
        if t.status != finished:
            continue
        by_service.setdefault(t.service, Tally()).add_service_time(t)
        if t.counter is not None:
            by_counter.setdefault(t.counter, Tally()).add_service_time(t)
            by_counter[t.counter].served += 1
        if t.finished_by is not None:
            by_officer.setdefault(t.finished_by, Tally()).add_service_time(t)
            by_officer[t.finished_by].served += 1
    total = Tally()
    for tally in by_service.values():
        total.merge(tally)
    return {
        "site": site,
        "services": [
            {"service": code} | tally.figures(estimates=estimates, documents=documents)
            for code, tally in by_service.items()
        ],
        "counters": [
            {"counter": c, "served": tally.served, "service_minutes": spread(tally.service_times)}
            for c, tally in by_counter.items()
        ],
        "officers": [
            {"officer": o, "served": tally.served, "service_minutes": spread(tally.service_times)}
            for o, tally in sorted(by_officer.items())
        ],
        "total": total.figures(estimates=estimates, documents=documents),
        "arrivals_per_hour": arrivals_per_hour(arrivals),
    }


def arrivals_per_hour(arrivals: Counter[int]) -> list[dict[str, int]]:
    """Tickets issued per office-local hour, every hour from the first to the last listed."""
    if not arrivals:
        return []
    first, last = min(arrivals), max(arrivals)
    return [{"hour": h, "issued": arrivals.get(h, 0)} for h in range(first, last + 1)]


def group_by_site_day(facts: Iterable[TicketFacts]) -> dict[tuple[str, date], list[TicketFacts]]:
    groups: dict[tuple[str, date], list[TicketFacts]] = defaultdict(list)
    for t in facts:
        groups[(t.site, t.day)].append(t)
    return groups
