"""The wire contract between the server and every client (kiosk, board, counter box, console).

Written once here, importable without Flask, so a Raspberry Pi client pulls in nothing more
than the standard library to know what the server says. Payloads are plain JSON dicts; the
TypedDicts document their keys.
"""

from __future__ import annotations

from typing import Literal, TypedDict

API_PREFIX = "/api/v1"
SOCKETIO_PATH = "socket.io"

# --- Socket.IO events, server -> client -------------------------------------------------
SNAPSHOT = "snapshot"  # full state of the client's room, sent on every (re)connect
TICKET_CALLED = "ticket_called"  # a ticket was called or recalled at a counter
QUEUE_CHANGED = "queue_changed"  # issued / remaining / waiting counts of a site changed
COUNTER_CHANGED = "counter_changed"  # a counter's current ticket changed (next/skip/finish...)
REPRINT_REQUESTED = "reprint_requested"  # staff asked a kiosk of the site to reprint a ticket
DAY_ROLLED = "day_rolled"  # local midnight passed: open tickets expired, numbers restart

SERVER_EVENTS = (
    SNAPSHOT,
    TICKET_CALLED,
    QUEUE_CHANGED,
    COUNTER_CHANGED,
    REPRINT_REQUESTED,
    DAY_ROLLED,
)

# --- Socket.IO events, client -> server ------------------------------------------------
REQUEST_SNAPSHOT = "request_snapshot"  # ask again for a snapshot (the answer is SNAPSHOT)

# --- Rooms -----------------------------------------------------------------------------


def site_room(site: str) -> str:
    return f"site:{site}"


def counter_room(counter: str) -> str:
    return f"counter:{counter}"


# --- Enumerations ----------------------------------------------------------------------
Role = Literal["kiosk", "display", "counter"]
ROLES: tuple[str, ...] = ("kiosk", "display", "counter")

TicketStatus = Literal["waiting", "called", "finished", "no_show", "voided", "expired"]
OPEN_STATUSES: tuple[str, ...] = ("waiting", "called")

PRIORITY_CATEGORIES: tuple[str, ...] = (
    "lansia",
    "disabilitas",
    "ibu_hamil",
    "anak",
    "korban_bencana",
)

PrinterState = Literal["ok", "near_end", "out", "offline", "unknown"]
PRINTER_STATES: tuple[str, ...] = ("ok", "near_end", "out", "offline", "unknown")

# --- Error codes of the HTTP API (body: {"error": CODE, "message": TEXT}) ---------------
ERR_QUOTA_EXHAUSTED = "quota_exhausted"  # 409
ERR_CLOSED = "closed"  # 409 (outside hours, closed day, or after the ticket cutoff)
ERR_NUMBERS_EXHAUSTED = "numbers_exhausted"  # 409 (999 tickets of one service in a day)
ERR_NOT_FOUND = "not_found"  # 404
ERR_UNKNOWN_SITE = "unknown_site"  # 404
ERR_UNKNOWN_SERVICE = "unknown_service"  # 404
ERR_UNKNOWN_COUNTER = "unknown_counter"  # 404
ERR_UNKNOWN_TICKET = "unknown_ticket"  # 404
ERR_MALFORMED = "malformed_request"  # 422 (a body that is not JSON, or of the wrong shape)
ERR_UNAUTHORIZED = "unauthorized"  # 401: missing, unknown or revoked token
ERR_FORBIDDEN = "forbidden"  # 403: a valid token of the wrong role, site or counter
ERR_NO_CURRENT_TICKET = "no_current_ticket"  # 409: recall/skip/finish/transfer with none
ERR_SERVICE_NOT_OFFERED = "service_not_offered"  # 409: transfer to a service the site lacks
ERR_TICKET_NOT_VOIDABLE = "ticket_not_voidable"  # 409: void of a ticket already called/ended
ERR_TICKET_NOT_READY = "ticket_not_ready"  # 409: "document ready" for a ticket not finished
ERR_METHOD_NOT_ALLOWED = "method_not_allowed"  # 405
# 503 at the Engine.IO handshake: this server process holds as many live connections (or
# unauthenticated ones) as it is configured to; the client retries later (Retry-After)
ERR_TOO_MANY_CONNECTIONS = "too_many_connections"


# --- Payload shapes --------------------------------------------------------------------
class TicketPayload(TypedDict):
    id: int
    number: str  # "A012"
    service: str  # service code, "KTP"
    site: str  # site code, "PRE"
    priority: bool
    priority_category: str | None
    status: str  # one of TicketStatus
    issued_at: str  # ISO 8601 with offset, office time zone
    ahead: int | None  # waiting tickets called before this one (None once called/ended)
    estimated_call_at: str | None  # ISO 8601, None once called/ended
    status_code: str  # public, unguessable code for GET /api/v1/tickets/{status_code}
    counter: str | None  # counter id while called / when finished
    called_at: str | None


class ServiceCounts(TypedDict):
    code: str
    name: str
    prefix: str
    issued: int  # tickets counted against the quota today (voided ones are not)
    name_en: str
    remaining: int  # under the site's and the service's quota
    waiting: int


class CounterInfo(TypedDict):
    id: str  # globally unique counter id "PRE-L1"
    code: str  # "L1", unique within its site
    name: str  # "Loket 1"
    number: int  # the counter's number as announced ("loket satu")
    services: list[str]
    current: TicketPayload | None


CallKind = Literal["call", "recall", "document_ready"]


class CallPayload(TypedDict):
    call_id: int  # unique per announcement: a board announces each call_id once
    kind: str  # one of CallKind; "document_ready" calls a citizen back to collect a document
    site: str
    counter: str  # counter id
    counter_name: str
    counter_number: int
    ticket_id: int
    number: str
    service: str
    priority: bool
    recall: bool
    called_at: str


class QueueChangedPayload(TypedDict):
    site: str
    day: str  # local date, YYYY-MM-DD
    issued: int
    remaining: int
    services: list[ServiceCounts]


class CounterChangedPayload(TypedDict):
    counter: str
    current: TicketPayload | None
    waiting: int  # tickets waiting for the services this counter serves


class SnapshotPayload(TypedDict):
    site: str
    site_name: str
    day: str
    server_time: str
    open_now: bool
    hours_today: str | None  # "07:30-15:00", None when closed all day
    queue: QueueChangedPayload
    counters: list[CounterInfo]
    recent_calls: list[CallPayload]  # newest first
    counter: str | None  # for a counter client: its own counter id


class ReprintPayload(TypedDict):
    site: str
    ticket: TicketPayload
    requested_by: str


class HealthReport(TypedDict, total=False):
    """Body of POST /api/v1/devices/me/health, sent by kiosks (and other devices)."""

    connected: bool
    printer: str  # one of PRINTER_STATES
    last_ticket: str | None
    detail: str | None
