"""The site's earlier open days' priority tickets: the prior of the forecast's priority outlook
(``sahaja.core.priority_outlook``).

The last ``PRIOR_DAYS`` days before today on which the site issued tickets (``site_day`` rows
with ``issued > 0``: open days the server was in use; a primary-key range read), and the
local minute of the day at which each priority ticket of those days was issued, per service
(voided tickets left out). Read once per site and day: the earlier days do not change during
the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from sahaja import protocol as p
from server.models import SiteDay, Ticket

PRIOR_DAYS = 20  # about four working weeks


@dataclass(frozen=True)
class EarlierPriority:
    """``days`` earlier days read; ``minutes[service]``: local minutes after midnight at
    which their priority tickets of that service were issued."""

    days: int
    minutes: dict[str, list[float]] = field(default_factory=dict)


def earlier_priority(
    session: Session, site: str, day: date, tz: ZoneInfo, days: int = PRIOR_DAYS
) -> EarlierPriority:
    """The priority tickets of the site's last ``days`` days with tickets before ``day``."""
    recent = session.scalars(
        select(SiteDay.day)
        .where(SiteDay.site == site, SiteDay.day < day, SiteDay.issued > 0)
        .order_by(SiteDay.day.desc())
        .limit(days)
    ).all()
    if not recent:
        return EarlierPriority(0)
    rows = session.execute(
        select(Ticket.service, Ticket.issued_at).where(
            Ticket.site == site,
            Ticket.day.in_(recent),
            Ticket.priority.is_(True),
            Ticket.status != p.STATUS_VOIDED,
        )
    ).all()
    minutes: dict[str, list[float]] = {}
    for service, issued_at in rows:
        local = issued_at.astimezone(tz)
        minute = local.hour * 60 + local.minute + local.second / 60
        minutes.setdefault(service, []).append(minute)
    return EarlierPriority(len(recent), minutes)
