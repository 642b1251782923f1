"""The kiosk's state and its rules, without pygame, threads or sockets.

``KioskState.handle(event, now)`` applies one touch or one worker result and returns the
commands to send to the workers. The screen shown is derived from the state, never stored, so
no sequence of events can leave the kiosk on a screen that contradicts what it knows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from devicelink.officetime import office_zone
from hardware.printer import PRINTABLE_STATES, TicketText
from kiosk import booking_code
from kiosk import messages as m
from sahaja import protocol

TICKET_SHOWN_SECONDS = 8.0  # after printing, back to Home by itself
MESSAGE_SECONDS = 6.0  # a refusal ("quota used up") stays this long
RECOVER_EVERY = 3.0  # fault screen: ask the printer again this often
HEALTH_EVERY = 30.0
SITE_REFRESH_EVERY = 60.0  # opening hours / cutoff are re-read from the server
CHECKIN_IDLE_SECONDS = 60.0  # the check-in screen left alone this long: back to Home
MAX_UNSETTLED_CHECKINS = 50  # request ids kept for codes whose check-in went unanswered
SCAN_IDLE_SECONDS = 1.0  # a scanner types a code in a burst; stray keys older than this go


class Screen:
    HOME = "home"
    PRIORITY = "priority"
    TICKET = "ticket"
    CLOSED = "closed"
    OFFLINE = "offline"
    FAULT = "fault"
    CHECKIN = "checkin"

    ALL = (HOME, PRIORITY, TICKET, CLOSED, OFFLINE, FAULT, CHECKIN)


# --- touches, as the loop translates them ----------------------------------------------


@dataclass(frozen=True)
class PressService:
    service: str


@dataclass(frozen=True)
class OpenPriority:
    pass


@dataclass(frozen=True)
class PickGroup:
    category: str


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class ToggleLanguage:
    pass


@dataclass(frozen=True)
class Dismiss:
    pass


@dataclass(frozen=True)
class OpenCheckin:
    """ "Sudah booking online?" on the home screen."""


@dataclass(frozen=True)
class TypeKey:
    """A key of the check-in keypad."""

    key: str


@dataclass(frozen=True)
class Backspace:
    pass


@dataclass(frozen=True)
class SubmitCode:
    pass


@dataclass(frozen=True)
class ScanText:
    """Characters from a keyboard-like device (a USB barcode scanner), as they arrive."""

    text: str


@dataclass(frozen=True)
class ScanEnd:
    """The scanner's Enter: the line is complete."""


@dataclass(frozen=True)
class Tick:
    """Time passed; ``now`` in every handle() call is a monotonic clock in seconds."""


@dataclass
class Pending:
    """A ticket request from touch until the server's answer (one at a time)."""

    request_id: str
    service: str
    priority: bool
    category: str | None
    stage: str = "checking"  # checking (printer) -> issuing (server)
    booking: str | None = None  # a check-in of this booking code instead of a new ticket


# A check-in's refusals: the kiosk.* text, and whether the server's message follows it (the
# right service point, the time the lane opens).
CHECKIN_REFUSALS: dict[str, tuple[str, bool]] = {
    protocol.ERR_WRONG_SITE: ("checkin_wrong_site", True),
    protocol.ERR_TOO_EARLY: ("checkin_too_early", True),
    protocol.ERR_BOOKING_USED: ("checkin_used", False),
    protocol.ERR_BOOKING_CANCELLED: ("checkin_cancelled", False),
    protocol.ERR_BOOKING_EXPIRED: ("checkin_expired", False),
    protocol.ERR_UNKNOWN_BOOKING: ("checkin_unknown", False),
    protocol.ERR_MALFORMED: ("checkin_invalid_code", False),
    protocol.ERR_TOO_MANY_REQUESTS: ("checkin_too_many", False),
}


@dataclass
class KioskState:
    lang: str = "id"
    public_url: str = ""  # this kiosk's own --public-url; wins over the office's
    server_url: str = ""  # the server this kiosk connects to: the QR's last fallback
    office_public_url: str | None = None  # the office config's public_url (snapshot)
    socket_up: bool = False
    http_ok: bool = True
    auth_error: str | None = None
    snapshot_seen: bool = False
    site: str | None = None
    site_name: str = ""
    open_now: bool = True
    hours_today: str | None = None
    closed_reason: dict[str, Any] | None = None  # protocol.ClosedReasonPayload, while closed
    services: list[dict[str, Any]] = field(default_factory=list)
    office_ticket: TicketText | None = None
    timezone: str | None = None  # the office's IANA zone, as the server names it
    zone: tzinfo | None = None  # that zone; until it is known, the server clock's offset
    printer: str = "unknown"
    choosing_priority: bool = False
    priority_group: str | None = None
    pending: Pending | None = None
    ticket: dict[str, Any] | None = None
    ticket_printed: bool = False
    ticket_since: float = 0.0
    fault: str | None = None  # paper_out | offline | print_failed
    fault_number: str | None = None  # the voided ticket's number, if one was issued
    failed_ticket: dict[str, Any] | None = None  # the last ticket that did not print
    message: str | None = None  # kiosk.* key of a passing refusal
    message_since: float = 0.0
    message_detail: str = ""  # the server's own words (names the right site, the window)
    checkin_open: bool = False  # the check-in screen is up
    code_typed: str = ""  # on the keypad
    checkin_since: float = 0.0  # the last touch or scan on the check-in screen
    scanned: str = ""  # a scanner line not yet ended by Enter
    scanned_at: float = 0.0
    # a check-in the server may have made while we could not hear it: the same request_id
    # for the same code again, so the server hands back that ticket (200), not "used"
    unsettled_checkins: dict[str, str] = field(default_factory=dict)
    last_ticket: str | None = None
    reprinting: str | None = None
    last_recover: float = 0.0
    health_every: float = HEALTH_EVERY  # seconds between periodic health reports
    last_health: float = float("-inf")  # the first tick reports at once
    last_refresh: float = 0.0
    version: int = 0  # bumped on every change the screen could show

    # --- derived ------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.socket_up and self.http_ok and self.snapshot_seen and not self.auth_error

    @property
    def screen(self) -> str:
        if self.fault:
            return Screen.FAULT
        if self.ticket:
            return Screen.TICKET
        if self.pending:
            if self.checkin_open:
                return Screen.CHECKIN
            return Screen.PRIORITY if self.choosing_priority else Screen.HOME
        if not self.connected:
            return Screen.OFFLINE
        if not self.open_now:
            return Screen.CLOSED
        if self.checkin_open:
            return Screen.CHECKIN
        if self.choosing_priority:
            return Screen.PRIORITY
        return Screen.HOME

    def service(self, code: str) -> dict[str, Any] | None:
        return next((s for s in self.services if s["code"] == code), None)

    def can_press(self, code: str) -> bool:
        s = self.service(code)
        return s is not None and s.get("remaining") != 0 and self.pending is None

    def ticket_text(self) -> TicketText:
        base = self.office_ticket or TicketText(site_name=self.site_name)
        return TicketText(self.site_name, base.header, base.footer, base.paper_mm)

    @property
    def status_base(self) -> str:
        """Where citizens open their status page: this kiosk's own setting, else the office's
        ``public_url``, else the server this kiosk reaches."""
        return self.public_url or self.office_public_url or self.server_url

    def status_url(self, ticket: dict[str, Any]) -> str:
        return protocol.status_page_url(self.status_base, ticket["status_code"])

    # --- transitions --------------------------------------------------------------------

    def handle(self, event: object, now: float) -> list[object]:
        before = self._visible()
        commands = self._dispatch(event, now)
        if self._visible() != before:
            self.version += 1
        return commands

    def _visible(self) -> tuple:
        return (
            self.screen,
            self.lang,
            self.site_name,
            self.hours_today,
            repr(self.closed_reason),
            str(self.zone),
            repr(self.services),
            self.printer,
            self.priority_group,
            self.pending and self.pending.stage,
            self.ticket and self.ticket["id"],
            self.ticket_printed,
            self.fault_number,
            self.message,
            self.message_detail,
            self.auth_error,
            self.reprinting,
            self.code_typed,
        )

    def _dispatch(self, event: object, now: float) -> list[object]:
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        return handler(event, now) if handler else []

    # touches

    def _on_PressService(self, e: PressService, now: float) -> list[object]:
        if self.screen not in (Screen.HOME,) or not self.can_press(e.service):
            return []
        self.message = None
        self.pending = Pending(
            uuid.uuid4().hex, e.service, self.priority_group is not None, self.priority_group
        )
        return [m.CheckPrinter("issue")]

    def _on_OpenPriority(self, e: OpenPriority, now: float) -> list[object]:
        if self.screen == Screen.HOME and self.pending is None:
            self.choosing_priority = True
        return []

    def _on_PickGroup(self, e: PickGroup, now: float) -> list[object]:
        if self.screen == Screen.PRIORITY and e.category in protocol.PRIORITY_CATEGORIES:
            self.choosing_priority, self.priority_group = False, e.category
        return []

    def _on_Cancel(self, e: Cancel, now: float) -> list[object]:
        if self.pending is None:
            self.choosing_priority, self.priority_group = False, None
            self._close_checkin()
        return []

    def _on_ToggleLanguage(self, e: ToggleLanguage, now: float) -> list[object]:
        self.lang = "en" if self.lang == "id" else "id"
        return []

    def _on_Dismiss(self, e: Dismiss, now: float) -> list[object]:
        if self.ticket and self.ticket_printed:
            self._back_home()
        return []

    def _on_Tick(self, e: Tick, now: float) -> list[object]:
        out: list[object] = []
        if self.ticket and self.ticket_printed and now - self.ticket_since > TICKET_SHOWN_SECONDS:
            self._back_home()
        if self.message and not self.checkin_open and now - self.message_since > MESSAGE_SECONDS:
            self.message, self.message_detail = None, ""
        idle = now - self.checkin_since > CHECKIN_IDLE_SECONDS
        if self.checkin_open and self.pending is None and idle:
            self._close_checkin()
        if self.scanned and now - self.scanned_at > SCAN_IDLE_SECONDS:
            self.scanned = ""
        if self.fault and self.pending is None and now - self.last_recover > RECOVER_EVERY:
            self.last_recover = now
            out.append(m.CheckPrinter("recover"))
        if now - self.last_health >= self.health_every:
            self.last_health = now
            out.append(self.health())
        if self.site and now - self.last_refresh > SITE_REFRESH_EVERY:
            self.last_refresh = now
            out.append(m.RefreshSite(self.site))
        return out

    def _back_home(self) -> None:
        self.ticket, self.ticket_printed = None, False
        self.priority_group = None
        self._close_checkin()

    # the check-in of an online booking

    def _on_OpenCheckin(self, e: OpenCheckin, now: float) -> list[object]:
        if self.screen == Screen.HOME and self.pending is None and self.priority_group is None:
            self.checkin_open, self.code_typed, self.checkin_since = True, "", now
            self.message, self.message_detail = None, ""
        return []

    def _on_TypeKey(self, e: TypeKey, now: float) -> list[object]:
        if self.screen != Screen.CHECKIN or self.pending or e.key not in booking_code.KEYS:
            return []
        self.checkin_since = now
        self.message, self.message_detail = None, ""
        if len(self.code_typed) < booking_code.MAX_TYPED:
            self.code_typed += e.key
        return []

    def _on_Backspace(self, e: Backspace, now: float) -> list[object]:
        if self.screen == Screen.CHECKIN and not self.pending:
            self.checkin_since = now
            self.code_typed = self.code_typed[:-1]
            self.message, self.message_detail = None, ""
        return []

    def _on_SubmitCode(self, e: SubmitCode, now: float) -> list[object]:
        if self.screen != Screen.CHECKIN or self.pending:
            return []
        return self._check_in(booking_code.normalize_code(self.code_typed), now)

    def _on_ScanText(self, e: ScanText, now: float) -> list[object]:
        if self.screen not in (Screen.HOME, Screen.CHECKIN) or self.pending:
            return []
        if self.scanned and now - self.scanned_at > SCAN_IDLE_SECONDS:
            self.scanned = ""  # the rest of an earlier burst that never ended
        self.scanned = (self.scanned + e.text)[-booking_code.MAX_SCAN :]
        self.scanned_at = now
        return []

    def _on_ScanEnd(self, e: ScanEnd, now: float) -> list[object]:
        line, self.scanned = self.scanned, ""
        if not line.strip() or self.screen not in (Screen.HOME, Screen.CHECKIN) or self.pending:
            return []
        if self.priority_group is not None:
            return []  # a priority ticket is being chosen: the scan is not for this citizen
        code = booking_code.from_scan(line)
        self.checkin_open, self.checkin_since = True, now
        self.code_typed = code or ""
        return self._check_in(code, now)

    def _check_in(self, code: str | None, now: float) -> list[object]:
        self.checkin_since = now
        if code is None:
            self._say("checkin_invalid_code", "", now)
            return []
        self.message, self.message_detail = None, ""
        request_id = self.unsettled_checkins.get(code) or uuid.uuid4().hex
        self.pending = Pending(request_id, "", False, None, booking=code)
        return [m.CheckPrinter("issue")]

    def _say(self, key: str, detail: str, now: float) -> None:
        self.message, self.message_detail, self.message_since = key, detail, now

    def _close_checkin(self) -> None:
        if self.checkin_open:
            self.message, self.message_detail = None, ""
        self.checkin_open, self.code_typed = False, ""

    def health(self) -> m.SendHealth:
        return m.SendHealth(self.connected, self.printer, self.last_ticket, self.fault)

    # server

    def _on_Connection(self, e: m.Connection, now: float) -> list[object]:
        self.socket_up = e.connected
        if not e.connected:
            self.snapshot_seen = False
        return []

    def _on_Reachability(self, e: m.Reachability, now: float) -> list[object]:
        self.http_ok = e.ok
        if e.ok:
            self.auth_error = None
        return []

    def _on_AuthFailed(self, e: m.AuthFailed, now: float) -> list[object]:
        self.auth_error = e.code
        return []

    def _on_Snapshot(self, e: m.Snapshot, now: float) -> list[object]:
        p = e.payload
        self.socket_up = self.snapshot_seen = True
        self._set_zone(p.get("timezone"), p.get("server_time"))
        self.site, self.site_name = p["site"], p.get("site_name") or p["site"]
        self.office_public_url = p.get("public_url") or self.office_public_url
        self.open_now, self.hours_today = bool(p.get("open_now", True)), p.get("hours_today")
        self.closed_reason = p.get("closed_reason")
        self._services(p.get("queue") or {})
        return [] if self.last_refresh else self._refresh(now)

    def _set_zone(self, name: str | None, server_time: str | None = None) -> None:
        """The office's time zone from the server: its name, else its clock's UTC offset."""
        self.timezone = name or self.timezone
        self.zone = office_zone(self.timezone, server_time) or self.zone

    def _refresh(self, now: float) -> list[object]:
        self.last_refresh = now
        return [m.RefreshSite(self.site)] if self.site else []

    def _services(self, queue: dict[str, Any]) -> None:
        if queue.get("services") is not None:
            self.services = list(queue["services"])

    def _on_QueueChanged(self, e: m.QueueChanged, now: float) -> list[object]:
        if e.payload.get("site") in (None, self.site):
            self._services(e.payload)
        return []

    def _on_SiteInfo(self, e: m.SiteInfo, now: float) -> list[object]:
        p = e.payload
        if p.get("code") not in (None, self.site):
            return []
        self.site_name = p.get("name") or self.site_name
        self._set_zone(p.get("timezone"))
        self.open_now, self.hours_today = bool(p.get("open_now", True)), p.get("hours_today")
        self.closed_reason = p.get("closed_reason")
        if p.get("services") is not None:
            self.services = list(p["services"])
        return []

    def _on_OfficeInfo(self, e: m.OfficeInfo, now: float) -> list[object]:
        self._set_zone(e.payload.get("timezone"))
        self.office_public_url = e.payload.get("public_url") or self.office_public_url
        t = e.payload.get("ticket") or {}
        self.office_ticket = TicketText(
            self.site_name,
            tuple(t.get("header") or ()),
            t.get("footer") or "",
            int(t.get("paper_mm") or 58),
        )
        return []

    def _on_DayRolled(self, e: m.DayRolled, now: float) -> list[object]:
        return self._refresh(now)

    def _on_ReprintRequested(self, e: m.ReprintRequested, now: float) -> list[object]:
        ticket = e.payload["ticket"]
        if ticket.get("site") not in (None, self.site):
            return []
        self.reprinting = ticket["number"]
        return [self._print(ticket, reprint=True)]

    def _print(self, ticket: dict[str, Any], reprint: bool = False) -> m.PrintTicket:
        svc = self.service(ticket["service"]) or {}
        name = svc.get("name") or ticket["service"]
        return m.PrintTicket(
            ticket, self.ticket_text(), self.status_url(ticket), name, self.lang, reprint, self.zone
        )

    # the issuing flow

    def _on_PrinterStatus(self, e: m.PrinterStatus, now: float) -> list[object]:
        changed = e.status != self.printer
        self.printer = e.status
        out: list[object] = [self.health()] if changed else []
        if e.purpose == "issue" and self.pending and self.pending.stage == "checking":
            if e.status not in PRINTABLE_STATES:
                self.pending = None
                self._fault("paper_out" if e.status == "out" else "offline", None)
                return [self.health()]
            p = self.pending
            p.stage = "issuing"
            if p.booking is not None:
                out.append(m.CheckIn(p.request_id, self.site or "", p.booking, self.lang))
            else:
                out.append(
                    m.IssueTicket(p.request_id, self.site or "", p.service, p.priority, p.category)
                )
        elif e.purpose == "recover" and self.fault and e.status in PRINTABLE_STATES:
            self.fault = self.fault_number = None
            out.append(self.health())
        return out

    def _fault(self, kind: str, number: str | None) -> None:
        self.fault, self.fault_number = kind, number
        self.ticket, self.ticket_printed = None, False
        self.choosing_priority, self.priority_group = False, None

    def _on_TicketIssued(self, e: m.TicketIssued, now: float) -> list[object]:
        if not self.pending or e.request_id != self.pending.request_id:
            return []
        if self.pending.booking is not None:
            self.unsettled_checkins.pop(self.pending.booking, None)
        self.pending = None
        self.http_ok = True
        self.ticket, self.ticket_printed, self.ticket_since = e.ticket, False, now
        self.last_ticket = e.ticket["number"]
        return [self._print(e.ticket)]

    def _on_IssueRejected(self, e: m.IssueRejected, now: float) -> list[object]:
        if not self.pending or e.request_id != self.pending.request_id:
            return []
        booking, self.pending = self.pending.booking, None
        if booking is not None:
            self.unsettled_checkins.pop(booking, None)
        if booking is not None and e.code in CHECKIN_REFUSALS:
            key, detailed = CHECKIN_REFUSALS[e.code]
            self._say(key, e.message if detailed else "", now)
            return []
        if e.code == protocol.ERR_CLOSED:
            self._close_checkin()
            self.open_now = False
            self.priority_group = None
            return self._refresh(now)
        if e.code in (protocol.ERR_UNAUTHORIZED, protocol.ERR_FORBIDDEN):
            self.auth_error = e.code
            return []
        key = {
            protocol.ERR_QUOTA_EXHAUSTED: "error_quota",
            protocol.ERR_NUMBERS_EXHAUSTED: "error_numbers",
            protocol.ERR_UNKNOWN_SERVICE: "error_unknown_service",
        }.get(e.code, "error_generic")
        self._say(key, "", now)  # a check-in's stays on its screen
        return self._refresh(now)

    def _on_IssueUnreachable(self, e: m.IssueUnreachable, now: float) -> list[object]:
        if self.pending and e.request_id == self.pending.request_id:
            if self.pending.booking is not None:
                self.unsettled_checkins[self.pending.booking] = e.request_id
                while len(self.unsettled_checkins) > MAX_UNSETTLED_CHECKINS:
                    self.unsettled_checkins.pop(next(iter(self.unsettled_checkins)))
                self._say("checkin_offline", "", now)
            self.pending = None
            self.http_ok = False
        return []

    def _on_Printed(self, e: m.Printed, now: float) -> list[object]:
        if e.reprint:
            self.reprinting = None
        elif self.ticket and e.ticket["id"] == self.ticket["id"]:
            self.ticket_printed, self.ticket_since = True, now
            return [self.health()]  # the server learns the last ticket at once
        return []

    def _on_PrintError(self, e: m.PrintError, now: float) -> list[object]:
        if e.kind == "paper_out":
            self.printer = "out"
        elif e.kind == "offline":
            self.printer = "offline"
        if e.reprint:
            self.reprinting = None
            return [self.health()]
        self._fault(e.kind, e.ticket["number"])
        self.failed_ticket = e.ticket
        self.last_recover = now
        return [m.VoidTicket(e.ticket["id"], e.ticket["number"]), self.health()]

    def _on_TicketVoided(self, e: m.TicketVoided, now: float) -> list[object]:
        return []
