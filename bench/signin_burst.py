"""Console sign-in bursts against a real server while wrk issues tickets: issue latency and
server memory with and without the burst (issue 8 §6).

    .venv/bin/python -m bench.signin_burst [--runs 3] [--seconds 3]
        [--concurrency 2] [--queue 32] [--unbounded-too]

Each phase runs wrk (``bench/wrk_post.lua``, 4 connections, closed loop) issuing tickets for
``--seconds``; in the burst phases, at wrk's start, N browsers sign in at once (a barrier),
each from its own loopback address (127.0.0.2, 127.0.0.3...), as officers at their own PCs
would: 20 with the right password (07:30), 64 with unknown names (a stranger's flood). The
server's resident memory (every process of its group, from /proc) is sampled every 20 ms; the
peak is reported. Medians over ``--runs`` runs. Not a test: figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from bench.server_load import SERVICES, SITES, bench_config, wrk_phase
from sahaja.core.clock import SystemClock
from server.accounts import Accounts
from server.database import Database
from server.setup import stored_config
from tests.support.live_server import LiveServer

PASSWORD = "rahasia-bench-1"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class SourceAddressAdapter(HTTPAdapter):
    """Connect from a given local address, so the server sees one client address per PC."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def group_rss_bytes(pgid: int) -> int:
    """Resident memory of every process in the server's process group (master and workers)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5 of stat: the process group
                continue
            total += int(Path(entry.path, "statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, ValueError, IndexError):
            continue
    return total


class RssSampler:
    def __init__(self, pgid: int, every: float = 0.02) -> None:
        self.pgid, self.every = pgid, every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, group_rss_bytes(self.pgid))
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def sign_in(url: str, address: str, username: str, password: str, start: threading.Barrier):
    """GET the form (CSRF token and cookie), wait for the others, POST it; the status."""
    session = requests.Session()
    adapter = SourceAddressAdapter(address)
    session.mount("http://", adapter)
    page = session.get(f"{url}/console/login", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    start.wait(timeout=60)
    t0 = time.perf_counter()
    r = session.post(
        f"{url}/console/login",
        data={"username": username, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=120,
    )
    return r.status_code, time.perf_counter() - t0


def run_phase(srv: LiveServer, targets: list[str], burst: int, right: bool, seconds: int, base):
    """wrk for ``seconds``; a burst of ``burst`` sign-ins at its start (0: none)."""
    pgid = srv.proc.pid
    start = threading.Barrier(burst + 1) if burst else None
    answers: list = []
    with RssSampler(pgid) as rss, ThreadPoolExecutor(max(burst, 1)) as pool:
        futures = [
            pool.submit(
                sign_in,
                srv.url,
                f"127.0.0.{base + i}",
                f"petugas-{i}" if right else f"tamu-{i}",
                PASSWORD if right else "tebakan",
                start,
            )
            for i in range(burst)
        ]
        if start is not None:
            start.wait(timeout=60)
        row = wrk_phase(f"issue, burst {burst}", srv.url, targets, 4, seconds)
        answers = [f.result(timeout=300) for f in futures]
    codes: dict[int, int] = {}
    for code, _ in answers:
        codes[code] = codes.get(code, 0) + 1
    row["rss_mb"] = rss.peak / 2**20
    row["codes"] = codes
    row["signin_p50"] = statistics.median([t for _, t in answers]) * 1000 if answers else 0.0
    print(f"    peak RSS {row['rss_mb']:.0f} MB; sign-in answers {codes}", flush=True)
    return row


def serve(tmp: Path, concurrency: int, queue: int) -> LiveServer:
    env = {
        "SAHAJA_CONSOLE_HASH_CONCURRENCY": str(concurrency),
        "SAHAJA_CONSOLE_HASH_QUEUE": str(queue),
    }
    srv = LiveServer(tmp, bench_config(), env=env)
    db = Database.connect(srv.database_url)  # 20 officers, one per PC (a shared account
    accounts = Accounts(db, stored_config(db))  # would lock itself: failures count first)
    now = SystemClock().now()
    for i in range(20):
        accounts.add_user(f"petugas-{i}", PASSWORD, "officer", "PRE", now)
    db.dispose()
    return srv.start()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=3, help="length of each wrk phase")
    ap.add_argument("--concurrency", type=int, default=2, help="CONSOLE_HASH_CONCURRENCY")
    ap.add_argument("--queue", type=int, default=32, help="CONSOLE_HASH_QUEUE")
    ap.add_argument(
        "--unbounded-too",
        action="store_true",
        help="also run with 64 checks at once (about how the server behaved before the bound)",
    )
    args = ap.parse_args()
    setups = [(f"bounded ({args.concurrency} at once, queue {args.queue})", args.concurrency)]
    if args.unbounded_too:
        setups.append(("unbounded (64 at once)", 64))
    table = []
    for name, concurrency in setups:
        tmp = Path(tempfile.mkdtemp(prefix="sahaja-signin-"))
        srv = serve(tmp, concurrency, args.queue if concurrency == args.concurrency else 64)
        try:
            kiosks = {s: srv.add_device(f"kiosk-{s}", s, "kiosk") for s in SITES}
            targets = [
                f"/api/v1/sites/{site}/tickets|{kiosks[site]}|{service}"
                for service in SERVICES
                for site in SITES
            ]
            print(f"== {name}", flush=True)
            rows: dict[str, list[dict]] = {}
            base = 2
            for _ in range(args.runs):
                for label, burst, right in (
                    ("no burst", 0, True),
                    ("20 sign-ins (right password)", 20, True),
                    ("64 sign-ins (unknown names)", 64, False),
                ):
                    rows.setdefault(label, []).append(
                        run_phase(srv, targets, burst, right, args.seconds, base)
                    )
                    base = 2 + (base + burst - 2) % 180  # addresses 127.0.0.2-.245
        finally:
            srv.stop()
        for label, runs in rows.items():
            table.append(
                (
                    name,
                    label,
                    statistics.median(r["throughput"] for r in runs),
                    statistics.median(r["p50"] for r in runs),
                    statistics.median(r["p99"] for r in runs),
                    [round(r["p99"], 1) for r in runs],
                    statistics.median(r["rss_mb"] for r in runs),
                    runs[-1]["codes"],
                    statistics.median(r["signin_p50"] for r in runs),
                )
            )
    print(
        "\n| server | phase | issues/s | issue p50 (ms) | issue p99 (ms) | p99 runs "
        "| peak RSS (MB) | sign-in answers (last run) | sign-in p50 (ms) |"
    )
    print("|---|---|---:|---:|---:|---|---:|---|---:|")
    for name, label, rate, p50, p99, p99s, rss, codes, signin in table:
        print(
            f"| {name} | {label} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {p99s} | {rss:.0f} "
            f"| {codes} | {signin:.0f} |"
        )


if __name__ == "__main__":
    main()
