"""The pure booking rules (``sahaja.core.booking``) and the ``[booking]`` config: windows,
quotas, bookable days, the code, and the check-in refusals."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

import pytest

from sahaja import protocol as p
from sahaja.config import BookingRules, ConfigError, default_config_text, load_config, parse_config
from sahaja.core import booking as rules
from tests.conftest import WIB

KEDIRI = load_config()
PRE = KEDIRI.sites["PRE"]
DEFAULT = KEDIRI.booking
MONDAY = date(2026, 11, 30)
FRIDAY = date(2026, 12, 4)
SATURDAY = date(2026, 12, 5)


def labels(windows: list[rules.Window]) -> list[str]:
    return [w.label for w in windows]


def config_with(booking_lines: str):
    """The Kediri config with its ``[booking]`` table replaced by ``booking_lines``."""
    text = default_config_text()
    start = text.index("[booking]")
    end = text.index("[ticket]")
    return parse_config(text[:start] + booking_lines + "\n\n" + text[end:])


def test_default_windows_are_hourly_from_opening_split_by_the_break_and_end_at_the_cutoff():
    # Monday 07:30-15:00, break 12:00-13:00, ticket cutoff 60 min: the last check-in 14:00
    assert labels(rules.windows_of_day(PRE, MONDAY, DEFAULT)) == [
        "07:30-08:30",
        "08:30-09:30",
        "09:30-10:30",
        "10:30-11:30",
        "11:30-12:00",  # half a window: kept
        "13:00-14:00",
    ]


def test_friday_windows_follow_friday_hours_and_the_prayer_break():
    # Friday 07:30-14:00, break 11:00-13:00, cutoff 13:00
    assert labels(rules.windows_of_day(PRE, FRIDAY, DEFAULT)) == [
        "07:30-08:30",
        "08:30-09:30",
        "09:30-10:30",
        "10:30-11:00",
    ]


def test_no_windows_on_a_closed_weekday_or_a_holiday():
    assert rules.windows_of_day(PRE, SATURDAY, DEFAULT) == []
    holidays = {MONDAY: "Cuti Bersama"}
    assert rules.windows_of_day(PRE, MONDAY, DEFAULT, holidays) == []


def test_a_site_can_configure_its_own_windows():
    cfg = config_with(
        '[booking]\nshare = 0.5\n[booking.windows]\nPRE = ["08:00-10:00", "10:00-12:00"]'
    )
    site = cfg.sites["PRE"]
    assert cfg.booking.share == 0.5
    assert labels(rules.windows_of_day(site, MONDAY, cfg.booking)) == [
        "08:00-10:00",
        "10:00-12:00",
    ]
    # other sites keep the default windows
    assert len(rules.windows_of_day(cfg.sites["DKC"], MONDAY, cfg.booking)) == 6


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ("[booking]\nshare = 1.5", "booking.share"),
        ("[booking]\nhorizon_days = -1", "booking.horizon_days"),
        ("[booking]\nwindow_minutes = 2", "booking.window_minutes"),
        ("[booking]\nsurprise = 1", "booking.surprise"),
        ('[booking]\n[booking.windows]\nXXX = ["08:00-09:00"]', "booking.windows.XXX"),
        ('[booking]\n[booking.windows]\nPRE = ["09:00-08:00"]', "booking.windows.PRE"),
        ('[booking]\n[booking.windows]\nPRE = ["08:00-10:00", "09:00-11:00"]', "overlaps"),
    ],
)
def test_bad_booking_config_is_refused_naming_the_key(lines, problem):
    with pytest.raises(ConfigError, match=problem.replace(".", r"\.")):
        config_with(lines)


def test_an_office_that_configures_nothing_gets_hourly_windows_and_thirty_percent():
    text = default_config_text()
    start, end = text.index("[booking]"), text.index("[ticket]")
    cfg = parse_config(text[:start] + text[end:])
    assert cfg.booking == BookingRules(share=0.3, horizon_days=14, window_minutes=60)


def test_the_share_of_the_daily_quota_is_spread_over_the_windows_exactly():
    windows = rules.windows_of_day(PRE, MONDAY, DEFAULT)
    quotas = rules.window_quotas(PRE, "KTP", windows, DEFAULT)
    assert sum(quotas) == math.floor(PRE.daily_quota * 0.3) == 24
    assert quotas == [4, 4, 4, 4, 4, 4]
    assert rules.spread(7, 3) == [3, 2, 2]
    assert rules.spread(2, 3) == [1, 1, 0]
    assert rules.spread(5, 0) == []


def test_a_service_quota_is_the_base_of_its_share():
    cfg = parse_config(
        default_config_text().replace(
            'code = "PRE"\nname = "Kantor Kecamatan Pare"\n',
            'code = "PRE"\nname = "Kantor Kecamatan Pare"\nservice_quota = { AKL = 20 }\n',
        )
    )
    site = cfg.sites["PRE"]
    windows = rules.windows_of_day(site, MONDAY, cfg.booking)
    assert sum(rules.window_quotas(site, "AKL", windows, cfg.booking)) == 6
    assert sum(rules.window_quotas(site, "KTP", windows, cfg.booking)) == 24


def test_remaining_places_count_the_window_and_the_whole_site_day():
    windows = rules.windows_of_day(PRE, MONDAY, DEFAULT)
    places = rules.remaining_places(PRE, "KTP", windows, DEFAULT, {450: 3}, site_booked=3)
    assert [w.remaining for w in places] == [1, 4, 4, 4, 4, 4]
    # the site's day cap (30 % of 80 = 24) bounds every service together
    places = rules.remaining_places(PRE, "KTP", windows, DEFAULT, {}, site_booked=22)
    assert [w.remaining for w in places] == [2] * 6
    places = rules.remaining_places(PRE, "KTP", windows, DEFAULT, {}, site_booked=24)
    assert [w.remaining for w in places] == [0] * 6


def test_bookable_days_start_tomorrow_skip_weekends_and_holidays_and_stop_at_the_horizon():
    now = datetime(2026, 11, 30, 8, 0, tzinfo=WIB)  # Monday
    holidays = {date(2026, 12, 2): "Libur"}
    days = rules.bookable_days(PRE, now, WIB, DEFAULT, holidays)
    assert days[0] == date(2026, 12, 1)
    assert date(2026, 12, 2) not in days
    assert SATURDAY not in days and date(2026, 12, 6) not in days
    assert days[-1] == date(2026, 12, 14)  # Monday, 14 days ahead
    assert all(d.weekday() < 5 for d in days)
    same_day = BookingRules(same_day=True)
    assert rules.bookable_days(PRE, now, WIB, same_day)[0] == MONDAY


def test_booking_refusals_closed_day_unknown_window_past_window_and_full():
    now = datetime(2026, 11, 30, 8, 0, tzinfo=WIB)
    tue = date(2026, 12, 1)
    window = rules.Window(450, 510)

    def refusal(day, w, places=4, at=now, rule=DEFAULT):
        r = rules.booking_refusal(PRE, day, w, at, WIB, rule, {}, places)
        return r.code if r else None

    assert refusal(tue, window) is None
    assert refusal(SATURDAY, window) == p.ERR_CLOSED
    assert refusal(tue, None) == p.ERR_CLOSED
    assert refusal(MONDAY, window) == p.ERR_CLOSED  # today: not bookable by default
    assert refusal(MONDAY + timedelta(days=15), window) == p.ERR_CLOSED  # beyond the horizon
    assert refusal(tue, window, places=0) == p.ERR_BOOKING_FULL
    same_day = BookingRules(same_day=True)
    assert refusal(MONDAY, window, rule=same_day) == p.ERR_CLOSED  # 07:30 has begun
    assert refusal(MONDAY, rules.Window(780, 840), rule=same_day) is None


def facts(status=p.BOOKING_BOOKED, site="PRE", day=date(2026, 12, 1), start=(8, 30)):
    begin = datetime(day.year, day.month, day.day, *start, tzinfo=WIB)
    return rules.BookingFacts(status, site, day, begin, begin + timedelta(hours=1))


def test_checkin_from_thirty_minutes_before_the_window_and_late_the_same_day():
    f = facts()

    def code(at, kiosk="PRE", fx=f):
        r = rules.checkin_refusal(fx, kiosk, "Kantor Kecamatan Pare", at, WIB)
        return r.code if r else None

    assert code(datetime(2026, 12, 1, 7, 59, tzinfo=WIB)) == p.ERR_TOO_EARLY
    assert code(datetime(2026, 11, 30, 9, 0, tzinfo=WIB)) == p.ERR_TOO_EARLY  # the day before
    assert code(datetime(2026, 12, 1, 8, 0, tzinfo=WIB)) is None
    assert code(datetime(2026, 12, 1, 13, 0, tzinfo=WIB)) is None  # late: ordinary queue
    assert code(datetime(2026, 12, 2, 8, 0, tzinfo=WIB)) == p.ERR_BOOKING_EXPIRED
    assert code(datetime(2026, 12, 1, 8, 30, tzinfo=WIB), kiosk="PPR") == p.ERR_WRONG_SITE
    for status, err in [
        (p.BOOKING_CANCELLED, p.ERR_BOOKING_CANCELLED),
        (p.BOOKING_CHECKED_IN, p.ERR_BOOKING_USED),
        (p.BOOKING_EXPIRED, p.ERR_BOOKING_EXPIRED),
    ]:
        assert code(datetime(2026, 12, 1, 8, 30, tzinfo=WIB), fx=facts(status)) == err


def test_wrong_site_names_the_right_service_point():
    r = rules.checkin_refusal(
        facts(), "PPR", "Kantor Kecamatan Pare", datetime(2026, 12, 1, 8, 30, tzinfo=WIB), WIB
    )
    assert r.params == {"site": "Kantor Kecamatan Pare"}


def test_booked_span_is_window_start_minus_thirty_minutes_to_window_end():
    f = facts()
    assert rules.booked_span(f.window_start, f.window_end) == (
        datetime(2026, 12, 1, 8, 0, tzinfo=WIB),
        datetime(2026, 12, 1, 9, 30, tzinfo=WIB),
    )


def test_expiry_only_of_booked_bookings_of_past_days():
    assert rules.expires(p.BOOKING_BOOKED, MONDAY, MONDAY + timedelta(days=1))
    assert not rules.expires(p.BOOKING_BOOKED, MONDAY, MONDAY)
    assert not rules.expires(p.BOOKING_CHECKED_IN, MONDAY, MONDAY + timedelta(days=1))


def test_codes_are_unambiguous_at_least_forty_bits_and_use_the_randomness_given():
    alphabet = p.BOOKING_CODE_ALPHABET
    assert not set(alphabet) & set("01OIL2Z5S8BUV")
    assert p.BOOKING_CODE_LENGTH * math.log2(len(alphabet)) >= 40
    seeded = random.Random(7)
    one = rules.new_code(seeded.randrange)
    assert len(one) == p.BOOKING_CODE_LENGTH and set(one) <= set(alphabet)
    assert rules.new_code(random.Random(7).randrange) == one  # randomness passed in
    assert rules.new_code(lambda n: 0) == alphabet[0] * p.BOOKING_CODE_LENGTH


def test_typed_codes_are_normalised_and_impossible_ones_refused():
    assert rules.normalize_code("acd-479 hjk") == "ACD479HJK"
    assert rules.display_code("ACD479HJK") == "ACD-479-HJK"
    assert rules.normalize_code("ACD479HJ") is None  # too short
    assert rules.normalize_code("ACD479HJO") is None  # O is not in the alphabet
    assert rules.normalize_code("") is None
