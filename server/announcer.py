"""Queue counts for the boards and kiosks, computed once per burst instead of once per change.

Every issue, void and counter action changes a site's counts. Computing and sending them
inside each request cost a tenth of the request's time and, in a burst, sent a hundred boards
the same counts many times a second. Operations only mark their site as changed; a background
task sends each changed site's fresh counts at most every ``interval`` seconds
(``SAHAJA_QUEUE_COUNTS_SECONDS``, 1 s: with 800 clients in a site's room every send is 800
frames). Until the task is started (tests with Flask's test client, a CLI process) the counts
are sent at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class QueueAnnouncer:
    def __init__(self, send_counts: Callable[[str], None], interval: float = 0.05) -> None:
        self.send_counts = send_counts  # computes one site's counts and emits them
        self.interval = interval
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.running = False

    def changed(self, site: str) -> None:
        if not self.running:
            self.send_counts(site)
            return
        with self._lock:
            self._dirty.add(site)
        self._wake.set()

    def run(self, sleep: Callable[[float], None]) -> None:
        """The background loop (started with ``socketio.start_background_task``)."""
        self.running = True
        while True:
            self._wake.wait()
            sleep(self.interval)  # let a burst gather
            self._wake.clear()
            with self._lock:
                sites, self._dirty = self._dirty, set()
            for site in sorted(sites):
                try:
                    self.send_counts(site)
                except Exception:  # the next change sends fresh counts again
                    log.exception("sending the counts of %s failed", site)
