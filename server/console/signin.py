"""Officer sign-in with a brake on password guessing.

Each account counts its failed sign-ins in a row (``User.failed_logins``); from the fifth on it
is locked for a while (``User.locked_until``), twice as long after every further failure, up to
a ceiling. Every failure also costs a small fixed delay. The answer never tells whether the
account exists or is locked: an unknown name costs the same password hash and the same delay.
Passwords are checked outside any write transaction, so a guessing run never holds the
database's write lock (which every kiosk and counter of the office needs).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from sahaja.core.clock import Clock
from server.database import Database
from server.models import User

MAX_USERNAME = 64
MAX_PASSWORD = 1024  # a longer one is refused before hashing


@dataclass(frozen=True)
class LockPolicy:
    free_failures: int = 5  # failures in a row before the first lock
    first_lock_seconds: float = 30.0
    max_lock_seconds: float = 15 * 60.0
    failure_delay: float = 0.5  # seconds every failed attempt waits before its answer

    def lock_for(self, failures: int) -> timedelta | None:
        """How long an account stays locked after its ``failures``-th failure in a row."""
        if failures < self.free_failures:
            return None
        doublings = min(failures - self.free_failures, 16)
        return timedelta(seconds=min(self.first_lock_seconds * 2**doublings, self.max_lock_seconds))


@dataclass(frozen=True)
class Officer:
    username: str
    role: str  # "officer" | "admin"
    site: str | None  # None for an admin of every site


@cache
def _decoy_hash() -> str:
    """A hash to check unknown names against, so they cost the same time as known ones."""
    return generate_password_hash("not a password of anyone")


class SignInGuard:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        policy: LockPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.db = db
        self.clock = clock
        self.policy = policy or LockPolicy()
        self.sleep = sleep

    def sign_in(self, username: str, password: str) -> Officer | None:
        """The officer when the password is right and the account not locked, else None."""
        username = username.strip()
        now = self.clock.now()
        row = None
        if 0 < len(username) <= MAX_USERNAME:
            with self.db.reading() as s:
                row = s.execute(
                    select(
                        User.id,
                        User.password_hash,
                        User.role,
                        User.site,
                        User.failed_logins,
                        User.locked_until,
                    ).where(User.username == username)
                ).first()
        locked = row is not None and row.locked_until is not None and row.locked_until > now
        usable = row is not None and not locked and len(password) <= MAX_PASSWORD
        if usable:
            ok = check_password_hash(row.password_hash, password)
        else:
            check_password_hash(_decoy_hash(), password[:MAX_PASSWORD])
            ok = False
        if ok:
            if row.failed_logins or row.locked_until is not None:
                self._reset(row.id)
            return Officer(username, row.role, row.site)
        if usable:  # attempts while locked neither count nor extend the lock
            self._count_failure(row.id)
        self.sleep(self.policy.failure_delay)
        return None

    def _count_failure(self, user_id: int) -> None:
        with self.db.writing() as s:
            s.execute(
                update(User)
                .where(User.id == user_id)
                .values(failed_logins=User.failed_logins + 1)
                .execution_options(synchronize_session=False)
            )
            user = s.get(User, user_id)
            s.refresh(user)
            lock = self.policy.lock_for(user.failed_logins)
            if lock is not None:
                user.locked_until = self.clock.now() + lock

    def _reset(self, user_id: int) -> None:
        with self.db.writing() as s:
            s.execute(
                update(User)
                .where(User.id == user_id)
                .values(failed_logins=0, locked_until=None)
                .execution_options(synchronize_session=False)
            )
