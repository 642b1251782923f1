"""What the store's reads and writes share: lookups, and the per-site write transaction.

Every writer of a site first locks that site's ``site_day`` row (SQLite: the database write
lock; PostgreSQL: ``SELECT ... FOR UPDATE``), so numbering, quotas and "next" are serialised
per site across threads and processes. ``site_transaction`` is the one place that does it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import update
from sqlalchemy.orm import Session

from sahaja import protocol as p
from sahaja.config import Config, Counter, Site
from sahaja.core import calendar, lifecycle
from sahaja.core.clock import Clock
from sahaja.core.lifecycle import TicketChange
from server.closed_days import OfficeHolidays, site_holidays
from server.database import Database
from server.errors import not_found
from server.models import Action, CounterState, Ticket
from server.statements import Statements
from server.store.forecasts import Forecasts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Emission:
    event: str
    payload: Any
    rooms: tuple[str, ...]


@dataclass
class Outcome:
    """What an operation answers, and what to announce after commit."""

    body: Any
    created: bool = False
    events: list[Emission] = field(default_factory=list)


def counts_changed(site: Site) -> Emission:
    """A placeholder: the announcer computes and sends the site's counts after commit."""
    return Emission(p.QUEUE_CHANGED, None, (p.site_room(site.code),))


def apply(ticket: Any, change: TicketChange) -> None:
    """Write what a core rule decided onto a ticket row."""
    for name, value in change.items():
        setattr(ticket, name, value)


@dataclass(frozen=True)
class Audited:
    """One audit row as the log and the metrics see it once its transaction has committed:
    the ticket's number and service, never its private status code."""

    kind: str  # sahaja.core.actions.LOG_*
    site: str
    actor: str
    at: datetime
    counter_id: str | None = None
    number: str | None = None
    service: str | None = None
    detail: str | None = None
    priority: bool = False
    estimated_call_at: datetime | None = None  # the estimate given at issue, when stored


AuditObserver = Callable[[list[Audited]], None]


@dataclass
class SiteTx:
    """One write transaction at one site: its session, its instant, today's locked row (with
    the counts it held when locked), and the events to publish once it has committed."""

    session: Session
    site: Site
    now: datetime
    day: date
    issued: int
    call_count: int
    events: list[Emission]
    audited: list[Audited] = field(default_factory=list)  # told to the observers on commit

    def log(
        self,
        kind: str,
        actor: str,
        counter_id: str | None,
        ticket_id: int | None,
        detail: str | None = None,
    ) -> Action:
        """An audit-log row of this site and day (``sahaja.core.actions.LOG_*`` kinds)."""
        action = Action(
            at=self.now,
            site=self.site.code,
            day=self.day,
            kind=kind,
            actor=actor,
            counter_id=counter_id,
            ticket_id=ticket_id,
            detail=detail,
        )
        self.session.add(action)
        ticket = self.session.get(Ticket, ticket_id) if ticket_id is not None else None
        self.note(kind, actor, counter_id, ticket, detail)
        return action

    def note(
        self, kind: str, actor: str, counter_id: str | None, ticket: Any, detail: str | None
    ) -> None:
        """Keep what the log lines and metrics say about an audit row written in this
        transaction (``log`` does it; an audit row inserted without the ORM calls it)."""
        self.audited.append(
            Audited(
                kind=kind,
                site=self.site.code,
                actor=actor,
                at=self.now,
                counter_id=counter_id,
                number=getattr(ticket, "number", None),
                service=getattr(ticket, "service", None),
                detail=detail,
                priority=bool(getattr(ticket, "priority", False)),
                estimated_call_at=getattr(ticket, "estimated_call_at", None),
            )
        )


class LockedDay(NamedTuple):
    """Today's ``site_day`` row of a site, as its transaction locked it."""

    day: date
    issued: int
    call_count: int


class StoreBase:
    def __init__(
        self, db: Database, config: Config, clock: Clock, forecasts: Forecasts | None = None
    ) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.tz = config.tz
        self.q = Statements(db.dialect)
        self._days_seen: set[tuple[str, date]] = set()  # site days known to exist already
        # each site's closed days (national + configured), passed to the core's calendar
        self.holidays: dict[str, OfficeHolidays] = site_holidays(config)
        # told every committed transaction's audit rows: the log lines and /metrics
        self.observers: list[AuditObserver] = []
        # when each site's forecast is made again (server/store/forecasts.py)
        self.forecasts = forecasts or Forecasts()

    # --- lookups -----------------------------------------------------------------------
    def site(self, code: str) -> Site:
        site = self.config.sites.get(code)
        if site is None:
            raise not_found(p.ERR_UNKNOWN_SITE, "server.unknown_site", site=code)
        return site

    def counter(self, counter_id: str) -> tuple[Site, Counter]:
        found = self.config.counter(counter_id)
        if found is None:
            raise not_found(p.ERR_UNKNOWN_COUNTER, "server.unknown_counter", counter=counter_id)
        return found

    def today(self, now: datetime | None = None) -> date:
        return calendar.local_day(now or self.clock.now(), self.tz)

    # --- the per-site write transaction ----------------------------------------------------
    @contextmanager
    def site_transaction(self, site: Site) -> Iterator[SiteTx]:
        """Open a write session, lock the site's row of today (its first write of the day
        rolls the day over), commit on leaving. ``tx.events`` are published after that."""
        events: list[Emission] = []
        with self.db.writing() as session:
            now = self.clock.now()
            row = self._lock_site(session, site, now, events)
            tx = SiteTx(session, site, now, row.day, row.issued, row.call_count, events)
            yield tx
        self.forecasts.changed(site.code)  # committed: the site's forecast is due again
        for observe in self.observers if tx.audited else ():
            try:
                observe(tx.audited)
            except Exception:  # committed already: a log or metrics fault must not fail it
                log.exception("an audit observer failed")

    def _lock_site(
        self, session: Session, site: Site, now: datetime, events: list[Emission]
    ) -> LockedDay:
        """Lock today's row of the site, creating it (and expiring yesterday) on first use."""
        day = self.today(now)
        params = {"site": site.code, "day": day}
        if (site.code, day) not in self._days_seen:
            if session.execute(self.q.site_day_insert, params).first() is not None:
                self._expire_before(session, site, day, events)
            else:  # it was committed before: no need to try again in this process
                self._days_seen.add((site.code, day))
        # the row exists (inserted above, now or earlier): exactly one; its day is ``day``
        [(_, issued, call_count)] = self.q.fast.site_day_lock.run(session.connection(), params)
        return LockedDay(day, issued, call_count)

    def _expire_before(
        self, session: Session, site: Site, day: date, events: list[Emission]
    ) -> None:
        """First write of a new local day at a site: earlier days' open tickets expire
        (``lifecycle.expires``, in one UPDATE).

        Earlier days' rows are locked first, so a writer still finishing yesterday's work
        (an issue in flight at 23:59:59) commits before the expiry runs, not after it.
        """
        session.connection().execute(self.q.site_days_before_lock, {"site": site.code, "day": day})
        expired = session.execute(
            update(Ticket)
            .where(
                Ticket.site == site.code,
                Ticket.day < day,
                Ticket.status.in_(lifecycle.EXPIRING_STATUSES),
            )
            .values(status=p.STATUS_EXPIRED)
        ).rowcount
        session.execute(
            update(CounterState)
            .where(CounterState.counter_id.in_([c.id for c in site.counters]))
            .values(current_ticket_id=None)
        )
        rolled: p.DayRolledPayload = {"site": site.code, "day": day.isoformat(), "expired": expired}
        events.append(Emission(p.DAY_ROLLED, rolled, (p.site_room(site.code),)))
