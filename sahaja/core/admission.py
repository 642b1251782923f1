"""Whether a new ticket may be issued: hours, cutoff, the site quota, the service quota."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sahaja import protocol as p
from sahaja.config import Site
from sahaja.core.calendar import issuing_closed, minute_label
from sahaja.core.refusal import Refusal
from sahaja.core.tickets import MAX_NUMBER


@dataclass(frozen=True)
class DayCounts:
    """Today's counts at a site: tickets counted against quotas, and the last number used."""

    site_issued: int
    service_issued: int
    last_seq: int
    # places held for online bookings not checked in yet whose window is not over: walk-ins
    # may not take them (the booking share of the quota "stays for" the booked citizens)
    site_held: int = 0
    service_held: int = 0


__all__ = ["DayCounts", "Refusal", "check_issue", "held_for_booking", "remaining"]


def remaining(
    site: Site,
    service: str,
    site_issued: int,
    service_issued: int,
    site_held: int = 0,
    service_held: int = 0,
) -> int:
    """How many more walk-in tickets of ``service`` can be issued today (never below zero):
    the quotas less what was issued and what is held for bookings."""
    left = site.daily_quota - site_issued - site_held
    cap = site.service_quota.get(service)
    if cap is not None:
        left = min(left, cap - service_issued - service_held)
    return max(left, 0)


def held_for_booking(held: int, own_hold: bool) -> int:
    """The places held for others: a check-in takes the place held for its own booking."""
    return max(held - 1, 0) if own_hold else held


def check_issue(
    site: Site,
    service: str,
    counts: DayCounts,
    now: datetime,
    tz: ZoneInfo,
    holidays: Mapping[date, str] | None = None,
) -> Refusal | None:
    closed = issuing_closed(site, now, tz, holidays)
    if closed is not None:
        params = {"hours": str(closed.hours) if closed.hours else ""}
        if closed.cutoff_minute is not None:
            params["cutoff"] = minute_label(closed.cutoff_minute)
        if closed.name is not None:
            params["name"] = closed.name
        if closed.until_minute is not None:
            params["until"] = minute_label(closed.until_minute)
        return Refusal(p.ERR_CLOSED, f"server.closed_{closed.kind}", params)
    if counts.site_issued + counts.site_held >= site.daily_quota:
        return Refusal(p.ERR_QUOTA_EXHAUSTED, "server.quota_exhausted", {"what": site.name})
    cap = site.service_quota.get(service)
    if cap is not None and counts.service_issued + counts.service_held >= cap:
        return Refusal(p.ERR_QUOTA_EXHAUSTED, "server.quota_exhausted", {"what": service})
    if counts.last_seq >= MAX_NUMBER:
        return Refusal(p.ERR_NUMBERS_EXHAUSTED, "server.numbers_exhausted", {"service": service})
    return None
