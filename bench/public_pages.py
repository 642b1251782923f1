"""What the citizens' pages cost: bytes a phone downloads for a first view (raw and gzip, as
a reverse proxy would send them), and the polling load of many status pages on one server
process (throughput and latency of ``/t/{code}/live``, the request a page repeats).

    .venv/bin/python -m bench.public_pages [--tickets 300] [--seconds 10] [--clients 8]

Not a test: figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from bench.server_load import bench_config, pct
from tests.support.live_server import LiveServer


def weight(session: requests.Session, url: str) -> tuple[int, int]:
    body = session.get(url, timeout=10).content
    return len(body), len(gzip.compress(body, compresslevel=6))


def checks(
    base: str, path: str, codes: list[str], clients: int, seconds: float
) -> tuple[float, float, float]:
    """Checks per second, p50 and p99 in ms, with ``clients`` threads for ``seconds``."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def poller() -> None:
        s = requests.Session()
        mine: list[float] = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            r = s.get(base + path.format(random.choice(codes)), timeout=10)
            mine.append(time.perf_counter() - started)
            assert r.status_code == 200
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=poller) for _ in range(clients)]
    started = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    ms = [x * 1000 for x in latencies]
    return len(ms) / elapsed, statistics.median(ms), pct(ms, 99)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, LiveServer(Path(tmp), bench_config()) as server:
        kiosk = server.add_device("kiosk-bench", "PRE", "kiosk")
        auth = {"Authorization": f"Bearer {kiosk}"}
        http = requests.Session()
        codes = []
        for _ in range(args.tickets):
            body = {"service": "KTP", "request_id": str(uuid.uuid4())}
            r = http.post(f"{server.url}/api/v1/sites/PRE/tickets", json=body, headers=auth)
            codes.append(r.json()["status_code"])
        page = f"{server.url}/t/{codes[len(codes) // 2]}"
        html, html_gz = weight(http, page)
        script_path = http.get(page).text.split('<script src="')[1].split('"')[0]
        script, script_gz = weight(http, f"{server.url}{script_path}")
        live, live_gz = weight(http, page + "/live")
        site, site_gz = weight(http, f"{server.url}/s/PRE")
        api, api_gz = weight(http, f"{server.url}/api/v1/tickets/{codes[len(codes) // 2]}")
        print(f"status page HTML (CSS inline)  {html:6d} B  gzip {html_gz:5d} B")
        print(f"status page script             {script:6d} B  gzip {script_gz:5d} B")
        print(
            f"first view, total              {html + script:6d} B  gzip {html_gz + script_gz:5d} B"
        )
        print(f"one check (/t/CODE/live)       {live:6d} B  gzip {live_gz:5d} B")
        print(f"same state as API JSON         {api:6d} B  gzip {api_gz:5d} B")
        print(f"service point page /s/PRE      {site:6d} B  gzip {site_gz:5d} B")

        rates = {}
        for name, path in (("/t/CODE/live", "/t/{}/live"), ("API JSON", "/api/v1/tickets/{}")):
            rates[name] = checks(server.url, path, codes, args.clients, args.seconds)
            rate, p50, p99 = rates[name]
            print(
                f"{name:<14} {args.clients} clients, {args.tickets} waiting: {rate:7.1f}/s  "
                f"p50 {p50:.1f} ms  p99 {p99:.1f} ms"
            )
        rate = rates["/t/CODE/live"][0]
        for phones, every in ((1000, 15), (3000, 15), (3000, 30)):
            need = phones / every
            print(f"{phones} phones every {every} s: {need:6.1f} checks/s = {need / rate:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
