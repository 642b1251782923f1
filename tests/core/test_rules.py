from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sahaja.config import QueueRules, load_config
from sahaja.core import admission, balancing, calendar, estimate
from sahaja.core.tickets import WaitingTicket, format_number

WIB = ZoneInfo("Asia/Jakarta")
CFG = load_config()
PRE = CFG.sites["PRE"]


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=WIB)  # 30 Nov 2026 is a Monday


def counts(site=0, service=0, seq=0):
    return admission.DayCounts(site, service, seq)


def test_number_format():
    assert format_number("A", 12) == "A012"
    assert format_number("F", 999) == "F999"
    with pytest.raises(ValueError):
        format_number("A", 1000)


def test_local_day_turns_at_wib_midnight_not_utc():
    just_before = datetime(2026, 11, 30, 16, 59, tzinfo=ZoneInfo("UTC"))  # 23:59 WIB
    assert calendar.local_day(just_before, WIB).day == 30
    assert calendar.local_day(just_before + timedelta(minutes=1), WIB).day == 1


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        (at(30, 7, 29), "closed_before_open"),
        (at(30, 7, 30), None),
        (at(30, 13, 59), None),
        (at(30, 14, 0), "closed_after_cutoff"),  # 15:00 close - 60 min cutoff
        (at(30, 15, 0), "closed_after_close"),
        (at(28, 9, 0), "closed_day"),  # Saturday
        (at(29, 9, 0), "closed_day"),  # Sunday
        (at(27, 12, 59), None),  # Friday closes 14:00, cutoff 13:00
        (at(27, 13, 0), "closed_after_cutoff"),
    ],
)
def test_hours_and_cutoff(when, reason):
    refusal = admission.check_issue(PRE, "KTP", counts(), when, WIB)
    if reason is None:
        assert refusal is None
    else:
        assert refusal is not None and refusal.code == "closed"
        assert refusal.message_key == f"server.{reason}"


def test_open_all_day():
    from sahaja.config import Hours

    assert str(Hours(0, 1440)) == "00:00-24:00"


def test_site_quota_and_service_quota():
    site = PRE.__class__(**{**PRE.__dict__, "service_quota": {"KTP": 2}})
    assert admission.check_issue(site, "KTP", counts(79, 1, 1), at(30, 9), WIB) is None
    r = admission.check_issue(site, "KTP", counts(80, 1, 1), at(30, 9), WIB)
    assert r and r.code == "quota_exhausted"
    r = admission.check_issue(site, "KTP", counts(5, 2, 2), at(30, 9), WIB)
    assert r and r.code == "quota_exhausted"
    assert admission.check_issue(site, "KK", counts(5, 2, 2), at(30, 9), WIB) is None
    assert admission.remaining(site, "KTP", 5, 1) == 1
    assert admission.remaining(site, "KK", 5, 0) == 75
    assert admission.remaining(site, "KK", 90, 0) == 0


def test_places_held_for_bookings_are_not_for_walk_ins():
    site = PRE.__class__(**{**PRE.__dict__, "service_quota": {"KTP": 10}})
    held = admission.DayCounts(76, 1, 1, site_held=4, service_held=0)
    r = admission.check_issue(site, "KK", held, at(30, 9), WIB)
    assert r and r.code == "quota_exhausted"  # 76 issued + 4 held = 80
    ktp = admission.DayCounts(5, 7, 7, site_held=3, service_held=3)
    r = admission.check_issue(site, "KTP", ktp, at(30, 9), WIB)
    assert r and r.code == "quota_exhausted"  # 7 + 3 held of KTP's 10
    assert admission.remaining(site, "KTP", 5, 6, 3, 3) == 1
    assert admission.remaining(site, "KK", 70, 0, 4, 0) == 6
    # a check-in takes the place held for itself, not one held for someone else
    assert admission.held_for_booking(3, own_hold=True) == 2
    assert admission.held_for_booking(0, own_hold=True) == 0
    assert admission.held_for_booking(3, own_hold=False) == 3


def test_numbers_run_out_at_999():
    site = PRE.__class__(**{**PRE.__dict__, "daily_quota": 5000})
    r = admission.check_issue(site, "KTP", counts(999, 999, 999), at(30, 9), WIB)
    assert r and r.code == "numbers_exhausted"


def wt(i, service="KTP", priority=False, minute=0, eligible=None):
    return WaitingTicket(i, service, priority, at(30, 8, minute), eligible)


def test_next_gives_priority_first_then_longest_waiting_among_served_services():
    waiting = [
        wt(1, "KTP", minute=1),
        wt(2, "KK", minute=0),
        wt(3, "AKL", minute=0),
        wt(4, "KTP", priority=True, minute=5),
    ]
    assert balancing.pick_next(waiting, ["KTP", "KK"], 0).id == 4
    rest = [t for t in waiting if t.id != 4]
    assert balancing.pick_next(rest, ["KTP", "KK"], 0).id == 2
    assert balancing.pick_next(rest, ["KTP"], 0).id == 1
    assert balancing.pick_next(rest, ["SPD"], 0) is None


def test_no_service_starves_counter_takes_the_oldest_across_its_services():
    # A steady stream of KTP must not starve an older KK ticket at a counter serving both.
    waiting = [wt(1, "KK", minute=0)] + [wt(i, "KTP", minute=i) for i in range(2, 20)]
    assert balancing.pick_next(waiting, ["KTP", "KK"], 0).id == 1


def test_skip_returns_after_n_calls_then_no_show():
    rules = QueueRules(skip_recall_after=3, max_skips=2)
    first = balancing.skip(0, call_count=10, rules=rules)
    assert (first.status, first.skips, first.eligible_after_call) == ("waiting", 1, 13)
    second = balancing.skip(1, call_count=20, rules=rules)
    assert second.status == "waiting"
    third = balancing.skip(2, call_count=30, rules=rules)
    assert (third.status, third.eligible_after_call) == ("no_show", None)


def test_skipped_ticket_waits_its_turn_but_a_counter_never_idles():
    skipped = wt(1, minute=0, eligible=13)
    fresh = wt(2, minute=5)
    assert balancing.pick_next([skipped, fresh], ["KTP"], 12).id == 2
    assert balancing.pick_next([skipped, fresh], ["KTP"], 13).id == 1  # due: oldest again
    assert balancing.pick_next([skipped], ["KTP"], 10).id == 1  # nothing else: call it


def test_estimates_use_ahead_mean_and_open_counters():
    waiting = [wt(i, minute=i) for i in range(1, 6)] + [wt(9, priority=True, minute=30)]
    me = waiting[3]  # 4th regular; the priority ticket goes first
    assert estimate.ahead_of(me, waiting) == 4
    assert estimate.ahead_of(waiting[-1], waiting) == 0
    now = at(30, 9)
    assert estimate.estimated_call_at(now, 4, 600, 2) == now + timedelta(seconds=1200)
    assert estimate.estimated_call_at(now, 4, 600, 0) == now + timedelta(seconds=2400)
    assert estimate.estimated_call_at(now, 0, 600, 1) == now
    assert estimate.rolling_mean_seconds([], 480) == 480
    assert estimate.rolling_mean_seconds([300, 500], 480) == 400


def test_calling_periods_are_the_opening_hours_minus_breaks_and_none_on_a_holiday():
    from datetime import date

    from sahaja.config import load_config
    from sahaja.core.calendar import calling_periods

    pare = load_config().sites["PRE"]
    monday, sunday = date(2026, 12, 7), date(2026, 12, 6)
    hours = pare.hours[monday.weekday()]
    lunch = 12 * 60, 13 * 60  # kediri.toml's Monday break
    assert calling_periods(pare, monday) == [
        (hours.open_minute, lunch[0]),
        (lunch[1], hours.close_minute),
    ]
    assert calling_periods(pare, sunday) == []
    assert calling_periods(pare, monday, {monday: "Libur"}) == []
