"""Soak bench: do the board and the kiosk hold their memory over months of calls and tickets?

    .venv/bin/python bench/device_soak.py [--calls 5000] [--tickets 2000] [--runs 3]

Each run is a fresh process. The board part drives the real ``Board`` (state, announcer,
renderer at 1280x720 on SDL's dummy video driver, ``MixerPlayer`` on SDL's disk audio driver
writing to /dev/null with no delay, so every announcement is really mixed and played out)
through ``--calls`` ticket_called events built from ``sahaja.protocol``, with recalls,
queue and counter changes, and a day roll every 500 calls. The kiosk part drives the real
``KioskState``, ``PrinterWorker`` + ``TicketPrinter`` on a python-escpos ``Dummy`` and the
``Painter`` at 800x480 through ``--tickets`` touches; the bench plays the server (it answers
each ``IssueTicket`` with a protocol ``TicketPayload``) and sends a reprint every 50 tickets.

Reported per part: resident set size (``VmRSS``) and Python heap (``tracemalloc``) growth from
the end of a warm-up (the first 10 %: fonts, labels, caches filling) to the end, and from the
start (the device set up: screen, mixer, clips decoded, connected, before the first call or
ticket) to the end; the median over the runs is printed as a Markdown table for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def rss() -> int:
    """This process's resident set size in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class Meter:
    """RSS and traced heap when the device is set up (start), after the warm-up and at the end."""

    def __init__(self, part: str, n: int) -> None:
        tracemalloc.start()
        self.part, self.n = part, n
        self.warm_at = max(1, n // 10)
        self.points: dict[str, tuple[int, int]] = {}
        self.started = 0.0

    def mark(self, name: str) -> None:
        import gc

        gc.collect()
        self.points[name] = (rss(), tracemalloc.get_traced_memory()[0])
        if name == "start":
            self.started = time.perf_counter()

    def done(self, i: int) -> None:
        """Call ``i`` (0-based) is over: the end of the warm-up is marked on time."""
        if i + 1 == self.warm_at:
            self.mark("warm")

    def finish(self) -> dict[str, object]:
        seconds = time.perf_counter() - self.started
        self.mark("end")
        (r0, t0), (r1, t1), (r2, t2) = (self.points[k] for k in ("start", "warm", "end"))
        return {
            "rss_start_mb": r0 / MB,
            "rss_end_mb": r2 / MB,
            "rss_growth_mb": (r2 - r1) / MB,
            "rss_growth_from_start_mb": (r2 - r0) / MB,
            "heap_growth_mb": (t2 - t1) / MB,
            "heap_growth_from_start_mb": (t2 - t0) / MB,
            "part": self.part,
            "n": self.n,
            "seconds": seconds,
        }


# --- protocol payloads -------------------------------------------------------------------

T0 = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 07:30 WIB
SERVICES = [("KTP", "A"), ("KK", "B"), ("AKL", "C"), ("AKM", "D"), ("SPK", "E"), ("SPD", "F")]


def call_payload(i: int, at: datetime, recall: bool) -> dict:
    from sahaja import protocol as p

    code, prefix = SERVICES[i % len(SERVICES)]
    counter = i % 6 + 1
    ticket_id = i if not recall else i - 1
    payload: p.CallPayload = {
        "call_id": i + 1,
        "kind": "recall" if recall else "call",
        "site": "PRE",
        "counter": f"PRE-L{counter}",
        "counter_name": f"Loket {counter}",
        "counter_number": counter,
        "ticket_id": ticket_id,
        "number": f"{prefix}{ticket_id % 999 + 1:03d}",
        "service": code,
        "priority": i % 17 == 0,
        "recall": recall,
        "called_at": at.isoformat(),
    }
    return payload


def queue_payload(i: int, at: datetime) -> dict:
    from sahaja import protocol as p

    services: list[p.ServiceCounts] = [
        {
            "code": code,
            "name": code,
            "name_en": code,
            "prefix": prefix,
            "issued": i % 400,
            "remaining": 400 - i % 400,
            "waiting": (i * 7 + n) % 30,
        }
        for n, (code, prefix) in enumerate(SERVICES)
    ]
    payload: p.QueueChangedPayload = {
        "site": "PRE",
        "day": at.date().isoformat(),
        "issued": i % 400,
        "remaining": 400 - i % 400,
        "services": services,
    }
    return payload


def ticket_payload(i: int, code: str, prefix: str) -> dict:
    from sahaja import protocol as p

    issued = T0 + timedelta(seconds=30 * i)
    payload: p.TicketPayload = {
        "id": i + 1,
        "number": f"{prefix}{i % 999 + 1:03d}",
        "service": code,
        "site": "PRE",
        "priority": False,
        "priority_category": None,
        "status": "waiting",
        "issued_at": issued.isoformat(),
        "ahead": i % 12,
        "estimated_call_at": (issued + timedelta(minutes=i % 40)).isoformat(),
        "status_code": f"s{i:08x}",
        "counter": None,
        "called_at": None,
    }
    return payload


# --- the board ---------------------------------------------------------------------------


def run_board(calls: int, pack: Path) -> dict[str, object]:
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "disk"
    os.environ["SDL_DISKAUDIOFILE"] = os.devnull
    os.environ["SDL_DISKAUDIODELAY"] = "0"  # play as fast as the mixer can
    meter = Meter("board", calls)
    import queue

    import pygame

    from display.announce import Announcer
    from display.app import Board
    from display.render import BoardRenderer
    from display.state import BoardState
    from display.voicepack import VoicePack
    from hardware.audio import MixerPlayer
    from sahaja import protocol as p

    pygame.display.init()
    pygame.font.init()
    surface = pygame.display.set_mode((1280, 720))
    player = MixerPlayer(VoicePack.load(pack).clips, gap_seconds=0.6)
    player.open()
    clock = [0.0]
    wall = [T0]
    board = Board(
        BoardState(),
        BoardRenderer(surface.get_size()),
        Announcer(),
        player,
        queue.Queue(),  # empty: the bench hands events to ``handle`` directly
        clock=lambda: clock[0],
        wall=lambda: wall[0],
    )
    board.handle("connected", None)
    meter.mark("start")
    for i in range(calls):
        clock[0] += 30.0
        wall[0] += timedelta(seconds=30)
        if i and i % 500 == 0:  # a new day: numbers restart, a snapshot follows
            board.handle(p.DAY_ROLLED, {})
        recall = i % 10 == 9
        board.handle(p.TICKET_CALLED, call_payload(i, wall[0], recall))
        if i % 5 == 0:
            board.handle(p.QUEUE_CHANGED, queue_payload(i, wall[0]))
        board.step(surface)
        deadline = time.monotonic() + 30
        while player.busy and time.monotonic() < deadline:
            player.pump()
            time.sleep(0.0005)
        meter.done(i)
    result = meter.finish()
    player.close()
    pygame.quit()
    return result


# --- the kiosk ---------------------------------------------------------------------------


def run_kiosk(tickets: int) -> dict[str, object]:
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    meter = Meter("kiosk", tickets)
    import queue

    import pygame
    from escpos.printer import Dummy

    from hardware.printer import TicketPrinter
    from kiosk import messages as m
    from kiosk import state as st
    from kiosk.draw import Painter
    from kiosk.printer_worker import PrinterWorker

    pygame.display.init()
    pygame.font.init()
    surface = pygame.display.set_mode((800, 480))
    device = Dummy(profile="TM-T88V")
    results: queue.Queue = queue.Queue()
    worker = PrinterWorker(TicketPrinter(device), results)
    worker.start()
    state = st.KioskState(public_url="http://10.0.0.2:8000")
    painter = Painter(surface)
    now = 0.0
    wall = T0
    issued = 0

    def answer(commands: list[object]) -> None:
        """Play the server for network commands; the printer worker takes its own."""
        nonlocal issued
        for c in commands:
            if isinstance(c, m.PRINTER_COMMANDS):
                worker.submit(c)
            elif isinstance(c, m.IssueTicket):
                prefix = dict(SERVICES)[c.service]
                ticket = ticket_payload(issued, c.service, prefix)
                issued += 1
                results.put(m.TicketIssued(c.request_id, ticket))

    def settle(done) -> None:
        deadline = time.monotonic() + 10
        while not done():
            if time.monotonic() > deadline:
                raise RuntimeError(f"kiosk stuck on {state.screen}")
            try:
                result = results.get(timeout=1)
            except queue.Empty:
                continue
            answer(state.handle(result, now))
            device.clear()  # a real printer keeps nothing: the bytes left on the wire

    answer(state.handle(m.Connection(True), now))
    snapshot = {
        "site": "PRE",
        "site_name": "Kantor Kecamatan Pare",
        "open_now": True,
        "hours_today": "07:30-15:00",
        "queue": queue_payload(0, wall),
    }
    answer(state.handle(m.Snapshot(snapshot), now))
    meter.mark("start")
    for i in range(tickets):
        now += 30.0
        wall += timedelta(seconds=30)
        if i and i % 500 == 0:
            answer(state.handle(m.DayRolled({}), now))
        code = SERVICES[i % len(SERVICES)][0]
        answer(state.handle(st.PressService(code), now))
        settle(lambda: state.ticket is not None and state.ticket_printed)
        painter.paint(state, wall)
        if i % 50 == 49:
            reprint = {"site": "PRE", "ticket": state.ticket, "requested_by": "budi"}
            answer(state.handle(m.ReprintRequested(reprint), now))
            settle(lambda: state.reprinting is None)
        if i % 5 == 0:
            answer(state.handle(m.QueueChanged(queue_payload(i, wall)), now))
        now += st.TICKET_SHOWN_SECONDS + 1
        answer(state.handle(st.Tick(), now))
        painter.paint(state, wall)
        meter.done(i)
    result = meter.finish()
    worker.stop()
    pygame.quit()
    return result


# --- driver ------------------------------------------------------------------------------


def child(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
    if args.child == "board":
        result = run_board(args.calls, Path(args.pack))
    else:
        result = run_kiosk(args.tickets)
    print(json.dumps(result))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description="device memory soak bench")
    ap.add_argument("--calls", type=int, default=5000)
    ap.add_argument("--tickets", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--parts", default="board,kiosk")
    ap.add_argument("--pack", help="voice pack (default: build one with espeak-ng)")
    ap.add_argument("--child", choices=("board", "kiosk"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    sys.path.insert(0, str(ROOT))
    pack = args.pack
    if pack is None and "board" in args.parts:
        from display.voice_build import build_pack

        pack = str(Path(tempfile.mkdtemp(prefix="soak-voice-")))
        build_pack(Path(pack))
    rows = []
    for part in args.parts.split(","):
        runs = []
        for n in range(args.runs):
            cmd = [sys.executable, __file__, "--child", part, "--calls", str(args.calls),
                   "--tickets", str(args.tickets), "--pack", str(pack)]  # fmt: skip
            done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
            if done.returncode:
                print(done.stdout, done.stderr, file=sys.stderr)
                return 1
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{part} run {n + 1}: {json.dumps(result)}", file=sys.stderr)
            runs.append(result)
        rows.append((part, runs))
    print("| part | n | RSS growth after warm-up | from start | heap growth after warm-up "
          "| from start | RSS at end | time |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for part, runs in rows:

        def med(key: str, runs=runs) -> float:
            return statistics.median(float(r[key]) for r in runs)

        print(
            f"| {part} | {runs[0]['n']} | {med('rss_growth_mb'):.1f} MB "
            f"| {med('rss_growth_from_start_mb'):.1f} MB | {med('heap_growth_mb'):.2f} MB "
            f"| {med('heap_growth_from_start_mb'):.2f} MB | {med('rss_end_mb'):.0f} MB "
            f"| {med('seconds'):.0f} s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
