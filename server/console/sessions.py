"""Server-side console sessions: the signed cookie holds a random token (``sid``), the
database a row per sign-in (``OfficerSession``) that signing out, a password reset and
locking the account revoke. Every console page, counter API call and Socket.IO connection of
an officer checks the row is live, so a copied cookie stops working the moment the session
ends, in every server process."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from sahaja.core.clock import Clock
from server.accounts import hash_token
from server.database import Database
from server.models import OfficerSession, User

SESSION_KEY = "sid"  # key of the session token in Flask's signed cookie
EXTENSION = "sahaja_sessions"


class OfficerSessions:
    def __init__(
        self, db: Database, clock: Clock, hours: float = 12.0, touch_seconds: float = 60.0
    ) -> None:
        self.db = db
        self.clock = clock
        self.lifetime = timedelta(hours=hours)
        self.touch_every = timedelta(seconds=touch_seconds)

    def live(self, token: str | None) -> bool:
        """The session exists, is not revoked or older than the lifetime, and its officer is
        not locked. ``last_seen_at`` is written at most once a minute per session."""
        if not token:
            return False
        now = self.clock.now()
        sid = hash_token(token)
        with self.db.reading() as s:
            row = s.execute(
                select(
                    OfficerSession.created_at,
                    OfficerSession.last_seen_at,
                    OfficerSession.revoked_at,
                    User.disabled_at,
                )
                .join(User, User.id == OfficerSession.user_id)
                .where(OfficerSession.id == sid)
            ).first()
        if row is None or row.revoked_at is not None or row.disabled_at is not None:
            return False
        if now - row.created_at > self.lifetime:
            return False
        if now - row.last_seen_at >= self.touch_every:
            with self.db.writing() as s:
                s.execute(
                    update(OfficerSession).where(OfficerSession.id == sid).values(last_seen_at=now)
                )
        return True

    def ended_among(self, tokens: set[str]) -> set[str]:
        """The tokens whose sessions are no longer live (one query, nothing written)."""
        if not tokens:
            return set()
        by_id = {hash_token(t): t for t in tokens}
        oldest = self.clock.now() - self.lifetime
        with self.db.reading() as s:
            live = set(
                s.scalars(
                    select(OfficerSession.id)
                    .join(User, User.id == OfficerSession.user_id)
                    .where(
                        OfficerSession.id.in_(by_id),
                        OfficerSession.revoked_at.is_(None),
                        OfficerSession.created_at >= oldest,
                        User.disabled_at.is_(None),
                    )
                )
            )
        return {token for sid, token in by_id.items() if sid not in live}

    def revoke(self, token: str | None) -> None:
        if not token:
            return
        with self.db.writing() as s:
            s.execute(
                update(OfficerSession)
                .where(OfficerSession.id == hash_token(token), OfficerSession.revoked_at.is_(None))
                .values(revoked_at=self.clock.now())
            )


def officer_session_live(session: Mapping[str, Any], app: Flask | None = None) -> bool:
    """Whether a Flask session holds a signed-in officer whose server-side session is live
    (False when the console is not installed)."""
    sessions: OfficerSessions | None = (app or current_app).extensions.get(EXTENSION)
    if sessions is None or not session.get("officer"):
        return False
    return sessions.live(session.get(SESSION_KEY))
