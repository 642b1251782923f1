"""Kiosk latency: touch -> number on screen, touch -> last printer byte (Dummy), local server.

Starts a real ``sahaja-server`` on 127.0.0.1 (temp SQLite), runs the real KioskApp headless
with python-escpos' Dummy printer, and posts a touch, again and again:

    .venv/bin/python bench/kiosk_latency.py [--tickets 200] [--size 800x480]

"Number on screen" is the end of the display flip of the first frame that shows the number;
"last printer byte" is the first frame after the Dummy printer holds the ticket's cut. The
loop runs uncapped here so that a frame's granularity (well under 1 ms) does not hide latency.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import queue
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pygame  # noqa: E402
from escpos.printer import Dummy  # noqa: E402

from hardware.printer import TicketPrinter  # noqa: E402
from kiosk.app import KioskApp  # noqa: E402
from kiosk.server_link import ServerLink  # noqa: E402
from kiosk.settings import KioskSettings  # noqa: E402
from kiosk.state import Dismiss  # noqa: E402
from tests.support.live_server import OPEN_ALL_DAY, LiveServer  # noqa: E402

CUT = b"\x1dV"
SERVICES = ("KTP", "KK", "AKL", "AKM", "SPK", "SPD")


def until(app: KioskApp, condition, timeout: float = 15.0) -> float:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("kiosk did not get there in time")
        app.step()
    return time.perf_counter()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--size", default="800x480")
    parser.add_argument("--fps", type=int, default=0, help="frame cap (default: the kiosk's 30)")
    args = parser.parse_args(argv)
    w, h = (int(v) for v in args.size.split("x"))
    config = re.sub(r"daily_quota = \d+", "daily_quota = 100000", OPEN_ALL_DAY.read_text())
    with tempfile.TemporaryDirectory() as tmp, LiveServer(Path(tmp), config_text=config) as srv:
        token = srv.add_device("bench-kiosk", "DKC", "kiosk")
        dummy = Dummy(profile="TM-T88V")
        link = ServerLink(srv.url, token, queue.Queue())
        settings = KioskSettings(srv.url, token, size=(w, h))
        app = KioskApp(settings, TicketPrinter(dummy), link=link)
        app.start()
        if args.fps:
            app.settings = dataclasses.replace(settings, fps=args.fps)
        until(app, lambda: app.state.screen == "home" and app.state.office_ticket)
        app.step()
        shown, printed = [], []
        for i in range(args.tickets):
            service = SERVICES[i % len(SERVICES)]
            target = next(t for t in app.targets if t.kind == "service" and t.key == service)
            dummy.clear()
            frames = app.frames
            t0 = time.perf_counter()
            pygame.event.post(
                pygame.event.Event(
                    pygame.MOUSEBUTTONDOWN, pos=target.rect.center, button=1, touch=False
                )
            )
            t_shown = until(
                app,
                lambda f=frames: (
                    app.state.ticket is not None
                    and app.frames > f
                    and app.state.ticket["number"] in app.painter.drawn
                ),
            )
            t_printed = until(app, lambda: CUT in dummy.output)
            shown.append((t_shown - t0) * 1000)
            printed.append((t_printed - t0) * 1000)
            until(app, lambda: app.state.ticket_printed)
            app.apply(Dismiss())
            until(app, lambda: app.state.screen == "home")
            app.step()
        app.stop()
    print(f"tickets: {args.tickets}, screen {w}x{h}, Dummy printer, server on 127.0.0.1")
    for name, values in (
        ("touch -> number on screen", shown),
        ("touch -> last printer byte", printed),
    ):
        print(
            f"{name:28s} median {statistics.median(values):6.1f} ms   "
            f"p99 {pct(values, 0.99):6.1f} ms   max {max(values):6.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
