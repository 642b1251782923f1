"""Local days and opening hours: when a site may issue tickets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sahaja.config import Hours, Site


def local_now(now: datetime, tz: ZoneInfo) -> datetime:
    return now.astimezone(tz)


def local_day(now: datetime, tz: ZoneInfo) -> date:
    """The office's calendar day: numbering and quotas restart at local midnight."""
    return now.astimezone(tz).date()


def next_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    day = local_day(now, tz) + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def hours_on(site: Site, day: date) -> Hours | None:
    return site.hours.get(day.weekday())


@dataclass(frozen=True)
class ClosedReason:
    """Why a site is not issuing now: closed all day, not yet open, past cutoff, or closed."""

    kind: str  # "closed_day" | "closed_before_open" | "closed_after_cutoff" | "closed_after_close"
    hours: Hours | None
    cutoff_minute: int | None = None


def _minute_of_day(t: datetime) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60_000_000


def issuing_closed(site: Site, now: datetime, tz: ZoneInfo) -> ClosedReason | None:
    """None when a ticket may be issued at ``now``; otherwise the reason it may not."""
    t = local_now(now, tz)
    hours = hours_on(site, t.date())
    if hours is None:
        return ClosedReason("closed_day", None)
    minute = _minute_of_day(t)
    if minute < hours.open_minute:
        return ClosedReason("closed_before_open", hours)
    cutoff = hours.close_minute - site.ticket_cutoff_minutes
    if minute >= hours.close_minute:
        return ClosedReason("closed_after_close", hours, cutoff)
    if minute >= cutoff:
        return ClosedReason("closed_after_cutoff", hours, cutoff)
    return None


def calling_periods(
    site: Site, day: date, holidays: Mapping[date, str] | None = None
) -> list[tuple[int, int]]:
    """Minutes of the local ``day`` (from, to) during which counters call: the opening hours,
    none on a holiday. The one answer every rule and the estimator ask."""
    hours = hours_on(site, day)
    if hours is None or (holidays and day in holidays):
        return []
    return [(hours.open_minute, hours.close_minute)]


def minute_label(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
