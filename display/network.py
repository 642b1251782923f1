"""The board's link to the server, on its own thread: Socket.IO events into a queue.

The worker never touches pygame; it puts ``(kind, payload)`` on the inbox and calls ``wake``
(which posts a pygame event) so the loop, asleep until its next frame, picks it up at once.
Lost connections are retried forever; every (re)connect brings a fresh snapshot.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

import requests
import socketio

from sahaja import protocol

log = logging.getLogger(__name__)

CONNECTED = "connected"
DISCONNECTED = "disconnected"
OFFICE = "office"  # {"name": ..., "timezone": ...} from GET /api/v1/sites
REFUSED = "refused"  # the server refused the token (payload: its message)
EVENTS = (protocol.SNAPSHOT, protocol.TICKET_CALLED, protocol.QUEUE_CHANGED,
          protocol.COUNTER_CHANGED, protocol.DAY_ROLLED)  # fmt: skip


class BoardLink:
    def __init__(
        self,
        url: str,
        token: str,
        inbox: queue.Queue,
        wake: Callable[[], None] | None = None,
        *,
        retry_seconds: float = 2.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.inbox = inbox
        self._wake = wake or (lambda: None)
        self._retry = retry_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sio = socketio.Client(
            reconnection=True, reconnection_delay=0.5, reconnection_delay_max=retry_seconds
        )
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("connect_error", self._on_connect_error)
        for event in EVENTS:
            self.sio.on(event, self._handler(event))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="board-link", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001 - shutting down whatever state the client is in
            log.debug("disconnect during stop", exc_info=True)
        if self._thread:
            self._thread.join(timeout=5)

    def _put(self, kind: str, payload: object = None) -> None:
        self.inbox.put((kind, payload))
        self._wake()

    def _handler(self, event: str) -> Callable[[object], None]:
        def handle(payload: object = None) -> None:
            self._put(event, payload)
            if event == protocol.DAY_ROLLED:
                self.sio.emit(protocol.REQUEST_SNAPSHOT)

        return handle

    def _on_connect(self) -> None:
        self._put(CONNECTED)
        threading.Thread(target=self._fetch_office, name="board-office", daemon=True).start()

    def _on_disconnect(self, reason: object = None) -> None:
        self._put(DISCONNECTED, reason)

    def _on_connect_error(self, data: object = None) -> None:
        """The server refused us (a wrong, revoked or non-display token); say so on screen."""
        message = data.get("message") if isinstance(data, dict) else data
        self._put(REFUSED, str(message or "refused"))

    def _fetch_office(self) -> None:
        try:
            r = requests.get(
                f"{self.url}{protocol.API_PREFIX}/sites",
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=5,
            )
            if r.ok:
                self._put(OFFICE, r.json().get("office", {}))
        except (requests.RequestException, ValueError) as exc:
            log.info("office details not fetched: %s", exc)

    def _run(self) -> None:
        """Connect, then let python-socketio's own reconnection keep the link up."""
        while not self._stop.is_set():
            try:
                self.sio.connect(
                    self.url,
                    transports=["websocket"],
                    auth={"token": self.token},
                    socketio_path=protocol.SOCKETIO_PATH,
                    wait_timeout=5,
                )
            except socketio.exceptions.ConnectionError as exc:
                log.info("server %s not reachable: %s", self.url, exc)
                self._stop.wait(self._retry)
                continue
            self.sio.wait()  # returns when the client gives up or is told to stop
            if not self._stop.is_set():
                self._stop.wait(self._retry)
