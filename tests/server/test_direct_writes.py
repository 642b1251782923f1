"""Direct writes of live events (server/direct_writes.py) on a real gevent server process:
every client gets every call, whole and in order, through the direct path (a client too slow
to take them at once: tests/server/test_direct_writes_unit.py)."""

from __future__ import annotations

import contextlib
import json
import re
import time

import pytest
import requests
import websocket

from sahaja import protocol as p
from server import direct_writes
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow

CALLED = f'42["{p.TICKET_CALLED}",'
PACKETS = re.compile(r'^sahaja_live_packets_total\{path="(\w+)"\} ([0-9.e+]+)$', re.M)


def connect(url: str, token: str) -> websocket.WebSocket:
    """A display client over WebSocket, authenticated and past its snapshot."""
    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=20
    )
    assert ws.recv().startswith("0{")
    ws.send("40" + json.dumps({"token": token}))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        msg = ws.recv()
        assert not msg.startswith("44"), msg
        if msg.startswith(f'42["{p.SNAPSHOT}"'):
            return ws
    raise AssertionError("no snapshot")


def calls_heard(ws: websocket.WebSocket, expected: int, seconds: float) -> list[int]:
    """The call ids of the ``ticket_called`` events read, until ``expected`` or the deadline."""
    ids: list[int] = []
    deadline = time.monotonic() + seconds
    while len(ids) < expected and time.monotonic() < deadline:
        ws.settimeout(max(deadline - time.monotonic(), 0.1))
        try:
            msg = ws.recv()
        except websocket.WebSocketTimeoutException:
            break
        if msg == "2":
            ws.send("3")
        elif msg.startswith(CALLED):
            event, payload = json.loads(msg[2:])  # a cut or mixed frame fails here
            ids.append(payload["call_id"])
    return ids


def packets(url: str) -> dict[str, float]:
    text = requests.get(f"{url}/metrics", timeout=10).text
    return {path: float(n) for path, n in PACKETS.findall(text)}


def press(url: str, token: str, action: str) -> None:
    r = requests.post(
        f"{url}/api/v1/counters/PRE-L1/{action}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text


def one_waiting(srv: LiveServer) -> tuple[str, str]:
    """PRE with one KTP ticket waiting; the tokens of a board and of counter L1."""
    kiosk = srv.add_device("k", "PRE", "kiosk")
    requests.post(
        f"{srv.url}/api/v1/sites/PRE/tickets",
        json={"service": "KTP", "request_id": "direct-writes"},
        headers={"Authorization": f"Bearer {kiosk}"},
        timeout=30,
    ).raise_for_status()
    return srv.add_device("b", "PRE", "display"), srv.add_device("c", "PRE", "counter", "L1")


def test_every_client_gets_every_call_whole_and_in_order(tmp_path):
    with LiveServer(tmp_path) as srv:
        board, counter = one_waiting(srv)
        clients = [connect(srv.url, board) for _ in range(20)]
        before = packets(srv.url)

        press(srv.url, counter, p.ACTION_NEXT)
        calls = 1 + 60
        for _ in range(calls - 1):
            press(srv.url, counter, p.ACTION_RECALL)

        after = packets(srv.url)
        direct = after.get("direct", 0) - before.get("direct", 0)
        queued = after.get("queued", 0) - before.get("queued", 0)
        # 20 readers on plain WebSockets: (almost) every call went out at once
        assert direct >= calls * 20 - direct_writes.YIELD_EVERY, (direct, queued)

        for ws in clients:
            ids = calls_heard(ws, calls, 30)
            assert len(ids) == calls and ids == sorted(ids) and len(set(ids)) == calls
        for ws in clients:
            with contextlib.suppress(Exception):
                ws.close()


def test_off_by_setting_every_packet_takes_engine_io_s_queue(tmp_path):
    with LiveServer(tmp_path, env={"SAHAJA_DIRECT_WRITES": "false"}) as srv:
        board, counter = one_waiting(srv)
        ws = connect(srv.url, board)
        press(srv.url, counter, p.ACTION_NEXT)
        assert len(calls_heard(ws, 1, 20)) == 1
        assert packets(srv.url).get("direct", 0) == 0
        ws.close()
