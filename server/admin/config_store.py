"""The office configuration in the database, versioned: every change is validated, checked
against today's queue (``sahaja.core.config_change``), stored as a new version with its
history row and an audit entry, and picked up by every server process (``LiveConfig``).

A change is a function from the current TOML text to the new one, applied inside the write
transaction that holds the config row: two admins saving at once never lose either edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sahaja import i18n
from sahaja import protocol as p
from sahaja.config import Config, ConfigError, parse_config
from sahaja.core.calendar import local_day
from sahaja.core.config_change import ActiveDevice, TodayFacts, breaking_changes
from sahaja.core.refusal import Refusal
from server.database import Database
from server.models import (
    AdminChange,
    CounterState,
    Device,
    OfficeConfig,
    OfficeConfigVersion,
    ServiceDay,
    SiteDay,
    Ticket,
)


class ConfigRefused(ConfigError):
    """A valid config that would break today's queue; ``refusals`` say why."""

    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals
        super().__init__(self.message("en"))

    def reasons(self, lang: str) -> list[str]:
        return [i18n.t(r.message_key, lang, **r.params) for r in self.refusals]

    def message(self, lang: str) -> str:
        return f"{i18n.t('admin.refused_intro', lang)}: " + "; ".join(self.reasons(lang))


@dataclass(frozen=True)
class Saved:
    config: Config
    version: int
    changed: bool  # False: the new text equals the stored one (nothing written)


def today_facts(s: Session, config: Config, now: datetime) -> TodayFacts:
    today = local_day(now, config.tz)
    open_tickets = {
        (site, service): n
        for site, service, n in s.execute(
            select(Ticket.site, Ticket.service, func.count())
            .where(Ticket.status.in_(p.OPEN_STATUSES))
            .group_by(Ticket.site, Ticket.service)
        )
    }
    issued_at_site = {
        site: n
        for site, n in s.execute(select(SiteDay.site, SiteDay.issued).where(SiteDay.day == today))
    }
    issued_of_service = {
        (site, service): n
        for site, service, n in s.execute(
            select(ServiceDay.site, ServiceDay.service, ServiceDay.issued).where(
                ServiceDay.day == today
            )
        )
    }
    serving = frozenset(
        s.scalars(
            select(CounterState.counter_id)
            .join(Ticket, Ticket.id == CounterState.current_ticket_id)
            .where(Ticket.status == p.STATUS_CALLED)
        )
    )
    devices = tuple(
        ActiveDevice(name, site, counter_id)
        for name, site, counter_id in s.execute(
            select(Device.name, Device.site, Device.counter_id).where(Device.revoked_at.is_(None))
        )
    )
    numbered = frozenset(
        s.scalars(select(Ticket.issued_service).where(Ticket.day == today).distinct())
    )
    return TodayFacts(open_tickets, issued_at_site, issued_of_service, serving, devices, numbered)


def check_change(s: Session, old: Config, new: Config, now: datetime) -> None:
    refusals = breaking_changes(old, new, today_facts(s, new, now))
    if refusals:
        raise ConfigRefused(refusals)


def record_change(
    s: Session,
    *,
    actor: str,
    kind: str,
    detail: str,
    now: datetime,
    tz,
    site: str | None = None,
) -> None:
    """One audit row, inside the caller's transaction."""
    s.add(
        AdminChange(
            at=now,
            day=local_day(now, tz),
            site=site,
            actor=actor[:80],
            kind=kind[:32],
            detail=detail,
        )
    )


def change_config(
    db: Database,
    edit: Callable[[str], str],
    *,
    actor: str,
    summary: str,
    now: datetime,
    site: str | None = None,
    source: str = "admin",
) -> Saved:
    """Apply ``edit`` to the stored TOML text and store the result as a new version, if it
    parses, validates and leaves today's queue intact (else ``ConfigError``/``ConfigRefused``,
    nothing written)."""
    with db.writing() as s:
        row = s.scalars(select(OfficeConfig).where(OfficeConfig.id == 1).with_for_update()).one()
        old = parse_config(row.text, "stored config")
        text = edit(row.text)
        new = parse_config(text, source=source)
        if text == row.text:
            return Saved(new, row.version, False)
        check_change(s, old, new, now)
        _ensure_history(s, row)
        row.text = text
        row.loaded_at = now
        row.version += 1
        s.add(
            OfficeConfigVersion(
                version=row.version, text=text, created_at=now, created_by=actor, summary=summary
            )
        )
        record_change(
            s,
            actor=actor,
            kind="config",
            detail=f"v{row.version}: {summary}",
            now=now,
            tz=new.tz,
            site=site,
        )
        return Saved(new, row.version, True)


def _ensure_history(s: Session, row: OfficeConfig) -> None:
    """The running version is in the history too (databases from before migration 0011)."""
    found = s.scalars(
        select(OfficeConfigVersion.id).where(OfficeConfigVersion.version == row.version)
    ).first()
    if found is None:
        s.add(
            OfficeConfigVersion(
                version=row.version,
                text=row.text,
                created_at=row.loaded_at,
                created_by="init",
                summary="loaded by init",
            )
        )


def stored_version(db: Database) -> int:
    with db.reading() as s:
        return s.scalars(select(OfficeConfig.version).where(OfficeConfig.id == 1)).one()


def current_text(db: Database) -> tuple[str, int]:
    with db.reading() as s:
        row = s.scalars(select(OfficeConfig).where(OfficeConfig.id == 1)).one()
        return row.text, row.version


def history(db: Database, limit: int = 100) -> list[OfficeConfigVersion]:
    with db.reading() as s:
        rows = s.scalars(
            select(OfficeConfigVersion).order_by(OfficeConfigVersion.version.desc()).limit(limit)
        ).all()
        s.expunge_all()
        return list(rows)


def version_text(db: Database, version: int) -> str | None:
    with db.reading() as s:
        return s.scalars(
            select(OfficeConfigVersion.text).where(OfficeConfigVersion.version == version)
        ).first()
