"""How quickly the button box answers, against a real server on this machine.

    .venv/bin/python -m bench.counter_press [--presses 200]

Measures, with MockFactory presses and a real ``sahaja-server run`` (temporary SQLite):
- press -> answer: from ``pin.drive_low()`` of Next until the box has the server's reply;
- the callback's own time: how long ``drive_low()`` (which runs ``when_pressed``) blocks;
- console -> box: from a plain HTTP ``next`` for the same counter until the box's state shows
  the new number (Socket.IO ``counter_changed``);
- with the server stopped: press -> refusal; then server start (process launch included)
  -> the box's events linked again (python-socketio's reconnection, at most 5 s apart).
Timings are printed, never asserted (tests do not measure speed).
"""

from __future__ import annotations

import argparse
import queue
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import requests
from gpiozero.pins.mock import MockFactory

from counter.cli import build
from counter.controller import Action
from counter.settings import BoxSettings, ButtonPins
from tests.support.live_server import OPEN_ALL_DAY, LiveServer


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return (
        f"{name:<28} n={len(ms):<4} median {statistics.median(ms):7.2f} ms"
        f"   p95 {p95:7.2f} ms   max {ms[-1]:7.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=200)
    n = min(parser.parse_args().presses, 490)  # two KK tickets per round, 999 a day at most
    config = OPEN_ALL_DAY.read_text(encoding="utf-8").replace(
        "daily_quota = 80", "daily_quota = 990"
    )
    with tempfile.TemporaryDirectory() as tmp, LiveServer(Path(tmp), config) as server:
        token = server.add_device("box", "PRE", "counter", "L1")
        console = server.add_device("console", "PRE", "counter", "L1")
        session = requests.Session()
        results: queue.Queue = queue.Queue()
        settings = BoxSettings(
            server_url=server.url,
            token=token,
            counter="PRE-L1",
            pins=ButtonPins(),
            led_pin=24,
            min_interval=0.0,
            bounce_time=None,
        )
        running = build(settings, pin_factory=MockFactory(), on_result=results.put)
        results.get(timeout=10)
        while not running.box.state.linked:
            time.sleep(0.01)
        pin = running.buttons.buttons[Action.NEXT].pin
        press, callback, console_lag = [], [], []
        kiosk_pre = server.add_device("kiosk-pre", "PRE", "kiosk")
        for _ in range(n):
            session.post(
                f"{server.url}/api/v1/sites/PRE/tickets",
                json={"service": "KK", "request_id": str(uuid.uuid4())},
                headers={"Authorization": f"Bearer {kiosk_pre}"},
            )
            t0 = time.perf_counter()
            pin.drive_low()
            t1 = time.perf_counter()
            results.get(timeout=10)
            t2 = time.perf_counter()
            pin.drive_high()
            callback.append(t1 - t0)
            press.append(t2 - t0)
            session.post(
                f"{server.url}/api/v1/sites/PRE/tickets",
                json={"service": "KK", "request_id": str(uuid.uuid4())},
                headers={"Authorization": f"Bearer {kiosk_pre}"},
            )
            t0 = time.perf_counter()
            reply = session.post(
                f"{server.url}/api/v1/counters/PRE-L1/next",
                json={},
                headers={"Authorization": f"Bearer {console}"},
            ).json()
            number = reply["current"]["number"] if reply.get("current") else None
            while running.box.state.current_number != number:
                time.sleep(0.0002)
            console_lag.append(time.perf_counter() - t0)
        offline, back = [], []
        for _ in range(5):
            server.stop()
            while running.box.state.linked:
                time.sleep(0.005)
            t0 = time.perf_counter()
            pin.drive_low()
            results.get(timeout=10)
            offline.append(time.perf_counter() - t0)
            pin.drive_high()
            t0 = time.perf_counter()
            server.start()
            while not running.box.state.linked:
                time.sleep(0.005)
            back.append(time.perf_counter() - t0)
        running.close()
    print(summary("press -> answer", press))
    print(summary("when_pressed callback", callback))
    print(summary("console next -> box state", console_lag))
    print(summary("press refused, server down", offline))
    print(summary("server start -> box linked", back))


if __name__ == "__main__":
    main()
