"""The forecast's model of the office: counters' own hours (rosters), services that run on
through a break, the site's pace before a service is learned, and the window's width."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from sahaja.config import ConfigError, Hours, parse_config
from sahaja.core.forecast import (
    CounterNow,
    ServiceTime,
    Z,
    counter_periods,
    forecast,
    rostered_later,
    site_pace,
    with_pace,
)
from tests.core.test_config import MINIMAL
from tests.core.test_forecast import DAY, DAY_PERIODS, RULES, TEN, at, make_site, tickets


def rostered(site, code: str, hours: str):
    """``site`` with counter ``code`` staffed only ``hours`` ("HH:MM-HH:MM") on DAY."""
    a, b = (int(x[:2]) * 60 + int(x[3:]) for x in hours.split("-"))
    counters = tuple(
        dataclasses.replace(c, hours={DAY.weekday(): Hours(a, b)}) if c.code == code else c
        for c in site.counters
    )
    return dataclasses.replace(site, counters=counters)


def test_a_citizen_at_the_desk_is_served_through_the_break():
    site = make_site(("L1", ("A",)))
    periods = [(at("08:00"), at("12:00")), (at("13:00"), at("15:00"))]
    busy = CounterNow("TST-L1", ("A",), "A", at("11:55"))
    result = forecast(at("11:56"), site, tickets("A", 1, at("11:00")), [busy], TEN, periods, RULES)
    # the 10-minute service ends at 12:05, in the break: the next call is at 13:00 sharp,
    # not 13:00 plus the 9 minutes left at 12:00
    assert result[1].at == at("13:00")


def test_a_service_called_before_the_break_runs_into_it():
    site = make_site(("L1", ("A",)))
    periods = [(at("08:00"), at("12:00")), (at("13:00"), at("15:00"))]
    result = forecast(at("11:55"), site, tickets("A", 2, at("11:00")), [], TEN, periods, RULES)
    assert result[1].at == at("11:55")
    assert result[2].at == at("13:00")  # its 10 minutes end at 12:05, inside the break


def test_a_counter_staffed_later_calls_only_from_then_and_the_other_goes_first():
    site = rostered(make_site(("L1", ("A",)), ("L2", ("A",))), "L2", "09:00-15:00")
    waiting = tickets("A", 3, at("07:50"))
    result = forecast(at("08:00"), site, waiting, [], TEN, DAY_PERIODS, RULES)
    # L1 calls 1, 2 at 08:00, 08:10 ... 3 at 08:20; L2 would only come at 09:00
    assert [result[i].at for i in (1, 2, 3)] == [at("08:00"), at("08:10"), at("08:20")]


def test_a_counter_leaving_at_noon_calls_nothing_after():
    site = rostered(make_site(("L1", ("A",)), ("L2", ("A",))), "L2", "08:00-12:00")
    waiting = tickets("A", 4, at("11:00"))
    result = forecast(at("11:50"), site, waiting, [], TEN, DAY_PERIODS, RULES)
    # 11:50: L1 takes 1, L2 takes 2 (its last, it is gone at 12:00); 3 and 4 wait for L1
    assert [result[i].at for i in (1, 2, 3, 4)] == [
        at("11:50"),
        at("11:50"),
        at("12:00"),
        at("12:10"),
    ]


def test_without_rosters_every_counter_calls_all_day():
    site = make_site(("L1", ("A",)), ("L2", ("A",)))
    result = forecast(at("11:50"), site, tickets("A", 4, at("11:00")), [], TEN, DAY_PERIODS, RULES)
    assert [result[i].at for i in (1, 2, 3, 4)] == [at("11:50")] * 2 + [at("12:00")] * 2


def test_counter_periods_cut_the_site_periods_to_the_roster():
    site = rostered(make_site(("L1", ("A",))), "L1", "08:30-13:30")
    periods = [(at("08:00"), at("12:00")), (at("13:00"), at("15:00"))]
    assert counter_periods(site.counters[0], periods) == [
        (at("08:30"), at("12:00")),
        (at("13:00"), at("13:30")),
    ]
    assert counter_periods(make_site(("L1", ("A",))).counters[0], periods) == periods


def test_a_counter_on_the_afternoon_roster_is_expected_though_idle_now():
    site = rostered(make_site(("L1", ("A",)), ("L2", ("A",))), "L2", "13:00-15:00")
    open_now = [CounterNow("TST-L1", ("A",))]
    later = rostered_later(at("10:00"), site, open_now, DAY_PERIODS)
    assert [c.id for c in later] == ["TST-L2"]
    assert rostered_later(at("13:30"), site, open_now, DAY_PERIODS) == []
    result = forecast(
        at("10:00"), site, tickets("A", 40, at("09:00")), open_now, TEN, DAY_PERIODS, RULES
    )
    callers = sorted(e.at for e in result.values() if e.at >= at("13:00"))
    assert callers[:2] == [at("13:00"), at("13:00")]  # both counters call in the afternoon


def test_the_site_pace_scales_services_not_learned_yet():
    times = {
        "A": ServiceTime.from_durations([720.0] * 10, 600),  # learned: 1.2x its default
        "B": ServiceTime.from_durations([], 300),  # nothing yet: the default
    }
    assert site_pace(times) == pytest.approx(1.2)
    paced = with_pace(times)
    assert paced["A"] == times["A"]
    assert paced["B"].mean == pytest.approx(360)
    assert site_pace({"B": times["B"]}) == 1.0  # nothing learned: the config is all we have
    assert with_pace(TEN) == TEN  # exact times (the reference) have no default to scale


def test_the_window_grows_with_the_square_root_of_the_work_ahead():
    site = make_site(("L1", ("A",)))
    times = {"A": ServiceTime(600, 300, 0)}  # spread, no doubt about the mean
    result = forecast(
        at("08:00"), site, tickets("A", 17, at("07:40")), [], times, DAY_PERIODS, RULES
    )
    half = {n: (result[n + 1].latest - result[n + 1].earliest) / 2 for n in (4, 16)}
    assert half[4] == timedelta(seconds=Z * 300 * 2)  # 4 services ahead: 2 sd
    assert half[16] == timedelta(seconds=Z * 300 * 4)  # 4x the work: twice the width


def test_a_counter_roster_is_read_from_the_config():
    text = MINIMAL.replace(
        'services = ["KTP", "KK"]\n[[kecamatan]]',
        'services = ["KTP", "KK"]\nhours = { mon = "08:15-12:00" }\n[[kecamatan]]',
    )
    counter = parse_config(text).sites["PRE"].counters[0]
    assert counter.hours == {0: Hours(495, 720)}
    assert parse_config(MINIMAL).sites["PRE"].counters[0].hours == {}
    with pytest.raises(ConfigError, match=r"site\[PRE\]\.counter\[L1\]\.hours\.mon: malformed"):
        parse_config(text.replace("08:15-12:00", "12:00-08:15"))
