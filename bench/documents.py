"""What document tracking costs on a database with a year of one busy site.

    .venv/bin/python -m bench.documents [--days 365] [--per-day 200] [--database URL]

Fills a fresh database (temporary SQLite by default) with ``--days`` office days of finished
tickets at PRE (``--per-day`` each; documents ready the same day, the next day, rejected or
still open), then times, median of 7 runs each:
- ``same_day_documents`` over a month and over the whole range (the reports' figure);
- the site's list of today's documents (``GET /api/v1/sites/{site}/documents``'s store call),
  with the old open documents it also shows.
Timings are printed, never asserted (tests do not measure speed).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from sahaja import protocol as p
from sahaja.core.clock import ManualClock
from server.database import Database
from server.models import Ticket
from server.setup import init_database
from server.store import QueueStore
from server.store.documents import same_day_documents

SERVICES = ("KTP", "KK", "AKL", "AKM", "SPK", "SPD")
PREFIX = dict(zip(SERVICES, "ABCDEF", strict=True))


def fill(db: Database, first: date, days: int, per_day: int, rng: random.Random) -> int:
    rows = []
    n = 0
    for d in range(days):
        day = first + timedelta(days=d)
        base = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)  # 08:00 WIB
        seq: dict[str, int] = dict.fromkeys(SERVICES, 0)
        for i in range(per_day):
            service = SERVICES[i % len(SERVICES)]
            seq[service] += 1
            finished = base + timedelta(minutes=2 * i)
            roll = rng.random()
            stage, ready = p.STAGE_COLLECTED, finished + timedelta(hours=2)
            if roll < 0.1:
                ready = finished + timedelta(days=1)
            elif roll < 0.15:
                stage, ready = p.STAGE_REJECTED, None
            elif roll < 0.17:
                stage, ready = p.STAGE_PROCESSING, None
            n += 1
            rows.append(
                {
                    "site": "PRE",
                    "day": day,
                    "service": service,
                    "issued_service": service,
                    "seq": seq[service],
                    "number": f"{PREFIX[service]}{seq[service]:03d}",
                    "priority": False,
                    "status": p.STATUS_FINISHED,
                    "request_id": f"r{n}",
                    "status_code": f"code{n}",
                    "issued_at": finished - timedelta(minutes=30),
                    "called_at": finished - timedelta(minutes=8),
                    "finished_at": finished,
                    "counter_id": "PRE-L1",
                    "skips": 0,
                    "recalls": 0,
                    "document_stage": stage,
                    "document_stage_at": ready or finished,
                    "document_ready_at": ready,
                    "document_reject_reason": "Berkas kurang" if stage == "rejected" else None,
                }
            )
        if len(rows) >= 5000:
            with db.writing() as s:
                s.execute(insert(Ticket), rows)
            rows = []
    if rows:
        with db.writing() as s:
            s.execute(insert(Ticket), rows)
    return n


def timed(fn, runs: int = 7) -> float:
    spent = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=200)
    parser.add_argument("--database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database.connect(url)
        last = date(2026, 11, 30)
        first = last - timedelta(days=args.days - 1)
        clock = ManualClock(datetime(2026, 11, 30, 3, 0, tzinfo=UTC))
        config = init_database(db, None, clock.now())
        n = fill(db, first, args.days, args.per_day, random.Random(20261130))
        store = QueueStore(db, config, clock)
        tz = store.config.tz

        def figure(since: date) -> None:
            with db.reading() as s:
                same_day_documents(s, "PRE", since, last, tz)

        month = timed(lambda: figure(last - timedelta(days=29)))
        year = timed(lambda: figure(first))
        listed = store.site_documents("PRE")
        listing = timed(lambda: store.site_documents("PRE"))
        print(f"{db.dialect}: {n} finished tickets over {args.days} days at PRE")
        print(f"same_day_documents, 30 days      median {month:8.1f} ms")
        print(f"same_day_documents, {args.days} days     median {year:8.1f} ms")
        print(
            f"site_documents (today: {len(listed['documents'])} listed)  median {listing:8.1f} ms"
        )
        db.dispose()


if __name__ == "__main__":
    main()
