"""The forecast: balancing run forward over the queue, with learned times, periods and windows."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sahaja.config import Counter, Hours, QueueRules, Site
from sahaja.core import balancing
from sahaja.core.forecast import (
    MIN_HALF_WIDTH,
    CounterNow,
    ServiceTime,
    counters_now,
    forecast,
    forecast_with_new_tickets,
    periods_of_day,
    wait_for_new_ticket,
)
from sahaja.core.tickets import WaitingTicket

WIB = ZoneInfo("Asia/Jakarta")
DAY = date(2026, 12, 7)  # a Monday
RULES = QueueRules()


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(DAY.year, DAY.month, DAY.day, h, m, tzinfo=WIB)


def make_site(*counters: tuple[str, tuple[str, ...]], hours: str = "08:00-15:00") -> Site:
    a, b = hours.split("-")
    minute = lambda s: int(s[:2]) * 60 + int(s[3:])  # noqa: E731
    return Site(
        code="TST",
        name="Test",
        daily_quota=500,
        services=tuple(dict.fromkeys(s for _, services in counters for s in services)),
        hours={DAY.weekday(): Hours(minute(a), minute(b))},
        ticket_cutoff_minutes=0,
        service_quota={},
        counters=tuple(
            Counter(f"TST-{code}", code, code, i + 1, services)
            for i, (code, services) in enumerate(counters)
        ),
    )


def tickets(service: str, count: int, first: datetime, *, start_id: int = 1) -> list[WaitingTicket]:
    return [
        WaitingTicket(start_id + i, service, False, first + timedelta(minutes=i))
        for i in range(count)
    ]


TEN = {"A": ServiceTime.exact(600), "B": ServiceTime.exact(300)}
DAY_PERIODS = [(at("08:00"), at("15:00"))]


def test_a_busy_counter_pushes_the_first_waiting_ticket_later():
    site = make_site(("L1", ("A",)))
    waiting = tickets("A", 2, at("08:30"))
    now = at("09:00")
    free = forecast(now, site, waiting, [CounterNow("TST-L1", ("A",))], TEN, DAY_PERIODS, RULES)
    busy_counter = CounterNow("TST-L1", ("A",), "A", now - timedelta(minutes=2))
    busy = forecast(now, site, waiting, [busy_counter], TEN, DAY_PERIODS, RULES)
    assert free[1].at == now
    assert busy[1].at == now + timedelta(minutes=8)  # the 8 minutes left of a 10-minute service
    assert busy[2].at == now + timedelta(minutes=18)


def test_two_services_sharing_one_counter_go_oldest_first():
    site = make_site(("L1", ("A", "B")))
    waiting = [
        WaitingTicket(1, "A", False, at("08:30")),
        WaitingTicket(2, "B", False, at("08:31")),
        WaitingTicket(3, "A", False, at("08:32")),
    ]
    now = at("09:00")
    result = forecast(now, site, waiting, [], TEN, DAY_PERIODS, RULES)
    assert [result[i].at for i in (1, 2, 3)] == [
        now,
        now + timedelta(minutes=10),  # after the A ticket
        now + timedelta(minutes=15),  # after the B ticket (5 minutes)
    ]


def test_two_counters_share_a_service():
    site = make_site(("L1", ("A",)), ("L2", ("A", "B")))
    waiting = tickets("A", 4, at("08:30"))
    now = at("09:00")
    result = forecast(now, site, waiting, [], TEN, DAY_PERIODS, RULES)
    later = now + timedelta(minutes=10)
    assert sorted(e.at for e in result.values()) == [now, now, later, later]


def test_a_priority_ticket_goes_first_even_when_issued_last():
    site = make_site(("L1", ("A",)))
    waiting = [*tickets("A", 3, at("08:30")), WaitingTicket(9, "A", True, at("08:59"))]
    now = at("09:00")
    result = forecast(now, site, waiting, [], TEN, DAY_PERIODS, RULES)
    assert result[9].at == now
    assert result[1].at == now + timedelta(minutes=10)
    assert result[3].at == now + timedelta(minutes=30)


def test_a_skipped_ticket_comes_back_after_its_calls():
    site = make_site(("L1", ("A",)))
    skipped = WaitingTicket(1, "A", False, at("08:00"), eligible_after_call=5 + 2)
    waiting = [skipped, *tickets("A", 4, at("08:30"), start_id=2)]
    now = at("09:00")
    result = forecast(now, site, waiting, [], TEN, DAY_PERIODS, RULES, call_count=5)
    order = sorted(result, key=lambda i: result[i].at)
    assert order == [2, 3, 1, 4, 5]  # due again after two more calls, then first (oldest)


def test_a_break_makes_the_estimate_jump_past_it():
    site = make_site(("L1", ("A",)))
    periods = [(at("08:00"), at("12:00")), (at("13:00"), at("15:00"))]
    waiting = tickets("A", 3, at("11:00"))
    now = at("11:50")
    result = forecast(now, site, waiting, [], TEN, periods, RULES)
    assert result[1].at == now
    assert result[2].at == at("13:00")  # 12:00 is the break: the next call is after it
    assert result[3].at == at("13:10")
    assert result[2].earliest < at("13:00") < result[2].latest
    assert all(e.today for e in result.values())


def test_nothing_is_called_before_opening():
    site = make_site(("L1", ("A",)))
    waiting = tickets("A", 2, at("07:00"))
    result = forecast(at("07:10"), site, waiting, [], TEN, DAY_PERIODS, RULES)
    assert [result[1].at, result[2].at] == [at("08:00"), at("08:10")]


def test_tickets_left_at_closing_may_not_be_served_today():
    site = make_site(("L1", ("A",)))
    waiting = tickets("A", 4, at("14:00"))
    now = at("14:40")
    result = forecast(now, site, waiting, [], TEN, DAY_PERIODS, RULES)
    assert [result[i].today for i in (1, 2, 3, 4)] == [True, True, False, False]
    assert result[3].at == at("15:00") and result[4].at == at("15:00")
    assert result[2].latest <= at("15:00")


def test_a_forgotten_finish_does_not_poison_the_learned_time():
    durations = [540.0, 600.0, 660.0] * 6 + [3 * 3600.0]  # one "finish" pressed 3 hours late
    learned = ServiceTime.from_durations(durations, default_seconds=480)
    assert 590 <= learned.mean <= 610
    assert learned.sd < 120
    naive = sum(durations) / len(durations)
    assert naive > 1000  # what a plain mean would have said


def test_too_few_durations_use_the_configured_default():
    assert ServiceTime.from_durations([300.0, None], 480).mean == 480
    assert ServiceTime.from_durations([], 480).sd > 0  # a default is not a certainty


def test_the_window_holds_the_midpoint_and_widens_with_more_ahead():
    site = make_site(("L1", ("A",)))
    waiting = tickets("A", 12, at("08:00"))
    times = {"A": ServiceTime(600, 240, 60)}
    now = at("09:00")
    result = forecast(now, site, waiting, [], times, DAY_PERIODS, RULES)
    widths = [result[i].latest - result[i].earliest for i in range(1, 13)]
    for e in result.values():
        assert e.earliest <= e.at <= e.latest
    assert widths[0] >= 2 * MIN_HALF_WIDTH
    assert all(a <= b for a, b in zip(widths[1:], widths[2:], strict=False))
    assert widths[11] > widths[2] + timedelta(minutes=10)


def test_exact_times_give_the_narrowest_window():
    site = make_site(("L1", ("A",)))
    result = forecast(at("09:00"), site, tickets("A", 5, at("08:00")), [], TEN, DAY_PERIODS, RULES)
    e = result[5]
    assert e.latest - e.earliest == 2 * MIN_HALF_WIDTH


def test_wait_for_new_ticket_is_the_forecast_of_one_more_ticket():
    site = make_site(("L1", ("A", "B")))
    waiting = [*tickets("A", 3, at("08:30")), *tickets("B", 2, at("08:31"), start_id=10)]
    now = at("09:00")
    new_a = wait_for_new_ticket(now, site, "A", waiting, [], TEN, DAY_PERIODS, RULES)
    # everything waiting goes first: 3 x 10 + 2 x 5 minutes
    assert new_a.at == now + timedelta(minutes=40)
    assert new_a.today


def test_the_forecast_calls_in_the_order_balancing_would():
    site = make_site(("L1", ("A", "B")))
    waiting = [
        WaitingTicket(1, "B", False, at("08:10")),
        WaitingTicket(2, "A", False, at("08:05")),
        WaitingTicket(3, "A", True, at("08:20")),
        WaitingTicket(4, "B", False, at("08:01")),
    ]
    result = forecast(at("09:00"), site, waiting, [], TEN, DAY_PERIODS, RULES)
    left, order = list(waiting), []
    while left:
        chosen = balancing.pick_next(left, ("A", "B"), 0)
        assert chosen is not None
        order.append(chosen.id)
        left.remove(chosen)
    assert sorted(result, key=lambda i: result[i].at) == order


def test_counters_in_the_morning_are_the_configured_ones():
    site = make_site(("L1", ("A",)), ("L2", ("B",)), ("L3", ("A", "B")))
    now = at("08:05")
    morning = counters_now(site, {}, {}, now, RULES, ["A", "B"])
    assert [c.id for c in morning] == ["TST-L1", "TST-L2", "TST-L3"]
    # L1 acted a minute ago; L2 and L3 long ago: B still needs a counter, so both B ones come
    last = {"TST-L1": now - timedelta(minutes=1), "TST-L2": now - timedelta(hours=2)}
    later = counters_now(site, last, {}, now, RULES, ["A", "B"])
    assert [c.id for c in later] == ["TST-L1", "TST-L2", "TST-L3"]
    only_a = counters_now(site, last, {}, now, RULES, ["A"])
    assert [c.id for c in only_a] == ["TST-L1"]
    serving = counters_now(site, last, {"TST-L3": ("A", now)}, now, RULES, ["A"])
    assert [(c.id, c.serving) for c in serving] == [("TST-L1", None), ("TST-L3", "A")]


def test_periods_of_day_follow_the_calendar():
    site = make_site(("L1", ("A",)))
    assert periods_of_day(site, DAY, WIB) == DAY_PERIODS
    assert periods_of_day(site, DAY + timedelta(days=1), WIB) == []  # no hours on Tuesday
    assert periods_of_day(site, DAY, WIB, {DAY: "Libur"}) == []


def test_priority_arrivals_widen_the_window_of_regular_tickets_only():
    site = make_site(("L1", ("A",)))
    waiting = [*tickets("A", 6, at("08:00")), WaitingTicket(9, "A", True, at("08:50"))]
    now = at("09:00")
    times = {"A": ServiceTime(600, 120, 30)}
    calm = forecast(now, site, waiting, [], times, DAY_PERIODS, RULES)
    rush = forecast(now, site, waiting, [], times, DAY_PERIODS, RULES, priority_per_hour={"A": 2.0})
    assert all(calm[i].at == rush[i].at for i in calm)  # the middle stays where balancing says
    assert rush[6].latest - rush[6].earliest > calm[6].latest - calm[6].earliest
    assert rush[9].latest - rush[9].earliest == calm[9].latest - calm[9].earliest
    for e in rush.values():
        assert e.at - e.earliest == e.latest - e.at  # the estimate is the window's middle


def test_a_ticket_taken_now_comes_after_one_issued_at_the_same_instant():
    site = make_site(("L1", ("A",)))
    now = at("09:00")
    waiting = [WaitingTicket(1, "A", False, now), WaitingTicket(2, "A", False, now)]
    new = wait_for_new_ticket(now, site, "A", waiting, [], TEN, DAY_PERIODS, RULES)
    assert new.at == now + timedelta(minutes=20)


def test_new_ticket_waits_in_one_run_agree_with_a_ticket_added_to_the_queue():
    """``forecast_with_new_tickets`` does not add the new ticket to the queue; on random
    queues (skipped tickets, priority, busy counters, a break) it must say what the forecast
    of the queue with that ticket added says."""
    rng = random.Random(9)
    site = make_site(("L1", ("A", "B")), ("L2", ("B", "C")), ("L3", ("A",)))
    periods = [(at("08:00"), at("12:00")), (at("13:00"), at("15:00"))]
    times = {
        "A": ServiceTime(600, 200, 40),
        "B": ServiceTime(300, 60, 10),
        "C": ServiceTime.exact(900),
    }
    checked = 0
    for _ in range(60):
        now = at("08:00") + timedelta(minutes=rng.randrange(0, 400))
        waiting = [
            WaitingTicket(
                i,
                rng.choice("ABC"),
                rng.random() < 0.15,
                now - timedelta(minutes=rng.randrange(0, 120)),
                rng.choice([None, None, None, 4, 6]),
            )
            for i in range(1, rng.randrange(0, 25))
        ]
        counters = [
            CounterNow(
                c.id,
                c.services,
                *(("A", now - timedelta(minutes=3)) if rng.random() < 0.5 else (None, None)),
            )
            for c in site.counters
            if rng.random() < 0.8
        ]
        known = {"call_count": 3, "priority_per_hour": {"A": rng.choice([0.0, 1.0])}}
        _, new = forecast_with_new_tickets(
            now, site, waiting, counters, times, periods, RULES, **known
        )
        for service in "ABC":
            added = WaitingTicket(999, service, False, now + timedelta(seconds=1))
            full = forecast(now, site, [*waiting, added], counters, times, periods, RULES, **known)
            assert new[service].at == full[999].at, (service, waiting, counters)
            assert new[service].today == full[999].today
            checked += 1
    assert checked == 180


def test_a_priority_ticket_taken_now_waits_only_for_the_counter():
    site = make_site(("L1", ("A",)))
    now = at("09:00")
    busy = [CounterNow("TST-L1", ("A",), "A", now - timedelta(minutes=4))]
    waiting = tickets("A", 5, at("08:30"))
    new = wait_for_new_ticket(now, site, "A", waiting, busy, TEN, DAY_PERIODS, RULES, priority=True)
    assert new.at == now + timedelta(minutes=6)
