"""Live connection limits on a real (gevent) server process: caps refuse with a clear 503
while HTTP keeps answering; unauthenticated and dead connections are closed."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator

import pytest
import requests
import websocket

from sahaja import protocol as p
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow


class Raw:
    """A hand-driven Engine.IO 4 / Socket.IO 5 client over WebSocket."""

    def __init__(self, url: str) -> None:
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(ws_url, timeout=10)
        assert self.ws.recv().startswith("0{")  # the Engine.IO open packet
        self.closed = False

    def authenticate(self, token: str) -> None:
        self.ws.send("40" + json.dumps({"token": token}))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            msg = self.ws.recv()
            if msg.startswith("40"):
                return
            assert not msg.startswith("44"), msg
        raise AssertionError("no Socket.IO connect answer")

    def poll(self, seconds: float, answer_pings: bool) -> None:
        """Read for up to ``seconds``; note when the server closes the connection."""
        if self.closed:
            return
        self.ws.settimeout(seconds)
        try:
            msg = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            self.closed = True
            return
        if msg == "" or msg == "1":  # a close frame, or Engine.IO's close packet
            self.closed = True
        elif msg == "2" and answer_pings:
            self.ws.send("3")

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the server may have closed it already
            self.ws.close(timeout=1)
        self.ws.shutdown()  # the socket itself, in every case


def handshake(url: str, lang: str = "id") -> requests.Response:
    return requests.get(
        f"{url}/socket.io/?EIO=4&transport=polling",
        headers={"Accept-Language": lang},
        timeout=10,
    )


def websocket_upgrade_status(port: int) -> int:
    """The HTTP status a WebSocket handshake gets (101 when accepted)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        return int(sock.recv(4096).split(b" ", 2)[1])


@contextlib.contextmanager
def server_with(tmp_path, settings: dict[str, int]) -> Iterator[tuple[LiveServer, str]]:
    """A server process with these ``SAHAJA_`` settings, and a display token for PRE."""
    env = {f"SAHAJA_{key}": str(value) for key, value in settings.items()}
    with LiveServer(tmp_path, env=env) as srv:
        yield srv, srv.add_device("board", "PRE", "display")


def test_the_caps_refuse_new_connections_with_503_and_http_keeps_answering(tmp_path):
    settings = {"LIVE_MAX_CONNECTIONS": 4, "LIVE_MAX_PENDING": 2, "LIVE_AUTH_SECONDS": 120}
    with server_with(tmp_path, settings) as (srv, token):
        pending = [Raw(srv.url), Raw(srv.url)]  # never authenticate
        refused = handshake(srv.url)
        assert refused.status_code == 503
        assert refused.json()["error"] == p.ERR_TOO_MANY_CONNECTIONS
        assert "koneksi" in refused.json()["message"]  # Indonesian first
        assert "connections" in handshake(srv.url, "en").json()["message"]
        assert websocket_upgrade_status(srv.port) == 503
        assert requests.get(f"{srv.url}/api/v1/health", timeout=10).json()["status"] == "ok"
        assert requests.get(f"{srv.url}/api/v1/sites/PRE", timeout=10).status_code == 200

        pending[0].authenticate(token)  # one pending slot frees up
        board = Raw(srv.url)
        board.authenticate(token)
        # now 3 live sessions, 1 pending: the total cap of 4 is next
        third = Raw(srv.url)
        third.authenticate(token)
        refused = handshake(srv.url)
        assert refused.status_code == 503 and refused.json()["error"] == p.ERR_TOO_MANY_CONNECTIONS
        assert requests.get(f"{srv.url}/api/v1/health", timeout=10).status_code == 200

        third.close()
        deadline = time.monotonic() + 15
        while handshake(srv.url).status_code == 503:  # the server notices the close
            assert time.monotonic() < deadline, "a freed slot was never given back"
            time.sleep(0.2)
        for raw in [*pending, board]:
            raw.close()


def test_unauthenticated_and_dead_connections_are_closed_and_live_ones_stay(tmp_path):
    settings = {"PING_INTERVAL": 1, "PING_TIMEOUT": 1, "LIVE_AUTH_SECONDS": 2}
    with server_with(tmp_path, settings) as (srv, token):
        unauthenticated = Raw(srv.url)  # answers pings, never authenticates
        dead = Raw(srv.url)  # authenticates, then never answers a ping
        dead.authenticate(token)
        alive = Raw(srv.url)
        alive.authenticate(token)
        deadline = time.monotonic() + 20  # interval + timeout + auth deadline, with margin
        while not (unauthenticated.closed and dead.closed):
            assert time.monotonic() < deadline, (
                f"still open: unauthenticated={not unauthenticated.closed}, dead={not dead.closed}"
            )
            unauthenticated.poll(0.1, answer_pings=True)
            dead.poll(0.1, answer_pings=False)
            alive.poll(0.1, answer_pings=True)
        for _ in range(30):  # three more ping rounds: the live one is still served
            alive.poll(0.1, answer_pings=True)
        assert not alive.closed
        for raw in (unauthenticated, dead, alive):
            raw.close()
