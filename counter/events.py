"""Follows the counter's Socket.IO room so the box knows what the web console did.

The server puts a counter device in its counter's room and its site's room. On every
(re)connect it sends ``snapshot``; then ``counter_changed`` and ``ticket_called``. Handlers run
on python-socketio's thread and only hand the news to the ``CounterBox``, which is quick.

python-socketio reconnects by itself once a first connection was made; the first connection
(the box may boot before the server) is retried here until it succeeds or ``stop`` is called.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import socketio

from counter.controller import CounterBox
from sahaja import protocol

log = logging.getLogger("sahaja.counter")


class CounterEvents:
    def __init__(
        self,
        server_url: str,
        token: str,
        box: CounterBox,
        *,
        retry_delay: float = 2.0,
        reconnection_delay_max: float = 5.0,
    ) -> None:
        self.server_url = server_url
        self.box = box
        self.counter = box.counter
        self.retry_delay = retry_delay
        self._token = token
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sio = socketio.Client(
            reconnection=True,
            reconnection_delay=0.5,
            reconnection_delay_max=reconnection_delay_max,
            handle_sigint=False,
        )
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("connect_error", self._on_connect_error)
        self.sio.on(protocol.SNAPSHOT, self._on_snapshot)
        self.sio.on(protocol.COUNTER_CHANGED, self._on_counter_changed)
        self.sio.on(protocol.TICKET_CALLED, self._on_ticket_called)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._connect_loop, name="counter-events", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()  # from here on, a disconnect is ours, not news for the box
        if self._thread is not None:
            self._thread.join()
        self.sio.shutdown()

    def _connect_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.sio.connect(
                    self.server_url,
                    auth={"token": self._token},
                    transports=["websocket"],
                    socketio_path=protocol.SOCKETIO_PATH,
                    wait_timeout=5,
                )
            except socketio.exceptions.ConnectionError as exc:
                log.debug("socket.io connect failed: %s", exc)
                self._stop.wait(self.retry_delay)
            else:
                return

    # --- handlers (python-socketio's thread) -----------------------------------------------
    def _on_connect(self) -> None:
        self.box.link_up()

    def _on_disconnect(self, reason: object = None) -> None:
        log.debug("socket.io disconnected: %s", reason)
        if not self._stop.is_set():
            self.box.link_down()

    def _on_connect_error(self, data: object = None) -> None:
        log.debug("socket.io connect error: %s", data)
        self.box.link_down()  # a failed (re)connection is news that the server is away

    def _on_snapshot(self, payload: dict[str, Any]) -> None:
        mine = next((c for c in payload.get("counters", []) if c.get("id") == self.counter), None)
        if mine is None:
            return
        served = set(mine.get("services", []))
        services = payload.get("queue", {}).get("services", [])
        waiting = sum(s.get("waiting", 0) for s in services if s.get("code") in served)
        self.box.counter_changed(mine.get("current"), waiting)

    def _on_counter_changed(self, payload: dict[str, Any]) -> None:
        if payload.get("counter") == self.counter:
            self.box.counter_changed(payload.get("current"), payload.get("waiting"))

    def _on_ticket_called(self, payload: dict[str, Any]) -> None:
        self.box.ticket_called(payload)
