"""Each site's forecast, kept per process, and when it is made again.

A forecast (``sahaja.core.forecast``) takes milliseconds to tens of milliseconds; making it again
inside every issue answer cut ticket issue from ~400/s to ~75/s (docs/benchmarks.md). Two
policies, injected into the store:

- ``Forecasts`` (synchronous): every read after a change of the site's queue makes the
  forecast again at once. The simulator, the CLI and the tests with Flask's test client use it;
  its estimates are exactly those of the queue at that instant.
- ``BackgroundForecasts``: once its loop runs (``run``, started with the server's background
  tasks), a change only marks the site; a background task makes its forecast again at most
  every ``interval`` seconds (1 s), and answers use the forecast made last while it is at most
  ``max_stale`` seconds old (``SAHAJA_FORECAST_MAX_STALE_SECONDS``, 3 s); older, the request
  makes it itself. Until the loop runs it behaves like ``Forecasts``. Under gevent the pure
  part of a forecast (the core's, no database and no lock) runs in gevent's thread pool: a
  forecast of a long queue takes tens of milliseconds of CPU, and on the event loop every
  request would wait behind it; in a thread the loop keeps its turn (the GIL switches every
  5 ms).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sahaja.core.forecast import Estimate

log = logging.getLogger(__name__)

FORECAST_MAX_AGE_SECONDS = 30.0  # a forecast of an unchanged queue is redone this often
T = TypeVar("T")


def gevent_thread_pool():
    """gevent's thread pool when this process is monkey-patched (served by Gunicorn's gevent
    worker), else None (threads, the test client, the simulator)."""
    try:
        from gevent import get_hub, monkey
    except ImportError:
        return None
    return get_hub().threadpool if monkey.is_module_patched("threading") else None


@dataclass(frozen=True)
class SiteForecast:
    """A site's forecast (``sahaja.core.forecast``) as of one state of its queue."""

    key: tuple  # (day, newest action id): changes with every write of the site
    computed_at: datetime
    tickets: dict[int, Estimate]  # every waiting ticket read, by id
    new_ticket: dict[str, Estimate | None]  # a ticket of each service taken now (None: not today)
    beyond: Estimate  # for a waiting ticket past the horizon: the close, not today
    taken_now: dict[str, Estimate]  # ``new_ticket`` with the estimates that are not today


class Forecasts:
    """The synchronous policy: a forecast is made again as soon as a read finds the queue
    changed (or ``FORECAST_MAX_AGE_SECONDS`` passed)."""

    def __init__(self) -> None:
        self.made: dict[str, SiteForecast] = {}  # site code -> the newest forecast

    @property
    def background(self) -> bool:
        """True when answers may use a forecast made before the latest change."""
        return False

    def max_stale(self) -> float:
        return 0.0

    def compute(self, work: Callable[[], T]) -> T:
        """Run ``work``, the pure part of a forecast; here, in the caller."""
        return work()

    def forget(self) -> None:
        """Drop every forecast (made under a configuration no longer served)."""
        self.made.clear()

    def changed(self, site: str) -> None:
        """A write of ``site`` committed."""

    def bind(self, refresh: Callable[[str], None]) -> None:
        """``refresh(site)`` makes the site's forecast again (the store's views)."""


class BackgroundForecasts(Forecasts):
    """The serving policy: forecasts made again off the request path, debounced per site."""

    def __init__(self, interval: float = 1.0, max_stale: float = 3.0) -> None:
        super().__init__()
        self.interval = interval
        self._max_stale = max(max_stale, interval)
        self._refresh: Callable[[str], None] | None = None
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.running = False

    @property
    def background(self) -> bool:
        return self.running

    def max_stale(self) -> float:
        return self._max_stale

    def bind(self, refresh: Callable[[str], None]) -> None:
        self._refresh = refresh

    def compute(self, work: Callable[[], T]) -> T:
        """Under gevent, in its thread pool: the event loop serves requests meanwhile."""
        pool = gevent_thread_pool()
        return work() if pool is None else pool.apply(work)

    def changed(self, site: str) -> None:
        if not self.running:
            return
        with self._lock:
            self._dirty.add(site)
        self._wake.set()

    def refresh_due(self, pause: Callable[[float], None] | None = None) -> list[str]:
        """Make the forecast of every site marked since the last round (one round of the
        loop; tests call it directly), ``pause(0)`` between sites so requests get the loop.
        Returns the sites refreshed."""
        with self._lock:
            sites, self._dirty = self._dirty, set()
        done = []
        for n, site in enumerate(sorted(sites)):
            if n and pause is not None:
                pause(0)
            try:
                if self._refresh is not None:
                    self._refresh(site)
                    done.append(site)
            except Exception:  # the next change, or a request past max_stale, makes it again
                log.exception("making the forecast of %s failed", site)
        return done

    def run(self, sleep: Callable[[float], None]) -> None:
        """The background loop (``socketio.start_background_task``): after a change, wait
        ``interval`` (a burst of changes costs one forecast), then refresh the marked sites."""
        self.running = True
        while self.running:
            self._wake.wait()
            sleep(self.interval)
            self._wake.clear()
            if self.running:
                self.refresh_due(sleep)

    def stop(self) -> None:
        """End the loop after its current round (from then on: synchronous again)."""
        self.running = False
        self._wake.set()
