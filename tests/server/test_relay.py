"""The Redis relay between server processes fails visibly and recovers by itself.

Every test starts its own throw-away ``redis-server`` on a free port and kills or stops that
one (never the shared Redis).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
import socketio

from sahaja import protocol as p
from tests.support.live_server import LiveServer, free_port

pytestmark = pytest.mark.slow

REDIS_TIMEOUT = 0.5


class OwnRedis:
    def __init__(self, tmp_path: Path) -> None:
        if shutil.which("redis-server") is None:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail("redis-server is required under CI=true")
            pytest.skip("redis-server not installed")
        self.port = free_port()
        self.dir = tmp_path / "redis"
        self.dir.mkdir(exist_ok=True)
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        client.close()
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop_process(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)

    def resume_process(self) -> None:
        self.proc.send_signal(signal.SIGCONT)


@pytest.fixture
def own_redis(tmp_path):
    r = OwnRedis(tmp_path).start()
    yield r
    if r.proc and r.proc.poll() is None:
        r.resume_process()
    r.kill()


def relay_env(own_redis: OwnRedis) -> dict[str, str]:
    return {
        "SAHAJA_REDIS_URL": own_redis.url,
        "SAHAJA_REDIS_CHANNEL": f"sahaja-test-{uuid.uuid4().hex[:8]}",
        "SAHAJA_REDIS_TIMEOUT": str(REDIS_TIMEOUT),
    }


def health(srv: LiveServer) -> dict:
    return requests.get(f"{srv.url}/api/v1/health", timeout=10).json()


def wait_for(what: str, check, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for: {what}"
        time.sleep(0.1)


class Board:
    """A display board on one server process, keeping what it heard."""

    def __init__(self, url: str, token: str) -> None:
        self.snapshots: list[dict] = []
        self.calls: list[dict] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on(p.SNAPSHOT, self._snapshot)
        self.client.on(p.TICKET_CALLED, self._call)
        self.client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        wait_for("the first snapshot", lambda: self.snapshots)

    def _snapshot(self, data: dict) -> None:
        with self.lock:
            self.snapshots.append(data)

    def _call(self, data: dict) -> None:
        with self.lock:
            self.calls.append(data)

    def snapshot_with(self, number: str, after: int) -> bool:
        with self.lock:
            return any(
                any(c["number"] == number for c in s["recent_calls"])
                for s in self.snapshots[after:]
            )


def post(url: str, path: str, token: str, timeout: float = 10, body: dict | None = None):
    return requests.post(
        f"{url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
    )


def test_a_lost_relay_is_reported_and_clients_resync_when_it_is_back(tmp_path, own_redis):
    env = relay_env(own_redis)
    first = LiveServer(tmp_path, env=env).start()
    second = LiveServer(tmp_path, env=env).start()
    boards: list[Board] = []
    try:
        kiosk = first.add_device("k", "PRE", "kiosk")
        counter = first.add_device("c", "PRE", "counter", "L1")
        display = first.add_device("d", "PRE", "display")
        assert health(first) == {"status": "ok", "relay": "up"}
        boards = [Board(first.url, display), Board(second.url, display)]
        near, far = boards

        own_redis.kill()
        for srv in (first, second):
            wait_for("health to say degraded", lambda srv=srv: health(srv)["status"] == "degraded")
            assert health(srv) == {"status": "degraded", "relay": "down"}
        seen = [len(b.snapshots) for b in boards]

        assert post(first.url, "/api/v1/sites/PRE/tickets", kiosk, body={"service": "KTP"}).ok
        r = post(first.url, "/api/v1/counters/PRE-L1/next", counter)
        assert r.status_code == 200 and r.json()["current"]["number"] == "A001"
        wait_for("the call on the same process", lambda: near.calls)
        time.sleep(1)
        assert far.calls == []  # the other process's board missed it: the relay is down

        own_redis.start()  # same port
        for srv in (first, second):
            wait_for("health to recover", lambda srv=srv: health(srv)["status"] == "ok")
        for board, before in zip(boards, seen, strict=True):
            wait_for(
                "a fresh snapshot with the missed call",
                lambda board=board, before=before: board.snapshot_with("A001", before),
            )

        # and the relay works again: the next call reaches both processes' boards
        assert post(first.url, "/api/v1/sites/PRE/tickets", kiosk, body={"service": "KTP"}).ok
        assert post(first.url, "/api/v1/counters/PRE-L1/next", counter).ok
        wait_for("the next call on the other process", lambda: far.calls)
        assert far.calls[-1]["number"] == "A002"
    finally:
        for board in boards:
            board.client.disconnect()
        first.stop()
        second.stop()


def test_a_hung_redis_costs_a_request_at_most_the_configured_timeout(tmp_path, own_redis):
    env = relay_env(own_redis)
    with LiveServer(tmp_path, env=env) as srv:
        kiosk = srv.add_device("k", "PRE", "kiosk")
        counter = srv.add_device("c", "PRE", "counter", "L1")
        for _ in range(5):
            assert post(srv.url, "/api/v1/sites/PRE/tickets", kiosk, body={"service": "KK"}).ok
        own_redis.stop_process()  # TCP stays open, nothing answers
        margin = 2.5  # a busy test machine; before the fix a request hung for 20 s
        for _ in range(5):  # every call publishes events to the hung Redis
            r = post(srv.url, "/api/v1/counters/PRE-L1/next", counter, REDIS_TIMEOUT + margin)
            assert r.status_code == 200
        wait_for("health to say degraded", lambda: health(srv)["status"] == "degraded")
        own_redis.resume_process()
        wait_for("health to recover", lambda: health(srv)["status"] == "ok")
