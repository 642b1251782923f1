"""Attempts per client address in a sliding window, counted in the database so every server
process sees the same count: the console's sign-in and the public booking endpoints use it.

The window slides over two fixed windows (the previous window's count weighted by how much of
it still overlaps, plus this one's). A refused address is remembered in memory until it may
try again, so a flood costs no database write per request. Rows live in ``signin_throttle``
(the table the sign-in throttle always used); each use has its own key prefix."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from sahaja.core.clock import Clock
from server.database import Database
from server.models import SignInThrottle

PRUNE_EVERY = 200  # counted attempts per process between deletions of stale rows
MAX_REMEMBERED = 10_000  # refused addresses kept in memory (forged ones must not grow it)


class RateLimited(Exception):
    """Too many attempts from this address; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    attempts: int  # attempts per address...
    window_seconds: float  # ...in this sliding window


def insert_ignoring_existing(db: Database, s: Session, table: Any, values: dict[str, Any]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
    if db.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    s.execute(insert(table).values(**values).on_conflict_do_nothing())


class AddressThrottle:
    """One limit for one use (``prefix``): ``count`` an attempt or raise ``RateLimited``."""

    def __init__(self, db: Database, clock: Clock, limit: Limit, prefix: str = "") -> None:
        self.db = db
        self.clock = clock
        self.limit = limit
        self.prefix = prefix
        self._refused_until: dict[str, datetime] = {}
        self._lock = threading.Lock()
        self._attempts = 0

    def key(self, address: str) -> str:
        return f"{self.prefix}{address}"[:64]

    def refuse_remembered(self, address: str) -> None:
        """Raise at once, without the database, for an address refused a moment ago."""
        key = self.key(address)
        until = self._refused_until.get(key)
        if until is None:
            return
        left = (until - self.clock.now()).total_seconds()
        if left > 0:
            raise RateLimited(math.ceil(left))
        self._refused_until.pop(key, None)

    def check(self, address: str | None) -> None:
        """Count one attempt of ``address`` in its own write transaction (None: not counted)."""
        if address is None:
            return
        self.refuse_remembered(address)
        with self.db.writing() as s:
            self.count(s, address, self.clock.now())

    def count(self, s: Session, address: str, now: datetime) -> None:
        """Count one attempt in the caller's write transaction, or raise ``RateLimited``
        with nothing written."""
        window = self.limit.window_seconds
        key = self.key(address)
        insert_ignoring_existing(
            self.db,
            s,
            SignInThrottle,
            {"address": key, "window_start": now, "count": 0, "previous_count": 0},
        )
        row = s.get(SignInThrottle, key, with_for_update=True, populate_existing=True)
        elapsed = (now - row.window_start).total_seconds()
        if elapsed >= 2 * window or elapsed < 0:
            row.window_start, row.count, row.previous_count, elapsed = now, 0, 0, 0.0
        elif elapsed >= window:
            row.window_start += timedelta(seconds=window)
            row.previous_count, row.count = row.count, 0
            elapsed -= window
        limit = self.limit.attempts
        if row.previous_count * (1 - elapsed / window) + row.count + 1 > limit:
            if row.count + 1 > limit or row.previous_count == 0:
                wait = window - elapsed  # until this window's count becomes the weighted one
            else:  # until the previous window's weight has shrunk enough
                wait = window * (1 - (limit - 1 - row.count) / row.previous_count) - elapsed
            retry = max(1, math.ceil(wait))
            with self._lock:
                if len(self._refused_until) > MAX_REMEMBERED:
                    self._refused_until.clear()
                self._refused_until[key] = now + timedelta(seconds=retry)
            raise RateLimited(retry)
        row.count += 1
        self._attempts += 1
        if self._attempts % PRUNE_EVERY == 0:
            stale = [SignInThrottle.window_start < now - timedelta(seconds=2 * window)]
            if self.prefix:  # only this use's rows: another may have a longer window
                stale.append(SignInThrottle.address.startswith(self.prefix, autoescape=True))
            s.execute(delete(SignInThrottle).where(*stale))
