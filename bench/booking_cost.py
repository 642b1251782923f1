"""What a booking costs next to a walk-in ticket, in one process on SQLite (the store's calls,
no HTTP): a walk-in ``issue``, a booking ``create`` (site lock, counts of the window and the
site day, the one-per-NIK check, a fresh code), the windows list of a day, and a ``checkin``
(the issue path plus the booking's update), on the built-in Pare site.

    python -m bench.booking_cost [--repeat 100]

Prints the median and the slowest of ``--repeat`` calls of each in milliseconds, and the
ratio of each median to the walk-in issue's (figures in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sahaja.config import default_config_text, parse_config
from sahaja.core.clock import ManualClock
from server.database import Database
from server.setup import init_database
from server.store import QueueStore
from server.store.bookings import BookingStore


def nik(n: int) -> str:
    return f"350617010190{n:04d}"


def timed(fn, repeat: int) -> list[float]:
    runs = []
    for i in range(repeat):
        t0 = time.perf_counter()
        fn(i)
        runs.append((time.perf_counter() - t0) * 1000)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    n = args.repeat
    # a quota and a share big enough for every call of the run
    text = default_config_text().replace("share = 0.3", "share = 1.0")
    text = text.replace("daily_quota = 80  # inferred split of 600/day", "daily_quota = 2000", 1)
    config = parse_config(text)
    tz = config.tz
    clock = ManualClock(datetime(2026, 11, 30, 8, 0, tzinfo=tz))  # a Monday
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.connect(f"sqlite:///{Path(tmp) / 'bench.db'}")
        toml = Path(tmp) / "office.toml"
        toml.write_text(text, encoding="utf-8")
        init_database(db, str(toml), clock.now())
        store = QueueStore(db, config, clock)
        bookings = BookingStore(store.base, store.views, store.writes, "bench-secret")
        windows = [w["window"] for w in bookings.windows("PRE", "KTP", "2026-12-01")]
        results: dict[str, list[float]] = {}

        def issue(i: int) -> None:
            store.issue("PRE", "KTP", priority=False, category=None, request_id=f"w{i}", actor="b")

        def create(i: int) -> None:
            bookings.create(nik(i + 1), "35.06.17", "KTP", "2026-12-01", windows[i % len(windows)])

        def listing(_i: int) -> None:
            bookings.windows("PRE", "KTP", "2026-12-01")

        results["walk-in issue"] = timed(issue, n)
        results["booking create"] = timed(create, n)
        results["windows list"] = timed(listing, n)
        with db.reading() as s:
            from sqlalchemy import select

            from server.models import Booking

            codes = list(s.scalars(select(Booking.code).order_by(Booking.id)))
        clock.set(datetime(2026, 12, 1, 13, 0, tzinfo=tz) + timedelta(minutes=1))  # all open

        def checkin(i: int) -> None:
            bookings.checkin("PRE", codes[i], f"c{i}", "bench", None)

        results["check-in"] = timed(checkin, n)
        db.dispose()
    base = statistics.median(results["walk-in issue"])
    print(f"{'operation':<16} {'median ms':>10} {'max ms':>8} {'x issue':>8}")
    for name, runs in results.items():
        med = statistics.median(runs)
        print(f"{name:<16} {med:>10.2f} {max(runs):>8.1f} {med / base:>8.2f}")


if __name__ == "__main__":
    main()
