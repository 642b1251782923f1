"""What one site's forecast costs: ``forecast`` over 100 and 300 waiting tickets, and the whole
run the server makes when the queue changes (``forecast_with_new_tickets``: the forecast and
a ticket taken now for each service), on the built-in Pare site (two counters, six services),
from opening time with a day's calling time ahead.

    python -m bench.forecast_cost [--repeat 50]

Prints the median and the slowest of ``--repeat`` runs in milliseconds (figures in
docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import datetime, timedelta

from sahaja.config import load_config
from sahaja.core import forecast as fc
from sahaja.core.tickets import WaitingTicket


def queue(site_services: tuple[str, ...], n: int, start: datetime) -> list[WaitingTicket]:
    rng = random.Random(n)
    return [
        WaitingTicket(
            i + 1,
            rng.choice(site_services),
            rng.random() < 0.1,
            start + timedelta(seconds=30 * i),
            (i + 3) if rng.random() < 0.03 else None,
        )
        for i in range(n)
    ]


def timed(fn, repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs), max(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    config = load_config()
    site = config.sites["PRE"]
    day = datetime(2026, 12, 7, tzinfo=config.tz).date()
    now = datetime(2026, 12, 7, 8, 0, tzinfo=config.tz)
    periods = fc.periods_of_day(site, day, config.tz)
    times = {
        s: fc.ServiceTime.from_durations([480.0, 600.0, 720.0, 300.0], 480) for s in site.services
    }
    counters = [fc.CounterNow(c.id, c.services) for c in site.counters]
    rates = {s: 0.5 for s in site.services}
    for n in (100, 300):
        waiting = queue(site.services, n, now - timedelta(hours=3))

        def one(waiting: list[WaitingTicket] = waiting) -> None:
            fc.forecast(now, site, waiting, counters, times, periods, config.rules)

        def all_of_a_change(waiting: list[WaitingTicket] = waiting) -> None:
            fc.forecast_with_new_tickets(
                now,
                site,
                waiting,
                counters,
                times,
                periods,
                config.rules,
                call_count=10,
                priority_per_hour=rates,
            )

        for name, fn in (("forecast", one), ("forecast_with_new_tickets", all_of_a_change)):
            median, worst = timed(fn, args.repeat)
            print(f"{n:4d} waiting  {name:32s} median {median:7.2f} ms  max {worst:7.2f} ms")


if __name__ == "__main__":
    main()
