"""The queue's read views: sites, counters, a ticket's status, snapshots, queue counts.

Also the bodies the writes answer with (a ticket with its place and estimate, a counter with
its current ticket), built inside the write's transaction. Nothing here writes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sahaja import protocol as p
from sahaja.config import Counter, Site
from sahaja.core import actions, admission, calendar, forecast
from sahaja.core.forecast import Estimate, ServiceTime
from sahaja.core.tickets import WaitingTicket
from server.errors import not_found
from server.models import Action, CounterState, SiteDay, Ticket
from server.payloads import (
    call_payload,
    counter_info,
    iso,
    public_ticket_payload,
    ticket_payload,
)
from server.store.base import Emission, StoreBase
from server.store.forecasts import FORECAST_MAX_AGE_SECONDS, Forecasts, SiteForecast

FORECAST_HORIZON = 300  # waiting tickets per service the forecast reads; a site calls fewer
# in a day, so the ones after them are "not today" anyway


class QueueViews:
    def __init__(self, base: StoreBase) -> None:
        self.base = base
        self.db = base.db
        self.config = base.config
        self.clock = base.clock
        self.tz = base.tz
        self.q = base.q
        self.forecasts: Forecasts = base.forecasts
        self.forecasts.bind(self.refresh_forecast)

    # --- the views -----------------------------------------------------------------------
    def counter_view(self, counter_id: str) -> dict[str, Any]:
        site, counter = self.base.counter(counter_id)
        with self.db.reading() as session:
            now = self.clock.now()
            state = session.get(CounterState, counter.id)
            current = self.current(session, state, self.base.today(now))
            return self.counter_body(session, site, counter, current, now)

    def ticket_by_code(self, status_code: str) -> dict[str, Any]:
        """The ticket's own status page: the one public view that shows its status code."""
        with self.db.reading() as session:
            ticket = session.scalars(
                select(Ticket).where(Ticket.status_code == status_code)
            ).one_or_none()
            if ticket is None:
                raise not_found(p.ERR_UNKNOWN_TICKET, "server.unknown_ticket")
            return self.ticket_body(session, ticket, self.clock.now(), private=True)

    def site_view(self, site_code: str) -> dict[str, Any]:
        site = self.base.site(site_code)
        with self.db.reading() as session:
            return self._site_view(session, site, self.clock.now())

    def sites_view(self) -> list[dict[str, Any]]:
        with self.db.reading() as session:
            now = self.clock.now()
            return [self._site_view(session, s, now) for s in self.config.sites.values()]

    def snapshot(self, site_code: str, counter_id: str | None = None) -> p.SnapshotPayload:
        site = self.base.site(site_code)
        with self.db.reading() as session:
            now = self.clock.now()
            day = self.base.today(now)
            view = self._site_view(session, site, now)
            calls = self._recent_calls(session, site, day)
        return {
            "site": site.code,
            "site_name": site.name,
            "day": day.isoformat(),
            "timezone": self.config.timezone,
            "public_url": self.config.public_url,
            "server_time": iso(now, self.tz) or "",
            "open_now": view["open_now"],
            "hours_today": view["hours_today"],
            "closed_reason": view["closed_reason"],
            "breaks_today": view["breaks_today"],
            "on_break": view["on_break"],
            "kiosk_opens": view["kiosk_opens"],
            "queue": self._queue_payload(site, day, view["services"]),
            "counters": view["counters"],
            "recent_calls": calls,
            "counter": counter_id,
            "running_text": site.running_text,
        }

    def queue_event(self, site_code: str) -> Emission:
        site = self.base.site(site_code)
        with self.db.reading() as session:
            now = self.clock.now()
            day = self.base.today(now)
            services = self._service_counts(session, site, day, now)
        return Emission(
            p.QUEUE_CHANGED, self._queue_payload(site, day, services), (p.site_room(site.code),)
        )

    # --- bodies, also built by the writes inside their transaction -----------------------------
    def current(self, session: Session, state: CounterState | None, day: date) -> Ticket | None:
        """The ticket a counter is serving: called today and still called."""
        if state is None or state.current_ticket_id is None:
            return None
        ticket = session.get(Ticket, state.current_ticket_id)
        if ticket is None or ticket.status != p.STATUS_CALLED or ticket.day != day:
            return None
        return ticket

    def ticket_body(
        self, session: Session, ticket: Any, now: datetime, *, private: bool
    ) -> dict[str, Any]:
        """A ticket with its place in the queue and estimated call time while it waits.
        ``private`` adds the status code (the issuing kiosk, the ticket's own page)."""
        payload = ticket_payload if private else public_ticket_payload
        site = self.config.sites.get(ticket.site)
        if ticket.status != p.STATUS_WAITING or site is None or ticket.service not in site.services:
            return dict(payload(ticket, self.tz))
        ahead = self.ahead(session, ticket, now)
        eta = self.estimate(session, site, ticket, now)
        return dict(payload(ticket, self.tz, ahead, eta))

    def estimate(
        self, session: Session, site: Site, ticket: Any, now: datetime, *, issued: bool = False
    ) -> Estimate:
        """The estimated call of a waiting ticket from the site's forecast. ``issued``: the
        ticket was just issued in this transaction (the queue changed, no need to ask).

        With background forecasts, a forecast made before a regular ticket was issued gives
        it the estimate of "a ticket of its service taken now": it joins the end of its lane
        and changes no call before its own (``forecast_with_new_tickets``). A priority ticket
        or a checked-in booking goes ahead of others, so its forecast is made at once."""
        made = self.site_forecast(session, site, now, changed=issued)
        eta = made.tickets.get(ticket.id)
        if eta is not None:
            return eta
        jumps = ticket.priority or getattr(ticket, "booked_to", None) is not None
        if self.forecasts.background and not jumps:
            taken_now = made.taken_now.get(ticket.service)
            if taken_now is not None:
                return taken_now
        # not in a forecast made before it existed: make a new one
        made = self.site_forecast(session, site, now, fresh=True)
        return made.tickets.get(ticket.id, made.beyond)

    def counter_body(
        self, session: Session, site: Site, counter: Counter, current: Ticket | None, now: datetime
    ) -> dict[str, Any]:
        params = {"site": site.code, "day": self.base.today(now)}
        waiting = dict(session.connection().execute(self.q.waiting_by_service, params).all())
        return {
            "counter": counter.id,
            "current": dict(public_ticket_payload(current, self.tz)) if current else None,
            "waiting": sum(waiting.get(s, 0) for s in counter.services),
        }

    def ahead(self, session: Session, ticket: Any, now: datetime) -> int:
        """``estimate.ahead_of`` counted in SQL, so a long queue is not loaded row by row
        (tests/server/test_rules_agree.py checks the two agree)."""
        params = self.q.ahead_params(ticket, now)
        return session.connection().execute(self.q.ahead_of, params).scalar() or 0

    # --- the forecast ------------------------------------------------------------------------
    def site_forecast(
        self,
        session: Session,
        site: Site,
        now: datetime,
        *,
        fresh: bool = False,
        changed: bool = False,
    ) -> SiteForecast:
        """The site's forecast, made again when its queue changed (a new action of the day)
        or after ``FORECAST_MAX_AGE_SECONDS``; else the one made before, in this process.
        ``changed``: the caller knows the queue changed (it just wrote).

        With background forecasts (``server.store.forecasts``) a changed queue marks the site
        for the background task, and the forecast made before is used while it is at most
        ``max_stale`` seconds old."""
        day = self.base.today(now)
        hit = self.forecasts.made.get(site.code)
        background = self.forecasts.background
        conn = session.connection()
        if background and changed and not fresh and hit is not None and hit.key[0] == day:
            key = None  # the caller's write changed the queue: no need to read the version
        else:
            version = conn.execute(self.q.site_version, {"site": site.code, "day": day}).scalar()
            key = (day, version)
        if not fresh and hit is not None:
            age = abs((now - hit.computed_at).total_seconds())
            if hit.key == key and age < FORECAST_MAX_AGE_SECONDS:
                return hit
            if background and hit.key[0] == day and age <= self.forecasts.max_stale():
                self.forecasts.changed(site.code)
                return hit
        if key is None:
            version = conn.execute(self.q.site_version, {"site": site.code, "day": day}).scalar()
            key = (day, version)
        made = self._make_forecast(session, site, day, now, key)
        self.forecasts.made[site.code] = made
        return made

    def refresh_forecast(self, site_code: str) -> None:
        """Make a site's forecast again now, in its own read (the background task)."""
        site = self.base.site(site_code)
        with self.db.reading() as session:
            self.site_forecast(session, site, self.clock.now(), fresh=True)

    def _make_forecast(
        self, session: Session, site: Site, day: date, now: datetime, key: tuple
    ) -> SiteForecast:
        conn = session.connection()
        params = {"site": site.code, "day": day}
        rows = conn.execute(self.q.skipped, params).all()
        for service in site.services:
            first = {**params, "service": service, "n": FORECAST_HORIZON}
            rows += conn.execute(self.q.waiting_first, first).all()
        waiting = [WaitingTicket(*row) for row in rows]
        call_count = session.scalar(
            select(SiteDay.call_count).where(SiteDay.site == site.code, SiteDay.day == day)
        )
        states = session.scalars(
            select(CounterState).where(CounterState.counter_id.in_([c.id for c in site.counters]))
        ).all()
        serving: dict[str, tuple[str, datetime]] = {}
        for state in states:
            current = self.current(session, state, day)
            if current is not None and current.called_at is not None:
                serving[state.counter_id] = (current.service, current.called_at)
        rules = self.config.rules
        counters = forecast.counters_now(
            site,
            {s.counter_id: s.last_action_at for s in states},
            serving,
            now,
            rules,
            [t.service for t in waiting],
        )
        times = {s: self._service_time(session, site, s) for s in site.services}
        periods = self.calling_periods(site, day)
        args = (counters, times, periods, rules)
        known = {
            "call_count": call_count or 0,
            "priority_per_hour": self._priority_rates(session, site, day, now, periods),
        }

        def compute() -> SiteForecast:  # the core alone: no database, no lock
            tickets, new = forecast.forecast_with_new_tickets(now, site, waiting, *args, **known)
            new_ticket = {s: (eta if eta.today else None) for s, eta in new.items()}
            beyond = forecast.beyond_today(now, periods)
            return SiteForecast(key, now, tickets, new_ticket, beyond, new)

        return self.forecasts.compute(compute)

    def _priority_rates(
        self,
        session: Session,
        site: Site,
        day: date,
        now: datetime,
        periods: list[tuple[datetime, datetime]],
    ) -> dict[str, float]:
        """Priority tickets issued per hour today, per service (over at least an hour)."""
        counts = session.execute(
            select(Ticket.service, func.count())
            .where(
                Ticket.site == site.code,
                Ticket.day == day,
                Ticket.priority.is_(True),
                Ticket.status != p.STATUS_VOIDED,
            )
            .group_by(Ticket.service)
        ).all()
        since = periods[0][0] if periods else now
        hours = max((now - since).total_seconds() / 3600, 1.0)
        return {service: n / hours for service, n in counts}

    def calling_periods(self, site: Site, day: date) -> list[tuple[datetime, datetime]]:
        """When the site's counters call on ``day`` (``calendar.calling_periods``: opening
        hours minus breaks, nothing on the site's holidays)."""
        return forecast.periods_of_day(site, day, self.tz, self.base.holidays[site.code])

    def _service_time(self, session: Session, site: Site, service: str) -> ServiceTime:
        """Learned from the site's last ``estimate_window`` finished tickets of the service."""
        params = {"site": site.code, "service": service, "n": self.config.rules.estimate_window}
        durations = session.connection().execute(self.q.service_seconds, params).scalars().all()
        default = self.config.services[service].default_service_minutes * 60
        return ServiceTime.from_durations(durations, default)

    # --- sites and counts --------------------------------------------------------------------
    def _service_counts(
        self, session: Session, site: Site, day: date, now: datetime
    ) -> list[p.ServiceCounts]:
        params = {"site": site.code, "day": day}
        conn = session.connection()
        issued = dict(conn.execute(self.q.service_days_of_site, params).all())
        waiting = dict(conn.execute(self.q.waiting_by_service, params).all())
        held = dict(conn.execute(self.q.held_for_bookings, {**params, "now": now}).all())
        site_issued, site_held = sum(issued.values()), sum(held.values())
        new_ticket = self.site_forecast(session, site, now).new_ticket
        out: list[p.ServiceCounts] = []
        for code in site.services:
            svc = self.config.services[code]
            n = issued.get(code, 0)
            eta = new_ticket.get(code)
            out.append(
                {
                    "code": code,
                    "name": svc.name,
                    "name_en": svc.name_en,
                    "prefix": svc.prefix,
                    "issued": n,
                    "remaining": admission.remaining(
                        site, code, site_issued, n, site_held, held.get(code, 0)
                    ),
                    "held": held.get(code, 0),
                    "waiting": waiting.get(code, 0),
                    "estimated_wait_minutes": forecast.minutes_until(now, eta) if eta else None,
                    "estimate_from": iso(eta.earliest, self.tz) if eta else None,
                    "estimate_to": iso(eta.latest, self.tz) if eta else None,
                }
            )
        return out

    def _queue_payload(
        self, site: Site, day: date, services: list[p.ServiceCounts]
    ) -> p.QueueChangedPayload:
        issued = sum(s["issued"] for s in services)
        held = sum(s["held"] for s in services)
        return {
            "site": site.code,
            "day": day.isoformat(),
            "issued": issued,
            "remaining": max(site.daily_quota - issued - held, 0),  # for walk-ins
            "services": services,
        }

    def _site_view(self, session: Session, site: Site, now: datetime) -> dict[str, Any]:
        day = self.base.today(now)
        queue = self._queue_payload(site, day, self._service_counts(session, site, day, now))
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
            current = self.current(session, states.get(c.id), day)
            shown = public_ticket_payload(current, self.tz) if current else None
            counters.append(counter_info(c, shown))
        hours = calendar.hours_on(site, day)
        holidays = self.base.holidays[site.code]
        if calendar.holiday_on(day, holidays) is not None:
            hours = None  # closed all day
        closed = calendar.issuing_closed(site, now, self.tz, holidays)
        pause = calendar.break_at(site, now, self.tz) if hours else None
        opens = calendar.kiosk_opens_minute(site, hours) if hours else None
        return {
            "code": site.code,
            "name": site.name,
            "day": day.isoformat(),
            "timezone": self.config.timezone,
            "open_now": closed is None,
            "hours_today": str(hours) if hours else None,
            "closed_reason": calendar.closed_payload(closed),
            "breaks_today": [calendar.break_payload(b) for b in calendar.breaks_on(site, day)]
            if hours
            else [],
            "on_break": calendar.break_payload(pause) if pause else None,
            "kiosk_opens": calendar.minute_label(opens)
            if hours and opens is not None and opens < hours.open_minute
            else None,
            "ticket_cutoff_minutes": site.ticket_cutoff_minutes,
            "daily_quota": site.daily_quota,
            "issued": queue["issued"],
            "remaining": queue["remaining"],
            "services": queue["services"],
            "counters": counters,
        }

    def _recent_calls(self, session: Session, site: Site, day: date) -> list[p.CallPayload]:
        rows = session.execute(
            select(Action, Ticket)
            .join(Ticket, Action.ticket_id == Ticket.id)
            .where(Action.site == site.code, Action.day == day, Action.kind.in_(actions.CALL_LOGS))
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
