"""The estimate accuracy table of docs/benchmarks.md: every scenario of bench/scenarios/ run
as ``sahaja-server simulate`` would, with the issue's targets checked.

    .venv/bin/python -m bench.accuracy [--seed 0] [--first-day] [SCENARIO.toml ...]
    .venv/bin/python -m bench.accuracy bench/scenarios/calibration/*.toml   # fitting only

``--first-day`` drops each scenario's ``[history]`` and ``[[earlier]]`` days: the server's
first day, when service times start from the configured defaults and priority arrivals are
expected only at the rate seen so far today.

Prints one markdown table (and each scenario's JSON to stderr). Targets (issue 9): the
median error within 25 % of the reference (calm days: median <= 5 and p90 <= 15 minutes),
the window holds the call for >= 80 % of called tickets (calm days: median width <= 40
minutes), and at least 5x closer than today's formula.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

from sahaja.config import load_config
from server.simulation import load_scenario, run_day, summary

SCENARIOS = Path(__file__).parent / "scenarios"
# The estimator was adjusted while looking at these two (issue 9's first round); its window
# width, site pace and priority handling were fitted on bench/scenarios/calibration/ only.
TUNED_ON = {"pre-monday-peak", "dkc-tuesday-noon-close"}
HELD_OUT = "heldout"  # in the name: generated after the estimator was fixed, never tuned on


def verdicts(name: str, f: dict) -> list[str]:
    """What the figures miss of the targets (empty: all met)."""
    est, ref, old = (
        f["estimate_error_minutes"],
        f["reference_error_minutes"],
        f["old_formula_error_minutes"],
    )
    misses = []
    if "calm" in name:  # calm days: the absolute targets
        if est["median"] > 5 or est["p90"] > 15:
            misses.append("calm median/p90")
        if f["window_width_minutes"]["median"] > 40:
            misses.append("calm width")
    elif est["median"] > 1.25 * ref["median"]:
        misses.append("within 25 % of reference")
    if f["window_hit_share"] < 0.8:
        misses.append("hit share")
    if old["median"] < 5 * est["median"]:
        misses.append("5x today's")
    return misses


def row(name: str, f: dict) -> str:
    est, ref, old = (
        f["estimate_error_minutes"],
        f["reference_error_minutes"],
        f["old_formula_error_minutes"],
    )
    ratio = old["median"] / est["median"] if est["median"] else float("inf")
    misses = verdicts(name, f)
    if name in TUNED_ON:
        tag = " (tuned on)"
    elif name.startswith("cal-"):
        tag = " (calibration)"
    elif HELD_OUT in name:
        tag = " (held out)"
    else:
        tag = " (untouched)"
    return (
        f"| `{name}`{tag} | {f['site']} {f['date']} | {f['tickets']} / {f['called']} "
        f"| {old['median']} / {old['p90']} | **{est['median']}** / {est['p90']} / {est['max']} "
        f"| {f['estimate_point_error_minutes']['median']} "
        f"| {ref['median']} / {ref['p90']} | {ratio:.1f}x | {f['window_hit_share']:.2f} "
        f"| {f['window_width_minutes']['median']} | {f['wait_minutes']['median']} "
        f"| {'all met' if not misses else 'missed: ' + ', '.join(misses)} |"
    )


HEADER = (
    "| scenario | site, day | tickets / called | today's formula median / p90 "
    "| new estimator median / p90 / max | its point (`estimated_call_at`) median "
    "| reference median / p90 | closer | window hit "
    "| window width median | wait median | targets |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--first-day", action="store_true", help="ignore the [history] and [[earlier]] days"
    )
    args = parser.parse_args(argv)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = load_config()
    paths = args.scenarios or sorted(SCENARIOS.glob("*.toml"))
    print(HEADER)
    for path in paths:
        scenario = load_scenario(path, config)
        if args.first_day:
            scenario = replace(scenario, history={}, earlier=())
        figures = summary(run_day(scenario, config, seed=args.seed))
        print(json.dumps(figures), file=sys.stderr)
        print(row(path.stem, figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
