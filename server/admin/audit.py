"""The audit log as one list: admin changes (``AdminChange``) and counter actions
(``Action``), newest first, filtered by day, site and officer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from server.database import Database
from server.models import Action, AdminChange, Ticket

LIMIT = 500  # rows shown on one page


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    site: str | None
    actor: str
    kind: str
    what: str  # ticket number, counter, or the change's summary


def actor_of(officer: str) -> str:
    return f"officer:{officer}"


def audit_rows(
    db: Database,
    day: date,
    sites: list[str] | None,
    officer: str | None = None,
    *,
    include_office_wide: bool = True,
    limit: int = LIMIT,
) -> list[AuditRow]:
    """Rows of ``day`` at ``sites`` (None: every site); office-wide admin changes (no site)
    are included when ``include_office_wide``."""
    with db.reading() as s:
        changes = select(AdminChange).where(AdminChange.day == day)
        if sites is not None:
            where = AdminChange.site.in_(sites)
            if include_office_wide:
                where = or_(where, AdminChange.site.is_(None))
            changes = changes.where(where)
        if officer:
            changes = changes.where(AdminChange.actor == actor_of(officer))
        actions = (
            select(Action, Ticket.number)
            .outerjoin(Ticket, Ticket.id == Action.ticket_id)
            .where(Action.day == day)
        )
        if sites is not None:
            actions = actions.where(Action.site.in_(sites))
        if officer:
            actions = actions.where(Action.actor == actor_of(officer))
        rows = [
            AuditRow(c.at, c.site, c.actor, c.kind, c.detail or "")
            for c in s.scalars(changes.order_by(AdminChange.id.desc()).limit(limit))
        ]
        for a, number in s.execute(actions.order_by(Action.id.desc()).limit(limit)):
            parts = [x for x in (number, a.counter_id, a.detail) if x]
            rows.append(AuditRow(a.at, a.site, a.actor, a.kind, " · ".join(parts)))
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows[:limit]
