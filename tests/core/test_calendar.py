"""The office calendar: breaks, holidays (national and configured), early kiosk opening, and
the config that describes them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from sahaja import protocol as p
from sahaja.config import ConfigError, load_config, parse_config
from sahaja.core import actions, admission, calendar

WIB = ZoneInfo("Asia/Jakarta")
KEDIRI = load_config()
PRE = KEDIRI.sites["PRE"]
MONDAY = date(2026, 11, 30)
FRIDAY = date(2026, 12, 4)

BASE = """
[[service]]
code = "KTP"
prefix = "A"
name = "KTP-el"

[[site]]
code = "X"
name = "Kantor X"
daily_quota = 10
hours = { mon = "08:00-15:00", fri = "08:00-14:00" }
{site_extra}

[[site.counter]]
code = "L1"
services = ["KTP"]
"""


def office(site_extra: str = "", top: str = ""):
    return parse_config(top + BASE.replace("{site_extra}", site_extra), source="t.toml")


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=WIB)


def counts() -> admission.DayCounts:
    return admission.DayCounts(0, 0, 0)


# --- breaks -------------------------------------------------------------------------------


def test_kediri_breaks_are_lunch_and_friday_prayers():
    assert calendar.calling_periods(PRE, MONDAY) == [(7 * 60 + 30, 12 * 60), (13 * 60, 15 * 60)]
    assert calendar.calling_periods(PRE, FRIDAY) == [(7 * 60 + 30, 11 * 60), (13 * 60, 14 * 60)]
    assert [b.name for b in calendar.breaks_on(PRE, FRIDAY)] == ["Istirahat dan Sholat Jumat"]
    assert calendar.breaks_on(PRE, date(2026, 12, 5)) == []  # Saturday: closed, no breaks


@pytest.mark.parametrize(
    ("hh", "mm", "on_break"),
    [(11, 59, False), (12, 0, True), (12, 59, True), (13, 0, False)],
)
def test_next_is_refused_during_the_break_and_allowed_after(hh, mm, on_break):
    pause = calendar.break_at(PRE, at(MONDAY, hh, mm), WIB)
    assert (pause is not None) is on_break
    refusal = actions.refusal(p.ACTION_NEXT, has_current=False, on_break=pause)
    if on_break:
        assert refusal is not None and refusal.code == p.ERR_ON_BREAK
        assert refusal.params == {"name": "Istirahat", "until": "13:00"}
        assert p.ERROR_STATUS[refusal.code] == 409
    else:
        assert refusal is None


def test_during_a_break_the_current_ticket_is_still_served():
    pause = calendar.break_at(PRE, at(FRIDAY, 11, 30), WIB)
    assert pause is not None and pause.to_minute == 13 * 60
    for action in (p.ACTION_RECALL, p.ACTION_SKIP, p.ACTION_FINISH, p.ACTION_TRANSFER):
        assert actions.refusal(action, has_current=True, on_break=pause) is None
    assert actions.refusal(p.ACTION_NEXT, has_current=True, on_break=pause) is not None


def test_the_kiosk_issues_through_a_break_unless_the_site_says_otherwise():
    assert admission.check_issue(PRE, "KTP", counts(), at(MONDAY, 12, 30), WIB) is None
    strict = office(
        'issue_during_breaks = false\nbreaks = [{days = ["mon"], from = "12:00", to = "13:00"}]'
    ).sites["X"]
    refusal = admission.check_issue(strict, "KTP", counts(), at(MONDAY, 12, 30), WIB)
    assert refusal is not None and refusal.code == p.ERR_CLOSED
    assert refusal.message_key == "server.closed_break"
    assert refusal.params["name"] == "Istirahat" and refusal.params["until"] == "13:00"
    assert admission.check_issue(strict, "KTP", counts(), at(MONDAY, 13, 0), WIB) is None


def test_a_site_overrides_the_office_breaks():
    top = 'breaks = [{days = ["mon", "fri"], from = "12:00", to = "13:00", name = "Makan"}]\n'
    cfg = office(top=top)
    assert [str(b) for b in cfg.sites["X"].breaks] == ["12:00-13:00"]
    own = office('breaks = [{days = ["fri"], from = "11:30", to = "12:30"}]', top=top)
    assert calendar.calling_periods(own.sites["X"], MONDAY) == [(8 * 60, 15 * 60)]
    none = office("breaks = []", top=top)
    assert none.sites["X"].breaks == ()


# --- holidays ----------------------------------------------------------------------------


def test_a_holiday_closes_issuing_with_its_name_and_has_no_calling_periods():
    holidays = {MONDAY: "Hari Libur Daerah"}
    refusal = admission.check_issue(PRE, "KTP", counts(), at(MONDAY, 9), WIB, holidays)
    assert refusal is not None and refusal.code == p.ERR_CLOSED
    assert refusal.message_key == "server.closed_holiday"
    assert refusal.params["name"] == "Hari Libur Daerah"
    assert calendar.calling_periods(PRE, MONDAY, holidays) == []
    reason = calendar.issuing_closed(PRE, at(MONDAY, 9), WIB, holidays)
    assert calendar.closed_payload(reason) == {
        "kind": p.CLOSED_HOLIDAY,
        "name": "Hari Libur Daerah",
        "until": None,
    }


def test_a_configured_cuti_bersama_of_2027_closes_the_office():
    cuti = date(2027, 3, 12)  # a Friday
    holidays = KEDIRI.holidays_of("PRE")
    assert holidays[cuti] == "Cuti Bersama Idulfitri"
    assert len([d for d in holidays if d.year == 2027]) == 8
    refusal = admission.check_issue(PRE, "KTP", counts(), at(cuti, 9), WIB, holidays)
    assert refusal is not None and refusal.params["name"] == "Cuti Bersama Idulfitri"


def test_a_2027_national_holiday_from_the_library_closes_the_office():
    from server.closed_days import site_holidays  # the server's adapter over `holidays`

    holidays = site_holidays(KEDIRI)["PRE"]
    idulfitri = date(2027, 3, 10)  # a Wednesday
    assert "Idul Fitri" in holidays[idulfitri]
    assert holidays[date(2027, 5, 20)] == "Hari Raya Waisak"
    assert holidays[date(2027, 3, 9)] == "Cuti Bersama Idulfitri 1448 H"  # from kediri.toml
    assert date(2027, 3, 16) not in holidays  # an ordinary Tuesday
    refusal = admission.check_issue(PRE, "KTP", counts(), at(idulfitri, 9), WIB, holidays)
    assert refusal is not None and refusal.message_key == "server.closed_holiday"
    assert calendar.calling_periods(PRE, idulfitri, holidays) == []
    assert (
        admission.check_issue(PRE, "KTP", counts(), at(date(2027, 3, 16), 9), WIB, holidays) is None
    )


def test_national_holidays_close_an_office_that_lists_no_holiday_of_its_own():
    from server.closed_days import site_holidays

    holidays = site_holidays(office())["X"]  # no [[holiday]] in this config
    iduladha = date(2027, 5, 17)  # a Monday
    refusal = admission.check_issue(
        office().sites["X"], "KTP", counts(), at(iduladha, 9), WIB, holidays
    )
    assert refusal is not None and "Idul Adha" in refusal.params["name"]


def test_national_holidays_can_be_switched_off_and_a_closure_can_be_local():
    from server.closed_days import site_holidays

    cfg = office(
        top='national_holidays = false\n[[holiday]]\ndate = 2027-03-16\nname = "Rapat"\n'
        'sites = ["X"]\n'
    )
    holidays = site_holidays(cfg)["X"]
    assert date(2027, 3, 10) not in holidays
    assert holidays[date(2027, 3, 16)] == "Rapat"


# --- the kiosk opens before the counters --------------------------------------------------


def test_the_kiosk_may_open_before_the_counters_call():
    site = office('kiosk_opens = "06:30"').sites["X"]
    early = admission.check_issue(site, "KTP", counts(), at(MONDAY, 6, 29), WIB)
    assert early is not None and early.message_key == "server.closed_before_open"
    assert early.params["until"] == "06:30"
    assert admission.check_issue(site, "KTP", counts(), at(MONDAY, 6, 30), WIB) is None
    assert calendar.calling_periods(site, MONDAY) == [(8 * 60, 15 * 60)]  # counters: 08:00
    default = office().sites["X"]
    assert admission.check_issue(default, "KTP", counts(), at(MONDAY, 7, 59), WIB) is not None


# --- config validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "key", "problem"),
    [
        ('breaks = [{days = ["mon"], from = "12:00"}]', "site[X].breaks[0].to", "missing"),
        (
            'breaks = [{days = ["mon"], from = "12.00", to = "13:00"}]',
            "breaks[0].from",
            "malformed",
        ),
        ('breaks = [{days = ["mon"], from = "13:00", to = "12:00"}]', "breaks[0].to", "not after"),
        (
            'breaks = [{days = ["sen"], from = "12:00", to = "13:00"}]',
            "breaks[0].days",
            "unknown day",
        ),
        ('breaks = [{days = [], from = "12:00", to = "13:00"}]', "breaks[0].days", "at least one"),
        ('breaks = [{days = ["tue"], from = "12:00", to = "13:00"}]', "breaks[0].days", "closed"),
        ('breaks = [{days = ["fri"], from = "13:30", to = "14:30"}]', "breaks[0]", "outside"),
        (
            'breaks = [{days = ["mon"], from = "12:00", to = "13:00", who = 1}]',
            "breaks[0].who",
            "unknown key",
        ),
        (
            'breaks = [{days = ["mon"], from = "12:00", to = "13:00"},'
            ' {days = ["mon"], from = "12:30", to = "13:30"}]',
            "breaks[1]",
            "overlaps",
        ),
        ('kiosk_opens = "8:00"', "site[X].kiosk_opens", "malformed"),
        ('kiosk_opens = "09:00"', "site[X].kiosk_opens", "after the opening time"),
        ('issue_during_breaks = "no"', "site[X].issue_during_breaks", "expected"),
    ],
)
def test_calendar_config_errors_name_the_key(extra, key, problem):
    with pytest.raises(ConfigError) as err:
        office(extra)
    assert f": site[X].{key.removeprefix('site[X].')}:" in str(err.value)
    assert problem in str(err.value)


@pytest.mark.parametrize(
    ("top", "key", "problem"),
    [
        ('[[holiday]]\nname = "Libur"\n', "holiday[0].date", "missing"),
        (
            '[[holiday]]\ndate = "2027-02-30"\nname = "Libur"\n',
            "holiday[0].date",
            "expected a date",
        ),
        (
            '[[holiday]]\ndate = 2027-02-05T08:00:00\nname = "x"\n',
            "holiday[0].date",
            "expected a date",
        ),
        ('[[holiday]]\ndate = 2027-02-05\nname = ""\n', "holiday[0].name", "empty"),
        (
            '[[holiday]]\ndate = 2027-02-05\nname = "x"\nsites = ["Q"]\n',
            "holiday[0].sites",
            "unknown site",
        ),
        (
            '[[holiday]]\ndate = 2027-02-05\nname = "a"\n'
            '[[holiday]]\ndate = "2027-02-05"\nname = "b"\n',
            "holiday[1].date",
            "already listed",
        ),
        ('national_holidays = "yes"\n', "national_holidays", "expected"),
        (
            'breaks = [{days = ["mon"], from = "25:00", to = "26:00"}]\n',
            "breaks[0].from",
            "malformed",
        ),
    ],
)
def test_office_calendar_config_errors_name_the_key(top, key, problem):
    # [[holiday]] tables must come after the site's, so they are appended to the text
    text = BASE.replace("{site_extra}", "")
    text = (top + text) if not top.startswith("[[holiday]]") else (text + top)
    with pytest.raises(ConfigError) as err:
        parse_config(text, source="t.toml")
    assert f"t.toml: {key}:" in str(err.value)
    assert problem in str(err.value)
