"""Fit the forecast's free choices on the calibration days only (bench/scenarios/calibration/).

    .venv/bin/python -m bench.calibrate_window

Runs every calibration day with the window's constant ``Z`` at 1 and no minimum width, so
each ticket's half-width is one standard deviation of its forecast; then prints, for a grid
of ``Z`` and minimum half-widths, the share of calls inside the window and the median width;
and the median error with the priority shift (``PRIORITY_SHIFT``) at 0, 0.5 and 1. The
reported days (bench/scenarios/*.toml) are never read here.
"""

from __future__ import annotations

import logging
import statistics
import sys
from datetime import timedelta
from pathlib import Path

from sahaja.config import load_config
from sahaja.core import forecast
from server.simulation import load_scenario, run_day

CALIBRATION = Path(__file__).parent / "scenarios" / "calibration"


def samples(config, paths) -> list[tuple[float, float, str]]:
    """(signed error, one standard deviation, day) in minutes of every called ticket."""
    out = []
    for path in paths:
        day = run_day(load_scenario(path, config), config, seed=0)
        for r in day.tickets:
            if r.called_at is None or r.estimate_from is None:
                continue
            sd = (r.estimate_to - r.estimate_from).total_seconds() / 120
            out.append(((r.called_at - r.given_at).total_seconds() / 60, sd, path.stem))
    return out


def main() -> int:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    config = load_config()
    paths = sorted(CALIBRATION.glob("*.toml"))
    z, floor, shift = forecast.Z, forecast.MIN_HALF_WIDTH, forecast.PRIORITY_SHIFT
    try:
        for value in () if "--grid-only" in sys.argv else (0.0, 0.5, 1.0):
            forecast.PRIORITY_SHIFT = value
            data = samples(config, paths)
            days = {d: statistics.median(abs(e) for e, _, x in data if x == d) for *_, d in data}
            each = " ".join(f"{v:.1f}" for v in days.values())
            print(f"priority shift {value}: median error per day {each}")
        forecast.PRIORITY_SHIFT = shift
        forecast.Z, forecast.MIN_HALF_WIDTH = 1.0, timedelta(0)
        data = samples(config, paths)
    finally:
        forecast.Z, forecast.MIN_HALF_WIDTH, forecast.PRIORITY_SHIFT = z, floor, shift
    ratio = statistics.median(abs(e) / max(s, 1e-9) for e, s, _ in data)
    late = statistics.median(e for e, _, _ in data)
    print(f"{len(data)} calls; median |error|/sd {ratio:.2f}; median signed error {late:.2f}")
    days = sorted({d for *_, d in data})
    print("Z    floor  hit    lowest day  median width")
    for zz in (1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5):
        for low in (3.0, 5.0, 7.5, 10.0):
            hits = [abs(e) <= max(zz * s, low) for e, s, _ in data]
            lowest = min(
                statistics.fmean(h for h, (*_, d) in zip(hits, data, strict=True) if d == day)
                for day in days
            )
            width = 2 * statistics.median(max(zz * s, low) for _, s, _ in data)
            print(f"{zz:<4} {low:<6} {statistics.fmean(hits):.3f}  {lowest:.3f}       {width:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
