"""How long a month's report takes: six sites, about 15,000 tickets (issue 11: under 2 s).

    python -m bench.report_speed [--database URL] [--tickets 15000] [--repeat 5]

Fills a fresh database (a temporary SQLite file by default; give a PostgreSQL URL to measure
that) with a synthetic month of tickets and their audit rows (``seed_month``: calls,
finishes, skips, transfers, voids, by officers and button boxes), then times, ``--repeat``
times each: the report as JSON (``build_report``), the page ``/admin/reports`` for every
site and the month (Flask's test client, signed in as an admin), the CSV and XLSX exports,
and the printable PDF (one page per site and day). Prints medians and the slowest run in
milliseconds (figures in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from sahaja import protocol as p
from sahaja.config import Config
from sahaja.core import actions
from sahaja.core.tickets import format_number

MONTH = (date(2026, 11, 1), date(2026, 11, 30))


def seed_month(engine, config: Config, first: date, last: date, tickets: int, seed: int = 7) -> int:
    """Insert about ``tickets`` tickets spread over the working days (Mon-Fri) from ``first``
    to ``last`` at every site, with the audit rows a real day leaves; returns how many."""
    from server.models import Action, Ticket

    rng = random.Random(seed)
    days = [first + timedelta(d) for d in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    per_site_day = max(1, tickets // (len(days) * len(config.sites)))
    ticket_rows: list[dict[str, Any]] = []
    action_rows: list[dict[str, Any]] = []
    next_id = 1
    for site in config.sites.values():
        officers = [f"officer:petugas-{site.code.lower()}-{n}" for n in (1, 2, 3)]
        for day in days:
            opening = datetime(day.year, day.month, day.day, 7, 30, tzinfo=config.tz)
            seqs: dict[str, int] = {}
            for n in range(per_site_day):
                service = rng.choice(site.services)
                seqs[service] = seqs.get(service, 0) + 1
                issued = opening + timedelta(minutes=rng.triangular(0, 390, 60))
                tid = next_id
                next_id += 1
                row: dict[str, Any] = {
                    "id": tid,
                    "site": site.code,
                    "day": day,
                    "service": service,
                    "issued_service": service,
                    "seq": seqs[service],
                    "number": format_number(config.services[service].prefix, seqs[service]),
                    "priority": rng.random() < 0.1,
                    "priority_category": None,
                    "status": p.STATUS_FINISHED,
                    "request_id": f"bench-{n}",
                    "status_code": secrets.token_urlsafe(12),
                    "issued_at": issued,
                    "issued_by": f"device:kiosk-{site.code}",
                    "skips": 0,
                    "recalls": 0,
                }
                log = {"site": site.code, "day": day, "ticket_id": tid, "detail": None}
                action_rows.append(
                    log | {"at": issued, "kind": actions.LOG_ISSUE, "actor": row["issued_by"]}
                )
                fate = rng.random()
                if fate < 0.02:
                    row["status"] = p.STATUS_VOIDED
                    action_rows.append(
                        log
                        | {
                            "at": issued + timedelta(seconds=20),
                            "kind": actions.LOG_VOID,
                            "actor": row["issued_by"],
                        }
                    )
                    ticket_rows.append(row)
                    continue
                counter = rng.choice(site.counters)
                actor = rng.choice(officers) if rng.random() < 0.7 else f"device:{counter.id}"
                called = issued + timedelta(minutes=rng.expovariate(1 / 30))
                by = {"actor": actor, "counter_id": counter.id}
                action_rows.append(log | by | {"at": called, "kind": actions.LOG_CALL})
                if fate < 0.07:
                    row |= {"status": p.STATUS_NO_SHOW, "skips": 3, "counter_id": counter.id}
                    for k in (1, 2, 3):
                        at = called + timedelta(minutes=2 * k)
                        action_rows.append(log | by | {"at": at, "kind": actions.LOG_SKIP})
                    row["finished_at"] = called + timedelta(minutes=6)
                    ticket_rows.append(row)
                    continue
                if fate < 0.12:  # transferred to another service, then called again
                    target = rng.choice([s for s in site.services if s != service] or [service])
                    moved = called + timedelta(minutes=3)
                    action_rows.append(log | by | {"at": moved, "kind": actions.LOG_TRANSFER})
                    row["service"] = target
                    called = moved + timedelta(minutes=rng.expovariate(1 / 15))
                    action_rows.append(log | by | {"at": called, "kind": actions.LOG_CALL})
                seconds = rng.uniform(240, 900)
                finished = called + timedelta(seconds=seconds)
                action_rows.append(log | by | {"at": finished, "kind": actions.LOG_FINISH})
                row |= {
                    "called_at": called,
                    "finished_at": finished,
                    "counter_id": counter.id,
                    "service_seconds": seconds,
                }
                ticket_rows.append(row)
    for row in action_rows:
        row.setdefault("counter_id", None)
    for row in ticket_rows:
        for key in ("called_at", "finished_at", "counter_id", "service_seconds"):
            row.setdefault(key, None)
    with engine.begin() as conn:
        for i in range(0, len(ticket_rows), 2000):
            conn.execute(insert(Ticket), ticket_rows[i : i + 2000])
        for i in range(0, len(action_rows), 5000):
            conn.execute(insert(Action), action_rows[i : i + 5000])
    return len(ticket_rows)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs), max(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLAlchemy URL of an EMPTY database")
    parser.add_argument("--tickets", type=int, default=15_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-pdf", action="store_true", help="skip the month's PDF (slow)")
    args = parser.parse_args()

    from sahaja.core.clock import ManualClock
    from server.app import create_app
    from server.database import Database
    from server.reports.data import build_report, build_report_with_days
    from server.reports.exports import to_csv, to_xlsx
    from server.reports.pdf import to_pdf
    from server.setup import init_database

    folder = Path(tempfile.mkdtemp(prefix="report-bench-"))
    url = args.database or f"sqlite:///{folder / 'bench.db'}"
    clock = ManualClock(datetime(2026, 12, 2, 9, 0).astimezone())
    db = Database.connect(url)
    config = init_database(db, None, clock.now())
    count = seed_month(db.write_engine, config, *MONTH, args.tickets)
    db.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True}, clock=clock)
    svc = app.extensions["sahaja"]
    svc.accounts.add_user("bench-admin", "bench-password-1", "admin", None, clock.now())
    client = app.test_client()
    login = client.get("/console/login").get_data(as_text=True)
    token = login.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"username": "bench-admin", "password": "bench-password-1", "csrf_token": token}
    assert client.post("/console/login", data=form).status_code == 303
    engine = svc.db.read_engine
    month = {"period": "month", "date": MONTH[0].isoformat()}

    def page() -> None:
        r = client.get("/admin/reports/", query_string=month)
        assert r.status_code == 200, r.status_code

    report = build_report(engine, config, *MONTH)
    issued = sum(s["total"]["issued"] for s in report["sites"])
    assert issued == count, (issued, count)
    t0 = time.perf_counter()
    _, days = build_report_with_days(engine, config, *MONTH)
    print(f"(first run, cold: {(time.perf_counter() - t0) * 1000:.0f} ms)", flush=True)
    cases = {
        "report (JSON figures)": lambda: build_report(engine, config, *MONTH),
        "page /admin/reports": page,
        "CSV export": lambda: to_csv(build_report(engine, config, *MONTH), "id"),
        "XLSX export": lambda: to_xlsx(build_report(engine, config, *MONTH), "id"),
        f"PDF export ({len(days)} pages)": lambda: to_pdf(
            build_report_with_days(engine, config, *MONTH)[1], config, "id", clock.now()
        ),
    }
    if args.no_pdf:
        cases = {k: v for k, v in cases.items() if not k.startswith("PDF")}
    print(
        f"{svc.db.dialect}: {count} tickets, {len(config.sites)} sites, {MONTH[0]}..{MONTH[1]}",
        flush=True,
    )
    for name, fn in cases.items():
        median, worst = timed(fn, args.repeat)
        print(f"  {name:<28} median {median:8.1f} ms   slowest {worst:8.1f} ms", flush=True)
    svc.db.dispose()


if __name__ == "__main__":
    main()
