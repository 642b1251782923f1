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


__all__ = ["DayCounts", "Refusal", "check_issue", "remaining"]


def remaining(site: Site, service: str, site_issued: int, service_issued: int) -> int:
    """How many more tickets of ``service`` can be issued today (never below zero)."""
    left = site.daily_quota - site_issued
    cap = site.service_quota.get(service)
    if cap is not None:
        left = min(left, cap - service_issued)
    return max(left, 0)


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
    if counts.site_issued >= site.daily_quota:
        return Refusal(p.ERR_QUOTA_EXHAUSTED, "server.quota_exhausted", {"what": site.name})
    cap = site.service_quota.get(service)
    if cap is not None and counts.service_issued >= cap:
        return Refusal(p.ERR_QUOTA_EXHAUSTED, "server.quota_exhausted", {"what": service})
    if counts.last_seq >= MAX_NUMBER:
        return Refusal(p.ERR_NUMBERS_EXHAUSTED, "server.numbers_exhausted", {"service": service})
    return None
