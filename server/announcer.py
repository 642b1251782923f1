"""Queue counts for the boards and kiosks, computed once per burst instead of once per change.

Every issue, void and counter action changes a site's counts. Computing and sending them
inside each request cost a tenth of the request's time and, in a burst, sent a hundred boards
the same counts many times a second. Operations only mark their site as changed; a background
task sends each changed site's fresh counts at most every ``interval`` seconds
(``SAHAJA_QUEUE_COUNTS_SECONDS``, 1 s: with 800 clients in a site's room every send is 800
frames), each site on its own clock: sending all sites' counts in one go put 5,000 frames
in a row every second, and a call that came meanwhile waited behind them. Until the task is
started (tests with Flask's test client, a CLI process) the counts are sent at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class QueueAnnouncer:
    def __init__(
        self,
        send_counts: Callable[[str], None],
        interval: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.send_counts = send_counts  # computes one site's counts and emits them
        self.interval = interval
        self.clock = clock
        self._due: dict[str, float] = {}  # changed site -> when its counts go out
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.running = False

    def changed(self, site: str) -> None:
        if not self.running:
            self.send_counts(site)
            return
        with self._lock:
            # each site's burst gathers for ``interval`` from its own first change, so the
            # sites' sends (hundreds of frames each) fall at different moments
            self._due.setdefault(site, self.clock() + self.interval)
        self._wake.set()

    def run(self, sleep: Callable[[float], None]) -> None:
        """The background loop (started with ``socketio.start_background_task``)."""
        self.running = True
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                first = min(self._due.values(), default=None)
            if first is None:
                continue
            wait = first - self.clock()
            if wait > 0:
                sleep(wait)
            with self._lock:
                now = self.clock()
                ready = sorted(site for site, due in self._due.items() if due <= now)
                for site in ready:
                    del self._due[site]
                if self._due:
                    self._wake.set()  # later sites: their turn comes
            for site in ready:
                try:
                    self.send_counts(site)
                except Exception:  # the next change sends fresh counts again
                    log.exception("sending the counts of %s failed", site)
                sleep(0)  # a call waiting to go out goes between two sites' counts
