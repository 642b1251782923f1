"""When each waiting ticket of a site will be called: the core's own balancing run forward.

The model: the counters that will call (open now, or on today's roster later) go on calling by
``balancing.pick_next`` (priority first, oldest first across each counter's services, skipped
tickets back after their calls) whenever they are free and inside their calling time: the
site's calling periods within the counter's own roster (``Counter.hours``). A counter serving
someone is free after the rest of that service's expected time; each call keeps the counter
busy for the service's learned mean; a service runs to its end, also into a break. Services
not learned yet take the configured default times the site's pace (how much slower or faster
than configured the learned services run). The result for each ticket is the moment its
counter becomes free for it, with a window of ``Z`` standard deviations of the time ahead of
it (the variances of the services ahead add up, so the window grows with the square root of
the work ahead), ``Z`` fitted on calibration days the accuracy table does not report.

What it does not know: each citizen's own service time, tickets not issued yet (a priority
ticket arriving later jumps the queue: only the window allows for it, at today's priority
rate so far; a prior from the site's earlier days was tried and not kept, docs/decisions.md),
officers who leave early or start late against the roster, no-shows before they happen. It
is standard library only and takes the time as an argument.
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sahaja.config import Counter, QueueRules, Site
from sahaja.core import balancing, calendar
from sahaja.core.estimate import is_open
from sahaja.core.tickets import WaitingTicket

Z = 2.0  # half-width of the window in standard deviations (fitted on bench/scenarios/calibration)
MIN_HALF_WIDTH = timedelta(minutes=5)  # nobody can promise a call to the minute
OUTLIER_FACTOR = 3.0  # a duration over 3x the median is a forgotten "finish", not a service
MIN_SAMPLES = 3  # fewer finished tickets than this: the configured default is used
RESIDUAL_FLOOR = 0.25  # an overdue service is still expected to take this share of a mean
MAX_PRIORITY_LOAD = 0.5  # priority arrivals are assumed to take at most half a counter's time
PRIORITY_SHIFT = 0.0  # share of the expected priority arrivals' time the estimate moves later


@dataclass(frozen=True)
class ServiceTime:
    """How long serving one citizen of a service takes: mean and spread (seconds), and the
    standard error of the mean (how well the mean itself is known). ``samples`` is how many
    finished services it was learned from (0: the configured default ``configured``)."""

    mean: float
    sd: float
    mean_error: float = 0.0
    samples: int = 0
    configured: float = 0.0

    @classmethod
    def exact(cls, seconds: float) -> ServiceTime:
        """A known mean with no spread (the simulator's reference)."""
        return cls(float(seconds), 0.0, 0.0)

    @classmethod
    def default(cls, seconds: float) -> ServiceTime:
        """The configured default before there is data: spread and doubt of half the mean."""
        return cls(float(seconds), seconds * 0.5, seconds * 0.25, 0, float(seconds))

    @classmethod
    def from_durations(cls, seconds: Iterable[float | None], default_seconds: float) -> ServiceTime:
        """Robust learning from recent finished services: durations over ``OUTLIER_FACTOR``
        times the median are dropped (a "finish" pressed hours late), then mean and spread of
        the rest. Fewer than ``MIN_SAMPLES`` durations: the configured default."""
        good = sorted(float(d) for d in seconds if d is not None and d > 0)
        if len(good) < MIN_SAMPLES:
            return cls.default(default_seconds)
        cap = OUTLIER_FACTOR * statistics.median(good)
        kept = [d for d in good if d <= cap]
        mean = statistics.fmean(kept)
        sd = statistics.stdev(kept) if len(kept) > 1 else mean * 0.5
        return cls(mean, sd, sd / math.sqrt(len(kept)), len(kept), float(default_seconds))

    def scaled(self, factor: float) -> ServiceTime:
        return ServiceTime(
            self.mean * factor,
            self.sd * factor,
            self.mean_error * factor,
            self.samples,
            self.configured,
        )


def site_pace(service_times: Mapping[str, ServiceTime]) -> float:
    """How much slower (> 1) or faster than configured this site works today, from the
    services already learned: the geometric mean of learned / configured, weighted by the
    samples. 1.0 before anything is learned. An office slow at KTP-el is slow at the rest."""
    pairs = [
        (math.log(st.mean / st.configured), st.samples)
        for st in service_times.values()
        if st.samples >= MIN_SAMPLES and st.configured > 0 and st.mean > 0
    ]
    weight = sum(n for _, n in pairs)
    if not weight:
        return 1.0
    return math.exp(sum(x * n for x, n in pairs) / weight)


def with_pace(service_times: Mapping[str, ServiceTime]) -> dict[str, ServiceTime]:
    """The services still on their configured default, scaled by ``site_pace``."""
    pace = site_pace(service_times)
    return {
        code: st.scaled(pace) if st.samples < MIN_SAMPLES and st.configured > 0 else st
        for code, st in service_times.items()
    }


@dataclass(frozen=True)
class CounterNow:
    """A counter that calls in the forecast: its services and what it is doing now."""

    id: str
    services: tuple[str, ...]
    serving: str | None = None  # the service of the ticket it is serving, if any
    serving_since: datetime | None = None  # when that ticket was called


@dataclass(frozen=True)
class Estimate:
    """When a ticket is expected to be called (``at``), the window around it, and whether
    that falls within today's calling periods (``today`` False: may not be served today)."""

    at: datetime
    earliest: datetime
    latest: datetime
    today: bool


# --- inputs from what the server knows ---------------------------------------------------------
def periods_of_day(
    site: Site, day: date, tz: ZoneInfo, holidays: Mapping[date, str] | None = None
) -> list[tuple[datetime, datetime]]:
    """``calendar.calling_periods`` of a local day as aware datetimes."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
    return [
        (midnight + timedelta(minutes=a), midnight + timedelta(minutes=b))
        for a, b in calendar.calling_periods(site, day, holidays)
    ]


def counters_now(
    site: Site,
    last_action: Mapping[str, datetime | None],
    serving: Mapping[str, tuple[str, datetime]],
    now: datetime,
    rules: QueueRules,
    waiting_services: Iterable[str] = (),
) -> list[CounterNow]:
    """The counters that will call: the open ones (``estimate.is_open``) and those serving
    someone. Before anyone acted (the morning), every configured counter; later, a service
    that has tickets waiting but no such counter (a quiet service) gets the site's counters
    configured for it."""
    chosen = {
        c.id
        for c in site.counters
        if c.id in serving or is_open(last_action.get(c.id), now, rules.counter_idle_minutes)
    }
    if not chosen:  # nobody has acted yet (the morning): every configured counter will
        return [CounterNow(c.id, c.services) for c in site.counters]
    for service in dict.fromkeys(waiting_services):
        if not any(service in c.services for c in site.counters if c.id in chosen):
            chosen |= {c.id for c in site.counters if service in c.services}
    out = []
    for c in site.counters:
        if c.id in chosen:
            busy = serving.get(c.id)
            out.append(CounterNow(c.id, c.services, *(busy or (None, None))))
    return out


# --- time inside the calling periods -----------------------------------------------------------
class _Periods:
    def __init__(self, periods: Sequence[tuple[datetime, datetime]]) -> None:
        self.spans = sorted((a, b) for a, b in periods if b > a)

    @property
    def close(self) -> datetime | None:
        return self.spans[-1][1] if self.spans else None

    def callable_at(self, t: datetime) -> datetime | None:
        """The first moment at or after ``t`` when counters call; None after the last one."""
        for a, b in self.spans:
            if t < b:
                return max(t, a)
        return None

    def forward(self, t: datetime, seconds: float) -> datetime:
        """``t`` moved on by ``seconds`` of calling time (breaks do not count)."""
        left = timedelta(seconds=seconds)
        for a, b in self.spans:
            if t >= b:
                continue
            t = max(t, a)
            if t + left <= b:
                return t + left
            left -= b - t
            t = b
        return t + left


def counter_periods(
    counter: Counter | None, periods: Sequence[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The site's calling ``periods`` within the counter's own roster of that weekday
    (``Counter.hours``); a counter without one calls in all of them."""
    if counter is None or not counter.hours or not periods:
        return list(periods)
    first = periods[0][0]
    hours = counter.hours.get(first.weekday())
    if hours is None:
        return list(periods)
    midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
    lo = midnight + timedelta(minutes=hours.open_minute)
    hi = midnight + timedelta(minutes=hours.close_minute)
    return [(max(a, lo), min(b, hi)) for a, b in periods if min(b, hi) > max(a, lo)]


def rostered_later(
    now: datetime,
    site: Site,
    counters: Sequence[CounterNow],
    periods: Sequence[tuple[datetime, datetime]],
) -> list[CounterNow]:
    """Counters not among ``counters`` whose roster has them start calling after ``now``
    today: they will come (an officer on the afternoon shift)."""
    present = {c.id for c in counters}
    out = []
    for c in site.counters:
        if c.id in present or not c.hours:
            continue
        own = counter_periods(c, periods)
        if own and own[0][0] > now:
            out.append(CounterNow(c.id, c.services))
    return out


# --- the forecast ------------------------------------------------------------------------------
class _Queue:
    """The waiting tickets, each service's fresh ones in call order plus the skipped ones:
    ``pick_next`` over ``candidates`` chooses as over the whole queue
    (``balancing.next_candidates``), so every simulated call costs the same."""

    def __init__(self, waiting: Iterable[WaitingTicket]) -> None:
        self.fresh: dict[str, list[WaitingTicket]] = {}
        self.skipped: list[WaitingTicket] = []
        for t in waiting:
            if t.ordered_by_issue:  # skipped and booked ones: apart
                self.fresh.setdefault(t.service, []).append(t)
            else:
                self.skipped.append(t)
        for line in self.fresh.values():
            line.sort(key=WaitingTicket.call_order, reverse=True)  # first to call at the end

    def candidates(self, services: Sequence[str]) -> list[WaitingTicket]:
        heads = [self.fresh[s][-1] for s in services if self.fresh.get(s)]
        return [t for t in self.skipped if t.service in services] + heads

    def remove(self, ticket: WaitingTicket) -> None:
        if ticket.ordered_by_issue:
            self.fresh[ticket.service].pop()
        else:
            self.skipped.remove(ticket)

    def left(self) -> list[WaitingTicket]:
        return self.skipped + [t for line in self.fresh.values() for t in line]


def forecast(
    now: datetime,
    site: Site,
    waiting: Sequence[WaitingTicket],
    counters: Sequence[CounterNow],
    service_times: Mapping[str, ServiceTime],
    periods: Sequence[tuple[datetime, datetime]],
    rules: QueueRules,
    *,
    call_count: int = 0,
    priority_per_hour: Mapping[str, float] | None = None,
) -> dict[int, Estimate]:
    """The estimated call of every waiting ticket of a site, by ticket id.

    ``counters`` are the counters that will call (see ``counters_now``; empty: every
    configured counter of ``site``, free now); ``service_times`` per service code (a missing
    one: 8 minutes, half of it spread); ``periods`` today's calling periods (counters call
    nothing outside them); ``call_count`` the site's calls so far today (skipped tickets come
    back after ``rules.skip_recall_after`` calls); ``priority_per_hour`` the rate at which
    priority tickets of each service have been arriving today: a regular ticket is expected
    to let that many more go first while it waits. Tickets still waiting at the end of the
    last period get ``today=False`` and the close as their time.

    ``at`` is the middle of the window; ``earliest`` may lie before ``now`` (the call may
    come any moment).
    """
    args = (now, site, waiting, counters, service_times, periods, rules)
    known = {"call_count": call_count, "priority_per_hour": priority_per_hour}
    return forecast_with_new_tickets(*args, **known, services=())[0]


def forecast_with_new_tickets(
    now: datetime,
    site: Site,
    waiting: Sequence[WaitingTicket],
    counters: Sequence[CounterNow],
    service_times: Mapping[str, ServiceTime],
    periods: Sequence[tuple[datetime, datetime]],
    rules: QueueRules,
    *,
    call_count: int = 0,
    priority_per_hour: Mapping[str, float] | None = None,
    services: Sequence[str] | None = None,
) -> tuple[dict[int, Estimate], dict[str, Estimate]]:
    """``forecast``, and ``wait_for_new_ticket`` of each of ``services`` (default: every
    service of the site), in one run.

    A regular ticket taken now is the last in call order of its service, so it changes no
    call before its own: a counter calls it at the first moment it is free with nothing due
    among its services (where the run without it calls a skipped ticket early, or stops)."""
    new_services = site.services if services is None else services
    if not counters:
        counters = [CounterNow(c.id, c.services) for c in site.counters]
    counters = [*counters, *rostered_later(now, site, counters, periods)]
    fallback = ServiceTime.default(8 * 60)
    service_times = with_pace(service_times)

    def time_of(service: str | None) -> ServiceTime:
        return service_times.get(service or "", fallback)

    # Each counter: its own calling time (the site's periods within its roster), when it is
    # free, the variance and the doubt of the chain of services it does before a ticket.
    own = [_Periods(counter_periods(site.counter(c.id), periods)) for c in counters]
    free: list[tuple[datetime, int]] = []
    chain_var: list[float] = []
    chain_doubt: list[float] = []
    pooled: dict[str, int] = {}
    for i, c in enumerate(counters):
        for s in c.services:
            pooled[s] = pooled.get(s, 0) + 1
        at, var, doubt = now, 0.0, 0.0
        if c.serving_since is not None:
            st = time_of(c.serving)
            elapsed = max((now - c.serving_since).total_seconds(), 0.0)
            rest = max(st.mean - elapsed, st.mean * RESIDUAL_FLOOR)
            share = rest / st.mean if st.mean > 0 else 1.0
            # the citizen at the desk is served to the end, through a break if need be
            at = now + timedelta(seconds=rest)
            var, doubt = st.sd**2 * share, st.mean_error * share
        free.append((at, i))
        chain_var.append(var)
        chain_doubt.append(doubt)
    heap = list(free)
    heapq.heapify(heap)
    # priority tickets still to come: the share of each counter's time they will take
    rates = priority_per_hour or {}
    load = [
        min(
            sum(
                rates.get(s, 0.0) / 3600 * time_of(s).mean / max(pooled.get(s, 1), 1)
                for s in c.services
            ),
            MAX_PRIORITY_LOAD,
        )
        for c in counters
    ]

    last_issue = kiosk_cutoff(site, periods)

    def window(i: int, start: datetime, service: str, priority: bool) -> Estimate:
        var = chain_var[i] / max(pooled.get(service, 1), 1) + chain_doubt[i] ** 2
        if load[i] > 0 and not priority:
            # Priority tickets issued while it waits (until the kiosk's cutoff) go first:
            # about load/(1-load) of that wait again, Poisson (variance ~ mean).
            until = min(start, last_issue) if last_issue is not None else start
            waited = max((until - now).total_seconds(), 0.0)
            extra = waited * load[i] / (1 - load[i])
            var += extra * time_of(service).mean
            start += timedelta(seconds=extra * PRIORITY_SHIFT)
        half = max(timedelta(seconds=Z * math.sqrt(var)), MIN_HALF_WIDTH)
        return Estimate(start, start - half, start + half, True)

    queue = _Queue(waiting)
    out: dict[int, Estimate] = {}
    new: dict[str, Estimate] = {}
    unresolved = set(new_services)
    calls = call_count
    while heap:
        at, i = heapq.heappop(heap)
        start = own[i].callable_at(at)
        if start is None:
            continue  # this counter calls nothing more today
        if start > at:  # in a break or before its roster: it calls then, in turn with others
            heapq.heappush(heap, (start, i))
            continue
        counter = counters[i]
        chosen = balancing.pick_next(
            queue.candidates(counter.services), counter.services, calls, start
        )
        if unresolved and (chosen is None or not balancing.is_due(chosen, calls)):
            # nothing due for this counter: a ticket taken now of its services is called here
            for service in unresolved.intersection(counter.services):
                new[service] = window(i, start, service, False)
            unresolved.difference_update(counter.services)
        if chosen is None:
            continue  # nothing more for it (later arrivals are not foreseen)
        queue.remove(chosen)
        calls += 1
        out[chosen.id] = window(i, start, chosen.service, chosen.priority)
        st = time_of(chosen.service)
        chain_var[i] += st.sd**2
        chain_doubt[i] += st.mean_error
        # a service runs to its end, also into a break or past the counter's hours
        heapq.heappush(heap, (start + timedelta(seconds=st.mean), i))

    late = beyond_today(now, periods)
    for t in queue.left():
        out[t.id] = late
    for service in unresolved:
        new[service] = late
    return out, new


def kiosk_cutoff(site: Site, periods: Sequence[tuple[datetime, datetime]]) -> datetime | None:
    """The last moment the kiosk issues today (the close minus the site's ticket cutoff)."""
    if not periods:
        return None
    return max(b for _, b in periods) - timedelta(minutes=site.ticket_cutoff_minutes)


def beyond_today(now: datetime, periods: Sequence[tuple[datetime, datetime]]) -> Estimate:
    """The estimate of a ticket today's calling time does not reach: the close, not today."""
    end = max([now, *(b for _, b in periods)])
    return Estimate(end, end - MIN_HALF_WIDTH, end + MIN_HALF_WIDTH, False)


def wait_for_new_ticket(
    now: datetime,
    site: Site,
    service: str,
    waiting: Sequence[WaitingTicket],
    counters: Sequence[CounterNow],
    service_times: Mapping[str, ServiceTime],
    periods: Sequence[tuple[datetime, datetime]],
    rules: QueueRules,
    *,
    call_count: int = 0,
    priority: bool = False,
    priority_per_hour: Mapping[str, float] | None = None,
) -> Estimate:
    """The estimated call of a ticket of ``service`` taken now (kiosk home screen, site page).
    ``forecast_with_new_tickets`` gives every service's at once, and the forecast too."""
    if not priority:
        args = (now, site, waiting, counters, service_times, periods, rules)
        known = {"call_count": call_count, "priority_per_hour": priority_per_hour}
        return forecast_with_new_tickets(*args, **known, services=(service,))[1][service]
    # a priority ticket goes ahead of others: run the forecast with it in the queue,
    # after every ticket already issued (even one issued at this very instant)
    new_id = max((t.id for t in waiting), default=0) + 1
    issued = max([now, *(t.issued_at for t in waiting)])
    new = WaitingTicket(new_id, service, priority, issued)
    result = forecast(
        now,
        site,
        [*waiting, new],
        counters,
        service_times,
        periods,
        rules,
        call_count=call_count,
        priority_per_hour=priority_per_hour,
    )
    return result[new_id]


def minutes_until(now: datetime, estimate: Estimate) -> int:
    """Whole minutes from ``now`` to the estimated call (never negative)."""
    return max(0, math.ceil((estimate.at - now).total_seconds() / 60))
