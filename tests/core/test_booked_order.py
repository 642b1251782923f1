"""The order rule of checked-in bookings: after the priority lane and before the walk-ins of
their service from 30 minutes before the window until its end; late, like a walk-in."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from sahaja.core import balancing, estimate
from sahaja.core.forecast import CounterNow, ServiceTime, forecast
from sahaja.core.tickets import WaitingTicket
from tests.core.test_forecast import DAY_PERIODS, RULES, at, make_site


def walk_in(i: int, hhmm: str, service: str = "A", priority: bool = False) -> WaitingTicket:
    return WaitingTicket(i, service, priority, at(hhmm))


def booked(i: int, hhmm: str, window: str, service: str = "A") -> WaitingTicket:
    """A ticket checked in at ``hhmm`` for a window 'HH:MM-HH:MM' (lane from 30 min before)."""
    start, end = window.split("-")
    lane_from = at(start) - timedelta(minutes=30)
    return WaitingTicket(i, service, False, at(hhmm), None, lane_from, at(end))


def test_a_booking_in_its_span_goes_after_priority_and_before_the_walk_ins():
    waiting = [
        walk_in(1, "08:00"),
        walk_in(2, "08:05"),
        booked(3, "08:40", "09:00-10:00"),
        walk_in(4, "08:50", priority=True),
    ]
    now = at("08:45")
    assert balancing.pick_next(waiting, ["A"], 0, now).id == 4  # the priority lane first
    rest = [t for t in waiting if t.id != 4]
    assert balancing.pick_next(rest, ["A"], 0, now).id == 3
    assert estimate.ahead_of(waiting[2], waiting, now) == 1  # only the priority ticket
    assert estimate.ahead_of(waiting[0], waiting, now) == 2
    # a counter serving both services calls the booking before the older walk-in of the
    # other service too (the lane is one for the counter); one serving only A does not see it
    other = [walk_in(1, "08:00"), booked(3, "08:40", "09:00-10:00", service="B")]
    assert balancing.pick_next(other, ["A", "B"], 0, now).id == 3
    assert balancing.pick_next(other, ["A"], 0, now).id == 1
    assert estimate.ahead_of(other[0], other, now) == 0


def test_bookings_in_their_span_go_by_the_end_of_their_window():
    early_end = booked(1, "08:55", "08:00-09:00")
    late_end = booked(2, "08:31", "09:00-10:00")
    now = at("08:56")
    assert balancing.pick_next([late_end, early_end], ["A"], 0, now).id == 1


def test_late_or_without_a_time_a_booking_is_a_walk_in_by_its_issue_time():
    waiting = [walk_in(1, "08:00"), booked(2, "08:40", "09:00-10:00"), walk_in(3, "09:30")]
    after = at("10:00")  # the window's end: late
    assert balancing.pick_next(waiting, ["A"], 0, after).id == 1
    assert estimate.ahead_of(waiting[1], waiting, after) == 1
    assert estimate.ahead_of(waiting[2], waiting, after) == 2
    assert balancing.pick_next(waiting, ["A"], 0, at("09:59")).id == 2  # still inside
    assert balancing.pick_next(waiting, ["A"], 0).id == 1  # no time: no lane


def test_a_skipped_booking_comes_back_by_the_skip_rule():
    skipped = WaitingTicket(2, "A", False, at("08:40"), 12, at("08:30"), at("10:00"))
    waiting = [walk_in(1, "08:00"), skipped]
    assert balancing.pick_next(waiting, ["A"], 11, at("09:00")).id == 1  # not due yet
    assert balancing.pick_next(waiting, ["A"], 12, at("09:00")).id == 2  # due: in its lane


def random_queue(rng: random.Random, n: int) -> list[WaitingTicket]:
    out = []
    for i in range(n):
        issued = at("08:00") + timedelta(minutes=rng.choice([0, 1, 5, 20]) * i // 2)
        eligible = rng.choice([None, None, None, rng.randint(0, 30)])
        service = rng.choice(["KTP", "KK", "AKL"])
        lane = (None, None)
        if rng.random() < 0.35:
            start = at("08:00") + timedelta(hours=rng.randint(0, 3))
            lane = (start - timedelta(minutes=30), start + timedelta(hours=1))
        out.append(WaitingTicket(i + 1, service, rng.random() < 0.15, issued, eligible, *lane))
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_the_candidates_with_bookings_choose_as_the_whole_queue(seed):
    rng = random.Random(seed)
    for _ in range(200):
        waiting = random_queue(rng, rng.randint(0, 25))
        services = rng.sample(["KTP", "KK", "AKL"], rng.randint(1, 3))
        calls = rng.randint(0, 30)
        now = at("08:00") + timedelta(minutes=rng.randint(0, 300))
        few = balancing.next_candidates(waiting, services)
        assert balancing.pick_next(few, services, calls, now) == balancing.pick_next(
            waiting, services, calls, now
        )
        for t in waiting:
            same = sorted(
                (u for u in waiting if u.service == t.service), key=lambda u: u.call_order(now)
            )
            assert estimate.ahead_of(t, waiting, now) == same.index(t)


def test_the_forecast_orders_bookings_by_the_time_of_each_simulated_call():
    """Two priority tickets take 20 minutes; the booking's span ends after 5: by the time
    the counter is free for it, it is late and waits behind the older walk-ins."""
    site = make_site(("L1", ("A",)))
    counter = [CounterNow("TST-L1", ("A",))]
    times = {"A": ServiceTime.exact(600)}
    now = at("09:00")
    in_time = [walk_in(1, "08:00"), walk_in(2, "08:10"), booked(3, "08:50", "09:00-10:00")]
    got = forecast(now, site, in_time, counter, times, DAY_PERIODS, RULES)
    assert [got[i].at for i in (3, 1, 2)] == [now + timedelta(minutes=m) for m in (0, 10, 20)]

    late = [
        walk_in(1, "08:00"),
        WaitingTicket(2, "A", False, at("08:55"), None, at("08:05"), at("09:05")),
        walk_in(4, "08:58", priority=True),
        walk_in(5, "08:59", priority=True),
    ]
    got = forecast(now, site, late, counter, times, DAY_PERIODS, RULES)
    order = [now + timedelta(minutes=m) for m in (0, 10, 20, 30)]
    assert [got[i].at for i in (4, 5, 1, 2)] == order
