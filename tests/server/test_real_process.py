"""Against real ``sahaja-server run`` processes: concurrency, two processes, kill -9."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.databases import postgres_schema
from tests.support.live_server import OPEN_ALL_DAY, LiveServer

pytestmark = pytest.mark.slow


def small_quota_config(quota: int) -> str:
    text = OPEN_ALL_DAY.read_text()
    marker = 'code = "PRE"\nname = "Kantor Kecamatan Pare"\ndaily_quota = 80'
    assert marker in text
    return text.replace(marker, marker.replace("= 80", f"= {quota}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def live_db(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'live.db'}"
    else:
        with postgres_schema() as url:
            yield url


def post_ticket(url, token, service="KTP", request_id=None):
    return requests.post(
        f"{url}/api/v1/sites/PRE/tickets",
        json={"service": service, "request_id": request_id or uuid.uuid4().hex},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_eight_threads_issue_unique_numbers_and_the_quota_is_exact(tmp_path, live_db):
    with LiveServer(tmp_path, small_quota_config(50), database_url=live_db) as srv:
        token = srv.add_device("k", "PRE", "kiosk")
        services = ["KTP", "KK"]

        def worker(i):
            return [post_ticket(srv.url, token, services[(i + j) % 2]) for j in range(10)]

        with ThreadPoolExecutor(8) as pool:
            results = [r for batch in pool.map(worker, range(8)) for r in batch]
        ok = [r.json() for r in results if r.status_code == 201]
        refused = [r.json() for r in results if r.status_code != 201]
        assert len(ok) == 50
        assert all(body["error"] == "quota_exhausted" for body in refused) and len(refused) == 30
        numbers = [t["number"] for t in ok]
        assert len(set(numbers)) == 50
        for prefix in "AB":
            seqs = sorted(int(n[1:]) for n in numbers if n[0] == prefix)
            assert seqs == list(range(1, len(seqs) + 1))  # no gaps, no repeats
        site = requests.get(f"{srv.url}/api/v1/sites/PRE", timeout=5).json()
        assert (site["issued"], site["remaining"]) == (50, 0)


def test_two_server_processes_share_numbering_and_never_call_a_ticket_twice(tmp_path, live_db):
    first = LiveServer(tmp_path, database_url=live_db).start()
    second = LiveServer(tmp_path, database_url=live_db)
    second.start()
    try:
        token = first.add_device("k", "PRE", "kiosk")
        c1 = first.add_device("c1", "PRE", "counter", "L1")
        c2 = first.add_device("c2", "PRE", "counter", "L2")

        def issue(i):
            url = (first, second)[i % 2].url
            return post_ticket(url, token, "KK").json()["number"]

        with ThreadPoolExecutor(8) as pool:
            numbers = list(pool.map(issue, range(60)))
        assert sorted(numbers) == [f"B{n:03d}" for n in range(1, 61)]

        called: dict[str, list[str]] = {"c1": [], "c2": []}

        def press(name, url, tok):
            counter = "PRE-L1" if name == "c1" else "PRE-L2"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                r = requests.post(
                    f"{url}/api/v1/counters/{counter}/next",
                    headers={"Authorization": f"Bearer {tok}"},
                    timeout=30,
                )
                assert r.status_code == 200, r.text
                current = r.json()["current"]
                if current is None:
                    return
                called[name].append(current["number"])

        threads = [
            threading.Thread(target=press, args=("c1", first.url, c1)),
            threading.Thread(target=press, args=("c2", second.url, c2)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=150)
            assert not t.is_alive(), "a counter kept pressing past its deadline"
        everything = called["c1"] + called["c2"]
        assert sorted(everything) == sorted(numbers)  # each ticket called exactly once
        assert called["c1"] and called["c2"]  # both counters took part
    finally:
        first.stop()
        second.stop()


def test_kill_9_during_a_burst_loses_no_acknowledged_ticket(tmp_path, live_db):
    srv = LiveServer(tmp_path, database_url=live_db).start()
    token = srv.add_device("k", "PRE", "kiosk")
    acked: list[dict] = []
    lock = threading.Lock()
    stop = threading.Event()

    def burst():
        while not stop.is_set():
            try:
                r = post_ticket(srv.url, token, "AKL")
            except requests.RequestException:
                return
            if r.status_code == 201:
                with lock:
                    acked.append(r.json())

    threads = [threading.Thread(target=burst) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while True:
        with lock:
            if len(acked) >= 40:
                break
        assert time.monotonic() < deadline, f"only {len(acked)} tickets acknowledged in 60 s"
        threading.Event().wait(0.01)
    srv.kill()
    stop.set()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive()
    srv.start()
    try:
        for ticket in acked:
            r = requests.get(f"{srv.url}/api/v1/tickets/{ticket['status_code']}", timeout=5)
            assert r.status_code == 200, ticket
            assert r.json()["number"] == ticket["number"]
        nxt = post_ticket(srv.url, token, "AKL").json()["number"]
        highest = max(int(t["number"][1:]) for t in acked)
        assert int(nxt[1:]) > highest  # numbering continues, nothing reissued
        assert nxt not in {t["number"] for t in acked}
    finally:
        srv.stop()


def test_events_cross_server_processes_through_redis(tmp_path):
    """PostgreSQL + Redis, two processes: a call made on one reaches a board on the other."""
    import socketio

    from sahaja import protocol as p
    from tests.support.databases import require_redis

    redis_url = require_redis()
    channel = f"sahaja-test-{uuid.uuid4().hex[:8]}"
    env = {"SAHAJA_REDIS_URL": redis_url, "SAHAJA_REDIS_CHANNEL": channel}
    with postgres_schema() as url:
        first = LiveServer(tmp_path, database_url=url, env=env).start()
        second = LiveServer(tmp_path, database_url=url, env=env).start()
        board = socketio.Client(reconnection=False)
        try:
            kiosk = first.add_device("k", "PRE", "kiosk")
            counter = first.add_device("c", "PRE", "counter", "L1")
            display = first.add_device("d", "PRE", "display")
            calls: list[dict] = []
            got = threading.Event()

            @board.on(p.TICKET_CALLED)
            def _on_call(data):
                calls.append(data)
                got.set()

            board.connect(second.url, auth={"token": display}, transports=["websocket"])
            post_ticket(first.url, kiosk, "KTP")
            r = requests.post(
                f"{first.url}/api/v1/counters/PRE-L1/next",
                headers={"Authorization": f"Bearer {counter}"},
                timeout=10,
            )
            assert r.json()["current"]["number"] == "A001"
            assert got.wait(10), "the board on the other process heard nothing"
            assert calls[0]["number"] == "A001" and calls[0]["counter"] == "PRE-L1"
        finally:
            board.disconnect()
            first.stop()
            second.stop()
