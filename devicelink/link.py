"""The Socket.IO link every device keeps to the server, on its own thread.

It connects with the device token (websocket transport), retries forever with a growing delay
(``retry_delay`` doubling up to ``retry_max``), and says why it is not connected:

- ``UNREACHABLE``: no server answered (refused connection, timeout, no route). Transient:
  show "offline" and keep trying.
- ``REFUSED``: the server answered ``connect_error`` with its ``unauthorized`` or
  ``forbidden`` code (a wrong, revoked or wrong-role token). Say so; it keeps trying, since a
  token can be registered again, but slowly.
- ``DISCONNECTED``: a live connection dropped.

python-socketio reports both a failed connection and a refusal through ``connect_error``;
only the server's own refusal codes count as a refusal. Every (re)connect brings a fresh
snapshot from the server. Handlers run on python-socketio's threads: keep them short and
never touch pygame from them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

import socketio

from sahaja import protocol

log = logging.getLogger(__name__)

REFUSAL_CODES: tuple[str, ...] = (protocol.ERR_UNAUTHORIZED, protocol.ERR_FORBIDDEN)


class LinkState(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"  # a live connection dropped
    UNREACHABLE = "unreachable"  # an attempt to connect found no server
    REFUSED = "refused"  # the server refused the token


StateCallback = Callable[[LinkState, str], None]


class DeviceLink:
    """``events`` maps server event names to handlers taking the payload (or None)."""

    def __init__(
        self,
        url: str,
        token: str,
        events: Mapping[str, Callable[[Any], None]],
        on_state: StateCallback | None = None,
        *,
        retry_delay: float = 0.25,
        retry_max: float = 5.0,
        refused_retry: float = 30.0,
        connect_timeout: float = 5.0,
        name: str = "device-link",
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._on_state = on_state or (lambda state, detail: None)
        self._retry_delay = retry_delay
        self._retry_max = max(retry_delay, retry_max)
        self._refused_retry = refused_retry
        self._connect_timeout = connect_timeout
        self._name = name
        self._stop = threading.Event()
        self._down = threading.Event()  # the live connection ended (or stop was asked)
        self._refusal: str | None = None  # the server's code, during one attempt
        self._thread: threading.Thread | None = None
        self.state: LinkState | None = None
        self.sio = socketio.Client(reconnection=False, handle_sigint=False)
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("connect_error", self._on_connect_error)
        for event, handler in events.items():
            self.sio.on(event, _with_payload(handler))

    # --- life cycle ----------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self.sio.connected

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop retrying and close the connection (without waiting long for the close)."""
        self._stop.set()
        self._down.set()
        # websocket-client waits up to 3 s for the server's close frame: do not hold the
        # caller for it (the thread is a daemon and ends by itself).
        closer = threading.Thread(target=self._disconnect, name=f"{self._name}-close", daemon=True)
        closer.start()
        if self._thread is not None:
            self._thread.join(timeout)
        closer.join(0.2)

    def emit(self, event: str, data: object = None) -> bool:
        """Send an event if connected; False when it could not be sent."""
        if not self.sio.connected:
            return False
        try:
            self.sio.emit(event, data)
        except socketio.exceptions.SocketIOError as exc:
            log.info("%s not sent: %s", event, exc)
            return False
        return True

    # --- the connecting thread -----------------------------------------------------------
    def _run(self) -> None:
        delay = self._retry_delay
        while not self._stop.is_set():
            self._down.clear()
            self._refusal = None
            try:
                self.sio.connect(
                    self.url,
                    transports=["websocket"],
                    auth={"token": self._token},
                    socketio_path=protocol.SOCKETIO_PATH,
                    wait_timeout=self._connect_timeout,
                )
            except (socketio.exceptions.ConnectionError, ValueError, OSError) as exc:
                if self._stop.is_set():
                    break
                if self._refusal is not None:
                    self._set(LinkState.REFUSED, self._refusal)
                    self._stop.wait(self._refused_retry)
                else:
                    log.info("%s: server %s not reachable: %s", self._name, self.url, exc)
                    self._set(LinkState.UNREACHABLE, str(exc))
                    self._stop.wait(delay)
                    delay = min(delay * 2, self._retry_max)
                continue
            delay = self._retry_delay
            self._down.wait()
        self._disconnect()

    def _disconnect(self) -> None:
        with contextlib.suppress(Exception):  # shutting down whatever state the client is in
            self.sio.disconnect()

    # --- python-socketio's threads -------------------------------------------------------
    def _set(self, state: LinkState, detail: str = "") -> None:
        self.state = state
        try:
            self._on_state(state, detail)
        except Exception:  # a broken callback must not end the link
            log.exception("%s: state callback failed", self._name)

    def _on_connect(self) -> None:
        self._set(LinkState.CONNECTED)

    def _on_disconnect(self, reason: object = None) -> None:
        self._down.set()
        if not self._stop.is_set():
            self._set(LinkState.DISCONNECTED, str(reason or ""))

    def _on_connect_error(self, data: object = None) -> None:
        message = data.get("message") if isinstance(data, dict) else data
        if message in REFUSAL_CODES:
            self._refusal = str(message)
        else:
            log.debug("%s: connect error %s", self._name, data)


def _with_payload(handler: Callable[[Any], None]) -> Callable[..., None]:
    def handle(*args: Any) -> None:
        handler(args[0] if args else None)

    return handle
