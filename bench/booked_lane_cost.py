"""What the booked lane costs the two hot reads of the call order, on SQLite: "next"'s
candidates (``QueueWrites.next_candidates``: skipped and booked tickets apart, the first
walk-in of each service by index) and one ticket's "ahead" (``QueueViews.ahead``: one COUNT
with the call order's key in SQL), over 100 and 300 waiting tickets at the Dinas site, with no
bookings and with a third of the tickets checked in from bookings (spans around now).

    python -m bench.booked_lane_cost [--repeat 300]

Prints the median and p95 in microseconds (figures in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from sahaja.config import load_config
from sahaja.core.clock import ManualClock
from server.models import Ticket
from tests.support.live_server import OPEN_ALL_DAY


def build(tmp: Path, n: int, booked_share: float):
    from server.app import create_app
    from server.database import Database
    from server.setup import init_database

    office = tmp / "office.toml"
    text = OPEN_ALL_DAY.read_text(encoding="utf-8")
    office.write_text(text.replace("daily_quota = 200", "daily_quota = 1000", 1), "utf-8")
    config = load_config(office)
    clock = ManualClock(datetime(2026, 11, 30, 7, 30, tzinfo=config.tz))
    url = f"sqlite:///{tmp / f'bench-{n}-{booked_share}.db'}"
    db = Database.connect(url)
    init_database(db, office, clock.now())
    db.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True}, clock=clock)
    store = app.extensions["sahaja"].store
    site = store.config.sites["DKC"]
    rng = random.Random(n)
    for i in range(n):
        clock.advance(seconds=20)
        service = rng.choice(site.services)
        store.writes.issue(
            "DKC",
            service,
            priority=False,
            category=None,
            request_id=f"b{i}",
            actor="bench",
            issuer=None,
        )
    now = clock.now()
    with store.db.writing() as s:
        ids = s.scalars(select(Ticket.id)).all()
        for tid in ids:
            if rng.random() < booked_share:
                start = now.replace(minute=0, second=0) + timedelta(hours=rng.choice([-1, 0, 1]))
                s.execute(
                    update(Ticket)
                    .where(Ticket.id == tid)
                    .values(
                        booking_code=f"B{tid}",
                        booked_from=start - timedelta(minutes=30),
                        booked_to=start + timedelta(hours=1),
                    )
                )
    return store, site, now


def timed(fn, repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1e6)
    runs.sort()
    return statistics.median(runs), runs[int(len(runs) * 0.95) - 1]


def measure(store, site, now: datetime, n: int, share: float, repeat: int) -> None:
    counter, day = site.counters[0], store.today()
    with store.db.reading() as s:
        last = s.scalars(select(Ticket).order_by(Ticket.id.desc())).first()

        def candidates() -> None:
            store.writes.next_candidates(s, site, day, counter.services)

        def ahead() -> None:
            store.views.ahead(s, last, now)

        for name, fn in (("next candidates", candidates), ("ahead", ahead)):
            med, p95 = timed(fn, repeat)
            print(
                f"{name:<16} waiting={n:<4} booked={share:4.0%}  "
                f"median {med:7.1f} us  p95 {p95:7.1f} us"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in (100, 300):
            for share in (0.0, 1 / 3):
                store, site, now = build(Path(tmp), n, share)
                measure(store, site, now, n, share, args.repeat)


if __name__ == "__main__":
    main()
