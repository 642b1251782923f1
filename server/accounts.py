"""Device tokens and user accounts.

A device token is 32 random bytes shown once; only its SHA-256 is stored (a high-entropy token
needs no slow hash). Passwords use Werkzeug's salted scrypt hashes.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from sahaja import protocol as p
from sahaja.config import Config
from server.database import Database
from server.models import Device, OfficerSession, TrustedBrowser, User

TOKEN_CACHE_SECONDS = 5.0  # a revocation from another process takes effect within this


class AccountError(ValueError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class DeviceIdentity:
    id: int
    name: str
    site: str
    role: str
    counter_id: str | None

    @property
    def actor(self) -> str:
        return f"device:{self.name}"


class Accounts:
    def __init__(
        self, db: Database, config: Config, cache_seconds: float = TOKEN_CACHE_SECONDS
    ) -> None:
        self.db = db
        self.config = config
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, DeviceIdentity | None]] = {}

    # --- devices -------------------------------------------------------------------------
    def add_device(
        self, name: str, site: str, role: str, counter: str | None, now: datetime
    ) -> str:
        if role not in p.ROLES:
            raise AccountError(f"role must be one of {', '.join(p.ROLES)}, not {role!r}")
        if site not in self.config.sites:
            raise AccountError(f"unknown site {site!r} (known: {', '.join(self.config.sites)})")
        counter_id = None
        if role == "counter":
            if not counter:
                raise AccountError("a counter device needs --counter CODE")
            found = self.config.sites[site].counter(counter)
            if found is None:
                raise AccountError(f"unknown counter {counter!r} at site {site}")
            counter_id = found.id
        elif counter:
            raise AccountError("--counter is only for role counter")
        token = secrets.token_urlsafe(32)
        with self.db.writing() as s:
            if s.scalars(select(Device).where(Device.name == name)).first():
                raise AccountError(f"a device named {name!r} exists already")
            s.add(
                Device(
                    name=name,
                    site=site,
                    role=role,
                    counter_id=counter_id,
                    token_hash=hash_token(token),
                    created_at=now,
                )
            )
        return token

    def rotate_device(self, name: str, now: datetime) -> str:
        token = secrets.token_urlsafe(32)
        with self.db.writing() as s:
            device = s.scalars(select(Device).where(Device.name == name)).first()
            if device is None:
                raise AccountError(f"no device named {name!r}")
            device.token_hash = hash_token(token)
            device.revoked_at = None
        self._cache.clear()
        return token

    def revoke_device(self, name: str, now: datetime) -> None:
        with self.db.writing() as s:
            device = s.scalars(select(Device).where(Device.name == name)).first()
            if device is None:
                raise AccountError(f"no device named {name!r}")
            device.revoked_at = now
        self._cache.clear()

    def list_devices(self) -> list[dict[str, Any]]:
        with self.db.reading() as s:
            return [
                {
                    "name": d.name,
                    "site": d.site,
                    "role": d.role,
                    "counter": d.counter_id,
                    "revoked": d.revoked_at is not None,
                    "last_seen_at": d.last_seen_at.isoformat() if d.last_seen_at else None,
                    "state": json.loads(d.state) if d.state else None,
                }
                for d in s.scalars(select(Device).order_by(Device.name))
            ]

    def authenticate(self, token: str | None) -> DeviceIdentity | None:
        """The device a token belongs to; answers are remembered for a few seconds, since
        every request of every kiosk and counter asks."""
        if not token:
            return None
        digest = hash_token(token)
        hit = self._cache.get(digest)
        if hit is not None and time.monotonic() < hit[0]:
            return hit[1]
        with self.db.reading() as s:
            d = s.scalars(select(Device).where(Device.token_hash == digest)).first()
            found = (
                DeviceIdentity(d.id, d.name, d.site, d.role, d.counter_id)
                if d is not None and d.revoked_at is None
                else None
            )
        if len(self._cache) > 10_000:  # forged tokens must not grow it without bound
            self._cache.clear()
        self._cache[digest] = (time.monotonic() + self.cache_seconds, found)
        return found

    def revoked_among(self, device_ids: set[int]) -> set[int]:
        with self.db.reading() as s:
            return set(
                s.scalars(
                    select(Device.id).where(
                        Device.id.in_(device_ids), Device.revoked_at.is_not(None)
                    )
                )
            )

    def record_health(self, device_id: int, report: dict[str, Any], now: datetime) -> None:
        with self.db.writing() as s:
            d = s.get(Device, device_id)
            if d is not None:
                d.last_seen_at = now
                d.state = json.dumps(report, sort_keys=True)

    def touch(self, device_id: int, now: datetime) -> None:
        with self.db.writing() as s:
            d = s.get(Device, device_id)
            if d is not None:
                d.last_seen_at = now

    # --- people --------------------------------------------------------------------------
    def add_user(
        self, username: str, password: str, role: str, site: str | None, now: datetime
    ) -> None:
        role = staff_role(role)
        if site is None and role != p.STAFF_ADMIN:
            raise AccountError(f"a {role} needs a site (--site CODE)")
        if not username or len(username) > 64:
            raise AccountError("a user name of 1-64 characters is needed")
        if len(password) < 8:
            raise AccountError("the password needs at least 8 characters")
        if site is not None and site not in self.config.sites:
            raise AccountError(f"unknown site {site!r}")
        with self.db.writing() as s:
            if s.scalars(select(User).where(User.username == username)).first():
                raise AccountError(f"a user named {username!r} exists already")
            s.add(
                User(
                    username=username,
                    password_hash=generate_password_hash(password),
                    role=role,
                    site=site,
                    created_at=now,
                    failed_logins=0,
                )
            )

    def reset_password(self, username: str, password: str, now: datetime) -> None:
        """A new password, the console's sign-in locks lifted (an officer locked out), and
        every console session of the user ended (a copied cookie stops working)."""
        if len(password) < 8:
            raise AccountError("the password needs at least 8 characters")
        with self.db.writing() as s:
            user = self._user(s, username)
            user.password_hash = generate_password_hash(password)
            user.failed_logins = 0
            user.locked_until = None
            s.execute(
                update(TrustedBrowser)
                .where(TrustedBrowser.user_id == user.id)
                .values(failed_logins=0, locked_until=None)
            )
            revoke_sessions(s, user.id, now)

    def set_locked(self, username: str, locked: bool, now: datetime) -> None:
        """Lock a user out of the console (every session ended at once) or let them in again."""
        with self.db.writing() as s:
            user = self._user(s, username)
            user.disabled_at = now if locked else None
            if locked:
                revoke_sessions(s, user.id, now)

    @staticmethod
    def _user(s: Session, username: str) -> User:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise AccountError(f"no user named {username!r}")
        return user

    def check_password(self, username: str, password: str) -> User | None:
        with self.db.reading() as s:
            user = s.scalars(select(User).where(User.username == username)).first()
            if user is None or not check_password_hash(user.password_hash, password):
                return None
            return user


def staff_role(role: str) -> str:
    """A staff role in today's words ("officer" is the old name of "petugas"), or refused."""
    role = "petugas" if role == "officer" else role
    if role not in p.STAFF_ROLES:
        raise AccountError(f"role must be one of {', '.join(p.STAFF_ROLES)}, not {role!r}")
    return role


def revoke_sessions(s: Session, user_id: int, now: datetime) -> None:
    """End every live console session of a user, inside the caller's write transaction."""
    s.execute(
        update(OfficerSession)
        .where(OfficerSession.user_id == user_id, OfficerSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
