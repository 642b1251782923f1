"""The report of a day driven through the real API (tests/reports/conftest.py), checked
figure by figure, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from server.reports.data import build_report
from tests.reports.conftest import DAY, NEXT_DAY


@pytest.fixture
def driven(driven_day):
    return driven_day


def report_of(app, first=DAY, last=DAY, site="PRE"):
    svc = app.extensions["sahaja"]
    return build_report(svc.db.read_engine, svc.config, first, last, site)


def rows_by(entries, key):
    return {row[key]: row for row in entries}


def test_counts_per_service_follow_the_rules(driven):
    report = report_of(driven.app)
    assert (report["from"], report["to"]) == ("2026-11-30", "2026-11-30")
    [pre] = report["sites"]
    assert pre["site"] == "PRE"
    services = rows_by(pre["services"], "service")
    assert list(services) == ["KTP", "KK", "AKL", "AKM", "SPK", "SPD"]  # the site's order

    def counts(code):
        row = services[code]
        keys = ("issued", "served", "no_show", "voided", "transferred", "expired")
        return tuple(row[k] for k in keys)

    # A001 served, A002 skipped once then served, A003 voided (still issued)
    assert counts("KTP") == (3, 2, 0, 1, 0, 0)
    # B001 transferred to KTP and served there: counted under KK, once, and in transferred
    assert counts("KK") == (1, 1, 0, 0, 1, 0)
    assert counts("AKL") == (1, 0, 1, 0, 0, 0)  # C001: skipped twice, a no-show
    assert counts("AKM") == (1, 0, 0, 0, 0, 1)  # D001: never called, expired at midnight
    assert counts("SPK") == counts("SPD") == (0, 0, 0, 0, 0, 0)
    total = pre["total"]
    assert (total["issued"], total["served"], total["no_show"], total["voided"]) == (6, 3, 1, 1)
    assert (total["transferred"], total["expired"]) == (1, 1)


def test_waiting_and_service_times(driven):
    [pre] = report_of(driven.app)["sites"]
    services = rows_by(pre["services"], "service")
    # waits to the first call: A001 10, A002 5 (its second call does not count)
    assert services["KTP"]["wait_minutes"] == {"median": 7.5, "p90": 9.5}
    assert services["KK"]["wait_minutes"] == {"median": 10.0, "p90": 10.0}  # B001's first call
    assert services["AKL"]["wait_minutes"] == {"median": 5.0, "p90": 5.0}
    assert services["AKM"]["wait_minutes"] == {"median": None, "p90": None}
    # service times where the service was given: A001 10, A002 2 (from its last call), and
    # B001 12 as KTP after its transfer
    assert services["KTP"]["service_minutes"] == {"median": 10.0, "p90": 11.6}
    assert services["KK"]["service_minutes"] == {"median": None, "p90": None}
    assert pre["total"]["wait_minutes"] == {"median": 7.5, "p90": 10.0}  # 5, 5, 10, 10


def test_counters_officers_and_arrivals(driven):
    [pre] = report_of(driven.app)["sites"]
    counters = rows_by(pre["counters"], "counter")
    assert counters["PRE-L1"]["served"] == 3
    assert counters["PRE-L2"]["served"] == 0  # its call was transferred, its other a no-show
    assert counters["PRE-L1"]["service_minutes"] == {"median": 10.0, "p90": 11.6}
    # the officer who finished each ticket; a button box names no officer
    assert pre["officers"] == [
        {"officer": "ani", "served": 3, "service_minutes": {"median": 10.0, "p90": 11.6}}
    ]
    assert pre["arrivals_per_hour"] == [{"hour": 8, "issued": 4}, {"hour": 9, "issued": 2}]


def test_a_range_sums_its_days_and_other_sites_are_listed(driven):
    report = report_of(driven.app, DAY, NEXT_DAY, site=None)
    sites = rows_by(report["sites"], "site")
    assert list(sites) == list(driven.app.extensions["sahaja"].config.sites)
    assert sites["PRE"]["total"]["issued"] == 7  # the next day's A001 too
    assert sites["PRE"]["arrivals_per_hour"][0] == {"hour": 8, "issued": 5}
    assert sites["PPR"]["total"]["issued"] == 0
    assert sites["PPR"]["arrivals_per_hour"] == []
    only_next = report_of(driven.app, NEXT_DAY, NEXT_DAY)
    assert only_next["sites"][0]["total"]["issued"] == 1
