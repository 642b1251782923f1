"""Password checks that cannot stall the queue.

A Werkzeug scrypt check costs about 100-170 ms of CPU and 32 MiB of memory. Unbounded, a burst
of sign-ins (07:30, every officer at once, or a stranger's flood) takes both cores and
gigabytes and ticket issue slows for everyone. So:

- at most ``concurrency`` checks run at once (2 by default: worst case 2 x 32 MiB);
- at most ``max_waiting`` more wait for a turn; anyone beyond that, or waiting longer than
  ``wait_seconds``, is refused at once with ``TooBusy`` (the console answers 429 with
  Retry-After) rather than queueing without bound;
- the check runs off the serving loop. ``hashlib.scrypt`` releases the GIL, so under
  Gunicorn's threaded worker it runs in the request's own thread. Under gevent's
  monkey-patching the request is a greenlet: the check runs in gevent's pool of real OS
  threads (``gevent.get_hub().threadpool``) so the hub keeps serving every other greenlet.
  The semaphore is created from ``threading`` after patching, so there it is gevent's.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class TooBusy(Exception):
    """Too many password checks in flight; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many password checks; retry after {retry_after} s")
        self.retry_after = retry_after


def gevent_patched() -> bool:
    """True when gevent's monkey-patching replaced ``threading`` (the gevent worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


def run_off_loop(fn: Callable[..., T], *args: object) -> T:
    """Run a GIL-releasing call so the serving loop keeps going: in a real OS thread of
    gevent's pool when patched, else right here (this is already a real thread)."""
    if gevent_patched():
        import gevent

        return gevent.get_hub().threadpool.apply(fn, args)
    return fn(*args)


class PasswordChecks:
    def __init__(
        self, concurrency: int = 2, max_waiting: int = 8, wait_seconds: float = 10.0
    ) -> None:
        if concurrency < 1 or max_waiting < 0:
            raise ValueError("concurrency must be at least 1 and max_waiting at least 0")
        self.concurrency = concurrency
        self.max_waiting = max_waiting
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(concurrency)
        self._count_lock = threading.Lock()
        self._admitted = 0  # running plus waiting
        self._running = 0
        self.peak_running = 0  # for tests and benchmarks
        self._mean_seconds = 0.15  # rolling estimate of one check, for Retry-After

    @property
    def admitted(self) -> int:
        return self._admitted

    @property
    def mean_seconds(self) -> float:
        return self._mean_seconds

    def retry_after(self) -> int:
        turns = (self._admitted + 1) / self.concurrency
        return max(1, math.ceil(turns * self._mean_seconds))

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold one of the ``concurrency`` turns; ``TooBusy`` when the queue is full or the
        wait too long. Everything a sign-in does before its answer runs inside one turn."""
        with self._count_lock:
            if self._admitted >= self.concurrency + self.max_waiting:
                raise TooBusy(self.retry_after())
            self._admitted += 1
        try:
            if not self._slots.acquire(timeout=self.wait_seconds):
                raise TooBusy(self.retry_after())
            with self._count_lock:
                self._running += 1
                self.peak_running = max(self.peak_running, self._running)
            try:
                yield
            finally:
                with self._count_lock:
                    self._running -= 1
                self._slots.release()
        finally:
            with self._count_lock:
                self._admitted -= 1

    def check(self, fn: Callable[[str, str], bool], pwhash: str, password: str) -> bool:
        """Run one check (inside a ``turn``) off the serving loop; remember how long it took."""
        started = time.monotonic()
        ok = bool(run_off_loop(fn, pwhash, password))
        took = time.monotonic() - started
        self._mean_seconds = 0.8 * self._mean_seconds + 0.2 * took
        return ok
