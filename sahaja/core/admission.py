"""Whether a new ticket may be issued: hours, cutoff, the site quota, the service quota."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sahaja.config import Site
from sahaja.core.calendar import issuing_closed, minute_label
from sahaja.core.tickets import MAX_NUMBER


@dataclass(frozen=True)
class Refusal:
    """Why a ticket was not issued: an API error code and a translatable message."""

    code: str  # protocol error code: "closed", "quota_exhausted", "numbers_exhausted"
    message_key: str  # i18n key
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DayCounts:
    """Today's counts at a site: tickets counted against quotas, and the last number used."""

    site_issued: int
    service_issued: int
    last_seq: int


def remaining(site: Site, service: str, site_issued: int, service_issued: int) -> int:
    """How many more tickets of ``service`` can be issued today (never below zero)."""
    left = site.daily_quota - site_issued
    cap = site.service_quota.get(service)
    if cap is not None:
        left = min(left, cap - service_issued)
    return max(left, 0)


def check_issue(
    site: Site, service: str, counts: DayCounts, now: datetime, tz: ZoneInfo
) -> Refusal | None:
    closed = issuing_closed(site, now, tz)
    if closed is not None:
        params = {"hours": str(closed.hours) if closed.hours else ""}
        if closed.cutoff_minute is not None:
            params["cutoff"] = minute_label(closed.cutoff_minute)
        return Refusal("closed", f"server.{closed.kind}", params)
    if counts.site_issued >= site.daily_quota:
        return Refusal("quota_exhausted", "server.quota_exhausted", {"what": site.name})
    cap = site.service_quota.get(service)
    if cap is not None and counts.service_issued >= cap:
        return Refusal("quota_exhausted", "server.quota_exhausted", {"what": service})
    if counts.last_seq >= MAX_NUMBER:
        return Refusal("numbers_exhausted", "server.numbers_exhausted", {"service": service})
    return None
