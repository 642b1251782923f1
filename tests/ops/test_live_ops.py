"""Operations against real ``sahaja-server run`` processes: JSON log lines of a ticket's life
from a running server, a backup taken by the command line while kiosks issue over HTTP, and
/metrics summed across two worker processes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from sahaja import protocol as p
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow


def issue(srv: LiveServer, token: str, request_id: str, service: str = "KTP") -> dict:
    r = requests.post(
        f"{srv.url}{p.API_PREFIX}/sites/PRE/tickets",
        json={"service": service, "priority": False, "request_id": request_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return r.json()


def sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_a_running_server_logs_json_lines_and_a_backup_keeps_acknowledged_tickets(tmp_path):
    srv = LiveServer(tmp_path, env={"SAHAJA_LOG_FORMAT": "json"})
    kiosks = [srv.add_device(f"kiosk-{n}", "PRE", "kiosk") for n in range(3)]
    counter = srv.add_device("loket-1", "PRE", "counter", "L1")
    out = tmp_path / "under-load.backup"
    with srv:
        acked: list[str] = []
        half = threading.Event()

        def kiosk(n: int) -> None:
            for i in range(10):
                acked.append(issue(srv, kiosks[n], f"{n}-{i}", "KTP" if i % 2 else "KK")["number"])
                if len(acked) >= 6:
                    half.set()

        threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        assert half.wait(60)
        before = set(acked)
        done = subprocess.run(
            [sys.executable, "-m", "server.cli", "backup", "--out", str(out)],
            env=srv.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        for t in threads:
            t.join()
        assert done.returncode == 0, done.stderr
        called = requests.post(
            f"{srv.url}{p.API_PREFIX}/counters/PRE-L1/next",
            headers={"Authorization": f"Bearer {counter}"},
            timeout=30,
        )
        assert called.status_code == 200
        first = called.json()["current"]["number"]

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    env = {**srv.env, "SAHAJA_DATABASE_URL": restored_url}
    subprocess.run(
        [sys.executable, "-m", "server.cli", "restore", str(out)],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    import sqlite3

    with sqlite3.connect(tmp_path / "restored.db") as db:
        restored = {row[0] for row in db.execute("SELECT number FROM ticket")}
    assert before <= restored <= set(acked)

    lines = [line for line in srv.log_path.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    events = [(e["event"], e.get("number")) for e in parsed if "event" in e]
    assert sum(1 for kind, _ in events if kind == "ticket.issue") == 30
    assert ("ticket.call", first) in events
    assert ("device.connected", None) not in events  # HTTP-only kiosks never connected live
    assert any(e.get("logger") == "gunicorn.error" for e in parsed)
    text = srv.log_path.read_text()
    for token in [*kiosks, counter]:
        assert token not in text


def test_metrics_are_summed_across_worker_processes(tmp_path):
    from tests.support.databases import require_redis

    env = {
        "SAHAJA_REDIS_URL": require_redis(),
        "SAHAJA_REDIS_CHANNEL": f"sahaja-ops-{uuid.uuid4().hex[:8]}",
    }
    srv = LiveServer(tmp_path, env=env, run_args=("--workers", "2"))
    token = srv.add_device("kiosk-1", "PRE", "kiosk")
    with srv:
        for n in range(12):  # fresh connections: Gunicorn's workers share them out
            issue(srv, token, f"m-{n}")
        for _ in range(6):
            r = requests.get(f"{srv.url}/metrics", timeout=30, headers={"Connection": "close"})
            assert r.status_code == 200
            assert sample(r.text, "sahaja_tickets_issued_total", site="PRE", service="KTP") == 12
        remote = requests.get(
            f"{srv.url}/metrics", headers={"X-Forwarded-For": "198.51.100.4"}, timeout=30
        )
        assert remote.status_code == 401
