"""The demo's office: open at any hour, everything else as configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sahaja.config import parse_config
from sahaja.core import calendar
from server.demo.office import DEMO_SUFFIX, demo_config_text

KEDIRI = Path(__file__).resolve().parents[2] / "sahaja" / "kediri.toml"


@pytest.fixture(scope="module")
def pair():
    text = KEDIRI.read_text(encoding="utf-8")
    return parse_config(text), parse_config(demo_config_text(text))


def test_every_site_issues_at_every_hour_of_every_day(pair) -> None:
    real, demo = pair
    start = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)  # Monday 00:30 WIB
    assert demo.national_holidays is False and demo.holidays == ()
    for site in demo.sites.values():
        for hour in range(0, 24 * 7, 5):  # every weekday, hours spread over the day
            now = start + timedelta(hours=hour)
            assert calendar.issuing_closed(site, now, demo.tz, {}) is None, (site.code, now)
            assert calendar.break_at(site, now, demo.tz) is None
    # the real office is closed at 00:30 on a Monday and on a Sunday: the demo changed that
    pare = real.sites["PRE"]
    assert calendar.issuing_closed(pare, start, real.tz, {}) is not None
    assert calendar.issuing_closed(pare, start - timedelta(days=1), real.tz, {}) is not None


def test_sites_services_counters_and_quotas_are_kept(pair) -> None:
    real, demo = pair
    assert demo.name == real.name + DEMO_SUFFIX  # every screen showing the name says DEMO
    assert list(demo.sites) == list(real.sites) and demo.services == real.services
    for code, site in real.sites.items():
        shown = demo.sites[code]
        assert shown.counters == site.counters and shown.services == site.services
        assert shown.daily_quota == site.daily_quota
    assert demo.kecamatan == real.kecamatan


def test_a_config_with_its_own_closures_is_opened_too() -> None:
    text = KEDIRI.read_text(encoding="utf-8").replace(
        "national_holidays = true",
        'national_holidays = true\n\n[[holiday]]\ndate = "2026-12-24"\nname = "Cuti bersama"',
        1,
    )
    assert parse_config(text).holidays  # the input really has a holiday
    demo = parse_config(demo_config_text(text))
    assert demo.holidays == ()
    again = demo_config_text(demo_config_text(text))
    assert parse_config(again).name.count(DEMO_SUFFIX) == 1  # not "(DEMO) (DEMO)"
