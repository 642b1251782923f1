"""Database tables. Times are stored as UTC; the office's local day is stored explicitly."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class OfficeConfig(Base):
    """The TOML text loaded by ``init``; ``run`` serves exactly what was validated."""

    __tablename__ = "office_config"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # raised by every change (migration 0011): each server process compares it per request
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class SiteDay(Base):
    """One row per site and local day: the lock every writer of that site takes first."""

    __tablename__ = "site_day"
    site: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    issued: Mapped[int] = mapped_column(Integer, default=0)  # counted against the quota
    call_count: Mapped[int] = mapped_column(Integer, default=0)  # calls made (not recalls)


class ServiceDay(Base):
    """Numbering and quota of one service at one site on one day."""

    __tablename__ = "service_day"
    site: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    service: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)  # never decreases
    issued: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("site", "day", "number", name="uq_ticket_number_per_day"),
        UniqueConstraint("site", "day", "request_id", name="uq_ticket_request_per_day"),
        Index("ix_ticket_waiting", "site", "day", "status", "service"),
        Index("ix_ticket_finished", "site", "service", "finished_at"),
        Index(
            "ix_ticket_call_order",
            "site",
            "day",
            "status",
            "service",
            text("priority DESC"),
            "issued_at",
            "id",
        ),
        Index("ix_ticket_skipped", "site", "day", "status", "eligible_after_call"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    service: Mapped[str] = mapped_column(String(16))  # current service (changes on transfer)
    issued_service: Mapped[str] = mapped_column(String(16))  # the one the number came from
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(8))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    request_id: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[str | None] = mapped_column(String(64), nullable=True)  # audit actor
    # the kiosk (device id) that issued it: the only one that may void it (migration 0004)
    issuer_device_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    counter_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    skips: Mapped[int] = mapped_column(Integer, default=0)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    eligible_after_call: Mapped[int | None] = mapped_column(Integer, nullable=True)
    service_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    void_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CounterState(Base):
    __tablename__ = "counter_state"
    counter_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    current_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), nullable=True)
    last_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Action(Base):
    """Audit log: every counter action and ticket change, with who did it and when."""

    __tablename__ = "action"
    __table_args__ = (Index("ix_action_site_day", "site", "day", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    site: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # issue call recall skip finish transfer...
    actor: Mapped[str] = mapped_column(String(80))  # "device:<name>" or "officer:<user>"
    counter_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Device(Base):
    __tablename__ = "device"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    site: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    counter_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str | None] = mapped_column(Text, nullable=True)  # last health report, JSON


class User(Base):
    """People who sign in: admins and counter officers."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # "admin" | "kepala" | "petugas"
    site: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OfficerSession(Base):
    """A console sign-in, revocable on the server: the signed cookie carries only a random
    token whose SHA-256 is ``id``. Signing out, a password reset and locking the account set
    ``revoked_at``; every console request checks the row is still live."""

    __tablename__ = "officer_session"
    __table_args__ = (Index("ix_officer_session_user", "user_id", "revoked_at"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TrustedBrowser(Base):
    """A browser an officer signed in from before (a long-lived signed cookie holds a random
    token whose SHA-256 is ``id``). Its sign-in failures are counted here, not on the account,
    so a stranger's guesses that lock the account do not lock the officer out of it."""

    __tablename__ = "trusted_browser"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SignInThrottle(Base):
    """Sign-in attempts per client address: a sliding window over two fixed windows."""

    __tablename__ = "signin_throttle"
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)
    previous_count: Mapped[int] = mapped_column(Integer, default=0)


class JobClaim(Base):
    """Which server process ran a periodic job for a slot (e.g. the midnight rollover of a
    day): the primary key makes the first insert win, so a job runs once across processes."""

    __tablename__ = "job_claim"
    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    slot: Mapped[str] = mapped_column(String(40), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    holder: Mapped[str] = mapped_column(String(80))  # host:pid, for the curious


class OfficeConfigVersion(Base):
    """Every configuration the server ran, kept so a change can be audited (migration 0011)."""

    __tablename__ = "office_config_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(80))  # "officer:<user>" or "cli"
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)


class AdminChange(Base):
    """Audit log of the admin pages and CLI: who changed what, when (counter actions are in
    ``Action``)."""

    __tablename__ = "admin_change"
    __table_args__ = (Index("ix_admin_change_day_site", "day", "site"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    day: Mapped[date] = mapped_column(Date)  # the office's local day
    site: Mapped[str | None] = mapped_column(String(16), nullable=True)  # None: every site
    actor: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
