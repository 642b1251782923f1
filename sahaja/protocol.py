"""The wire contract between the server and every client (kiosk, board, counter box, console).

Written once here, importable without Flask, so a Raspberry Pi client pulls in nothing more
than the standard library to know what the server says. Payloads are plain JSON dicts; the
TypedDicts document their keys.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

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


def kiosk_room(site: str) -> str:
    """The kiosks of a site only: what carries a ticket's private status code (a reprint)."""
    return f"kiosks:{site}"


# --- Enumerations ----------------------------------------------------------------------
Role = Literal["kiosk", "display", "counter"]
ROLE_KIOSK = "kiosk"
ROLES: tuple[str, ...] = (ROLE_KIOSK, "display", "counter")

# Staff roles (people who sign in; issue 11): an admin runs every site, a kepala (head of
# office) one site's reports and settings, a petugas (counter staff) the console only.
STAFF_ADMIN = "admin"
STAFF_KEPALA = "kepala"
STAFF_PETUGAS = "petugas"
STAFF_ROLES: tuple[str, ...] = (STAFF_ADMIN, STAFF_KEPALA, STAFF_PETUGAS)

# Ticket statuses. A ticket waits until a counter calls it; "next" or "finish" ends it as
# finished, one skip too many as no_show; a kiosk voids one it could not print; the first
# write of a new local day expires whatever is still open.
STATUS_WAITING = "waiting"
STATUS_CALLED = "called"
STATUS_FINISHED = "finished"
STATUS_NO_SHOW = "no_show"
STATUS_VOIDED = "voided"
STATUS_EXPIRED = "expired"
TicketStatus = Literal["waiting", "called", "finished", "no_show", "voided", "expired"]
TICKET_STATUSES: tuple[str, ...] = (
    STATUS_WAITING,
    STATUS_CALLED,
    STATUS_FINISHED,
    STATUS_NO_SHOW,
    STATUS_VOIDED,
    STATUS_EXPIRED,
)
OPEN_STATUSES: tuple[str, ...] = (STATUS_WAITING, STATUS_CALLED)

# Counter actions: the last segment of POST /api/v1/counters/{counter}/{action}.
ACTION_NEXT = "next"  # finish the current ticket (if any), call the next one
ACTION_RECALL = "recall"  # announce the current ticket again
ACTION_SKIP = "skip"  # the current ticket did not come: back in the queue later, or no-show
ACTION_FINISH = "finish"  # the current ticket is served
ACTION_TRANSFER = "transfer"  # the current ticket moves to another service ({"service"})
ACTION_REPRINT = "reprint"  # a kiosk prints one of today's tickets again ({"number"})
ACTION_READY = "ready"  # call a finished ticket back to collect its document ({"number"})
CounterAction = Literal["next", "recall", "skip", "finish", "transfer", "reprint", "ready"]
# actions on the counter's current ticket, and actions on any of today's tickets by number
CURRENT_TICKET_ACTIONS: tuple[str, ...] = (
    ACTION_NEXT,
    ACTION_RECALL,
    ACTION_SKIP,
    ACTION_FINISH,
    ACTION_TRANSFER,
)
NUMBER_ACTIONS: tuple[str, ...] = (ACTION_REPRINT, ACTION_READY)
COUNTER_ACTIONS: tuple[str, ...] = CURRENT_TICKET_ACTIONS + NUMBER_ACTIONS

# What a board announces (CallPayload.kind).
CALL_KIND_CALL = "call"
CALL_KIND_RECALL = "recall"
CALL_KIND_DOCUMENT_READY = "document_ready"  # a citizen is called back to collect a document
CallKind = Literal["call", "recall", "document_ready"]
CALL_KINDS: tuple[str, ...] = (CALL_KIND_CALL, CALL_KIND_RECALL, CALL_KIND_DOCUMENT_READY)
# A ``ticket_called`` of these kinds also says the counter now serves that ticket: a site's
# clients get no separate ``counter_changed`` for a call (only the counter's own room does).
COUNTER_CALL_KINDS: tuple[str, ...] = (CALL_KIND_CALL, CALL_KIND_RECALL)

# Stages of a finished ticket's application (the document), set by officers of its site:
# received (at finish) -> processing -> ready (called back for pickup) -> collected, or
# rejected (with a reason). The allowed moves are sahaja.core.documents.NEXT_STAGES.
STAGE_RECEIVED = "received"  # diterima
STAGE_PROCESSING = "processing"  # diproses
STAGE_READY = "ready"  # siap diambil
STAGE_COLLECTED = "collected"  # sudah diambil
STAGE_REJECTED = "rejected"  # ditolak
DocumentStage = Literal["received", "processing", "ready", "collected", "rejected"]
DOCUMENT_STAGES: tuple[str, ...] = (
    STAGE_RECEIVED,
    STAGE_PROCESSING,
    STAGE_READY,
    STAGE_COLLECTED,
    STAGE_REJECTED,
)
OPEN_STAGES: tuple[str, ...] = (STAGE_RECEIVED, STAGE_PROCESSING, STAGE_READY)

PRIORITY_CATEGORIES: tuple[str, ...] = (
    "lansia",
    "disabilitas",
    "ibu_hamil",
    "anak",
    "korban_bencana",
)

# Why a site is not issuing tickets now (ClosedReasonPayload.kind); the API's refusal message
# is the translation of "server.closed_<kind>".
CLOSED_DAY = "day"  # no opening hours on this weekday
CLOSED_HOLIDAY = "holiday"  # a national holiday or a configured closed day (``name``)
CLOSED_BEFORE_OPEN = "before_open"  # the kiosk opens at ``until``
CLOSED_BREAK = "break"  # a break (``name``, ends at ``until``), at a site not issuing in breaks
CLOSED_AFTER_CUTOFF = "after_cutoff"  # past the day's last ticket time
CLOSED_AFTER_CLOSE = "after_close"
CLOSED_KINDS: tuple[str, ...] = (
    CLOSED_DAY,
    CLOSED_HOLIDAY,
    CLOSED_BEFORE_OPEN,
    CLOSED_BREAK,
    CLOSED_AFTER_CUTOFF,
    CLOSED_AFTER_CLOSE,
)

PrinterState = Literal["ok", "near_end", "out", "offline", "unknown"]
PRINTER_STATES: tuple[str, ...] = ("ok", "near_end", "out", "offline", "unknown")
# A board's sound (health ``audio``) and voice pack (``voice_pack``): "failed" raises an alert
# on the admin devices page and the console of the site; devices without one say "none".
AUDIO_STATES: tuple[str, ...] = ("ok", "failed", "off", "none", "unknown")
VOICE_PACK_STATES: tuple[str, ...] = ("ok", "failed", "none", "unknown")

# --- Ticket numbers and status codes -----------------------------------------------------
# A number is the service's prefix letter and a 3-digit sequence per site, service and day.
NUMBER_DIGITS = 3
MAX_NUMBER = 10**NUMBER_DIGITS - 1  # 999
NUMBER_PATTERN = r"[A-Z][0-9]{3}"  # "A012", as the server writes it
# What staff may type for a number ("a12", "A 012"): the letter, then up to 3 digits. The
# same expression in Python and JavaScript (the console gets it from the server).
NUMBER_INPUT_PATTERN = r"^\s*([A-Za-z])\s*0*([0-9]{1,3})\s*$"
# The private, unguessable code of GET /api/v1/tickets/{status_code} (printed as a QR).
STATUS_CODE_PATTERN = r"[A-Za-z0-9_-]{1,64}"
# The citizens' pages: a ticket's status page (the QR's target) and a service point's page.
STATUS_PAGE_PREFIX = "/t"
SITE_PAGE_PREFIX = "/s"


def status_page_url(base: str, status_code: str) -> str:
    """The address a ticket's QR holds: ``{base}/t/{status_code}``."""
    return f"{base.rstrip('/')}{STATUS_PAGE_PREFIX}/{status_code}"


# --- Error codes of the HTTP API (body: {"error": CODE, "message": TEXT}) ---------------
ERR_QUOTA_EXHAUSTED = "quota_exhausted"  # 409
ERR_CLOSED = "closed"  # 409 (outside hours, closed day, holiday, or after the ticket cutoff)
ERR_ON_BREAK = "on_break"  # 409: "next" during a break (lunch, Friday prayers)
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
ERR_NOT_TICKET_ISSUER = "not_ticket_issuer"  # 403: void by a kiosk that did not issue it
ERR_VOID_WINDOW_PASSED = "void_window_passed"  # 409: void asked too long after the issue
ERR_TICKET_NOT_READY = "ticket_not_ready"  # 409: "document ready" for a ticket not finished
ERR_STAGE_NOT_ALLOWED = "stage_not_allowed"  # 409: a document stage move the rules forbid
ERR_REASON_REQUIRED = "reason_required"  # 422: "rejected" without a reason
ERR_REASON_PERSONAL = "reason_personal"  # 422: a rejection reason holding a NIK-like number
ERR_METHOD_NOT_ALLOWED = "method_not_allowed"  # 405
ERR_BUSY = "busy"  # 503: the database is busy; try again
ERR_INTERNAL = "internal_error"  # 500
# online booking and kiosk check-in (docs/booking.md)
ERR_INVALID_NIK = "invalid_nik"  # 422: not a valid NIK (16 digits, region, real birth date)
ERR_UNKNOWN_KECAMATAN = "unknown_kecamatan"  # 404
ERR_UNKNOWN_BOOKING = "unknown_booking"  # 404
ERR_BOOKING_FULL = "booking_full"  # 409: the window's booking quota is used
ERR_ALREADY_BOOKED = "already_booked"  # 409: one active booking per NIK and day
ERR_WRONG_NIK = "wrong_nik"  # 403: cancel with a NIK that is not the booking's
ERR_WRONG_SITE = "wrong_site"  # 409: check-in at another service point (names the right one)
ERR_TOO_EARLY = "too_early"  # 409: check-in before the window's start minus 30 minutes
ERR_BOOKING_CANCELLED = "booking_cancelled"  # 409: check-in or cancel of a cancelled booking
ERR_BOOKING_USED = "booking_used"  # 409: check-in of a booking already checked in
ERR_BOOKING_EXPIRED = "booking_expired"  # 409: its day is over (or it is not today's)
ERR_TOO_MANY_REQUESTS = "too_many_requests"  # 429: the client address's rate limit

# The HTTP status each code is answered with.
ERROR_STATUS: dict[str, int] = {
    ERR_QUOTA_EXHAUSTED: 409,
    ERR_CLOSED: 409,
    ERR_ON_BREAK: 409,
    ERR_NUMBERS_EXHAUSTED: 409,
    ERR_NOT_FOUND: 404,
    ERR_UNKNOWN_SITE: 404,
    ERR_UNKNOWN_SERVICE: 404,
    ERR_UNKNOWN_COUNTER: 404,
    ERR_UNKNOWN_TICKET: 404,
    ERR_MALFORMED: 422,
    ERR_UNAUTHORIZED: 401,
    ERR_FORBIDDEN: 403,
    ERR_NO_CURRENT_TICKET: 409,
    ERR_SERVICE_NOT_OFFERED: 409,
    ERR_TICKET_NOT_VOIDABLE: 409,
    ERR_NOT_TICKET_ISSUER: 403,
    ERR_VOID_WINDOW_PASSED: 409,
    ERR_TICKET_NOT_READY: 409,
    ERR_STAGE_NOT_ALLOWED: 409,
    ERR_REASON_REQUIRED: 422,
    ERR_REASON_PERSONAL: 422,
    ERR_METHOD_NOT_ALLOWED: 405,
    ERR_BUSY: 503,
    ERR_INTERNAL: 500,
    ERR_INVALID_NIK: 422,
    ERR_UNKNOWN_KECAMATAN: 404,
    ERR_UNKNOWN_BOOKING: 404,
    ERR_BOOKING_FULL: 409,
    ERR_ALREADY_BOOKED: 409,
    ERR_WRONG_NIK: 403,
    ERR_WRONG_SITE: 409,
    ERR_TOO_EARLY: 409,
    ERR_BOOKING_CANCELLED: 409,
    ERR_BOOKING_USED: 409,
    ERR_BOOKING_EXPIRED: 409,
    ERR_TOO_MANY_REQUESTS: 429,
}
ERROR_CODES: tuple[str, ...] = tuple(ERROR_STATUS)
# The refusal of a configuration change that would break today's queue (admin pages, CLI;
# not an API error of devices): removing a busy site, service or counter, a quota below today's
# issued count, a re-lettered service that issued numbers today.
CONFIG_REFUSED = "config_refused"
# 503 at the Engine.IO handshake: this server process holds as many live connections (or
# unauthenticated ones) as it is configured to; the client retries later (Retry-After)
ERR_TOO_MANY_CONNECTIONS = "too_many_connections"


# --- Payload shapes --------------------------------------------------------------------
class PublicTicketPayload(TypedDict):
    """A ticket as anyone may see it: everywhere but the issuing kiosk's answer and
    GET /api/v1/tickets/{status_code}, which add ``status_code`` (TicketPayload)."""

    id: int
    number: str  # "A012"
    service: str  # service code, "KTP"
    site: str  # site code, "PRE"
    priority: bool
    priority_category: str | None
    status: str  # one of TicketStatus
    issued_at: str  # ISO 8601 with offset, office time zone
    ahead: int | None  # waiting tickets called before this one (None once called/ended)
    estimated_call_at: str | None  # ISO 8601, the middle of the window; None once called/ended
    estimate_from: str | None  # ISO 8601: the window of the estimated call, None unless waiting
    estimate_to: str | None
    estimate_today: bool | None  # False: the forecast reaches the closing time (may not be
    # served today); None unless waiting
    counter: str | None  # counter id while called / when finished
    called_at: str | None
    document_stage: str | None  # one of DOCUMENT_STAGES once finished, else None
    document_stage_at: str | None  # ISO 8601: when the stage was last set


class TicketPayload(PublicTicketPayload):
    """The full ticket: only for the kiosk that issued it and for its own status page."""

    status_code: str  # private, unguessable code for GET /api/v1/tickets/{status_code}
    document_reject_reason: str | None  # why the application was rejected (stage rejected)


class ServiceCounts(TypedDict):
    code: str
    name: str
    prefix: str
    issued: int  # tickets counted against the quota today (voided ones are not)
    name_en: str
    remaining: int  # walk-in tickets left under the site's and the service's quota
    held: int  # places held for online bookings not checked in yet (window not over)
    waiting: int
    # for a ticket taken now (sahaja.core.forecast.wait_for_new_ticket); None when the site
    # does not call today
    estimated_wait_minutes: int | None
    estimate_from: str | None  # ISO 8601 with offset
    estimate_to: str | None


class CounterInfo(TypedDict):
    id: str  # globally unique counter id "PRE-L1"
    code: str  # "L1", unique within its site
    name: str  # "Loket 1"
    number: int  # the counter's number as announced ("loket satu")
    services: list[str]
    current: PublicTicketPayload | None


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
    current: PublicTicketPayload | None
    waiting: int  # tickets waiting for the services this counter serves


class ClosedReasonPayload(TypedDict):
    kind: str  # one of CLOSED_KINDS
    name: str | None  # the holiday's or the break's name
    until: str | None  # "13:00": when the break ends / when the kiosk opens


class BreakPayload(TypedDict):
    name: str  # "Istirahat", "Sholat Jumat"
    start: str  # "12:00", office time
    end: str  # "13:00"


class SnapshotPayload(TypedDict):
    site: str
    site_name: str
    day: str
    timezone: str  # the office's IANA time zone, "Asia/Jakarta": days and hours are in it
    public_url: str | None  # the office's address for citizens (QR links); None: not set
    server_time: str
    open_now: bool
    hours_today: str | None  # "07:30-15:00", None when closed all day (holidays too)
    closed_reason: ClosedReasonPayload | None  # why not issuing now; None while open_now
    breaks_today: list[BreakPayload]  # counters do not call during these
    on_break: BreakPayload | None  # the break in progress now, if any
    kiosk_opens: str | None  # "06:30" when the kiosk issues before opening time, else None
    queue: QueueChangedPayload
    counters: list[CounterInfo]
    recent_calls: list[CallPayload]  # newest first
    counter: str | None  # for a counter client: its own counter id
    running_text: str | None  # the board's ticker set by the office (admin); None: default


class ReprintPayload(TypedDict):
    site: str
    ticket: TicketPayload  # with status_code: the kiosk prints the QR again (see decisions)
    requested_by: str


class DocumentPayload(TypedDict):
    """A finished ticket's document as the console lists it (GET .../documents)."""

    ticket_id: int
    number: str
    service: str
    site: str
    day: str  # the ticket's local day, YYYY-MM-DD
    stage: str  # one of DOCUMENT_STAGES
    stage_at: str | None  # ISO 8601 with offset
    ready_at: str | None  # when it was first "ready"
    reject_reason: str | None
    counter: str | None  # the counter that served the ticket
    next_stages: list[str]  # the stages it may move to now (sahaja.core.documents)


class DayRolledPayload(TypedDict):
    site: str
    day: str  # the new local day, YYYY-MM-DD
    expired: int  # open tickets of earlier days that expired


class HealthReport(TypedDict, total=False):
    """Body of POST /api/v1/devices/me/health, sent by kiosks (and other devices)."""

    connected: bool
    printer: str  # one of PRINTER_STATES
    last_ticket: str | None
    detail: str | None
    # issue 11 (all optional, older devices omit them):
    version: str | None  # the device software's version
    uptime_seconds: float | None  # since the device program started
    audio: str  # one of AUDIO_STATES (boards)
    voice_pack: str  # one of VOICE_PACK_STATES (boards)


def estimate_bounds(ticket: Any) -> tuple[str, str] | None:
    """The call estimate of a ticket payload as (from, to), ISO 8601: the estimator's window
    (``estimate_from``/``estimate_to``) when given, else ``estimated_call_at`` twice; None
    when there is no estimate (called or ended)."""
    start, end = ticket.get("estimate_from"), ticket.get("estimate_to")
    if start and end:
        return start, end
    point = ticket.get("estimated_call_at") or start or end
    return (point, point) if point else None


# --- The vocabulary as data, for clients that are not Python (the console's script) -------
def vocabulary() -> dict[str, Any]:
    """Every wire word above as one JSON-able mapping; the console gets it as a script."""
    return {
        "apiPrefix": API_PREFIX,
        "events": {
            "snapshot": SNAPSHOT,
            "ticketCalled": TICKET_CALLED,
            "queueChanged": QUEUE_CHANGED,
            "counterChanged": COUNTER_CHANGED,
            "reprintRequested": REPRINT_REQUESTED,
            "dayRolled": DAY_ROLLED,
            "requestSnapshot": REQUEST_SNAPSHOT,
        },
        "actions": {action: action for action in COUNTER_ACTIONS},
        "currentTicketActions": list(CURRENT_TICKET_ACTIONS),
        "numberActions": list(NUMBER_ACTIONS),
        "callKinds": list(CALL_KINDS),
        "counterCallKinds": list(COUNTER_CALL_KINDS),
        "statuses": list(TICKET_STATUSES),
        "openStatuses": list(OPEN_STATUSES),
        "priorityCategories": list(PRIORITY_CATEGORIES),
        "errors": list(ERROR_CODES),
        "closedKinds": list(CLOSED_KINDS),
        "documentStages": list(DOCUMENT_STAGES),
        "stages": {stage: stage for stage in DOCUMENT_STAGES},
        "openStages": list(OPEN_STAGES),
        "numberDigits": NUMBER_DIGITS,
        "maxNumber": MAX_NUMBER,
        "numberPattern": NUMBER_PATTERN,
        "numberInputPattern": NUMBER_INPUT_PATTERN,
    }


# --- Online booking (docs/booking.md) ----------------------------------------------------
# A booking is booked until it is checked in at the kiosk, cancelled by the citizen, or
# expires when its day ends unused.
BOOKING_BOOKED = "booked"
BOOKING_CHECKED_IN = "checked_in"
BOOKING_CANCELLED = "cancelled"
BOOKING_EXPIRED = "expired"
BOOKING_STATUSES: tuple[str, ...] = (
    BOOKING_BOOKED,
    BOOKING_CHECKED_IN,
    BOOKING_CANCELLED,
    BOOKING_EXPIRED,
)
BOOKING_ACTIVE: tuple[str, ...] = (BOOKING_BOOKED, BOOKING_CHECKED_IN)  # one per NIK and day
# The booking code: short, from an alphabet without 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V.
BOOKING_CODE_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
BOOKING_CODE_LENGTH = 9  # 23**9 ~ 1.8e12 codes: 40.7 bits
BOOKING_CODE_PATTERN = r"[A-Za-z0-9-]{1,16}"  # what the API accepts before a lookup
BOOKING_PAGE_PREFIX = "/booking"
LOKASI_PAGE = "/lokasi"
# The key of a checked-in ticket's booking code in its payload.
TICKET_BOOKING_KEY = "booking"
