"""The queue's durable operations: each one a single transaction around the pure core.

Every writer of a site first locks that site's ``site_day`` row (SQLite: the database write
lock; PostgreSQL: ``SELECT ... FOR UPDATE``), so numbering, quotas and "next" are serialised
per site across threads and processes. Each operation returns the events to emit once the
transaction has committed; nothing is announced that was not stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sahaja import protocol as p
from sahaja.config import Config, Counter, Site
from sahaja.core import admission, balancing, calendar, estimate
from sahaja.core.clock import Clock
from sahaja.core.tickets import WaitingTicket, format_number
from server.database import Database
from server.errors import ApiError, conflict, not_found
from server.models import Action, CounterState, ServiceDay, Ticket
from server.payloads import call_payload, counter_info, iso, ticket_payload
from server.statements import Statements


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


COUNTER_ACTIONS = ("next", "recall", "skip", "finish", "transfer")
ESTIMATE_CACHE_SECONDS = 10.0
CALL_KINDS = ("call", "recall", "ready")  # actions that are announced in the waiting room


class QueueStore:
    def __init__(
        self,
        db: Database,
        config: Config,
        clock: Clock,
        make_code: Callable[[], str] = lambda: secrets.token_urlsafe(12),
    ) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.tz = config.tz
        self.make_code = make_code
        self._cache: dict[tuple, tuple[datetime, Any]] = {}
        self._q = Statements(db.dialect)
        self._days_seen: set[tuple[str, date]] = set()  # site days known to exist already

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

    # --- locking and day rollover --------------------------------------------------------
    def _lock_site(
        self, session: Session, site: Site, now: datetime, events: list[Emission]
    ) -> Row:
        """Lock today's row of the site, creating it (and expiring yesterday) on first use."""
        day = self.today(now)
        params = {"site": site.code, "day": day}
        if (site.code, day) not in self._days_seen:
            if session.execute(self._q.site_day_insert, params).first() is not None:
                self._expire_before(session, site, day, events)
            else:  # it was committed before: no need to try again in this process
                self._days_seen.add((site.code, day))
        return session.connection().execute(self._q.site_day_lock, params).one()

    def _expire_before(
        self, session: Session, site: Site, day: date, events: list[Emission]
    ) -> None:
        """First write of a new local day at a site: yesterday's open tickets expire.

        Earlier days' rows are locked first, so a writer still finishing yesterday's work
        (an issue in flight at 23:59:59) commits before the expiry runs, not after it.
        """
        session.connection().execute(self._q.site_days_before_lock, {"site": site.code, "day": day})
        expired = session.execute(
            update(Ticket)
            .where(Ticket.site == site.code, Ticket.day < day, Ticket.status.in_(p.OPEN_STATUSES))
            .values(status="expired")
        ).rowcount
        session.execute(
            update(CounterState)
            .where(CounterState.counter_id.in_([c.id for c in site.counters]))
            .values(current_ticket_id=None)
        )
        events.append(
            Emission(
                p.DAY_ROLLED,
                {"site": site.code, "day": day.isoformat(), "expired": expired},
                (p.site_room(site.code),),
            )
        )

    def _service_day(self, session: Session, site: Site, day: date, service: str) -> ServiceDay:
        params = {"site": site.code, "day": day, "service": service}
        session.execute(self._q.service_day_insert, params)
        return session.scalars(self._q.service_day_get, params).one()

    def roll_over(self) -> list[Emission]:
        """Called at local midnight: opens the new day at every site (idempotent)."""
        events: list[Emission] = []
        now = self.clock.now()
        for site in self.config.sites.values():
            with self.db.writing() as session:
                self._lock_site(session, site, now, events)
        for site in self.config.sites.values():
            with self.db.reading() as session:
                events.append(self._counts_changed(site))
        return events

    # --- issuing -----------------------------------------------------------------------
    def issue(
        self,
        site_code: str,
        service: str,
        *,
        priority: bool,
        category: str | None,
        request_id: str,
        actor: str,
    ) -> Outcome:
        site = self.site(site_code)
        if service not in site.services:
            raise not_found(p.ERR_UNKNOWN_SERVICE, "server.unknown_service", service=service)
        events: list[Emission] = []
        try:
            with self.db.writing() as session:
                now = self.clock.now()
                day_row = self._lock_site(session, site, now, events)
                existing = session.scalar(
                    self._q.ticket_by_request,
                    {"site": site.code, "day": day_row.day, "request_id": request_id},
                )
                if existing is not None:
                    existing = session.get(Ticket, existing)
                    return Outcome(self._ticket_body(session, existing, now), created=False)
                # Take the next number first (one statement); a refusal below rolls it back.
                params = {"site": site.code, "day": day_row.day, "service": service}
                conn = session.connection()
                seq, svc_issued = conn.execute(self._q.service_day_bump, params).one()
                counts = admission.DayCounts(day_row.issued, svc_issued - 1, seq - 1)
                refusal = admission.check_issue(site, service, counts, now, self.tz)
                if refusal is not None:
                    raise conflict(refusal.code, refusal.message_key, **refusal.params)
                conn.execute(
                    self._q.site_day_issued, {"b_site": site.code, "b_day": day_row.day, "delta": 1}
                )
                values = {
                    "site": site.code,
                    "day": day_row.day,
                    "service": service,
                    "issued_service": service,
                    "seq": seq,
                    "number": format_number(self.config.services[service].prefix, seq),
                    "priority": priority,
                    "priority_category": category if priority else None,
                    "status": "waiting",
                    "request_id": request_id,
                    "status_code": self.make_code(),
                    "issued_at": now,
                    "issued_by": actor,
                    "skips": 0,
                    "recalls": 0,
                }
                ticket_id = conn.execute(self._q.ticket_insert, values).scalar_one()
                # the answer is built from what was inserted, without an ORM object
                ticket = SimpleNamespace(id=ticket_id, called_at=None, counter_id=None, **values)
                conn.execute(
                    self._q.action_insert,
                    {
                        "at": now,
                        "site": site.code,
                        "day": day_row.day,
                        "kind": "issue",
                        "actor": actor,
                        "counter_id": None,
                        "ticket_id": ticket.id,
                        "detail": ticket.number,
                    },
                )
                body = self._ticket_body(session, ticket, now)
                events.append(self._counts_changed(site))
        except IntegrityError as exc:
            # Only a number collision can get here (issues of a site are serialised, so two
            # equal request_ids cannot race): a service's prefix was changed mid-day.
            raise ApiError(
                409, p.ERR_NUMBERS_EXHAUSTED, "server.numbers_exhausted", service=service
            ) from exc
        return Outcome(body, created=True, events=events)

    def void(self, ticket_id: int, site_code: str, reason: str, actor: str) -> Outcome:
        """A ticket the kiosk could not print: its number is never reused, its quota returns."""
        site = self.site(site_code)
        events: list[Emission] = []
        with self.db.writing() as session:
            now = self.clock.now()
            day_row = self._lock_site(session, site, now, events)
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or ticket.site != site.code:
                raise not_found(p.ERR_UNKNOWN_TICKET, "server.unknown_ticket")
            if ticket.status == "voided":
                return Outcome(self._ticket_body(session, ticket, now))
            ever_called = session.scalar(
                select(Action.id)
                .where(Action.ticket_id == ticket.id, Action.kind.in_(("call", "transfer")))
                .limit(1)
            )
            if ticket.status != "waiting" or ever_called is not None:
                raise conflict(
                    p.ERR_TICKET_NOT_VOIDABLE,
                    "server.ticket_not_voidable",
                    number=ticket.number,
                    status=ticket.status,
                )
            ticket.status = "voided"
            ticket.void_reason = reason[:64]
            if ticket.day == day_row.day:
                session.execute(
                    self._q.site_day_issued,
                    {"b_site": site.code, "b_day": day_row.day, "delta": -1},
                )
                svc_row = self._service_day(session, site, ticket.day, ticket.issued_service)
                svc_row.issued -= 1
            self._log(session, now, site, "void", actor, None, ticket.id, reason[:200])
            body = self._ticket_body(session, ticket, now)
            events.append(self._counts_changed(site))
        return Outcome(body, events=events)

    # --- counter actions -----------------------------------------------------------------
    def counter_action(
        self, counter_id: str, action: str, actor: str, service: str | None = None
    ) -> Outcome:
        site, counter = self.counter(counter_id)
        if action not in COUNTER_ACTIONS:
            raise not_found(p.ERR_NOT_FOUND, "server.not_found")
        if action == "transfer":
            if service is None or service not in self.config.services:
                raise not_found(p.ERR_UNKNOWN_SERVICE, "server.unknown_service", service=service)
            if service not in site.services:
                raise conflict(
                    p.ERR_SERVICE_NOT_OFFERED, "server.service_not_offered", service=service
                )
        events: list[Emission] = []
        with self.db.writing() as session:
            now = self.clock.now()
            day_row = self._lock_site(session, site, now, events)
            state = session.get(CounterState, counter.id)
            if state is None:
                state = CounterState(counter_id=counter.id)
                session.add(state)
            current = self._current(session, state, day_row.day)
            if action != "next" and current is None:
                raise conflict(p.ERR_NO_CURRENT_TICKET, "server.no_current_ticket")
            state.last_action_at = now
            handler = getattr(self, f"_do_{action}")
            current, announced = handler(
                session, site, counter, state, day_row, current, now, actor, service
            )
            body = self._counter_body(session, site, counter, current, now)
            if announced is not None:
                session.flush()  # the call's id identifies the announcement to the boards
                call = call_payload(current, site, counter, announced, self.tz)
                events.append(Emission(p.TICKET_CALLED, call, (p.site_room(site.code),)))
            if action != "recall":
                rooms = (p.site_room(site.code), p.counter_room(counter.id))
                events.append(Emission(p.COUNTER_CHANGED, body, rooms))
                events.append(self._counts_changed(site))
        return Outcome(body, events=events)

    def _finish(self, ticket: Ticket, now: datetime) -> None:
        ticket.status = "finished"
        ticket.finished_at = now
        if ticket.called_at is not None:
            ticket.service_seconds = (now - ticket.called_at).total_seconds()

    def _do_next(self, session, site, counter, state, day_row, current, now, actor, _service):
        if current is not None:
            self._finish(current, now)
            self._log(session, now, site, "finish", actor, counter.id, current.id, None)
        waiting = self._waiting(session, site, day_row.day, counter.services)
        chosen = balancing.pick_next(waiting, counter.services, day_row.call_count)
        if chosen is None:
            state.current_ticket_id = None
            return None, None
        ticket = session.get(Ticket, chosen.id)
        ticket.status = "called"
        ticket.called_at = now
        ticket.counter_id = counter.id
        ticket.eligible_after_call = None
        session.execute(self._q.site_day_called, {"b_site": site.code, "b_day": day_row.day})
        state.current_ticket_id = ticket.id
        call = self._log(session, now, site, "call", actor, counter.id, ticket.id, ticket.number)
        return ticket, call

    def _do_recall(self, session, site, counter, state, day_row, current, now, actor, _service):
        current.recalls += 1
        call = self._log(
            session, now, site, "recall", actor, counter.id, current.id, current.number
        )
        return current, call

    def _do_skip(self, session, site, counter, state, day_row, current, now, actor, _service):
        outcome = balancing.skip(current.skips, day_row.call_count, self.config.rules)
        current.skips = outcome.skips
        current.status = outcome.status
        current.eligible_after_call = outcome.eligible_after_call
        current.counter_id = None if outcome.status == "waiting" else counter.id
        if outcome.status == "no_show":
            current.finished_at = now
        state.current_ticket_id = None
        self._log(session, now, site, "skip", actor, counter.id, current.id, outcome.status)
        return None, None

    def _do_finish(self, session, site, counter, state, day_row, current, now, actor, _service):
        self._finish(current, now)
        state.current_ticket_id = None
        self._log(session, now, site, "finish", actor, counter.id, current.id, None)
        return None, None

    def _do_transfer(self, session, site, counter, state, day_row, current, now, actor, service):
        detail = f"{current.service}->{service}"
        current.service = service
        current.status = "waiting"
        current.counter_id = None
        current.called_at = None
        current.eligible_after_call = None
        state.current_ticket_id = None
        self._log(session, now, site, "transfer", actor, counter.id, current.id, detail)
        return None, None

    def reprint(self, counter_id: str, number: str, actor: str) -> Outcome:
        site, counter = self.counter(counter_id)
        events: list[Emission] = []
        with self.db.writing() as session:
            now = self.clock.now()
            day_row = self._lock_site(session, site, now, events)
            ticket = self._todays_ticket(session, site, day_row.day, number)
            self._log(session, now, site, "reprint", actor, counter.id, ticket.id, None)
            body = self._ticket_body(session, ticket, now)
        payload = {"site": site.code, "ticket": body, "requested_by": actor}
        events.append(Emission(p.REPRINT_REQUESTED, payload, (p.site_room(site.code),)))
        return Outcome({"ticket": body}, events=events)

    def announce_ready(self, counter_id: str, number: str, actor: str) -> Outcome:
        """Call a finished ticket back to collect its document (same-day service)."""
        site, counter = self.counter(counter_id)
        events: list[Emission] = []
        with self.db.writing() as session:
            now = self.clock.now()
            day_row = self._lock_site(session, site, now, events)
            ticket = self._todays_ticket(session, site, day_row.day, number)
            if ticket.status != "finished":
                raise conflict(
                    p.ERR_TICKET_NOT_READY,
                    "server.ticket_not_ready",
                    number=ticket.number,
                    status=ticket.status,
                )
            action = self._log(session, now, site, "ready", actor, counter.id, ticket.id, None)
            session.flush()
            call = call_payload(ticket, site, counter, action, self.tz)
            body = {"ticket": self._ticket_body(session, ticket, now), "call": call}
        events.append(Emission(p.TICKET_CALLED, call, (p.site_room(site.code),)))
        return Outcome(body, events=events)

    def _todays_ticket(self, session: Session, site: Site, day: date, number: str) -> Ticket:
        ticket = session.scalars(
            select(Ticket).where(
                Ticket.site == site.code,
                Ticket.day == day,
                Ticket.number == number.strip().upper(),
            )
        ).one_or_none()
        if ticket is None or ticket.status == "voided":
            raise not_found(p.ERR_UNKNOWN_TICKET, "server.unknown_ticket")
        return ticket

    # --- reads ---------------------------------------------------------------------------
    def counter_view(self, counter_id: str) -> dict[str, Any]:
        site, counter = self.counter(counter_id)
        with self.db.reading() as session:
            now = self.clock.now()
            state = session.get(CounterState, counter.id)
            current = self._current(session, state, self.today(now)) if state else None
            return self._counter_body(session, site, counter, current, now)

    def ticket_by_code(self, status_code: str) -> dict[str, Any]:
        with self.db.reading() as session:
            ticket = session.scalars(
                select(Ticket).where(Ticket.status_code == status_code)
            ).one_or_none()
            if ticket is None:
                raise not_found(p.ERR_UNKNOWN_TICKET, "server.unknown_ticket")
            return self._ticket_body(session, ticket, self.clock.now())

    def site_view(self, site_code: str) -> dict[str, Any]:
        site = self.site(site_code)
        with self.db.reading() as session:
            return self._site_view(session, site, self.clock.now())

    def sites_view(self) -> list[dict[str, Any]]:
        with self.db.reading() as session:
            now = self.clock.now()
            return [self._site_view(session, s, now) for s in self.config.sites.values()]

    def snapshot(self, site_code: str, counter_id: str | None = None) -> p.SnapshotPayload:
        site = self.site(site_code)
        with self.db.reading() as session:
            now = self.clock.now()
            day = self.today(now)
            view = self._site_view(session, site, now)
            calls = self._recent_calls(session, site, day)
        return {
            "site": site.code,
            "site_name": site.name,
            "day": day.isoformat(),
            "server_time": iso(now, self.tz) or "",
            "timezone": self.config.timezone,
            "open_now": view["open_now"],
            "hours_today": view["hours_today"],
            "queue": self._queue_payload_from_view(site, day, view),
            "counters": view["counters"],
            "recent_calls": calls,
            "counter": counter_id,
        }

    # --- internals -----------------------------------------------------------------------
    def _log(self, session, at, site, kind, actor, counter_id, ticket_id, detail) -> Action:
        action = Action(
            at=at,
            site=site.code,
            day=self.today(at),
            kind=kind,
            actor=actor,
            counter_id=counter_id,
            ticket_id=ticket_id,
            detail=detail,
        )
        session.add(action)
        return action

    def _current(self, session: Session, state: CounterState | None, day: date) -> Ticket | None:
        if state is None or state.current_ticket_id is None:
            return None
        ticket = session.get(Ticket, state.current_ticket_id)
        if ticket is None or ticket.status != "called" or ticket.day != day:
            return None
        return ticket

    def _waiting(
        self, session: Session, site: Site, day: date, services: tuple[str, ...]
    ) -> list[WaitingTicket]:
        """The tickets "next" can choose from, as light rows: every skipped ticket (few), and
        of the others only the first of each service in call order, since all of them are due
        and the core takes the first due one. The ORDER BY mirrors ``WaitingTicket.call_order``;
        the core still makes the choice. This keeps "next" independent of the queue's length."""
        conn = session.connection()
        params = {"site": site.code, "day": day}
        rows = [r for r in conn.execute(self._q.skipped, params) if r.service in services]
        for service in services:  # one short index scan each (ix_ticket_call_order)
            rows += conn.execute(self._q.first_due, {**params, "service": service}).all()
        return [WaitingTicket(*row) for row in rows]

    def _ahead(self, session: Session, ticket: Ticket) -> int:
        """Waiting tickets of the same service called before this one (the core's call order,
        counted in SQL so a long queue is not loaded row by row)."""
        stmt = self._q.ahead_of_priority if ticket.priority else self._q.ahead_of_regular
        params = {
            "site": ticket.site,
            "day": ticket.day,
            "service": ticket.service,
            "issued_at": ticket.issued_at,
            "id": ticket.id,
        }
        return session.connection().execute(stmt, params).scalar() or 0

    def _cached(self, key: tuple, now: datetime, compute: Callable[[], Any]) -> Any:
        """Estimate inputs change slowly: recompute them at most every few seconds."""
        hit = self._cache.get(key)
        if hit is not None and abs((now - hit[0]).total_seconds()) < ESTIMATE_CACHE_SECONDS:
            return hit[1]
        value = compute()
        self._cache[key] = (now, value)
        return value

    def _mean_seconds(self, session: Session, site: Site, service: str, now: datetime) -> float:
        def compute() -> float:
            durations = session.scalars(
                select(Ticket.service_seconds)
                .where(
                    Ticket.site == site.code,
                    Ticket.service == service,
                    Ticket.status == "finished",
                    Ticket.service_seconds.is_not(None),
                )
                .order_by(Ticket.finished_at.desc())
                .limit(self.config.rules.estimate_window)
            ).all()
            default = self.config.services[service].default_service_minutes * 60
            return estimate.rolling_mean_seconds(durations, default)

        return self._cached(("mean", site.code, service), now, compute)

    def _open_counters(self, session: Session, site: Site, service: str, now: datetime) -> int:
        def compute() -> int:
            serving = [c.id for c in site.counters if service in c.services]
            since = now - timedelta(minutes=self.config.rules.counter_idle_minutes)
            return (
                session.scalar(
                    select(func.count())
                    .select_from(CounterState)
                    .where(
                        CounterState.counter_id.in_(serving),
                        CounterState.last_action_at >= since,
                    )
                )
                or 0
            )

        return self._cached(("open", site.code, service), now, compute)

    def _ticket_body(self, session: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
        site = self.config.sites.get(ticket.site)
        if ticket.status != "waiting" or site is None or ticket.service not in site.services:
            return dict(ticket_payload(ticket, self.tz))
        ahead = self._ahead(session, ticket)
        mean = self._mean_seconds(session, site, ticket.service, now)
        opened = self._open_counters(session, site, ticket.service, now)
        eta = estimate.estimated_call_at(now, ahead, mean, opened)
        return dict(ticket_payload(ticket, self.tz, ahead, eta))

    def _counter_body(self, session, site, counter, current, now) -> dict[str, Any]:
        waiting = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.site == site.code,
                Ticket.day == self.today(now),
                Ticket.status == "waiting",
                Ticket.service.in_(counter.services),
            )
        )
        return {
            "counter": counter.id,
            "current": dict(ticket_payload(current, self.tz)) if current else None,
            "waiting": waiting or 0,
        }

    def _service_counts(self, session: Session, site: Site, day: date) -> list[p.ServiceCounts]:
        params = {"site": site.code, "day": day}
        conn = session.connection()
        issued = dict(conn.execute(self._q.service_days_of_site, params).all())
        waiting = dict(conn.execute(self._q.waiting_by_service, params).all())
        site_issued = sum(issued.values())
        out: list[p.ServiceCounts] = []
        for code in site.services:
            svc = self.config.services[code]
            n = issued.get(code, 0)
            out.append(
                {
                    "code": code,
                    "name": svc.name,
                    "name_en": svc.name_en,
                    "prefix": svc.prefix,
                    "issued": n,
                    "remaining": admission.remaining(site, code, site_issued, n),
                    "waiting": waiting.get(code, 0),
                }
            )
        return out

    def _counts_changed(self, site: Site) -> Emission:
        """A placeholder: the announcer computes and sends the site's counts after commit."""
        return Emission(p.QUEUE_CHANGED, None, (p.site_room(site.code),))

    def queue_event(self, site_code: str) -> Emission:
        site = self.site(site_code)
        with self.db.reading() as session:
            return self._queue_event(session, site, self.today())

    def _queue_event(self, session: Session, site: Site, day: date) -> Emission:
        services = self._service_counts(session, site, day)
        issued = sum(s["issued"] for s in services)
        payload: p.QueueChangedPayload = {
            "site": site.code,
            "day": day.isoformat(),
            "issued": issued,
            "remaining": max(site.daily_quota - issued, 0),
            "services": services,
        }
        return Emission(p.QUEUE_CHANGED, payload, (p.site_room(site.code),))

    def _queue_payload_from_view(self, site, day, view) -> p.QueueChangedPayload:
        return {
            "site": site.code,
            "day": day.isoformat(),
            "issued": view["issued"],
            "remaining": view["remaining"],
            "services": view["services"],
        }

    def _site_view(self, session: Session, site: Site, now: datetime) -> dict[str, Any]:
        day = self.today(now)
        services = self._service_counts(session, site, day)
        issued = sum(s["issued"] for s in services)
        states = {
            s.counter_id: s
            for s in session.scalars(
                select(CounterState).where(
                    CounterState.counter_id.in_([c.id for c in site.counters])
                )
            )
        }
        counters = []
        for c in site.counters:
            current = self._current(session, states.get(c.id), day)
            counters.append(counter_info(c, ticket_payload(current, self.tz) if current else None))
        hours = calendar.hours_on(site, day)
        return {
            "code": site.code,
            "name": site.name,
            "day": day.isoformat(),
            "open_now": calendar.issuing_closed(site, now, self.tz) is None,
            "hours_today": str(hours) if hours else None,
            "ticket_cutoff_minutes": site.ticket_cutoff_minutes,
            "daily_quota": site.daily_quota,
            "issued": issued,
            "remaining": max(site.daily_quota - issued, 0),
            "services": services,
            "counters": counters,
        }

    def _recent_calls(self, session: Session, site: Site, day: date) -> list[p.CallPayload]:
        rows = session.execute(
            select(Action, Ticket)
            .join(Ticket, Action.ticket_id == Ticket.id)
            .where(Action.site == site.code, Action.day == day, Action.kind.in_(CALL_KINDS))
            .order_by(Action.id.desc())
            .limit(self.config.rules.recent_calls)
        ).all()
        out = []
        for action, ticket in rows:
            found = self.config.counter(action.counter_id or "")
            if found is None:
                continue
            out.append(call_payload(ticket, site, found[1], action, self.tz))
        return out


__all__ = ["ApiError", "Emission", "Outcome", "QueueStore"]
