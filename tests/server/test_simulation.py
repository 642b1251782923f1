"""The simulated office day (``sahaja-server simulate``): scenario checks, the day on the
real store, its figures and CSV, determinism, and properties of generated days."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import random
import re
import statistics
import tomllib

import pytest

from sahaja.config import Hours, default_config_text, load_config
from sahaja.core.tickets import WaitingTicket
from server.cli import main
from server.simulation import ScenarioError, load_scenario, run_day, summary
from server.simulation.metrics import CSV_COLUMNS, write_tickets_csv
from server.simulation.reference import RefCounter, forward_calls, working_intervals
from server.simulation.scenario import parse_scenario
from tests.conftest import MONDAY_0800

KEYS = {
    "site",
    "date",
    "tickets",
    "refused",
    "called",
    "served",
    "no_show",
    "estimate_error_minutes",
    "reference_error_minutes",
    "window_hit_share",
    "wait_minutes",
    "old_formula_error_minutes",
}

SMALL = """
site = "PRE"
date = "2026-12-07"

[[counter]]
code = "L1"

[[counter]]
code = "L2"
to = "09:00"

[[arrival]]
at = "07:31"
service = "KTP"
minutes = 9.5

[[arrival]]
at = "07:32"
service = "KK"
minutes = 10

[[arrival]]
at = "07:33:30"
service = "AKL"
minutes = 12
no_show = true

[[arrival]]
at = "07:34"
service = "KTP"
minutes = 8
priority = true

[[arrival]]
at = "07:50"
service = "SPK"
minutes = 15

[[arrival]]
at = "08:05"
service = "KTP"
minutes = 7

[[arrival]]
at = "14:30"
service = "KTP"
minutes = 7
"""


@pytest.fixture(scope="module")
def config():
    return load_config()


def small_quota_config(tmp_path, quota: int):
    """The Kediri config with Pare's daily quota lowered to ``quota``."""
    text = default_config_text()
    start = text.index('code = "PRE"')
    rest = re.sub(r"daily_quota = \d+", f"daily_quota = {quota}", text[start:], count=1)
    text = text[:start] + rest
    path = tmp_path / "office.toml"
    path.write_text(text, encoding="utf-8")
    return path


def simulate(tmp_path, capsys, scenario: str, *args: str) -> tuple[dict, list[dict]]:
    path = tmp_path / "day.toml"
    path.write_text(scenario, encoding="utf-8")
    out_csv = tmp_path / "tickets.csv"
    assert main(["simulate", str(path), "--tickets-csv", str(out_csv), *args]) == 0
    printed = capsys.readouterr().out
    with out_csv.open(encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        assert header == list(CSV_COLUMNS)
        f.seek(0)
        rows = list(csv.DictReader(f))
    return json.loads(printed), rows


# --- scenario checks ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"site": "XYZ"}, "site: unknown site 'XYZ'"),
        ({"date": "2026-12-06"}, "date: PRE is closed on 2026-12-06 (Sunday)"),
        ({"date": "2026-12-25"}, "date: PRE is closed on 2026-12-25 (Hari Raya Natal)"),
        ({"date": "7 Dec"}, "date: bad date '7 Dec'"),
        ({"arrival": [{"at": "07:41", "service": "PASPOR", "minutes": 5}]}, "unknown service"),
        ({"arrival": [{"at": "7.41", "service": "KTP", "minutes": 5}]}, "arrival[0].at: bad time"),
        ({"arrival": [{"at": "07:41", "service": "KTP", "minutes": 0}]}, "minutes must be"),
        ({"counter": [{"code": "L9"}]}, "counter[0]: unknown counter 'L9' at PRE"),
        ({"counter": [{"code": "L1", "from": "12:00", "to": "11:00"}]}, "'to' must be after"),
        ({"counter": [{"code": "L1", "to": "25:00"}]}, "counter[0].to: bad time"),
        ({"color": "red"}, "unknown key 'color'"),
        ({"earlier": [{"date": "2026-12-07", "tickets": []}]}, "earlier[0].date: 2026-12-07"),
        ({"earlier": [{"date": "2026-12-04", "tickets": ["08:00"]}]}, "earlier[0].tickets[0]"),
        ({"earlier": [{"date": "2026-12-04", "tickets": ["08:00 KTP X"]}]}, "SERVICE [P]"),
        ({"earlier": [{"date": "2026-12-04", "tickets": ["08:00 PAS"]}]}, "not offered"),
        ({"earlier": [{"date": "2026-12-04", "tickets": ["8.00 KTP"]}]}, "bad time"),
    ],
)
def test_a_bad_scenario_is_refused_in_one_line(config, change, message):
    raw = {
        "site": "PRE",
        "date": "2026-12-07",
        "counter": [{"code": "L1"}],
        "arrival": [{"at": "07:41", "service": "KTP", "minutes": 9.5}],
    } | change
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(raw, config)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_cli_names_the_file_and_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('site = "XYZ"\ndate = "2026-12-07"\n', encoding="utf-8")
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {path}: site: unknown site 'XYZ'")
    assert "\n" not in err


# --- a small day end to end ----------------------------------------------------------------------
def test_a_small_day_prints_its_figures_and_tickets(tmp_path, capsys):
    figures, rows = simulate(tmp_path, capsys, SMALL, "--seed", "1")
    assert set(figures) >= KEYS
    assert figures["site"] == "PRE" and figures["date"] == "2026-12-07"
    # the 14:30 citizen comes after the cutoff (15:00 - 60 min): refused
    assert figures["tickets"] == 6 and figures["refused"] == 1
    assert figures["tickets"] == figures["called"] + figures["not_called"]
    assert figures["called"] == (
        figures["served"] + figures["no_show"] + figures["skipped_at_close"]
    )
    assert figures["no_show"] == 1 and figures["served"] == 5
    assert len(rows) == 6
    by_number = {r["number"]: r for r in rows}
    assert by_number["C001"]["status"] == "no_show"
    assert by_number["A002"]["priority"] == "true"
    # the priority citizen is called before the earlier regular ticket waiting for L1
    assert by_number["A002"]["called_at"] < by_number["E001"]["called_at"]
    for row in rows:
        assert row["issued_at"].endswith("+07:00")
        assert row["estimate_from"] <= row["estimated_call_at"] <= row["estimate_to"]
    # Loket 2 leaves at 09:00: it calls nobody after that
    assert all(r["called_at"][11:16] < "09:00" for r in rows if r["counter"] == "PRE-L2")
    for key in ("estimate_error_minutes", "wait_minutes", "old_formula_error_minutes"):
        assert set(figures[key]) == {"median", "p90", "max"}
    assert 0 <= figures["window_hit_share"] <= 1


def test_over_the_quota_the_kiosk_refuses(tmp_path, capsys):
    config = small_quota_config(tmp_path, 3)
    figures, rows = simulate(tmp_path, capsys, SMALL, "--config", str(config))
    assert figures["tickets"] == 3
    assert figures["refused"] == 4  # three over the quota, one after the cutoff
    assert [r["number"] for r in rows] == ["A001", "B001", "C001"]


def test_the_same_seed_gives_the_same_day(tmp_path, capsys):
    first = simulate(tmp_path, capsys, SMALL, "--seed", "7")
    second = simulate(tmp_path, capsys, SMALL, "--seed", "7")
    assert first == second


def test_a_no_show_is_called_until_the_core_gives_up(config, tmp_path):
    path = tmp_path / "day.toml"
    path.write_text(SMALL, encoding="utf-8")
    result = run_day(load_scenario(path, config), config)
    no_show = next(r for r in result.tickets if r.arrival.no_show)
    assert no_show.status == "no_show"
    assert no_show.calls == config.rules.max_skips + 1


# --- the reference ------------------------------------------------------------------------------
def test_the_reference_runs_the_balancing_rule_forward():
    t0 = MONDAY_0800
    waiting = [WaitingTicket(i, "KTP", i == 4, t0) for i in range(1, 5)]
    counters = [
        RefCounter(("KTP",), 480, ((480, 720), (780, 900))),
        RefCounter(("KTP",), 485, ((480, 720), (780, 900))),
    ]
    calls = forward_calls(waiting, 0, counters, {"KTP": 10})
    # the priority ticket first, then in order; 10 minutes each
    assert calls == {4: 480, 1: 485, 2: 490, 3: 495}
    # a counter free in the break calls again when it ends
    late = [RefCounter(("KTP",), 715, ((480, 720), (780, 900)))]
    assert forward_calls(waiting[:2], 0, late, {"KTP": 10}) == {1: 715, 2: 780}


def test_working_intervals_are_the_shift_inside_the_calling_periods():
    periods = ((450, 720), (780, 900))
    assert working_intervals((480, 1440), periods) == ((480, 720), (780, 900))
    assert working_intervals((450, 720), periods) == ((450, 720),)
    assert working_intervals((730, 770), periods) == ()


# --- generated days ---------------------------------------------------------------------------
SERVICES = {"KTP": 8.0, "KK": 10.0, "AKL": 12.0, "SPK": 15.0}


def generated_day(seed: int, shifts: bool, rostered: bool = False) -> dict:
    """A small random day at Pare: 15-30 citizens in the first hours; with ``shifts``, one or
    two officers who may start late or leave early, else both working the site's hours;
    ``rostered``: those hours are on the office's roster (the config), else a surprise."""
    rng = random.Random(seed)
    counters = [{"code": "L1"}]
    if rng.random() < 0.8 or not shifts:  # a counter nobody staffs is a surprise too
        counters.append({"code": "L2"})
    for c in counters:
        if not shifts:
            continue
        if rng.random() < 0.3:
            c["from"] = f"0{rng.randint(7, 9)}:{rng.choice(['30', '45'])}"
        if rng.random() < 0.3:
            c["to"] = f"1{rng.randint(1, 3)}:00"
        c["rostered"] = rostered
    arrivals = []
    span = rng.choice([45, 90, 180])  # a queue builds up: they come faster than served
    for _ in range(rng.randint(15, 30)):
        service = rng.choice(list(SERVICES))
        minute = 450 + rng.random() * span
        arrivals.append(
            {
                "at": f"{int(minute) // 60:02d}:{int(minute) % 60:02d}",
                "service": service,
                "minutes": round(SERVICES[service] * rng.uniform(0.6, 1.4), 1),
                "priority": rng.random() < 0.1,
                "no_show": rng.random() < 0.05,
            }
        )
    return {"site": "PRE", "date": "2026-12-08", "counter": counters, "arrival": arrivals}


def run_generated_day(config, seed: int, surprises: bool):
    """With ``surprises``, what no server can know: officers' own hours, and on every other
    day a lunch break the config does not have."""
    scenario = parse_scenario(generated_day(seed, shifts=surprises), config)
    if surprises and seed % 2:
        scenario = dataclasses.replace(scenario, periods=((450, 720), (780, 900)))
    return scenario, run_day(scenario, config, seed=seed)


def check_rules(scenario, result, config) -> None:
    """No call outside a calling period nor outside the officer's shift; counts add up."""
    for minute in result.call_minutes:
        assert any(a <= minute < b for a, b in scenario.periods), minute
    shifts = {s.counter.id: s for s in scenario.counters}
    for r in result.tickets:
        if r.called_at is not None:
            local = r.called_at.astimezone(config.tz)
            minute = local.hour * 60 + local.minute + local.second / 60
            shift = shifts[r.counter]
            assert shift.from_minute <= minute < shift.to_minute, r.number
    figures = summary(result)
    assert figures["tickets"] + figures["refused"] == len(scenario.arrivals)
    assert figures["called"] == figures["served"] + figures["no_show"] + figures["skipped_at_close"]


def check_near_reference(result) -> None:
    """The estimator's median error stays within a bound of the reference's (the balancing
    rule from the true state with the true means: the best without each citizen's time)."""
    errors = [
        abs((r.called_at - r.given_at).total_seconds()) / 60
        for r in result.tickets
        if r.called_at and r.given_at
    ]
    references = [
        abs((r.called_at - r.reference_at).total_seconds()) / 60
        for r in result.tickets
        if r.called_at and r.reference_at
    ]
    assert errors and references
    bound = 2 * statistics.median(references) + 10
    assert statistics.median(errors) <= bound, summary(result)


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_days_keep_the_rules(config, seed):
    scenario, result = run_generated_day(config, seed, surprises=True)
    check_rules(scenario, result, config)


@pytest.mark.parametrize("seed", [1, 4])  # today's formula fails both (20 > 17.7, 34 > 20)
def test_on_generated_days_the_estimate_stays_near_the_reference(config, seed):
    scenario, result = run_generated_day(config, seed, surprises=False)
    check_rules(scenario, result, config)
    check_near_reference(result)


@pytest.mark.parametrize(
    "seed",
    [4, 7, *(pytest.param(s, marks=pytest.mark.slow) for s in (1, 9, 13, 17, 24, 28))],
)  # each has an officer starting late or leaving early
def test_on_generated_days_with_rosters_the_estimate_stays_near_the_reference(config, seed):
    """Officers' own hours on the office's roster: the estimator knows them (counter hours),
    and as a server in use it has earlier days' service times (drawn like the day's)."""
    day = generated_day(seed, shifts=True, rostered=True)
    assert any("from" in c or "to" in c for c in day["counter"])
    past = random.Random(f"history-{seed}")
    day["history"] = {
        s: [round(m * past.uniform(0.6, 1.4), 1) for _ in range(20)] for s, m in SERVICES.items()
    }
    scenario = parse_scenario(day, config)
    result = run_day(scenario, config, seed=seed)
    check_rules(scenario, result, config)
    check_near_reference(result)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3, *range(5, 13)])
def test_more_generated_days(config, seed):
    scenario, result = run_generated_day(config, seed, surprises=True)
    check_rules(scenario, result, config)
    scenario, result = run_generated_day(config, seed, surprises=False)
    check_rules(scenario, result, config)
    check_near_reference(result)


def test_the_csv_has_one_row_per_issued_ticket(config, tmp_path):
    path = tmp_path / "day.toml"
    path.write_text(SMALL, encoding="utf-8")
    result = run_day(load_scenario(path, config), config)
    out = io.StringIO()
    write_tickets_csv(result, out)
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert len(lines) == 1 + sum(1 for r in result.tickets if r.ticket_id is not None)


HISTORY_DAY = """
site = "PRE"
date = "2026-12-07"

[[counter]]
code = "L1"

[[arrival]]
at = "07:31:00"
service = "KTP"
minutes = 20

[[arrival]]
at = "07:31:10"
service = "KTP"
minutes = 20

[[arrival]]
at = "07:31:20"
service = "KTP"
minutes = 20
"""


def third_estimate(config, text: str) -> float:
    """Minutes after 07:30 of the estimate the third citizen was given."""
    result = run_day(parse_scenario(tomllib.loads(text), config), config)
    given = result.tickets[2].given_at.astimezone(config.tz)
    return given.hour * 60 + given.minute - 450


def test_earlier_days_history_is_what_the_estimator_learns_from(config):
    """Without history the first estimates use the configured 8 minutes; with earlier days'
    20-minute services in the database the estimator starts from those."""
    history = "\n[history]\nKTP = [" + ", ".join(["20.0"] * 20) + "]\n"
    first_day = third_estimate(config, HISTORY_DAY)
    with_history = third_estimate(config, HISTORY_DAY + history)
    assert first_day <= 1 + 2 * 8 + 1  # two 8-minute services ahead
    assert with_history >= 1 + 2 * 20 - 1  # two 20-minute services ahead


def test_a_rostered_shift_goes_into_the_config_and_a_surprise_does_not(config):
    raw = tomllib.loads(SMALL)
    scenario = parse_scenario(raw, config)
    office = scenario.rostered(config)
    counters = {c.code: c for c in office.sites["PRE"].counters}
    assert counters["L2"].hours == {0: Hours(450, 540)}  # Monday: 07:30-09:00
    assert counters["L1"].hours == {}  # the site's hours: nothing to roster
    raw["counter"][1]["rostered"] = False
    assert parse_scenario(raw, config).rostered(config) is config


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ({"XYZ": [1.0]}, "history.XYZ: service not offered at PRE"),
        ({"KTP": [0]}, "history.KTP: expected a list of positive minutes"),
        ([1, 2], "history: expected a table"),
    ],
)
def test_a_bad_history_is_refused(config, history, message):
    raw = {**tomllib.loads(SMALL), "history": history}
    with pytest.raises(ScenarioError, match=re.escape(message)):
        parse_scenario(raw, config)


def test_earlier_days_are_seeded_and_change_no_figure_today(config):
    """``[[earlier]]`` days go into the database as the kiosk issued them (their site_day
    row too); the estimator reads none of them, so the day's figures are the same."""
    raw = tomllib.loads(SMALL)
    plain = summary(run_day(parse_scenario(raw, config), config, seed=1))
    earlier = [
        {"date": "2026-12-04", "tickets": ["07:35 KTP P", "08:10:30 KK", "09:00 KTP P"]},
        {"date": "2026-12-03", "tickets": ["07:40 AKL"]},
    ]
    scenario = parse_scenario(raw | {"earlier": earlier}, config)
    assert [len(d.tickets) for d in scenario.earlier] == [3, 1]
    assert [t.priority for t in scenario.earlier[0].tickets] == [True, False, True]
    assert scenario.earlier[0].tickets[1].at_minute == pytest.approx(8 * 60 + 10.5)
    assert summary(run_day(scenario, config, seed=1)) == plain
