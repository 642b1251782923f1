"""Officer sign-in with brakes on password guessing that a stranger cannot turn against the
officer, and that cannot stall the queue.

In the order a sign-in meets them:

1. **Per client address**: at most 4 attempts in progress at once (per process), and at most
   ``address_attempts`` attempts in a sliding window of
   ``address_window_seconds`` (any account, any outcome), counted in the database so every
   server process sees the same count. Beyond that: ``Throttled`` (429 with Retry-After), no
   password check. A refused address is also remembered in memory until its window allows
   it again, so a flood costs no database write per request.
2. **A turn** among at most ``PasswordChecks.concurrency`` password checks at once, with a
   bounded queue (``TooBusy`` beyond it): the memory and CPU a burst can take is bounded.
3. **The failure is counted before the password is checked.** In one write transaction (the
   row locked: ``SELECT ... FOR UPDATE`` on PostgreSQL, the write lock on SQLite) the attempt
   claims the next failure of its *subject*: refused at once while the subject is locked, and
   the claim that reaches ``free_failures`` sets the lock before its own check runs. So
   parallel guesses beyond the limit never reach scrypt, in any process; the right password
   then clears the count and the lock.
4. **The subject** is the account, unless the browser presents a trusted-browser cookie of
   that account (set by an earlier successful sign-in): then it is that browser. A stranger's
   guesses lock the account for strangers only; the officer at the counter PC they signed in
   from before still gets in, with their own failures counted (and locked) on that browser.

Each failure also waits ``failure_delay``; a refusal during a lock waits as long as a check
plus that delay, and an unknown name costs a check of a decoy hash, so the answer tells
nothing about whether the account exists or is locked.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from sahaja.core.clock import Clock
from server.accounts import hash_token
from server.console.password_checks import PasswordChecks, TooBusy
from server.database import Database
from server.models import OfficerSession, SignInThrottle, TrustedBrowser, User

MAX_USERNAME = 64
MAX_PASSWORD = 1024  # a longer one is refused before hashing
PRUNE_EVERY = 200  # attempts per process between deletions of stale throttle rows
MAX_IN_FLIGHT_PER_ADDRESS = 4  # a PC has one sign-in in progress; a double click two


@dataclass(frozen=True)
class LockPolicy:
    free_failures: int = 5  # failures in a row before the first lock
    first_lock_seconds: float = 30.0
    max_lock_seconds: float = 15 * 60.0
    failure_delay: float = 0.5  # seconds every failed attempt waits before its answer
    address_attempts: int = 20  # sign-in attempts per client address...
    address_window_seconds: float = 10 * 60.0  # ...in this sliding window
    trusted_browser_days: float = 90.0  # how long a browser stays trusted after a sign-in

    def lock_for(self, failures: int) -> timedelta | None:
        """How long a subject stays locked after its ``failures``-th failure in a row."""
        if failures < self.free_failures:
            return None
        doublings = min(failures - self.free_failures, 16)
        return timedelta(seconds=min(self.first_lock_seconds * 2**doublings, self.max_lock_seconds))


@dataclass(frozen=True)
class Client:
    """Who is knocking: the client address, and the trusted-browser token it holds, if any."""

    address: str | None = None
    browser_token: str | None = None


@dataclass(frozen=True)
class Officer:
    username: str
    role: str  # "admin" | "kepala" | "petugas" (protocol.STAFF_ROLES)
    site: str | None  # None for an admin of every site
    session_token: str = ""  # the server-side session just opened (goes in the cookie)
    browser_token: str | None = None  # a new trusted-browser token to set, if any


class Throttled(TooBusy):
    """Too many sign-in attempts from this client address."""


@dataclass
class _Claim:
    user_id: int | None = None
    password_hash: str | None = None
    role: str = ""
    site: str | None = None
    browser_id: str | None = None  # the trusted browser that is the subject, if any
    locked: bool = False


@cache
def _decoy_hash() -> str:
    """A hash to check unknown names against, so they cost the same time as known ones."""
    return generate_password_hash("not a password of anyone")


def insert_ignoring_existing(db: Database, s: Session, table: Any, values: dict[str, Any]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
    if db.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    s.execute(insert(table).values(**values).on_conflict_do_nothing())


class SignInGuard:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        policy: LockPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        checks: PasswordChecks | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.policy = policy or LockPolicy()
        self.sleep = sleep
        self.checks = checks or PasswordChecks()
        self._refused_until: dict[str, datetime] = {}  # address -> end of its refusal
        self._flights: dict[str, int] = {}  # address -> attempts in progress
        self._flights_lock = threading.Lock()
        self._attempts = 0
        self.password_checks = 0  # checks run by this guard (tests and benchmarks count them)

    def sign_in(self, username: str, password: str, client: Client | None = None) -> Officer | None:
        """The officer when the password is right and the subject not locked, else None.
        Raises ``Throttled`` or ``TooBusy`` (answer 429) before any password check."""
        client = client or Client()
        username = username.strip()
        if client.address is not None:
            self._refuse_remembered(client.address)
        with self._one_of_few_in_flight(client.address), self.checks.turn():
            claim = self._claim(username, client)
            ok = not claim.locked and self._check(claim, password)
        if claim.locked:  # no check ran: wait as long as if one had
            self.sleep(self.policy.failure_delay + self.checks.mean_seconds)
        elif ok:
            return self._succeeded(username, claim, client)
        else:
            self.sleep(self.policy.failure_delay)
        return None

    # --- steps ---------------------------------------------------------------------------
    @contextmanager
    def _one_of_few_in_flight(self, address: str | None) -> Iterator[None]:
        """At most ``MAX_IN_FLIGHT_PER_ADDRESS`` attempts of one address at once in this
        process, so one client cannot fill the queue of password checks before its window
        (counted in the database, inside the queue) refuses it."""
        if address is None:
            yield
            return
        with self._flights_lock:
            if self._flights.get(address, 0) >= MAX_IN_FLIGHT_PER_ADDRESS:
                raise Throttled(1)
            self._flights[address] = self._flights.get(address, 0) + 1
        try:
            yield
        finally:
            with self._flights_lock:
                left = self._flights.pop(address) - 1
                if left:
                    self._flights[address] = left

    def _check(self, claim: _Claim, password: str) -> bool:
        usable = claim.password_hash is not None and len(password) <= MAX_PASSWORD
        pwhash = claim.password_hash if usable else _decoy_hash()
        self.password_checks += 1
        ok = self.checks.check(check_password_hash, pwhash, password[:MAX_PASSWORD])
        return ok and usable

    def _refuse_remembered(self, address: str) -> None:
        until = self._refused_until.get(address)
        if until is None:
            return
        left = (until - self.clock.now()).total_seconds()
        if left > 0:
            raise Throttled(math.ceil(left))
        self._refused_until.pop(address, None)

    def _claim(self, username: str, client: Client) -> _Claim:
        """One write transaction: count the address's attempt, then claim the subject's next
        failure (or find it locked). Raises ``Throttled`` with nothing written."""
        now = self.clock.now()
        with self.db.writing() as s:
            if client.address is not None:
                self._count_address(s, client.address, now)
            if not 0 < len(username) <= MAX_USERNAME:
                return _Claim()
            user = s.execute(
                select(User).where(User.username == username).with_for_update()
            ).scalar_one_or_none()
            if user is None or user.disabled_at is not None:
                return _Claim()
            claim = _Claim(user.id, user.password_hash, user.role, user.site)
            subject: User | TrustedBrowser = user
            if client.browser_token:
                browser_id = hash_token(client.browser_token)
                browser = s.get(TrustedBrowser, browser_id, with_for_update=True)
                if browser is not None and browser.user_id == user.id:
                    subject, claim.browser_id = browser, browser.id
            if subject.locked_until is not None and subject.locked_until > now:
                claim.locked = True  # attempts during a lock neither count nor extend it
                return claim
            subject.failed_logins = (subject.failed_logins or 0) + 1
            lock = self.policy.lock_for(subject.failed_logins)
            if lock is not None:
                subject.locked_until = now + lock
            return claim

    def _count_address(self, s: Session, address: str, now: datetime) -> None:
        """Sliding window over two fixed windows: the previous window's count weighted by how
        much of it still overlaps, plus this window's."""
        window = self.policy.address_window_seconds
        address = address[:64]
        insert_ignoring_existing(
            self.db,
            s,
            SignInThrottle,
            {"address": address, "window_start": now, "count": 0, "previous_count": 0},
        )
        row = s.get(SignInThrottle, address, with_for_update=True, populate_existing=True)
        elapsed = (now - row.window_start).total_seconds()
        if elapsed >= 2 * window or elapsed < 0:
            row.window_start, row.count, row.previous_count, elapsed = now, 0, 0, 0.0
        elif elapsed >= window:
            row.window_start += timedelta(seconds=window)
            row.previous_count, row.count = row.count, 0
            elapsed -= window
        limit = self.policy.address_attempts
        if row.previous_count * (1 - elapsed / window) + row.count + 1 > limit:
            if row.count + 1 > limit or row.previous_count == 0:
                wait = window - elapsed  # until this window's count becomes the weighted one
            else:  # until the previous window's weight has shrunk enough
                wait = window * (1 - (limit - 1 - row.count) / row.previous_count) - elapsed
            retry = max(1, math.ceil(wait))
            self._refused_until[address] = now + timedelta(seconds=retry)
            if len(self._refused_until) > 10_000:  # forged addresses must not grow it
                self._refused_until.clear()
            raise Throttled(retry)
        row.count += 1
        self._attempts += 1
        if self._attempts % PRUNE_EVERY == 0:
            stale = now - timedelta(seconds=2 * window)
            s.execute(delete(SignInThrottle).where(SignInThrottle.window_start < stale))

    def _succeeded(self, username: str, claim: _Claim, client: Client) -> Officer:
        """Clear the subject's failures, open a server-side session, trust this browser."""
        now = self.clock.now()
        session_token = secrets.token_urlsafe(32)
        browser_token = None
        with self.db.writing() as s:
            if claim.browser_id is None:
                s.execute(
                    update(User)
                    .where(User.id == claim.user_id)
                    .values(failed_logins=0, locked_until=None)
                )
                browser_token = secrets.token_urlsafe(32)
                s.add(
                    TrustedBrowser(
                        id=hash_token(browser_token),
                        user_id=claim.user_id,
                        created_at=now,
                        last_used_at=now,
                        failed_logins=0,
                    )
                )
            else:
                s.execute(
                    update(TrustedBrowser)
                    .where(TrustedBrowser.id == claim.browser_id)
                    .values(failed_logins=0, locked_until=None, last_used_at=now)
                )
            forgotten = now - timedelta(days=self.policy.trusted_browser_days)
            s.execute(
                delete(TrustedBrowser).where(
                    TrustedBrowser.user_id == claim.user_id,
                    TrustedBrowser.last_used_at < forgotten,
                )
            )
            sid = hash_token(session_token)
            s.add(OfficerSession(id=sid, user_id=claim.user_id, created_at=now, last_seen_at=now))
        return Officer(username, claim.role, claim.site, session_token, browser_token)
