"""The priority outlook: earlier days' priority arrivals per hour, blended with today's."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sahaja.core.priority_outlook import (
    PriorityOutlook,
    hourly_prior,
    priority_outlook,
    spread_over,
)

WIB = ZoneInfo("Asia/Jakarta")
MIDNIGHT = datetime(2026, 12, 10, tzinfo=WIB)


def at(hhmm: str) -> datetime:
    return MIDNIGHT + timedelta(hours=int(hhmm[:2]), minutes=int(hhmm[3:]))


def test_hourly_prior_averages_the_earlier_days_per_hour():
    # 4 tickets at 08:xx and 2 at 13:xx over 2 days
    prior = hourly_prior({"KTP": [480, 490, 500, 530, 790, 800]}, 2)
    assert prior["KTP"][8] == 2.0
    assert prior["KTP"][13] == 1.0
    assert sum(prior["KTP"]) == 3.0
    assert hourly_prior({"KTP": [480]}, 0) == {}


def test_spread_over_integrates_partial_hours():
    rates = [0.0] * 24
    rates[8], rates[9] = 2.0, 4.0
    assert spread_over(rates, MIDNIGHT, at("08:30"), at("09:15")) == pytest.approx(1.0 + 1.0)
    assert spread_over(rates, MIDNIGHT, at("09:15"), at("08:30")) == 0.0
    assert spread_over([3.0], None, at("08:00"), at("08:40")) == pytest.approx(2.0)


def test_early_in_the_day_the_prior_speaks():
    earlier = {"KTP": [480 + i for i in range(0, 60, 6)]}  # 10 tickets at 08:xx over 5 days
    outlook = priority_outlook(at("07:30"), MIDNIGHT, {}, earlier, 5, at("07:30"), weight=5)
    assert outlook.expected("KTP", at("08:00"), at("09:00")) == pytest.approx(2.0)
    # without earlier days: today's flat rate, nothing seen yet, nothing expected
    first = priority_outlook(at("07:30"), MIDNIGHT, {}, {}, 0, at("07:30"))
    assert first.expected("KTP", at("08:00"), at("09:00")) == 0.0


def test_todays_weight_grows_with_its_count():
    earlier = {"KTP": [480 + i for i in range(0, 60, 6)]}  # the usual: 2 an hour at 08:xx
    now = at("09:00")  # 2 expected by now
    busy = priority_outlook(now, MIDNIGHT, {"KTP": 6}, earlier, 5, at("07:30"), weight=2)
    assert busy.rate_at("KTP", at("08:30")) == pytest.approx(2.0 * (6 + 2) / (2 + 2))
    heavier = priority_outlook(now, MIDNIGHT, {"KTP": 6}, earlier, 5, at("07:30"), weight=20)
    assert 2.0 < heavier.rate_at("KTP", at("08:30")) < busy.rate_at("KTP", at("08:30"))
    quiet = priority_outlook(now, MIDNIGHT, {}, earlier, 5, at("07:30"), weight=2)
    assert quiet.rate_at("KTP", at("08:30")) == pytest.approx(2.0 * 2 / 4)


def test_a_service_unknown_to_the_prior_gets_todays_rate_from_now_on():
    outlook = priority_outlook(
        at("09:30"), MIDNIGHT, {"KK": 2}, {"KTP": [480]}, 1, at("07:30"), weight=5
    )
    assert outlook.rate_at("KK", at("10:00")) == pytest.approx(1.0)  # 2 over 2 hours
    assert outlook.rate_at("KK", at("08:00")) == 0.0


def test_a_flat_outlook_is_the_same_all_day():
    flat = PriorityOutlook.flat({"KTP": 3.0})
    assert flat.rate_at("KTP", at("08:00")) == flat.rate_at("KTP", at("14:00")) == 3.0
    assert flat.combined({"KTP": 600.0}) == [1800.0]
