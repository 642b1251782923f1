"""What operations cost: the log line and metrics of each issue, a /metrics scrape, a backup.

    .venv/bin/python -m bench.ops_cost [--tickets 480] [--rounds 3]

In process (Flask's test client, SQLite in a temp folder, the Kediri config open all day;
480 tickets: every site's quota of 80):

- issue with and without the audit observers (log line + counters), interleaved in blocks so
  the machine's drift hits both alike; medians of per-request times;
- ``GET /metrics`` with a day's tickets in the database (the database collector's queries);
- ``sahaja-server backup`` of that database (SQLite's online backup API).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

from sahaja.core.clock import ManualClock
from tests.conftest import MONDAY_0800
from tests.support.live_server import OPEN_ALL_DAY


def build(folder: Path):
    from server.app import create_app
    from server.database import Database
    from server.setup import init_database

    url = f"sqlite:///{folder / 'bench.db'}"
    db = Database.connect(url)
    init_database(db, OPEN_ALL_DAY, MONDAY_0800)
    db.dispose()
    clock = ManualClock(MONDAY_0800)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True}, clock=clock)
    return app, url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=480)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, handlers=[logging.NullHandler()])
    logging.getLogger("sahaja.events").addHandler(logging.StreamHandler(open("/dev/null", "w")))  # noqa: SIM115

    from server.backup import backup

    with tempfile.TemporaryDirectory() as tmp:
        app, url = build(Path(tmp))
        svc = app.extensions["sahaja"]
        headers = {
            site: {
                "Authorization": "Bearer "
                + svc.accounts.add_device(f"kiosk-{site}", site, "kiosk", None, svc.clock.now())
            }
            for site in svc.config.sites
        }
        client = app.test_client()
        observers = list(svc.store.base.observers)
        sites = list(svc.config.sites)
        times: dict[bool, list[float]] = {True: [], False: []}
        n = 0
        per_block = 20
        while n < args.tickets:
            for hooked in (True, False):
                svc.store.base.observers[:] = observers if hooked else []
                for _ in range(per_block):
                    site = sites[n % len(sites)]
                    offered = svc.config.sites[site].services
                    service = offered[(n // len(sites)) % len(offered)]
                    body = {"service": service, "priority": False, "request_id": f"b{n}"}
                    started = time.perf_counter()
                    r = client.post(
                        f"/api/v1/sites/{site}/tickets", json=body, headers=headers[site]
                    )
                    times[hooked].append(time.perf_counter() - started)
                    assert r.status_code == 201, r.json
                    n += 1
        svc.store.base.observers[:] = observers
        with_hook = statistics.median(times[True]) * 1000
        without = statistics.median(times[False]) * 1000
        print(
            f"issue median: {with_hook:.2f} ms with log+metrics, {without:.2f} ms without "
            f"(ratio {with_hook / without:.3f}; {len(times[True])} + {len(times[False])})"
        )

        scrapes = []
        for _ in range(30):
            started = time.perf_counter()
            assert client.get("/metrics").status_code == 200
            scrapes.append(time.perf_counter() - started)
        size = len(client.get("/metrics").data)
        print(
            f"/metrics median: {statistics.median(scrapes) * 1000:.1f} ms, {size} bytes "
            f"({n} tickets today)"
        )

        copies = []
        for round_ in range(args.rounds):
            started = time.perf_counter()
            done = backup(url, Path(tmp) / f"b{round_}.backup")
            copies.append(time.perf_counter() - started)
        print(f"backup median: {statistics.median(copies) * 1000:.0f} ms, {done.bytes} bytes")
        svc.db.dispose()


if __name__ == "__main__":
    main()
