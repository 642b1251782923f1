"""What live configuration costs (issue 11): the per-request version check every server
process makes, saving a change from the admin page, and that save with live kiosks to update.

    .venv/bin/python -m bench.admin_config [--runs 5] [--clients 0 50 200]

In one process with Flask's and Flask-SocketIO's test clients on a temporary SQLite database:
``stored_version`` (the check made before a request at most once a second), a POST of the site
form that changes PRE's quota (validate, check today's queue, new version, history, audit,
apply, snapshots) with N kiosks of PRE connected. Medians over ``--runs`` rounds of 20.
Not a test: figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from sahaja.core.clock import SystemClock
from server.accounts import Accounts
from server.admin.config_store import stored_version
from server.database import Database
from server.setup import init_database
from tests.admin.helpers import site_form

PASSWORD = "rahasia-bench-1"


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def run(clients: int, rounds: int) -> dict[str, float]:
    from server.app import create_app
    from server.extensions import socketio

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database.connect(url)
        config = init_database(db, None, SystemClock().now())
        Accounts(db, config).add_user("ratna", PASSWORD, "admin", None, SystemClock().now())
        db.dispose()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
        svc = app.extensions["sahaja"]
        kiosks = []
        for i in range(clients):
            token = svc.accounts.add_device(f"k{i}", "PRE", "kiosk", None, SystemClock().now())
            kiosks.append(socketio.test_client(app, auth={"token": token}))
        web = app.test_client()
        page = web.get("/console/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"username": "ratna", "password": PASSWORD, "csrf_token": token}
        assert web.post("/console/login", data=form).status_code == 303
        with web.session_transaction() as s:
            csrf = s["csrf"]
        checks, saves = [], []
        for n in range(rounds):
            t0 = time.perf_counter()
            stored_version(svc.db)
            checks.append(time.perf_counter() - t0)
            data = {**site_form(app, "PRE", daily_quota=str(100 + n % 50)), "csrf_token": csrf}
            t0 = time.perf_counter()
            r = web.post("/admin/sites/PRE", data=data)
            saves.append(time.perf_counter() - t0)
            assert r.status_code == 303, r.status_code
        got = sum(1 for k in kiosks for m in k.get_received() if m["name"] == "snapshot")
        assert got >= clients * rounds, (got, clients, rounds)  # every save reached every kiosk
        for k in kiosks:
            k.disconnect()
        svc.db.dispose()
        return {"check_ms": median_ms(checks), "save_ms": median_ms(saves)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clients", type=int, nargs="+", default=[0, 50, 200])
    args = parser.parse_args()
    for clients in args.clients:
        results = [run(clients, 20) for _ in range(args.runs)]
        check = statistics.median(r["check_ms"] for r in results)
        save = statistics.median(r["save_ms"] for r in results)
        print(f"{clients:>4} kiosks: version check {check:.3f} ms, save + apply {save:.1f} ms")


if __name__ == "__main__":
    main()
