"""systemd's notify protocol (sd_notify(3)): "ready" once started, "alive" from the main loop.

With ``WatchdogSec=`` in a unit, systemd restarts a device app whose loop stops turning (a
frozen SDL call, a deadlock), not only one that exits. The protocol is one datagram on the
socket named by ``$NOTIFY_SOCKET``; outside systemd every call does nothing. Written here
rather than pulled in (systemd-python needs a compiler on the Pi) because it is a dozen lines.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class SystemdNotifier:
    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        env = os.environ if env is None else env
        address = env.get("NOTIFY_SOCKET") or None
        if address and address.startswith("@"):  # an abstract socket
            address = "\0" + address[1:]
        self.address = address
        usec = env.get("WATCHDOG_USEC", "")
        # ping at half the watchdog's period, as sd_watchdog_enabled(3) advises
        self.interval = int(usec) / 2_000_000 if usec.isdigit() and int(usec) > 0 else None
        self.clock = clock
        self._last_ping: float | None = None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, state: str) -> bool:
        if self.address is None:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto(state.encode(), self.address)
            return True
        except OSError as exc:  # systemd gone: nothing to tell, nothing to stop for
            log.debug("sd_notify %r failed: %s", state, exc)
            return False

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def alive(self) -> bool:
        """From the main loop: a watchdog ping when one is due (cheap to call every frame)."""
        if self.interval is None:
            return False
        now = self.clock()
        if self._last_ping is not None and now - self._last_ping < self.interval:
            return False
        self._last_ping = now
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")
