"""Many light waiting-room boards in one process, for measuring the server's fan-out.

Each listener is a thread speaking Engine.IO 4 / Socket.IO 5 directly over a websocket
(websocket-client): connect with the display token, answer pings, and stamp each
``ticket_called`` with CLOCK_MONOTONIC, which is shared by all processes of the machine. A full
python-socketio client costs far more per event than a real board on its own Raspberry Pi
would, and 100 of them in one process measured the client, not the server.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import threading
import time

import websocket

from sahaja import protocol as p


def _listen(url: str, token: str, stamps: list, ready: threading.Barrier, stop: threading.Event):
    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=30
    )
    ws.recv()  # engine.io open packet
    ws.send("40" + json.dumps({"token": token}))
    prefix = f'42["{p.TICKET_CALLED}",'
    connected = False
    while not stop.is_set():
        try:
            msg = ws.recv()
        except websocket.WebSocketTimeoutException:
            continue
        now = time.monotonic_ns()
        if msg == "2":
            ws.send("3")
        elif msg.startswith("40") and not connected:
            connected = True
        elif msg.startswith(f'42["{p.SNAPSHOT}"'):
            ready.wait()
        elif msg.startswith(prefix):
            stamps.append((json.loads(msg[2:])[1]["ticket_id"], now))
    ws.close()


def run(url: str, token: str, count: int, conn, expected: int) -> None:
    stamps: list = []
    stop = threading.Event()
    ready = threading.Barrier(count + 1)
    threads = [
        threading.Thread(target=_listen, args=(url, token, stamps, ready, stop), daemon=True)
        for _ in range(count)
    ]
    for t in threads:
        t.start()
    ready.wait()
    conn.send("ready")
    deadline = time.monotonic() + 300
    while conn.poll(0.05) is False and time.monotonic() < deadline:
        pass
    conn.recv()  # the driver is done calling
    end = time.monotonic() + 10
    while len(stamps) < expected and time.monotonic() < end:
        time.sleep(0.01)
    stop.set()
    conn.send(list(stamps))


def start(url: str, token: str, count: int, expected: int):
    """Start the listeners in their own process; returns (process, pipe) once all connected."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=run, args=(url, token, count, child, expected), daemon=True)
    proc.start()
    assert parent.recv() == "ready"
    return proc, parent
