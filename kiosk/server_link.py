"""The kiosk's network worker: HTTP calls on one thread, Socket.IO events on the client's own.

Nothing here touches pygame: every answer goes into the results queue the loop drains once a
frame. A ticket request is retried with the *same* request_id on a timeout or a lost
connection, so the server hands back the ticket it may already have made instead of a second
one. A request given up on is kept and settled once the server answers again (the ticket, if
it was made, is voided), and a void that could not be sent is retried until it is.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import requests

from devicelink.health import HEALTH_PATH, software_version, uptime_seconds
from devicelink.http import api_url, device_session
from devicelink.link import DeviceLink, LinkState
from kiosk import messages as m
from sahaja import protocol

log = logging.getLogger(__name__)

RETRYABLE = (requests.ConnectionError, requests.Timeout)
MAINTENANCE_EVERY = 1.0  # seconds between retries of unsettled voids and requests
# Work an outage can leave open: given-up requests and voids not yet sent. The kiosk issues
# nothing while offline, so these stay small; the bound is for a server that never comes back.
MAX_UNSETTLED = 100


class ServerLink:
    """Talks to the queue server for one kiosk; ``submit`` commands, read ``results``."""

    def __init__(
        self,
        url: str,
        token: str,
        results: queue.Queue,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        issue_attempts: int = 4,
        retry_delay: float = 0.3,
    ) -> None:
        self.url = url.rstrip("/")
        self.results = results
        self._token = token
        self._timeout = (connect_timeout, read_timeout)
        self._attempts = max(1, issue_attempts)
        self._retry_delay = retry_delay
        self._commands: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._session = device_session(token)
        self._unsettled: dict[str, m.IssueTicket] = {}  # request_id -> given-up request
        self._voids: dict[int, m.VoidTicket] = {}
        self._office_known = False
        self._reachable = True
        self._link = self._make_link()
        self._threads: list[threading.Thread] = []
        self.issue_attempts = 0  # POSTs of tickets sent, retries included (tests, benchmark)

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        t = threading.Thread(target=self._http_loop, name="kiosk-http", daemon=True)
        t.start()
        self._threads.append(t)
        self._link.start()

    def stop(self) -> None:
        self._stop.set()
        self._commands.put(None)
        self._link.stop()
        for t in self._threads:
            t.join(timeout=5)
        self._session.close()

    def submit(self, command: object) -> None:
        self._commands.put(command)

    @property
    def pending_voids(self) -> int:
        return len(self._voids)

    # --- Socket.IO ----------------------------------------------------------------------

    def _make_link(self) -> DeviceLink:
        def put(result: object) -> None:
            self.results.put(result)  # looked up each time: the app may hand in its own queue

        def on_state(state: LinkState, detail: str) -> None:
            put(m.Connection(state is LinkState.CONNECTED))
            if state is LinkState.REFUSED:
                put(m.AuthFailed(detail))

        wrap: dict[str, Callable[[Any], object]] = {
            protocol.SNAPSHOT: m.Snapshot,
            protocol.QUEUE_CHANGED: m.QueueChanged,
            protocol.REPRINT_REQUESTED: m.ReprintRequested,
            protocol.DAY_ROLLED: lambda p: m.DayRolled(p or {}),
        }
        handlers = {
            event: (lambda payload, _make=make: put(_make(payload))) for event, make in wrap.items()
        }
        return DeviceLink(self.url, self._token, handlers, on_state, name="kiosk-sio")

    # --- HTTP ---------------------------------------------------------------------------

    def _http_loop(self) -> None:
        last_maintenance = 0.0
        while not self._stop.is_set():
            try:
                cmd = self._commands.get(timeout=MAINTENANCE_EVERY)
            except queue.Empty:
                cmd = None
            if self._stop.is_set():
                return
            try:
                if cmd is not None:
                    self._run(cmd)
                if time.monotonic() - last_maintenance >= MAINTENANCE_EVERY:
                    last_maintenance = time.monotonic()
                    self._maintain()
            except Exception:  # noqa: BLE001 - the worker must outlive any one bad answer
                log.exception("kiosk network worker: %r failed", cmd)

    def _call(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        resp = self._session.request(
            method, api_url(self.url, path), json=body, timeout=self._timeout
        )
        self._set_reachable(resp.status_code < 500)
        return resp

    def _set_reachable(self, ok: bool) -> None:
        if ok != self._reachable:
            self._reachable = ok
            self.results.put(m.Reachability(ok))

    def _run(self, cmd: object) -> None:
        if isinstance(cmd, m.IssueTicket):
            self._issue(cmd)
        elif isinstance(cmd, m.VoidTicket):
            _keep(self._voids, cmd.ticket_id, cmd)
            self._void(cmd)
        elif isinstance(cmd, m.SendHealth):
            self._health(cmd)
        elif isinstance(cmd, m.RefreshSite):
            self._refresh(cmd.site)

    def _issue(self, cmd: m.IssueTicket) -> None:
        for attempt in range(self._attempts):
            if attempt:
                self._stop.wait(self._retry_delay * 2 ** (attempt - 1))
            try:
                resp = self._post_ticket(cmd)
            except RETRYABLE as exc:
                log.info("issue %s attempt %d: %s", cmd.request_id, attempt + 1, exc)
                continue
            if resp.status_code >= 500:
                continue
            if resp.status_code in (200, 201):
                self.results.put(m.TicketIssued(cmd.request_id, resp.json()))
            else:
                code, message = _error(resp)
                if code in (protocol.ERR_UNAUTHORIZED, protocol.ERR_FORBIDDEN):
                    self.results.put(m.AuthFailed(code))
                self.results.put(m.IssueRejected(cmd.request_id, code, message))
            return
        self._set_reachable(False)
        _keep(self._unsettled, cmd.request_id, cmd)
        self.results.put(m.IssueUnreachable(cmd.request_id))

    def _post_ticket(self, cmd: m.IssueTicket) -> requests.Response:
        self.issue_attempts += 1
        body = {
            "service": cmd.service,
            "priority": cmd.priority,
            "priority_category": cmd.priority_category,
            "request_id": cmd.request_id,
        }
        return self._call("POST", f"/sites/{cmd.site}/tickets", body)

    def _void(self, cmd: m.VoidTicket) -> None:
        try:
            resp = self._call("POST", f"/tickets/{cmd.ticket_id}/void", {"reason": cmd.reason})
        except RETRYABLE:
            self._set_reachable(False)
            return
        if resp.status_code < 500:
            # 200 voided; 409 already voided or called; 404 gone: nothing more to do.
            self._voids.pop(cmd.ticket_id, None)
            if resp.status_code == 200:
                self.results.put(m.TicketVoided(cmd.ticket_id, cmd.number))

    def _health(self, cmd: m.SendHealth) -> None:
        try:
            body = {
                **asdict(cmd),
                "version": software_version(),
                "uptime_seconds": uptime_seconds(),
            }
            resp = self._call("POST", HEALTH_PATH, body)
        except RETRYABLE:
            self._set_reachable(False)
            return
        if resp.status_code in (401, 403):
            self.results.put(m.AuthFailed(_error(resp)[0]))

    def _refresh(self, site: str) -> None:
        try:
            if not self._office_known:
                resp = self._call("GET", "/sites")
                if resp.status_code == 200:
                    self.results.put(m.OfficeInfo(resp.json().get("office") or {}))
                    self._office_known = True
            resp = self._call("GET", f"/sites/{site}")
        except RETRYABLE:
            self._set_reachable(False)
            return
        if resp.status_code == 200:
            self.results.put(m.SiteInfo(resp.json()))

    def _maintain(self) -> None:
        """Settle what an outage left open; probe the server while it seems down."""
        for cmd in list(self._voids.values()):
            self._void(cmd)
        for request_id, cmd in list(self._unsettled.items()):
            try:
                resp = self._post_ticket(cmd)
            except RETRYABLE:
                self._set_reachable(False)
                return
            if resp.status_code in (200, 201):
                # The citizen was told "no ticket": make sure none stays in the queue.
                ticket = resp.json()
                void = m.VoidTicket(ticket["id"], ticket["number"], "abandoned")
                _keep(self._voids, ticket["id"], void)
                self._void(void)
            if resp.status_code < 500:
                self._unsettled.pop(request_id, None)
        if not self._reachable:
            try:
                self._call("GET", "/health")
            except RETRYABLE:
                return


def _keep(pending: dict, key: object, value: object) -> None:
    """Remember unsettled work, forgetting the oldest beyond MAX_UNSETTLED (logged)."""
    pending[key] = value
    while len(pending) > MAX_UNSETTLED:
        oldest = next(iter(pending))
        log.error("too much unsettled work: %r forgotten", pending.pop(oldest))


def _error(resp: requests.Response) -> tuple[str, str]:
    try:
        body = resp.json()
    except ValueError:
        body = {}
    default = {401: protocol.ERR_UNAUTHORIZED, 403: protocol.ERR_FORBIDDEN}.get(
        resp.status_code, protocol.ERR_MALFORMED
    )
    return str(body.get("error") or default), str(body.get("message") or "")
