"""Many light waiting-room boards in one process, for measuring the server's fan-out.

All listeners share one thread and one ``selectors`` loop: each speaks Engine.IO 4 /
Socket.IO 5 over a websocket (websocket-client does the handshake and the masked sends; the
unmasked server frames are read here), answers pings, and stamps each ``ticket_called`` with
CLOCK_MONOTONIC, which all processes of the machine share. A python-socketio client per board
(two threads each) measured the client, not the server: a real board is its own Raspberry Pi.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import selectors
import struct
import time

import websocket

from sahaja import protocol as p


class _Conn:
    def __init__(self, url: str, token: str) -> None:
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(ws_url, timeout=30)
        self.ws.recv()  # engine.io open packet
        self.ws.send("40" + json.dumps({"token": token}))
        self.ws.sock.setblocking(False)
        self.buffer = b""
        self.ready = False

    def frames(self) -> list[str]:
        """Complete text frames received so far (the server never masks nor fragments these)."""
        try:
            chunk = self.ws.sock.recv(65536)
        except BlockingIOError:
            return []
        if not chunk:
            raise ConnectionError("server closed a board connection")
        self.buffer += chunk
        out = []
        while len(self.buffer) >= 2:
            length, offset = self.buffer[1] & 0x7F, 2
            if length == 126:
                if len(self.buffer) < 4:
                    break
                length, offset = struct.unpack("!H", self.buffer[2:4])[0], 4
            elif length == 127:
                if len(self.buffer) < 10:
                    break
                length, offset = struct.unpack("!Q", self.buffer[2:10])[0], 10
            if len(self.buffer) < offset + length:
                break
            opcode = self.buffer[0] & 0x0F
            payload = self.buffer[offset : offset + length]
            self.buffer = self.buffer[offset + length :]
            if opcode == 1:
                out.append(payload.decode())
        return out


def run(url: str, token: str, count: int, conn, expected: int) -> None:
    boards = [_Conn(url, token) for _ in range(count)]
    sel = selectors.DefaultSelector()
    for b in boards:
        sel.register(b.ws.sock, selectors.EVENT_READ, b)
    stamps: list[tuple[int, int]] = []
    called = f'42["{p.TICKET_CALLED}",'
    snapshot = f'42["{p.SNAPSHOT}"'
    said_ready = done = False
    deadline = None
    while True:
        for key, _ in sel.select(timeout=0.05):
            board: _Conn = key.data
            for msg in board.frames():
                now = time.monotonic_ns()
                if msg == "2":
                    board.ws.sock.setblocking(True)
                    board.ws.send("3")
                    board.ws.sock.setblocking(False)
                elif msg.startswith(called):
                    stamps.append((json.loads(msg[2:])[1]["ticket_id"], now))
                elif msg.startswith(snapshot):
                    board.ready = True
        if not said_ready and all(b.ready for b in boards):
            conn.send("ready")
            said_ready = True
        if said_ready and not done and conn.poll():
            conn.recv()
            done, deadline = True, time.monotonic() + 10
        if done and (len(stamps) >= expected or time.monotonic() > deadline):
            break
    for b in boards:
        b.ws.close()
    conn.send(stamps)


def start(url: str, token: str, count: int, expected: int):
    """Start the listeners in their own process; returns (process, pipe) once all connected."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=run, args=(url, token, count, child, expected), daemon=True)
    proc.start()
    assert parent.recv() == "ready"
    return proc, parent
