"""Follows the counter's Socket.IO room so the box knows what the web console did.

The server puts a counter device in its counter's room and its site's room. On every
(re)connect it sends ``snapshot``; then ``counter_changed`` and ``ticket_called``. Handlers run
on python-socketio's thread and only hand the news to the ``CounterBox``, which is quick.
The shared ``devicelink.DeviceLink`` keeps trying while the server is away (the box may boot
before it) and tells a refused token apart, which is logged as an error.
"""

from __future__ import annotations

import logging
from typing import Any

from counter.controller import CounterBox
from devicelink.link import DeviceLink, LinkState
from sahaja import protocol

log = logging.getLogger("sahaja.counter")


class CounterEvents:
    def __init__(
        self,
        server_url: str,
        token: str,
        box: CounterBox,
        *,
        retry_delay: float = 0.5,
        reconnection_delay_max: float = 5.0,
    ) -> None:
        self.server_url = server_url
        self.box = box
        self.counter = box.counter
        handlers = {
            protocol.SNAPSHOT: self._on_snapshot,
            protocol.COUNTER_CHANGED: self._on_counter_changed,
            protocol.TICKET_CALLED: self._on_ticket_called,
        }
        self.link = DeviceLink(
            server_url,
            token,
            handlers,
            self._on_state,
            retry_delay=retry_delay,
            retry_max=reconnection_delay_max,
            refused_retry=max(reconnection_delay_max, 10.0),
            name="counter-events",
        )

    @property
    def connected(self) -> bool:
        return self.link.connected

    def start(self) -> None:
        self.link.start()

    def stop(self) -> None:
        self.link.stop()

    # --- handlers (python-socketio's thread) -----------------------------------------------
    def _on_state(self, state: LinkState, detail: str) -> None:
        if state is LinkState.CONNECTED:
            self.box.link_up()
            return
        if state is LinkState.REFUSED:
            log.error("server refused the box's token: %s", detail)
        else:
            log.debug("socket.io %s: %s", state, detail)
        self.box.link_down()  # dropped, unreachable or refused: the server is away for us

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
