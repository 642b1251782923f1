"""Local days, opening hours, breaks and holidays: when a site issues tickets and when its
counters call.

Holidays come in as a ``Mapping[date, str]`` (date -> name): the server builds it from the
national calendar and the office config; this module imports neither."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sahaja import protocol as p
from sahaja.config import Break, Hours, Site


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


def breaks_on(site: Site, day: date) -> list[Break]:
    """The site's breaks on the local ``day``, earliest first (none on a closed weekday)."""
    if hours_on(site, day) is None:
        return []
    return sorted((b for b in site.breaks if day.weekday() in b.days), key=lambda b: b.from_minute)


def holiday_on(day: date, holidays: Mapping[date, str] | None) -> str | None:
    """The name of the holiday on ``day``, if it is one."""
    return holidays.get(day) if holidays is not None else None


def kiosk_opens_minute(site: Site, hours: Hours) -> int:
    """When the kiosk starts issuing on a day with these hours (it may open before counters)."""
    if site.kiosk_opens_minute is None:
        return hours.open_minute
    return min(site.kiosk_opens_minute, hours.open_minute)


# Kinds of ClosedReason: the protocol's words; "server.closed_<kind>" is the refusal message.
CLOSED_DAY = p.CLOSED_DAY
CLOSED_HOLIDAY = p.CLOSED_HOLIDAY
CLOSED_BEFORE_OPEN = p.CLOSED_BEFORE_OPEN
CLOSED_BREAK = p.CLOSED_BREAK
CLOSED_AFTER_CUTOFF = p.CLOSED_AFTER_CUTOFF
CLOSED_AFTER_CLOSE = p.CLOSED_AFTER_CLOSE


@dataclass(frozen=True)
class ClosedReason:
    """Why a site is not issuing now: closed all day, a holiday, not yet open, a break (when
    the site does not issue during breaks), past the cutoff, or closed."""

    kind: str  # one of the CLOSED_* kinds above (protocol.CLOSED_KINDS)
    hours: Hours | None
    cutoff_minute: int | None = None
    name: str | None = None  # the holiday's or the break's name
    until_minute: int | None = None  # a break: when it ends; before opening: when issuing starts


def _minute_of_day(t: datetime) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60_000_000


def issuing_closed(
    site: Site, now: datetime, tz: ZoneInfo, holidays: Mapping[date, str] | None = None
) -> ClosedReason | None:
    """None when a ticket may be issued at ``now``; otherwise the reason it may not.

    Issuing starts at ``kiosk_opens`` (default: the opening time) and goes on through breaks
    unless the site sets ``issue_during_breaks = false``."""
    t = local_now(now, tz)
    hours = hours_on(site, t.date())
    if hours is None:
        return ClosedReason(CLOSED_DAY, None)
    holiday = holiday_on(t.date(), holidays)
    if holiday is not None:
        return ClosedReason(CLOSED_HOLIDAY, hours, name=holiday)
    minute = _minute_of_day(t)
    opens = kiosk_opens_minute(site, hours)
    if minute < opens:
        return ClosedReason(CLOSED_BEFORE_OPEN, hours, until_minute=opens)
    cutoff = hours.close_minute - site.ticket_cutoff_minutes
    if minute >= hours.close_minute:
        return ClosedReason(CLOSED_AFTER_CLOSE, hours, cutoff)
    if minute >= cutoff:
        return ClosedReason(CLOSED_AFTER_CUTOFF, hours, cutoff)
    if not site.issue_during_breaks:
        pause = _break_at_minute(site, t.date(), minute)
        if pause is not None:
            return ClosedReason(CLOSED_BREAK, hours, name=pause.name, until_minute=pause.to_minute)
    return None


def _break_at_minute(site: Site, day: date, minute: float) -> Break | None:
    return next((b for b in breaks_on(site, day) if b.from_minute <= minute < b.to_minute), None)


def break_at(site: Site, now: datetime, tz: ZoneInfo) -> Break | None:
    """The break in progress at ``now`` at this site, if any: counters do not call in it."""
    t = local_now(now, tz)
    return _break_at_minute(site, t.date(), _minute_of_day(t))


def calling_periods(
    site: Site, day: date, holidays: Mapping[date, str] | None = None
) -> list[tuple[int, int]]:
    """Minutes of the local ``day`` (from, to) during which counters call: the opening hours
    minus the day's breaks, none on a closed day or a holiday. The one answer every rule and
    the estimator ask."""
    hours = hours_on(site, day)
    if hours is None or holiday_on(day, holidays) is not None:
        return []
    periods: list[tuple[int, int]] = []
    start = hours.open_minute
    for b in breaks_on(site, day):
        if b.from_minute > start:
            periods.append((start, min(b.from_minute, hours.close_minute)))
        start = max(start, b.to_minute)
    if start < hours.close_minute:
        periods.append((start, hours.close_minute))
    return periods


def minute_label(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def closed_payload(reason: ClosedReason | None) -> p.ClosedReasonPayload | None:
    if reason is None:
        return None
    until = minute_label(reason.until_minute) if reason.until_minute is not None else None
    return {"kind": reason.kind, "name": reason.name, "until": until}


def break_payload(b: Break) -> p.BreakPayload:
    return {"name": b.name, "start": minute_label(b.from_minute), "end": minute_label(b.to_minute)}
