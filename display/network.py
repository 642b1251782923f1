"""The board's link to the server: Socket.IO events into a queue, on the link's own thread.

The worker never touches pygame; it puts ``(kind, payload)`` on the inbox and calls ``wake``
(which posts a pygame event) so the loop, asleep until its next frame, picks it up at once.
The shared ``devicelink.DeviceLink`` retries forever and tells an unreachable server (the
board says it is offline and keeps trying) from a refused token (the board says so); every
(re)connect brings a fresh snapshot.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

import requests

from devicelink.http import TIMEOUT, api_url, device_session
from devicelink.link import DeviceLink, LinkState
from sahaja import protocol

log = logging.getLogger(__name__)

CONNECTED = "connected"
DISCONNECTED = "disconnected"  # the link dropped, or no server answered (payload: why)
OFFICE = "office"  # {"name": ..., "timezone": ...} from GET /api/v1/sites
REFUSED = "refused"  # the server refused the token (payload: its code)
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
        handlers = {event: self._handler(event) for event in EVENTS}
        self.link = DeviceLink(
            self.url,
            token,
            handlers,
            self._on_state,
            retry_delay=min(0.5, retry_seconds),
            retry_max=retry_seconds,
            refused_retry=max(retry_seconds, 10.0),
            name="board-link",
        )

    def start(self) -> None:
        self.link.start()

    def stop(self) -> None:
        self.link.stop()

    def _put(self, kind: str, payload: object = None) -> None:
        self.inbox.put((kind, payload))
        self._wake()

    def _handler(self, event: str) -> Callable[[object], None]:
        def handle(payload: object = None) -> None:
            self._put(event, payload)
            if event == protocol.DAY_ROLLED:
                self.link.emit(protocol.REQUEST_SNAPSHOT)

        return handle

    def _on_state(self, state: LinkState, detail: str) -> None:
        if state is LinkState.CONNECTED:
            self._put(CONNECTED)
            threading.Thread(target=self._fetch_office, name="board-office", daemon=True).start()
        elif state is LinkState.REFUSED:
            self._put(REFUSED, detail)
        else:  # dropped or unreachable: offline, and the link keeps trying
            self._put(DISCONNECTED, detail)

    def _fetch_office(self) -> None:
        try:
            with device_session(self.token) as session:
                r = session.get(api_url(self.url, "/sites"), timeout=TIMEOUT)
            if r.ok:
                self._put(OFFICE, r.json().get("office", {}))
        except (requests.RequestException, ValueError) as exc:
            log.info("office details not fetched: %s", exc)
