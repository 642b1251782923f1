"""Bounded loopback load on a real server process: issue and next throughput and latency
at 1 and 8 clients, and call-to-event latency with 100 connected Socket.IO clients.

    .venv/bin/python -m bench.server_load [--database URL] [--issues 2000] [--calls 50]

Not a test: figures go to docs/benchmarks.md. Every ticket is durable (SQLite WAL with
synchronous=FULL, or PostgreSQL's default fsync) when it is acknowledged.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.support.live_server import OPEN_ALL_DAY, LiveServer

SITES = ["DKC", "PRE", "PPR", "NGD", "BNY", "WTS"]
SERVICES = ["KTP", "KK", "AKL", "AKM", "SPK", "SPD"]


def bench_config() -> str:
    text = OPEN_ALL_DAY.read_text()
    for quota in ("200", "80"):
        text = text.replace(f"daily_quota = {quota}", "daily_quota = 6000")
    return text


def server_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of the server's processes (``server_cpu_split``)."""
    return sum(server_cpu_split(pgid))


def server_cpu_split(pgid: int) -> tuple[float, float]:
    """User and system CPU time of every process of the server's process group (Gunicorn's
    master and workers), from /proc: the cost per request, which other jobs on a shared
    machine disturb far less than wall-clock throughput. System time holds the commits'
    fsyncs, which other jobs' disk writes slow down; user time is the Python."""
    tick = os.sysconf("SC_CLK_TCK")
    user = system = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # a process that just ended
        if int(fields[2]) == pgid:  # fields[0] is the state; [2] the process group
            user += int(fields[11])  # utime
            system += int(fields[12])  # stime
    return user / tick, system / tick


def with_cpu(row: dict, before: tuple[float, float], after: tuple[float, float]) -> dict:
    n = max(row["n"], 1)
    user, system = ((b - a) * 1000 / n for a, b in zip(before, after, strict=True))
    row["cpu_ms"], row["user_ms"], row["system_ms"] = user + system, user, system
    print(
        f"{'':<28} server CPU {row['cpu_ms']:.2f} ms per request "
        f"(user {user:.2f}, system {system:.2f})",
        flush=True,
    )
    return row


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary(name: str, latencies: list[float], elapsed: float) -> dict:
    ms = [x * 1000 for x in latencies]
    row = {
        "name": name,
        "n": len(ms),
        "throughput": len(ms) / elapsed,
        "p50": statistics.median(ms),
        "p99": pct(ms, 99),
    }
    print(
        f"{name:<28} n={row['n']:>5}  {row['throughput']:8.1f}/s  "
        f"p50 {row['p50']:6.2f} ms  p99 {row['p99']:6.2f} ms",
        flush=True,
    )
    return row


def run_clients(n_clients: int, total: int, op) -> tuple[list[float], float]:
    """``op(client_index, i, session)`` performs one request; returns all latencies."""
    per_client = total // n_clients
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(c: int) -> None:
        session = requests.Session()
        mine = []
        for i in range(per_client):
            t0 = time.perf_counter()
            op(c, i, session)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    with ThreadPoolExecutor(n_clients) as pool:
        list(pool.map(worker, range(n_clients)))
    return latencies, time.perf_counter() - start


def wrk_phase(name: str, url: str, targets: list[str], conns: int, seconds: int) -> dict:
    """Closed-loop load from wrk (C, light on CPU): ``conns`` connections, one request each
    in flight, for ``seconds``."""
    script = Path(__file__).with_name("wrk_post.lua")
    env = {
        **os.environ,
        "SAHAJA_BENCH_TARGETS": ",".join(targets),
        "SAHAJA_BENCH_RUN": uuid.uuid4().hex[:12],  # request_ids unique to this run
    }
    cmd = ["wrk", f"-t{min(conns, 2)}", f"-c{conns}", f"-d{seconds}s", "--latency", "-s"]
    out = subprocess.run(
        [*cmd, str(script), url], env=env, capture_output=True, text=True, check=True
    )
    if "unexpected status" in out.stderr:
        raise SystemExit(f"{name}: errors from the server:\n{out.stderr[:2000]}")
    text = out.stdout

    def ms(label: str) -> float:
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", text)
        assert m, text
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    n = int(re.search(r"(\d+) requests in", text).group(1))
    row = {"name": name, "n": n, "throughput": rps, "p50": ms("50%"), "p99": ms("99%")}
    print(
        f"{name:<28} n={n:>5}  {rps:8.1f}/s  p50 {row['p50']:6.2f} ms  p99 {row['p99']:6.2f} ms",
        flush=True,
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", help="SQLAlchemy URL (default: a temp SQLite file)")
    ap.add_argument("--issues", type=int, default=2000, help="tickets per issue phase")
    ap.add_argument("--calls", type=int, default=50, help="calls in the event-latency phase")
    ap.add_argument("--listeners", type=int, default=100)
    ap.add_argument("--seconds", type=int, default=5, help="length of each wrk phase")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    ap.add_argument(
        "--phases", default="issue,next,events", help="comma-separated subset of issue,next,events"
    )
    ap.add_argument("--redis", help="Redis URL for events between workers (needed above 1)")
    ap.add_argument("--worker", default="gevent", choices=["gevent", "gthread"])
    ap.add_argument(
        "--client",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator for the issue and next phases (wrk: Debian package)",
    )
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sahaja-bench-"))
    env = {"SAHAJA_REDIS_URL": args.redis} if args.redis else {}
    srv = LiveServer(
        tmp,
        bench_config(),
        database_url=args.database,
        env=env,
        run_args=("--workers", str(args.workers), "--worker", args.worker),
    ).start()
    print(
        f"server: {args.workers} {args.worker} worker(s), {srv.database_url.split(':')[0]}, "
        f"load: {args.client}"
    )
    kiosks = {s: srv.add_device(f"kiosk-{s}", s, "kiosk") for s in SITES}
    counters = []
    for s in SITES:
        for code in ("L1", "L2"):
            counters.append((f"{s}-{code}", srv.add_device(f"c-{s}-{code}", s, "counter", code)))
    results = []

    def issue(c: int, i: int, session: requests.Session) -> None:
        site = SITES[(c + i) % len(SITES)]
        service = SERVICES[(c * 7 + i) % len(SERVICES)]
        r = session.post(
            f"{srv.url}/api/v1/sites/{site}/tickets",
            json={"service": service, "request_id": uuid.uuid4().hex},
            headers={"Authorization": f"Bearer {kiosks[site]}"},
            timeout=30,
        )
        assert r.status_code == 201, r.text

    def press_next(c: int, i: int, session: requests.Session) -> None:
        counter, token = counters[c % len(counters)]
        r = session.post(
            f"{srv.url}/api/v1/counters/{counter}/next",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert r.status_code == 200, r.text

    issue_targets = [
        f"/api/v1/sites/{site}/tickets|{kiosks[site]}|{service}"
        for service in SERVICES
        for site in SITES
    ]
    next_targets = [f"/api/v1/counters/{c}/next|{tok}|" for c, tok in counters]
    try:
        phases = set(args.phases.split(","))
        pgid = srv.proc.pid  # the server runs in its own session (process group)
        for n in (1, 8) if "issue" in phases else ():
            cpu0 = server_cpu_split(pgid)
            if args.client == "wrk":
                row = wrk_phase(f"issue, {n} client(s)", srv.url, issue_targets, n, args.seconds)
            else:
                lat, el = run_clients(n, args.issues, issue)
                row = summary(f"issue, {n} client(s)", lat, el)
            results.append(with_cpu(row, cpu0, server_cpu_split(pgid)))
        for n in (1, 8) if "next" in phases else ():
            cpu0 = server_cpu_split(pgid)
            if args.client == "wrk":
                row = wrk_phase(f"next, {n} client(s)", srv.url, next_targets, n, args.seconds)
            else:
                lat, el = run_clients(n, args.issues // 2, press_next)
                row = summary(f"next, {n} client(s)", lat, el)
            results.append(with_cpu(row, cpu0, server_cpu_split(pgid)))
        if "events" in phases:
            results.append(event_latency(srv, kiosks, counters, args.calls, args.listeners))
    finally:
        srv.stop()
    print(
        "\n| phase | n | throughput (/s) | p50 (ms) | p99 (ms) "
        "| server CPU (ms/request: user + system) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        cpu = ""
        if "cpu_ms" in r:
            cpu = f"{r['cpu_ms']:.2f} ({r['user_ms']:.2f} + {r['system_ms']:.2f})"
        print(
            f"| {r['name']} | {r['n']} | {r['throughput']:.0f} | {r['p50']:.2f} "
            f"| {r['p99']:.2f} | {cpu} |"
        )


def event_latency(srv: LiveServer, kiosks, counters, calls: int, listeners: int) -> dict:
    """``listeners`` boards of one site listen (in another process); a counter presses next;
    the latency is from just before the HTTP "next" until each board has the event."""
    from bench import board_listeners

    site = "PRE"
    display_token = srv.add_device("bench-display", site, "display")
    session = requests.Session()
    counter, token = next(c for c in counters if c[0] == f"{site}-L1")
    auth = {"Authorization": f"Bearer {token}"}
    next_url = f"{srv.url}/api/v1/counters/{counter}/next"
    while session.post(next_url, headers=auth, timeout=30).json()["current"]:
        pass  # drain what the earlier phases left, so each call is our ticket
    proc, pipe = board_listeners.start(srv.url, display_token, listeners, listeners * calls)
    sent_at: dict[int, int] = {}
    for _ in range(calls):
        t = session.post(
            f"{srv.url}/api/v1/sites/{site}/tickets",
            json={"service": "KTP"},
            headers={"Authorization": f"Bearer {kiosks[site]}"},
            timeout=30,
        ).json()
        time.sleep(1.2)  # let the issue's queue_changed (sent within 1 s) reach the boards
        sent_at[t["id"]] = time.monotonic_ns()
        r = session.post(next_url, headers=auth, timeout=30).json()
        assert r["current"]["id"] == t["id"], "bench queue must be empty for PRE-L1"
    pipe.send("done")
    stamps = pipe.recv()
    proc.join(10)
    received = [(at - sent_at[tid]) / 1e9 for tid, at in stamps if tid in sent_at]
    got = len(received)
    assert got == listeners * calls, f"{got} of {listeners * calls} events arrived"
    return summary(f"call -> event, {listeners} boards", received, 1.0) | {"throughput": 0}


if __name__ == "__main__":
    main()
