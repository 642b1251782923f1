"""What the citizens' pages show, as plain dicts of texts, built from the store's public views.

One place decides every text: the server renders it into the page, and the page's script
swaps in the same rendering (``/t/{code}/live``) instead of knowing any wire word itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sahaja import i18n
from sahaja import protocol as p
from sahaja.config import Config, Site
from sahaja.core import calendar
from server.public.documents import document_view, poll_seconds

# Page states (CSS classes and data-state of the status section)
WAITING, CALLED, SKIPPED, FINISHED, NO_SHOW, VOIDED, CLOSED = (
    "waiting",
    "called",
    "skipped",
    "finished",
    "no_show",
    "voided",
    "closed",
)
FINAL_STATES = frozenset({FINISHED, NO_SHOW, VOIDED})
NEAR = 5  # people ahead or fewer: poll at the base rate; more: half as often


@dataclass(frozen=True)
class PollPolicy:
    """Seconds between a page's checks (0: stop), by state; the base is
    ``PUBLIC_POLL_SECONDS`` (default 15)."""

    base: float = 15.0

    def seconds(self, state: str, ahead: int | None) -> int:
        if state in FINAL_STATES:
            return 0
        if state == CLOSED:
            return round(self.base * 4)
        if state == WAITING and (ahead or 0) > NEAR:
            return round(self.base * 2)
        return max(1, round(self.base))


def local(iso: str | None, tz: ZoneInfo) -> datetime | None:
    return datetime.fromisoformat(iso).astimezone(tz) if iso else None


def minute_text(minute: int, lang: str) -> str:
    """Minutes after local midnight as '07.30' (Indonesian) / '07:30' (English)."""
    sep = "." if lang == "id" else ":"
    return f"{minute // 60:02d}{sep}{minute % 60:02d}"


def service_name(config: Config, code: str, lang: str) -> str:
    svc = config.services.get(code)
    if svc is None:
        return code
    return svc.name_en if lang == "en" and svc.name_en else svc.name


def estimate_text(ticket: dict[str, Any], tz: ZoneInfo, lang: str) -> str | None:
    """The window when the estimator gave one, else the point estimate."""
    bounds = p.estimate_bounds(ticket)
    if bounds is None:
        return None
    start, end = (datetime.fromisoformat(b).astimezone(tz) for b in bounds)
    if end > start:
        return i18n.t("public.window", lang, window=i18n.format_window(start, end, lang))
    return i18n.t("public.around", lang, time=i18n.format_time(end, lang))


def day_over(site: Site, now: datetime, tz: ZoneInfo) -> bool:
    """Closed all day, or past closing time: a number still waiting will not be called."""
    reason = calendar.issuing_closed(site, now, tz)
    over = (calendar.CLOSED_DAY, calendar.CLOSED_AFTER_CLOSE)
    return reason is not None and reason.kind in over


def ticket_day(ticket: dict[str, Any], tz: ZoneInfo) -> date | None:
    issued = local(ticket.get("issued_at"), tz)
    return issued.date() if issued else None


def status_view(
    config: Config,
    ticket: dict[str, Any],
    now: datetime,
    lang: str,
    poll: PollPolicy,
) -> dict[str, Any]:
    """The status page of one ticket (``ticket`` is the store's answer for its code)."""
    tz = config.tz
    site = config.sites.get(ticket["site"])
    status = ticket["status"]
    view: dict[str, Any] = {
        "number": ticket["number"],
        "priority": bool(ticket.get("priority")),
        "service": service_name(config, ticket["service"], lang),
        "site": site.name if site else ticket["site"],
        "site_code": ticket["site"],
        "headline": "",
        "lines": [],
        "updated": i18n.t(
            "public.updated_at", lang, time=i18n.format_time(now.astimezone(tz), lang)
        ),
    }
    lines: list[str] = []
    called_at = local(ticket.get("called_at"), tz)
    if status == p.STATUS_WAITING and called_at is not None:
        state = SKIPPED  # a skip sends a called ticket back to wait; a transfer clears called_at
        lines.append(i18n.t("public.skipped_hint", lang))
    elif status == p.STATUS_WAITING and site is not None and day_over(site, now, tz):
        state = CLOSED
        lines.append(i18n.t("public.closed_hint", lang))
    elif status == p.STATUS_WAITING:
        state = WAITING
        ahead = ticket.get("ahead")
        if ahead is not None:
            lines.append(
                i18n.t("public.ahead", lang, n=ahead)
                if ahead
                else i18n.t("public.ahead_none", lang)
            )
        estimate = estimate_text(ticket, tz, lang)
        if estimate:
            view["estimate"] = estimate
            lines.append(i18n.t("public.estimate_hint", lang))
        if ticket.get("estimate_today") is False:  # the forecast runs into closing time
            lines.append(i18n.t("public.maybe_not_today", lang))
    elif status == p.STATUS_CALLED:
        state = CALLED
        found = config.counter(ticket.get("counter") or "")
        counter = found[1].name if found else (ticket.get("counter") or "")
        view["headline"] = i18n.t("public.state_called", lang, counter=counter)
        if called_at:
            lines.append(i18n.t("public.called_at", lang, time=i18n.format_time(called_at, lang)))
    elif status == p.STATUS_FINISHED:
        state = FINISHED
        view["document"] = document_view(config, ticket, lang)
    elif status == p.STATUS_NO_SHOW:
        state = NO_SHOW
        lines.append(i18n.t("public.no_show_hint", lang))
    else:
        state = VOIDED
    if not view["headline"]:
        view["headline"] = i18n.t(f"public.state_{state}", lang)
    view["state"] = state
    view["lines"] = lines
    view["poll"] = poll.seconds(state, ticket.get("ahead"))
    if state == FINISHED:  # the document may still be on its way
        view["poll"] = poll_seconds(view.get("document"), poll.base)
    view["title"] = f"{ticket['number']} · {view['headline']}"
    return view


def site_page_view(config: Config, site_view: dict[str, Any], now: datetime, lang: str):
    """A service point today: hours, issuing, and per service the waiting, the expected wait
    for a ticket taken now (``estimated_wait_minutes`` when the estimator gives it) and the
    remaining quota; what each counter is serving (public numbers only)."""
    tz = config.tz
    site = config.sites[site_view["code"]]
    hours = calendar.hours_on(site, calendar.local_day(now, tz))
    zone = now.astimezone(tz).tzname() or ""
    view: dict[str, Any] = {
        "code": site.code,
        "name": site.name,
        "date": i18n.format_date(calendar.local_day(now, tz), lang),
        "updated": i18n.t(
            "public.updated_at", lang, time=i18n.format_time(now.astimezone(tz), lang)
        ),
    }
    if hours is None:
        view["hours"] = i18n.t("public.closed_today", lang)
    else:
        span = f"{minute_text(hours.open_minute, lang)}–{minute_text(hours.close_minute, lang)}"
        view["hours"] = i18n.t("public.hours_today", lang, hours=f"{span} {zone}".strip())
    if site_view.get("open_now") and hours is not None:
        last = hours.close_minute - site.ticket_cutoff_minutes
        time = f"{minute_text(last, lang)} {zone}".strip()
        view["issuing"] = i18n.t("public.issuing_open", lang, time=time)
        view["issuing_open"] = True
    else:
        view["issuing"] = i18n.t("public.issuing_closed", lang)
        view["issuing_open"] = False
    view["remaining"] = i18n.t("public.remaining_total", lang, n=site_view.get("remaining", 0))
    rows = []
    for s in site_view.get("services", []):
        wait = s.get("estimated_wait_minutes")
        if wait is None:
            wait_text = i18n.t("public.wait_unknown", lang)
        elif round(wait) <= 0:
            wait_text = i18n.t("public.wait_none", lang)
        else:
            wait_text = i18n.t("public.wait_minutes", lang, n=round(wait))
        remaining = s.get("remaining")
        if remaining is None:
            left = i18n.t("public.no_limit", lang)
        elif remaining <= 0:
            left = i18n.t("public.quota_exhausted", lang)
        else:
            left = str(remaining)
        rows.append(
            {
                "code": s["code"],
                "name": service_name(config, s["code"], lang),
                "waiting": s.get("waiting", 0),
                "wait": wait_text,
                "left": left,
                "exhausted": remaining is not None and remaining <= 0,
            }
        )
    view["services"] = rows
    view["counters"] = [
        {
            "name": c["name"],
            "serving": (c.get("current") or {}).get("number") or i18n.t("public.counter_idle"),
        }
        for c in site_view.get("counters", [])
    ]
    return view
