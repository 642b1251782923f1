"""Thousands of live clients on one server process: ticket issue and call fan-out under load.

    .venv/bin/python -m bench.live_connections [--clients 5000] [--calls 10] [--procs 1]

A real ``sahaja-server run`` (gevent worker by default; ``--worker gthread`` for the old one)
with the Kediri config opened 24/7. A load generator in separate processes opens ``--clients``
mixed Socket.IO clients spread over the 6 sites (boards, kiosks and counter devices, so every
site's room holds hundreds), speaking Engine.IO 4 / Socket.IO 5 over WebSocket by hand on
asyncio (a python-socketio client per connection would measure the client). Then:

1. **issue**: wrk (8 connections, closed loop) issues tickets while every client is connected;
2. **calls**: while wrk keeps issuing, a counter of each site in turn presses "next"
   (``--calls`` per site); each client stamps the ``ticket_called`` of its site with
   CLOCK_MONOTONIC (shared by the processes). Reported: call -> client latency p50/p99 per
   site, and whether every client of a site got every call of its site.

Not a test: figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import re
import resource
import statistics
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.server_load import SERVICES, SITES, bench_config, pct, server_cpu_seconds, wrk_phase
from sahaja import protocol as p
from tests.support.live_server import LiveServer

CALLED = f'42["{p.TICKET_CALLED}",'.encode()
SNAPSHOT = f'42["{p.SNAPSHOT}",'.encode()
TICKET_ID = re.compile(rb'"ticket_id":\s*(\d+)')


def steady_issue(name: str, url: str, targets: list[str], rate: float, seconds: float) -> dict:
    """Open-loop issue at a fixed rate (the office's real pattern: tickets arrive, they do not
    queue behind each other), each request timed from its scheduled start, so a stalled
    server shows as latency, not as fewer requests (no coordinated omission)."""
    session = requests.Session()
    latencies: list[float] = []
    errors = 0
    start = time.monotonic()
    n = int(rate * seconds)
    for i in range(n):
        due = start + i / rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        path, token, service = targets[i % len(targets)].split("|")
        r = session.post(
            url + path,
            json={"service": service, "request_id": f"steady-{name}-{i}"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        latencies.append((time.monotonic() - due) * 1000)
        errors += r.status_code != 201
    row = {
        "name": name,
        "n": n,
        "throughput": n / (time.monotonic() - start),
        "p50": statistics.median(latencies),
        "p99": pct(latencies, 99),
        "errors": errors,
    }
    print(
        f"{name}: {rate:g}/s open loop, {n} tickets, p50 {row['p50']:.1f} ms, "
        f"p99 {row['p99']:.1f} ms, errors {errors}"
    )
    return row


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def frame(text: str) -> bytes:
    """One masked text frame (clients must mask)."""
    payload = text.encode()
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x81, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
    mask = os.urandom(4)
    masked = (
        int.from_bytes(payload, "big") ^ int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    ).to_bytes(n, "big")
    return head + mask + masked


class Client(asyncio.Protocol):
    """One Socket.IO client: handshake, auth, pong, stamps of ``ticket_called``."""

    def __init__(self, host: str, token: str, site: str, ready: asyncio.Future) -> None:
        self.host, self.token, self.site = host, token, site
        self.ready = ready
        self.buffer = b""
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        self.calls: dict[int, int] = {}  # ticket id -> CLOCK_MONOTONIC ns at receipt
        self.closed = False
        self.status = ""

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {self.host}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            self.status = self.buffer[: self.buffer.find(b"\r\n")].decode()
            if " 101 " not in self.status:
                self._fail(self.status)
                return
            self.upgraded = True
            self.buffer = self.buffer[end + 4 :]
        buf = self.buffer
        while len(buf) >= 2:
            length, offset = buf[1] & 0x7F, 2
            if length == 126:
                if len(buf) < 4:
                    break
                length, offset = struct.unpack("!H", buf[2:4])[0], 4
            elif length == 127:
                if len(buf) < 10:
                    break
                length, offset = struct.unpack("!Q", buf[2:10])[0], 10
            if len(buf) < offset + length:
                break
            opcode = buf[0] & 0x0F
            msg = buf[offset : offset + length]
            buf = buf[offset + length :]
            if opcode == 1:
                self._message(msg)
            elif opcode == 8:
                self.closed = True
        self.buffer = buf

    def _message(self, msg: bytes) -> None:
        if msg.startswith(CALLED):
            m = TICKET_ID.search(msg)
            if m:
                self.calls[int(m.group(1))] = time.monotonic_ns()
        elif msg == b"2":
            self.transport.write(frame("3"))
        elif msg.startswith(b"0{"):
            self.transport.write(frame("40" + json.dumps({"token": self.token})))
        elif msg.startswith(SNAPSHOT) and not self.ready.done():
            self.ready.set_result(True)
        elif msg.startswith(b"44") and not self.ready.done():
            self._fail(msg.decode()[:200])

    def _fail(self, why: str) -> None:
        if not self.ready.done():
            self.ready.set_result(why)
        if self.transport:
            self.transport.close()

    def connection_lost(self, exc) -> None:
        self.closed = True
        if not self.ready.done():
            self.ready.set_result(f"connection lost: {exc}")


async def _generate(host: str, port: int, plan: list[tuple[str, str]], conn) -> None:
    loop = asyncio.get_running_loop()
    clients: list[Client] = []
    gate = asyncio.Semaphore(100)  # handshakes in flight

    async def open_one(site: str, token: str) -> None:
        async with gate:
            ready = loop.create_future()
            client = Client(f"{host}:{port}", token, site, ready)
            clients.append(client)
            try:
                await loop.create_connection(lambda: client, host, port)
            except OSError as exc:
                ready.set_result(f"connect: {exc}")
            await asyncio.wait_for(ready, 120)

    t0 = time.monotonic()
    await asyncio.gather(*(open_one(site, token) for site, token in plan))
    failed = [c.ready.result() for c in clients if c.ready.result() is not True]
    conn.send(("ready", len(clients) - len(failed), failed[:5], time.monotonic() - t0))
    while not conn.poll():
        await asyncio.sleep(0.05)
    conn.recv()
    await asyncio.sleep(2)  # the last calls' events are under way
    lost = sum(1 for c in clients if c.closed)
    conn.send(("stamps", [(c.site, c.calls) for c in clients], lost))
    for c in clients:
        if c.transport:
            c.transport.close()


def generator(host: str, port: int, plan: list[tuple[str, str]], conn) -> None:
    raise_nofile()
    asyncio.run(_generate(host, port, plan, conn))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=5000)
    ap.add_argument("--calls", type=int, default=10, help="calls per site")
    ap.add_argument("--procs", type=int, default=1, help="load generator processes")
    ap.add_argument("--seconds", type=int, default=10, help="length of the wrk issue phase")
    ap.add_argument("--worker", default="gevent", choices=["gevent", "gthread"])
    ap.add_argument(
        "--quiet-calls",
        action="store_true",
        help="make the calls without wrk issuing at the same time (fan-out alone)",
    )
    ap.add_argument(
        "--issue-rate",
        type=float,
        default=0,
        help="issue at this fixed rate (open loop) instead of wrk's closed loop",
    )
    ap.add_argument("--database", help="SQLAlchemy URL (default: a temp SQLite file)")
    args = ap.parse_args()
    print(f"open files limit: {raise_nofile()}")

    tmp = Path(tempfile.mkdtemp(prefix="sahaja-live-bench-"))
    srv = LiveServer(
        tmp, bench_config(), database_url=args.database, run_args=("--worker", args.worker)
    ).start()
    try:
        run(srv, args)
    finally:
        srv.stop()


def run(srv: LiveServer, args: argparse.Namespace) -> None:
    kiosks = {s: srv.add_device(f"kiosk-{s}", s, "kiosk") for s in SITES}
    boards = {s: srv.add_device(f"board-{s}", s, "display") for s in SITES}
    counters = {s: srv.add_device(f"c-{s}-L1", s, "counter", "L1") for s in SITES}
    presser = {s: srv.add_device(f"c-{s}-L2", s, "counter", "L2") for s in SITES}
    # the mix: per site mostly boards and status-page-like listeners (display role), then
    # kiosks and counter devices; all of them are in their site's room
    kinds = [boards] * 6 + [kiosks] * 2 + [counters] * 2
    plan = [
        (SITES[i % len(SITES)], kinds[(i // len(SITES)) % len(kinds)][SITES[i % len(SITES)]])
        for i in range(args.clients)
    ]
    issue_targets = [
        f"/api/v1/sites/{site}/tickets|{kiosks[site]}|{service}"
        for service in SERVICES
        for site in SITES
    ]
    wrk_phase("issue, 8 clients, idle server", srv.url, issue_targets, 8, 3)

    ctx = mp.get_context("spawn")
    procs, pipes = [], []
    for k in range(args.procs):
        parent, child = ctx.Pipe()
        part = plan[k :: args.procs]
        proc = ctx.Process(target=generator, args=("127.0.0.1", srv.port, part, child))
        proc.start()
        procs.append(proc)
        pipes.append(parent)
    connected = 0
    for pipe in pipes:
        _, ok, failed, took = pipe.recv()
        connected += ok
        print(f"generator: {ok} connected in {took:.1f} s; failures: {failed}")
    rss = _rss_mb(srv)
    print(f"{connected} of {args.clients} clients connected; server RSS {rss:.0f} MB")
    health = requests.get(f"{srv.url}/api/v1/health", timeout=5)
    print(f"health with every client connected: {health.status_code} {health.json()}")

    if args.issue_rate:
        issue = steady_issue(
            f"issue, {connected} live", srv.url, issue_targets, args.issue_rate, args.seconds
        )
        during = (steady_issue, ("during-calls", srv.url, issue_targets, args.issue_rate))
    else:
        issue = wrk_phase(
            f"issue, 8 clients, {connected} live", srv.url, issue_targets, 8, args.seconds
        )
        during = (wrk_phase, ("issue during calls", srv.url, issue_targets, 8))

    # calls while tickets keep being issued
    sent: dict[int, tuple[str, int]] = {}
    background = threading.Thread(
        target=during[0], args=(*during[1], args.calls * 2 + 4), daemon=True
    )
    if not args.quiet_calls:
        background.start()
        time.sleep(1)
    session = requests.Session()
    cpu0 = server_cpu_seconds(srv.proc.pid)
    for _ in range(args.calls):
        for site in SITES:
            url = f"{srv.url}/api/v1/counters/{site}-L2/next"
            t = time.monotonic_ns()
            r = session.post(url, headers={"Authorization": f"Bearer {presser[site]}"}, timeout=30)
            current = r.json()["current"]
            assert current, f"nothing waiting at {site}"
            sent[current["id"]] = (site, t)
            time.sleep(2 / len(SITES))
    time.sleep(1)  # the last call's frames are written
    cpu = server_cpu_seconds(srv.proc.pid) - cpu0
    if background.is_alive():
        background.join()
    n_calls = args.calls * len(SITES)
    # with --quiet-calls the server did little else meanwhile: the CPU of one call's fan-out
    print(
        f"server CPU during the calls: {cpu:.2f} s, {cpu * 1000 / n_calls:.1f} ms per call "
        f"({connected // len(SITES)} clients per site)"
    )
    stamps = []
    lost = 0
    for pipe in pipes:
        pipe.send("done")
        _, part, part_lost = pipe.recv()
        stamps += part
        lost += part_lost
    for proc in procs:
        proc.join(30)
    report(sent, stamps, lost, issue)


def report(sent, stamps, lost: int, issue: dict) -> None:
    per_site: dict[str, list[float]] = {s: [] for s in SITES}
    complete = {s: [0, 0] for s in SITES}  # clients with every call of their site, clients
    calls_of = {s: {tid for tid, (site, _) in sent.items() if site == s} for s in SITES}
    for site, calls in stamps:
        got = calls_of[site] & set(calls)
        complete[site][1] += 1
        complete[site][0] += got == calls_of[site]
        for tid in got:
            per_site[site].append((calls[tid] - sent[tid][1]) / 1e6)
    print("\n| site | clients | with every call | call -> client p50 (ms) | p99 (ms) |")
    print("|---|---:|---:|---:|---:|")
    everything = []
    for s in SITES:
        values = per_site[s]
        everything += values
        if values:
            print(
                f"| {s} | {complete[s][1]} | {complete[s][0]} | "
                f"{statistics.median(values):.1f} | {pct(values, 99):.1f} |"
            )
    if everything:
        print(
            f"| all | {sum(c[1] for c in complete.values())} | "
            f"{sum(c[0] for c in complete.values())} | {statistics.median(everything):.1f} | "
            f"{pct(everything, 99):.1f} |"
        )
    print(f"connections closed by the server during the run: {lost}")
    print(f"issue under load: {issue['throughput']:.0f}/s, p99 {issue['p99']:.1f} ms")


def _rss_mb(srv: LiveServer) -> float:
    """Resident memory of the server's worker (the Gunicorn child of the started process)."""
    out = subprocess.run(
        ["ps", "-o", "rss=", "--ppid", str(srv.proc.pid)], capture_output=True, text=True
    ).stdout.split()
    return sum(int(x) for x in out) / 1024 if out else 0.0


if __name__ == "__main__":
    main()
