"""The demo end to end: simulated citizens and officers through the real API, and
``sahaja-server demo`` starting a server, a kiosk and a board that stop together."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from sahaja.config import parse_config
from server.demo.citizens import DayReplay
from server.simulation import load_scenario
from tests.support.live_server import OPEN_ALL_DAY, LiveServer, free_port

pytestmark = pytest.mark.slow

SCENARIO = """
site = "PRE"
date = "2026-12-07"

[[counter]]
code = "L1"

[[counter]]
code = "L2"

[[arrival]]
at = "08:00"
service = "KTP"
minutes = 4

[[arrival]]
at = "08:01"
service = "KK"
minutes = 6

[[arrival]]
at = "08:02"
service = "KTP"
minutes = 3
no_show = true

[[arrival]]
at = "08:03"
service = "KTP"
priority = true
minutes = 5
"""


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_replayed_day_issues_calls_and_serves_through_the_api(tmp_path: Path) -> None:
    scenario_path = tmp_path / "day.toml"
    scenario_path.write_text(SCENARIO)
    config = parse_config(OPEN_ALL_DAY.read_text())
    scenario = load_scenario(scenario_path, config)
    with LiveServer(tmp_path) as srv:
        kiosk = srv.add_device("citizens", "PRE", "kiosk")
        counters = {
            "PRE-L1": srv.add_device("c1", "PRE", "counter", "L1"),
            "PRE-L2": srv.add_device("c2", "PRE", "counter", "L2"),
        }
        replay = DayReplay(
            srv.url, scenario, config, kiosk_token=kiosk, counter_tokens=counters, speed=600
        ).start()
        try:
            wait_for(
                lambda: len(replay.stats.finished) >= 3 and replay.stats.skipped,
                60,
                "three citizens served and the absent one skipped",
            )
        finally:
            replay.close()
        stats = replay.stats
        assert len(stats.issued) == 4 and len(set(stats.issued)) == 4 and not stats.refused
        no_show = stats.issued[2]  # the third citizen never comes to the counter
        assert no_show in stats.skipped and no_show not in stats.finished
        assert set(stats.finished) == set(stats.issued) - {no_show}
        assert stats.called.index(stats.issued[3]) < stats.called.index(no_show)  # priority
        site = requests.get(f"{srv.url}/api/v1/sites/PRE", timeout=5).json()
        assert site["issued"] == 4


def _demo_children(port: int) -> list[int]:
    """Processes started by a demo on ``port`` (the server by argv, devices by environment)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        mine = f"127.0.0.1:{port}".encode()
        if (b"server.cli" in argv and b"run" in argv and str(port).encode() in argv) or (
            (b"kiosk.cli" in argv or b"display.cli" in argv) and mine in environ
        ):
            found.append(int(proc.name))
    return found


def test_the_demo_calls_numbers_on_a_board_within_a_minute_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    port = free_port()
    db = tmp_path / "demo.db"
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),  # the voice pack is built here, on first run
        "SAHAJA_HEALTH_SECONDS": "1",
        "SAHAJA_SECRET_KEY": "demo-test-key",
    }
    env.pop("SAHAJA_DATABASE_URL", None)
    argv = [sys.executable, "-m", "server.cli", "--database", f"sqlite:///{db}", "demo"]
    argv += ["--port", str(port), "--headless", "--speed", "120", "--workdir", str(tmp_path)]
    demo = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = []
    try:
        started = time.monotonic()
        for line in demo.stdout:  # the banner ends with how to stop
            output.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(output)
        # keep reading what the demo logs, so it never blocks on a full pipe
        drain = threading.Thread(target=lambda: output.extend(demo.stdout), daemon=True)
        drain.start()
        assert f"http://127.0.0.1:{port}/console/" in text and "DEMO:" in text
        assert "sahaja-kiosk --server-url" in text and "sahaja-counter --server-url" in text
        box = next(line for line in output if "sahaja-counter" in line).split()
        assert box[box.index("--counter") + 1] in ("PRE-L1", "PRE-L2")  # a counter of the site
        assert (tmp_path / "data" / "sahaja" / "voice-id" / "manifest.json").exists()

        def called() -> int:
            with sqlite3.connect(db) as conn:
                return conn.execute(
                    "SELECT count(*) FROM ticket WHERE called_at IS NOT NULL"
                ).fetchone()[0]

        wait_for(called, 60, "a number called")
        assert time.monotonic() - started < 90

        def devices_up() -> bool:
            with sqlite3.connect(db) as conn:
                rows = dict(
                    conn.execute(
                        "SELECT name, state FROM device WHERE name IN ('kiosk-PRE', 'display-PRE')"
                    ).fetchall()
                )
            return all(
                rows.get(n) and '"connected": true' in rows[n] for n in ("kiosk-PRE", "display-PRE")
            )

        wait_for(devices_up, 30, "the kiosk and the board connected")
        assert len(_demo_children(port)) >= 3  # server (and its worker), kiosk, board
        demo.send_signal(signal.SIGINT)
        assert demo.wait(30) == 0
        wait_for(lambda: not _demo_children(port), 15, "every demo process gone")
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        demo.stdout.close()
