"""Online booking rules: a site's bookable windows of a day, the booking quota of each window,
the bookable days, the booking code, and whether a booking may be made or checked in.

Pure: time, randomness and the holiday calendar come in as arguments (docs/booking.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sahaja import protocol as p
from sahaja.config import BookingRules, Site
from sahaja.core.calendar import calling_periods, hours_on, local_day, minute_label
from sahaja.core.refusal import Refusal

CHECKIN_EARLY = timedelta(minutes=30)  # a booked ticket's lane opens this long before its window


@dataclass(frozen=True, order=True)
class Window:
    """A bookable span of a local day, in minutes after local midnight."""

    start_minute: int
    end_minute: int

    @property
    def label(self) -> str:
        """``"08:00-09:00"``: how the API and the page name a window."""
        return f"{minute_label(self.start_minute)}-{minute_label(self.end_minute)}"

    def instants(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The window's start and end as aware datetimes of the office's zone."""
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        return (
            midnight + timedelta(minutes=self.start_minute),
            midnight + timedelta(minutes=self.end_minute),
        )


def windows_of_day(
    site: Site,
    day: date,
    rules: BookingRules,
    holidays: Mapping[date, str] | None = None,
) -> list[Window]:
    """The site's bookable windows on ``day``: none on a closed day or a holiday. The site's
    configured windows, else ``rules.window_minutes`` long from each calling period's start
    (breaks split them; a last piece shorter than half a window is dropped). All end by the
    ticket cutoff, since a check-in issues a ticket."""
    periods = calling_periods(site, day, holidays)
    hours = hours_on(site, day)
    if not periods or hours is None:
        return []
    last = hours.close_minute - site.ticket_cutoff_minutes
    configured = rules.site_windows.get(site.code)
    if configured is not None:
        return [
            Window(a, b) for a, b in configured if a >= hours.open_minute and b <= last and a < b
        ]
    out: list[Window] = []
    length = rules.window_minutes
    for start, end in periods:
        end = min(end, last)
        while start < end:
            stop = min(start + length, end)
            if stop - start >= length / 2:
                out.append(Window(start, stop))
            start = stop
    return out


def find_window(windows: list[Window], label: str) -> Window | None:
    return next((w for w in windows if w.label == label), None)


def service_day_quota(site: Site, service: str) -> int:
    """The service's daily quota: its own cap, else the site's daily quota."""
    return site.service_quota.get(service, site.daily_quota)


def spread(total: int, parts: int) -> list[int]:
    """``total`` places over ``parts`` windows, as even as can be; earlier windows get the
    odd ones (sum is exactly ``total``)."""
    if parts <= 0:
        return []
    base, extra = divmod(max(total, 0), parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def window_quotas(
    site: Site, service: str, windows: list[Window], rules: BookingRules
) -> list[int]:
    """Booking places of ``service`` in each window: ``share`` of its daily quota, spread."""
    return spread(int(service_day_quota(site, service) * rules.share), len(windows))


def site_day_booking_quota(site: Site, rules: BookingRules) -> int:
    """All bookings of a site and day together: ``share`` of the site's daily quota (so the
    services' shares cannot add up to more than the site serves)."""
    return int(site.daily_quota * rules.share)


@dataclass(frozen=True)
class WindowPlaces:
    window: Window
    remaining: int


def remaining_places(
    site: Site,
    service: str,
    windows: list[Window],
    rules: BookingRules,
    booked: Mapping[int, int],
    site_booked: int,
) -> list[WindowPlaces]:
    """Places left per window: ``booked`` counts this service's active bookings by window
    start minute, ``site_booked`` the site's active bookings of the day (every service)."""
    site_left = max(site_day_booking_quota(site, rules) - site_booked, 0)
    quotas = window_quotas(site, service, windows, rules)
    return [
        WindowPlaces(w, max(min(q - booked.get(w.start_minute, 0), site_left), 0))
        for w, q in zip(windows, quotas, strict=True)
    ]


def bookable_days(
    site: Site,
    now: datetime,
    tz: ZoneInfo,
    rules: BookingRules,
    holidays: Mapping[date, str] | None = None,
) -> list[date]:
    """Days that can be booked: tomorrow (today too with ``same_day``) up to the horizon,
    open days only (not a closed weekday, not a holiday)."""
    today = local_day(now, tz)
    first = 0 if rules.same_day else 1
    days = (today + timedelta(days=n) for n in range(first, rules.horizon_days + 1))
    return [d for d in days if windows_of_day(site, d, rules, holidays)]


def booking_refusal(
    site: Site,
    day: date,
    window: Window | None,
    now: datetime,
    tz: ZoneInfo,
    rules: BookingRules,
    holidays: Mapping[date, str] | None,
    places: int,
) -> Refusal | None:
    """Why a booking of ``window`` on ``day`` cannot be made (None: it can). ``window`` is
    None when the asked window is not one of the day's; ``places`` is what is left in it."""
    if day not in bookable_days(site, now, tz, rules, holidays) or window is None:
        return Refusal(p.ERR_CLOSED, "booking.closed_window")
    start, _ = window.instants(day, tz)
    if start <= now:
        return Refusal(p.ERR_CLOSED, "booking.closed_window")
    if places <= 0:
        return Refusal(p.ERR_BOOKING_FULL, "booking.full", {"window": window.label})
    return None


@dataclass(frozen=True)
class BookingFacts:
    """What a check-in rule needs to know of a booking."""

    status: str
    site: str
    day: date
    window_start: datetime
    window_end: datetime


def booked_span(window_start: datetime, window_end: datetime) -> tuple[datetime, datetime]:
    """The span in which a booked ticket is called before the walk-ins of its service."""
    return window_start - CHECKIN_EARLY, window_end


def status_refusal(status: str) -> Refusal | None:
    """A booking that is no longer ``booked`` cannot be checked in or cancelled."""
    if status == p.BOOKING_CANCELLED:
        return Refusal(p.ERR_BOOKING_CANCELLED, "booking.cancelled")
    if status == p.BOOKING_CHECKED_IN:
        return Refusal(p.ERR_BOOKING_USED, "booking.used")
    if status == p.BOOKING_EXPIRED:
        return Refusal(p.ERR_BOOKING_EXPIRED, "booking.expired")
    return None


def checkin_refusal(
    facts: BookingFacts, kiosk_site: str, site_name: str, now: datetime, tz: ZoneInfo
) -> Refusal | None:
    """Why this kiosk cannot check the booking in now (None: it can). Its status first, then
    the service point (``site_name`` is the right one's), then the day and the time: from
    30 minutes before the window on; late the same day is allowed (it joins the queue)."""
    refusal = status_refusal(facts.status)
    if refusal is not None:
        return refusal
    if facts.site != kiosk_site:
        return Refusal(p.ERR_WRONG_SITE, "booking.wrong_site", {"site": site_name})
    today = local_day(now, tz)
    if facts.day < today:
        return Refusal(p.ERR_BOOKING_EXPIRED, "booking.expired")
    opens = booked_span(facts.window_start, facts.window_end)[0]
    if now < opens:
        at = opens.astimezone(tz)
        return Refusal(
            p.ERR_TOO_EARLY,
            "booking.too_early",
            {"date": facts.day.isoformat(), "time": f"{at.hour:02d}:{at.minute:02d}"},
        )
    return None


def expires(status: str, day: date, today: date) -> bool:
    """A booking still ``booked`` when its day has ended expires (frees nothing after)."""
    return status == p.BOOKING_BOOKED and day < today


# --- the code ------------------------------------------------------------------------------
def new_code(randbelow: Callable[[int], int]) -> str:
    """A fresh booking code; ``randbelow`` is ``secrets.randbelow`` in production."""
    alphabet = p.BOOKING_CODE_ALPHABET
    return "".join(alphabet[randbelow(len(alphabet))] for _ in range(p.BOOKING_CODE_LENGTH))


def normalize_code(text: str) -> str | None:
    """What a citizen typed or a scanner sent ("abc-def 479") as a stored code, or None
    when it cannot be one. Look-alike letters are read as the alphabet's (O->0 is not in it,
    so 'O' and '0' both fail rather than match something else)."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -")
    if len(cleaned) != p.BOOKING_CODE_LENGTH:
        return None
    if any(ch not in p.BOOKING_CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def display_code(code: str) -> str:
    """``"ACD-479-HJK"``: groups of three, easier to read aloud and type."""
    return "-".join(code[i : i + 3] for i in range(0, len(code), 3))
