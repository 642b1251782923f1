"""Password checks that cannot stall the queue.

A Werkzeug scrypt check costs about 100-170 ms of CPU and 32 MiB of memory. Unbounded, a burst
of sign-ins (07:30, every officer at once, or a stranger's flood) takes both cores and
gigabytes and ticket issue slows for everyone. So:

- at most ``concurrency`` checks run at once (2 by default: worst case 2 x 32 MiB);
- at most ``max_waiting`` more wait for a turn; anyone beyond that, or waiting longer than
  ``wait_seconds``, is refused at once with ``TooBusy`` (the console answers 429 with
  Retry-After) rather than queueing without bound;
- the check runs off the serving loop, in ``concurrency`` real OS threads of their own with a
  lower CPU priority (nice 10), so a core running scrypt is yielded to the serving threads.
  ``hashlib.scrypt`` releases the GIL. Under Gunicorn's threaded worker the pool is a
  ``ThreadPoolExecutor``; under gevent's monkey-patching (where ``threading`` makes greenlets)
  it is a gevent ``ThreadPool`` of real threads, so the waiting greenlet yields and the hub
  keeps serving every other one. The semaphore is created from ``threading`` after
  patching, so there it is gevent's.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
CHECK_NICENESS = 10  # CPU weight of a checking thread: about a tenth of a serving thread's


class TooBusy(Exception):
    """Too many password checks in flight; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many password checks; retry after {retry_after} s")
        self.retry_after = retry_after


def gevent_patched() -> bool:
    """True when gevent's monkey-patching replaced ``threading`` (the gevent worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


def lower_this_thread() -> None:
    """Give the calling OS thread a lower CPU priority (Linux: a nice value per thread), so a
    check running on a core yields it to the threads serving kiosks and boards."""
    if not hasattr(os, "setpriority"):
        return
    try:
        current = os.getpriority(os.PRIO_PROCESS, 0)  # 0: this thread, on Linux
        if current < CHECK_NICENESS:
            os.setpriority(os.PRIO_PROCESS, 0, CHECK_NICENESS)
    except OSError:
        pass


def _lowered(fn: Callable[..., T], args: tuple) -> T:
    lower_this_thread()
    return fn(*args)


class PasswordChecks:
    def __init__(
        self, concurrency: int = 2, max_waiting: int = 32, wait_seconds: float = 10.0
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
        self._pool: Any = None  # real OS threads, made on first use (after any patching)

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

    def run_off_loop(self, fn: Callable[..., T], *args: object) -> T:
        """Run a GIL-releasing call in one of ``concurrency`` real OS threads of low priority:
        a gevent ``ThreadPool`` under monkey-patching (the waiting greenlet yields to the
        hub), else a ``ThreadPoolExecutor``."""
        with self._count_lock:
            if self._pool is None:
                if gevent_patched():
                    from gevent.threadpool import ThreadPool

                    self._pool = ThreadPool(self.concurrency)
                else:
                    self._pool = ThreadPoolExecutor(self.concurrency, "sahaja-password")
            pool = self._pool
        if isinstance(pool, ThreadPoolExecutor):
            return pool.submit(_lowered, fn, args).result()
        return pool.apply(_lowered, (fn, args))

    def check(self, fn: Callable[[str, str], bool], pwhash: str, password: str) -> bool:
        """Run one check (inside a ``turn``) off the serving loop; remember how long it took."""
        started = time.monotonic()
        ok = bool(self.run_off_loop(fn, pwhash, password))
        took = time.monotonic() - started
        self._mean_seconds = 0.8 * self._mean_seconds + 0.2 * took
        return ok
