"""Running one site's day on the real server code with a virtual clock.

The queue is the real ``QueueStore`` on a temporary SQLite database initialised with the
office config: the kiosk's issue and the officers' "next", "skip" and "finish" are the very
operations the API calls. Time is a ``ManualClock`` moved from one event to the next, so a
whole day takes seconds. Officers press "next" whenever their counter is open (their shift
and the site's calling periods) and free, and "finish" instead when a citizen's service ends
outside those; a no-show citizen is skipped after ``NO_SHOW_WAIT_MINUTES`` each time they
are called, until the core makes them a no-show.

At every issue the simulator also writes down what today's formula said (from what the
server knew) and the reference (``reference.py``, from the true state); the estimate under
test is only what the issue answer returned.
"""

from __future__ import annotations

import heapq
import random
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sahaja import protocol as p
from sahaja.config import Config
from sahaja.core import estimate, forecast
from sahaja.core.clock import ManualClock
from sahaja.core.tickets import WaitingTicket
from server.database import Database
from server.errors import ApiError
from server.models import CounterState, SiteDay, Ticket
from server.setup import init_database
from server.simulation import reference
from server.simulation.scenario import Arrival, CounterShift, Scenario
from server.store import QueueStore

NO_SHOW_WAIT_MINUTES = 2.0  # an officer waits this long for a called citizen who is not there
ACTOR = "simulation"

# Events at the same minute: officers act before the kiosk issues, so an estimate sees the
# counters as they are after their presses of that minute.
_COUNTER, _ARRIVAL = 0, 1


@dataclass
class TicketRecord:
    """One citizen of the day: what they were told at issue and what happened."""

    arrival: Arrival
    ticket_id: int | None = None
    number: str | None = None
    issued_at: datetime | None = None
    refused: str | None = None  # the error code when the kiosk refused a ticket
    estimated_call_at: datetime | None = None
    estimate_from: datetime | None = None
    estimate_to: datetime | None = None
    old_formula_at: datetime | None = None  # today's formula, from what the server knew
    reference_at: datetime | None = None  # the balancing rule from the true state
    forecast_reference_at: datetime | None = None  # the core's forecast from the true state
    called_at: datetime | None = None  # the first call
    counter: str | None = None
    finished_at: datetime | None = None
    status: str = "refused"
    calls: int = 0

    @property
    def given_at(self) -> datetime | None:
        """The estimate the citizen was given: the window's midpoint, else the point."""
        if self.estimate_from is not None and self.estimate_to is not None:
            return self.estimate_from + (self.estimate_to - self.estimate_from) / 2
        return self.estimated_call_at


@dataclass
class DayResult:
    scenario: Scenario
    config: Config
    tickets: list[TicketRecord]
    call_minutes: list[float] = field(default_factory=list)  # local minute of every call


@dataclass
class _Officer:
    shift: CounterShift
    working: tuple[tuple[float, float], ...]
    current: TicketRecord | None = None
    busy_until: float | None = None  # the current citizen's end, or the no-show wait's
    waiting_for_no_show: bool = False
    started: float | None = None  # when the current call was made


def run_day(
    scenario: Scenario,
    config: Config,
    config_path: str | Path | None = None,
    seed: int | None = None,
) -> DayResult:
    """Run the scenario's day at its site; ``seed`` only makes the status codes repeatable.
    The rostered counters' hours go into the config, as the office would configure them."""
    config = scenario.rostered(config)
    with tempfile.TemporaryDirectory(prefix="sahaja-sim-") as tmp:
        db = Database.connect(f"sqlite:///{Path(tmp) / 'day.db'}")
        try:
            return _Day(scenario, config, db, config_path, seed).run()
        finally:
            db.write_engine.dispose()
            db.read_engine.dispose()


class _Day:
    def __init__(
        self,
        scenario: Scenario,
        config: Config,
        db: Database,
        config_path: str | Path | None,
        seed: int | None,
    ) -> None:
        self.s = scenario
        self.config = config
        self.db = db
        first = scenario.periods[0][0]
        self.clock = ManualClock(
            scenario.at(min(first, *(a.at_minute for a in scenario.arrivals)), config)
        )
        init_database(db, config_path, self.clock.now())
        self.seed_history()
        rng = random.Random(seed)
        self.store = QueueStore(
            db, config, self.clock, make_code=lambda: f"{rng.getrandbits(64):016x}"
        )
        self.officers = [
            _Officer(
                shift,
                reference.working_intervals((shift.from_minute, shift.to_minute), scenario.periods),
            )
            for shift in scenario.counters
        ]
        means = scenario.true_means()
        self.means = {
            code: means.get(code, config.services[code].default_service_minutes)
            for code in scenario.site.services
        }
        self.records: list[TicketRecord] = []
        self.call_minutes: list[float] = []
        self.events: list[tuple[float, int, int, Any]] = []
        self.seq = 0
        self._by_id: dict[int, TicketRecord] = {}

    def seed_history(self) -> None:
        """Earlier days' finished services (the scenario's ``history``) in the database, as a
        server in use has them: the estimator learns service times from them at opening."""
        day = self.s.day - timedelta(days=1)
        start = self.s.at(self.s.periods[0][0], self.config) - timedelta(days=1)
        with self.db.writing() as session:
            for service, minutes in self.s.history.items():
                prefix = self.config.services[service].prefix
                at = start
                for seq, m in enumerate(minutes, 1):
                    called, at = at, at + timedelta(minutes=m)
                    session.add(
                        Ticket(
                            site=self.s.site.code,
                            day=day,
                            service=service,
                            issued_service=service,
                            seq=seq,
                            number=f"{prefix}{seq:03d}",
                            priority=False,
                            status=p.STATUS_FINISHED,
                            request_id=f"history-{service}-{seq}",
                            status_code=f"history-{service}-{seq}",
                            issued_at=called,
                            called_at=called,
                            finished_at=at,
                            service_seconds=m * 60,
                        )
                    )
            self.seed_earlier_days(session)

    def seed_earlier_days(self, session) -> None:
        """The scenario's ``[[earlier]]`` days as the kiosk issued them: their tickets (service,
        priority, issue time) and the site's day row, as the ticket table of a server in use
        holds them. The forecast's priority outlook learns the earlier days' priority arrivals
        from them. They carry no service time (the ``[history]`` is what the server learned
        service times from), so they change nothing else the estimator reads."""
        site = self.s.site.code
        for earlier in self.s.earlier:
            base = datetime.combine(earlier.day, time(0), tzinfo=self.config.tz)
            seqs: dict[str, int] = {}
            for n, t in enumerate(earlier.tickets, 1):
                seq = seqs[t.service] = seqs.get(t.service, 500) + 1  # apart from [history]
                issued = base + timedelta(minutes=t.at_minute)
                session.add(
                    Ticket(
                        site=site,
                        day=earlier.day,
                        service=t.service,
                        issued_service=t.service,
                        seq=seq,
                        number=f"{self.config.services[t.service].prefix}{seq:03d}",
                        priority=t.priority,
                        status=p.STATUS_FINISHED,
                        request_id=f"earlier-{n}",
                        status_code=f"earlier-{earlier.day.isoformat()}-{n}",
                        issued_at=issued,
                    )
                )
            session.add(SiteDay(site=site, day=earlier.day, issued=len(earlier.tickets)))

    # --- the event loop --------------------------------------------------------------------
    def push(self, minute: float, kind: int, what: Any) -> None:
        self.seq += 1
        heapq.heappush(self.events, (minute, kind, self.seq, what))

    def run(self) -> DayResult:
        for arrival in self.s.arrivals:
            self.push(arrival.at_minute, _ARRIVAL, arrival)
        for officer in self.officers:
            for start, _ in officer.working:  # back at the desk after every break
                self.push(start, _COUNTER, officer)
        while self.events:
            minute, kind, _, what = heapq.heappop(self.events)
            self.clock.set(self.s.at(minute, self.config))
            if kind == _ARRIVAL:
                self.arrive(what, minute)
                for officer in self.officers:
                    if officer.current is None and self.can_call(officer, minute):
                        self.push(minute, _COUNTER, officer)
            else:
                self.act(what, minute)
        self.read_final_statuses()
        return DayResult(self.s, self.config, self.records, self.call_minutes)

    def read_final_statuses(self) -> None:
        """The day's end as stored: status and finish time of every ticket."""
        with self.db.reading() as session:
            for ticket in session.scalars(select(Ticket).where(Ticket.site == self.s.site.code)):
                record = self._by_id.get(ticket.id)
                if record is not None:
                    record.status = ticket.status
                    record.finished_at = ticket.finished_at

    def can_call(self, officer: _Officer, minute: float) -> bool:
        return any(start <= minute < end for start, end in officer.working)

    def act(self, officer: _Officer, minute: float) -> None:
        """The officer looks up: done with the citizen? tired of waiting for one? free?"""
        if officer.busy_until is not None and minute < officer.busy_until:
            return  # an earlier wake-up; the officer is still busy
        counter_id = officer.shift.counter.id
        if officer.current is not None:
            if officer.waiting_for_no_show:
                self.press(counter_id, p.ACTION_SKIP)
                self.after_skip(officer.current)
            elif self.can_call(officer, minute):
                self.call(officer, minute, p.ACTION_NEXT)  # "next" finishes the current one
                return
            else:
                self.press(counter_id, p.ACTION_FINISH)
                officer.current.finished_at = self.clock.now()
                officer.current.status = p.STATUS_FINISHED
            officer.current, officer.busy_until, officer.waiting_for_no_show = None, None, False
        if self.can_call(officer, minute):
            self.call(officer, minute, p.ACTION_NEXT)
        else:
            later = reference.next_call_minute(officer.working, minute)
            if later is not None:
                self.push(later, _COUNTER, officer)

    def call(self, officer: _Officer, minute: float, action: str) -> None:
        previous = officer.current
        body = self.press(officer.shift.counter.id, action)
        if previous is not None:
            previous.finished_at = self.clock.now()
            previous.status = p.STATUS_FINISHED
        current = body.get("current")
        officer.current, officer.busy_until, officer.waiting_for_no_show = None, None, False
        if not current:
            return  # nothing this counter serves is waiting: idle until the next arrival
        record = self.by_id[current["id"]]
        record.calls += 1
        record.status = p.STATUS_CALLED
        if record.called_at is None:
            record.called_at = self.clock.now()
            record.counter = officer.shift.counter.id
        self.call_minutes.append(minute)
        officer.current, officer.started = record, minute
        if record.arrival.no_show:
            officer.waiting_for_no_show = True
            officer.busy_until = minute + NO_SHOW_WAIT_MINUTES
        else:
            officer.busy_until = minute + record.arrival.minutes
        self.push(officer.busy_until, _COUNTER, officer)

    def after_skip(self, record: TicketRecord) -> None:
        with self.db.reading() as session:
            status = session.get(Ticket, record.ticket_id).status
        record.status = status
        if status == p.STATUS_NO_SHOW:
            record.finished_at = self.clock.now()

    def press(self, counter_id: str, action: str) -> dict[str, Any]:
        return self.store.counter_action(counter_id, action, ACTOR).body

    # --- the kiosk --------------------------------------------------------------------------
    @property
    def by_id(self) -> dict[int, TicketRecord]:
        return self._by_id

    def arrive(self, arrival: Arrival, minute: float) -> None:
        record = TicketRecord(arrival)
        self.records.append(record)
        try:
            body = self.store.issue(
                self.s.site.code,
                arrival.service,
                priority=arrival.priority,
                category="lansia" if arrival.priority else None,
                request_id=f"sim-{arrival.index}",
                actor=ACTOR,
            ).body
        except ApiError as exc:
            record.refused = exc.code
            return
        record.ticket_id = body["id"]
        record.number = body["number"]
        record.issued_at = self.clock.now()
        record.status = p.STATUS_WAITING
        record.estimated_call_at = _time(body.get("estimated_call_at"))
        record.estimate_from = _time(body.get("estimate_from"))
        record.estimate_to = _time(body.get("estimate_to"))
        self._by_id[record.ticket_id] = record
        self.estimate_others(record, minute)

    def estimate_others(self, record: TicketRecord, minute: float) -> None:
        """Today's formula from what the server knew, and the reference from the true state."""
        now = self.clock.now()
        rules = self.config.rules
        site = self.s.site
        service = record.arrival.service
        with self.db.reading() as session:
            waiting = [
                WaitingTicket(t.id, t.service, t.priority, t.issued_at, t.eligible_after_call)
                for t in session.scalars(
                    select(Ticket).where(
                        Ticket.site == site.code,
                        Ticket.day == self.s.day,
                        Ticket.status == p.STATUS_WAITING,
                    )
                )
            ]
            durations = session.scalars(
                select(Ticket.service_seconds)
                .where(
                    Ticket.site == site.code,
                    Ticket.service == service,
                    Ticket.status == p.STATUS_FINISHED,
                    Ticket.service_seconds.is_not(None),
                )
                .order_by(Ticket.finished_at.desc())
                .limit(rules.estimate_window)
            ).all()
            serving = [c.id for c in estimate.counters_serving(site, service)]
            last = session.scalars(
                select(CounterState.last_action_at).where(CounterState.counter_id.in_(serving))
            ).all()
            call_count = session.scalars(
                select(SiteDay.call_count).where(
                    SiteDay.site == site.code, SiteDay.day == self.s.day
                )
            ).one()
        me = next(t for t in waiting if t.id == record.ticket_id)
        default = self.config.services[service].default_service_minutes * 60
        record.old_formula_at = estimate.estimated_call_at(
            now,
            estimate.ahead_of(me, waiting),
            estimate.rolling_mean_seconds(durations, default),
            estimate.open_counters(last, now, rules.counter_idle_minutes),
        )
        counters = []
        for officer in self.officers:
            free_at = minute
            if officer.current is not None and officer.busy_until is not None:
                if officer.waiting_for_no_show:
                    free_at = officer.busy_until  # the officer's true wait before skipping
                else:
                    mean = self.means[officer.current.arrival.service]
                    free_at = max(minute, (officer.started or minute) + mean)
            services = officer.shift.counter.services
            counters.append(reference.RefCounter(services, free_at, officer.working))
        calls = reference.forward_calls(waiting, call_count, counters, self.means)
        if record.ticket_id in calls:
            record.reference_at = self.s.at(calls[record.ticket_id], self.config)
        record.forecast_reference_at = self.core_forecast(
            record.ticket_id, now, minute, waiting, call_count
        )

    def core_forecast(
        self,
        ticket_id: int,
        now: datetime,
        minute: float,
        waiting: list[WaitingTicket],
        call_count: int,
    ) -> datetime | None:
        """The core's forecaster fed the true state: the counters still working today (it
        knows the rostered counters' hours from the config, not a surprise), their true
        current services, the true means."""
        busy = []
        for officer in self.officers:
            if not any(end > minute for _, end in officer.working):
                continue  # gone for the day
            counter = officer.shift.counter
            current = officer.current
            since = self.s.at(officer.started, self.config) if current and officer.started else None
            service = current.arrival.service if current else None
            busy.append(forecast.CounterNow(counter.id, counter.services, service, since))
        if not busy:
            return None
        times = {s: forecast.ServiceTime.exact(m * 60) for s, m in self.means.items()}
        site = self.config.sites[self.s.site.code]  # with the rostered counters' hours
        periods = forecast.periods_of_day(site, self.s.day, self.config.tz)
        rules = self.config.rules
        out = forecast.forecast(
            now, site, waiting, busy, times, periods, rules, call_count=call_count
        )
        me = out.get(ticket_id)
        return me.at if me is not None and me.today else None


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None
