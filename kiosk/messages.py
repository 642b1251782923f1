"""What flows between the kiosk's loop and its two workers (network, printer).

Commands go out from the pure state machine; results come back through one queue drained once
per frame. Plain frozen dataclasses: easy to build in a test, safe to hand across threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from hardware.printer import TicketText

# --- commands: loop -> network worker --------------------------------------------------


@dataclass(frozen=True)
class IssueTicket:
    request_id: str
    site: str
    service: str
    priority: bool = False
    priority_category: str | None = None


@dataclass(frozen=True)
class CheckIn:
    """A booking code checked in: the server answers like an issue (TicketIssued,
    IssueRejected, IssueUnreachable with this request_id)."""

    request_id: str
    site: str
    code: str
    lang: str = "id"  # the refusal's message comes back in the kiosk's language


@dataclass(frozen=True)
class VoidTicket:
    ticket_id: int
    number: str
    reason: str = "print_failed"


@dataclass(frozen=True)
class SendHealth:
    connected: bool
    printer: str
    last_ticket: str | None
    detail: str | None = None


@dataclass(frozen=True)
class RefreshSite:
    site: str


# --- commands: loop -> printer worker --------------------------------------------------


@dataclass(frozen=True)
class CheckPrinter:
    purpose: str  # "issue" (before a ticket), "recover" (fault screen), "health"


@dataclass(frozen=True)
class PrintTicket:
    ticket: dict[str, Any]
    text: TicketText
    status_url: str
    service_name: str
    lang: str = "id"
    reprint: bool = False
    zone: tzinfo | None = None  # the office's zone (KioskState.zone)


NETWORK_COMMANDS = (IssueTicket, CheckIn, VoidTicket, SendHealth, RefreshSite)
PRINTER_COMMANDS = (CheckPrinter, PrintTicket)

# --- results: workers -> loop ----------------------------------------------------------


@dataclass(frozen=True)
class Connection:
    """The Socket.IO link came up (a snapshot follows) or went down."""

    connected: bool


@dataclass(frozen=True)
class Reachability:
    """Whether the HTTP API answered the last request (it can fail while the socket lives)."""

    ok: bool


@dataclass(frozen=True)
class AuthFailed:
    code: str  # unauthorized | forbidden


@dataclass(frozen=True)
class Snapshot:
    payload: dict[str, Any]


@dataclass(frozen=True)
class QueueChanged:
    payload: dict[str, Any]


@dataclass(frozen=True)
class SiteInfo:
    payload: dict[str, Any]  # GET /api/v1/sites/{site}


@dataclass(frozen=True)
class OfficeInfo:
    payload: dict[str, Any]  # the "office" part of GET /api/v1/sites


@dataclass(frozen=True)
class ReprintRequested:
    payload: dict[str, Any]


@dataclass(frozen=True)
class DayRolled:
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketIssued:
    request_id: str
    ticket: dict[str, Any]


@dataclass(frozen=True)
class IssueRejected:
    request_id: str
    code: str  # an ERR_* code of sahaja.protocol
    message: str = ""


@dataclass(frozen=True)
class IssueUnreachable:
    request_id: str


@dataclass(frozen=True)
class TicketVoided:
    ticket_id: int
    number: str


@dataclass(frozen=True)
class PrinterStatus:
    status: str  # ok | near_end | out | offline | unknown
    purpose: str


@dataclass(frozen=True)
class Printed:
    ticket: dict[str, Any]
    reprint: bool = False


@dataclass(frozen=True)
class PrintError:
    ticket: dict[str, Any]
    kind: str  # paper_out | offline | print_failed
    detail: str = ""
    reprint: bool = False
