"""Board latency and CPU against a real local server.

    .venv/bin/python bench/display_latency.py [--samples 50] [--burst 10] [--pack DIR]

Measures (one process: the board's loop on the main thread, the "officer" on another):
- counter presses next (HTTP POST to a real ``sahaja-server``) -> the call's first audio
  sample handed to pygame.mixer at the board (median, p99);
- CPU of an idle connected board (1920x1080, with and without running text);
- CPU while a burst of calls is announced, and that the burst is spoken in press order.
SDL's dummy video and disk audio drivers stand in for screen and speaker.
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ["SDL_AUDIODRIVER"] = "disk"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pygame  # noqa: E402
import requests  # noqa: E402

from display.announce import Announcer  # noqa: E402
from display.app import Board, post_wake  # noqa: E402
from display.network import BoardLink  # noqa: E402
from display.render import BoardRenderer  # noqa: E402
from display.state import BoardState  # noqa: E402
from display.voice_build import build_pack  # noqa: E402
from display.voicepack import VoicePack  # noqa: E402
from hardware.audio import Announcement, MixerPlayer  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402


class BenchPlayer(MixerPlayer):
    """The real player, plus a flag the bench thread may set to silence it between samples."""

    cut = False

    def pump(self) -> None:
        if self.cut:
            self.cut = False
            self.stop()
        super().pump()


def cpu_percent(seconds: float, board: Board) -> tuple[float, float]:
    """This process's CPU over ``seconds`` (% of one core), and repainted frames per second."""
    c0, w0, f0 = time.process_time(), time.perf_counter(), board.frames
    time.sleep(seconds)
    wall = time.perf_counter() - w0
    return 100 * (time.process_time() - c0) / wall, (board.frames - f0) / wall


def main() -> int:
    ap = argparse.ArgumentParser(description="display board latency and CPU")
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--burst", type=int, default=10)
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--pack", help="voice pack (default: build one with espeak-ng)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="display-bench-"))
    os.environ["SDL_DISKAUDIOFILE"] = str(tmp / "played.raw")
    pack = Path(args.pack) if args.pack else tmp / "voice"
    if not args.pack:
        build_pack(pack)

    handed: queue.Queue[tuple[float, Announcement]] = queue.Queue()
    results: dict[str, object] = {}
    srv = LiveServer(tmp).start()
    try:
        kiosk = srv.add_device("kiosk", "PRE", "kiosk")
        counters = {c: srv.add_device(f"ctr-{c}", "PRE", "counter", c) for c in ("L1", "L2")}
        board_token = srv.add_device("board", "PRE", "display")
        session = requests.Session()

        def post(path: str, token: str, body: dict) -> dict:
            r = session.post(f"{srv.url}/api/v1{path}", json=body,
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
            r.raise_for_status()
            return r.json()

        services = ["KTP"] * (args.samples + args.burst // 2) + ["KK"] * (
            args.burst - args.burst // 2
        )
        for service in services:
            post("/sites/PRE/tickets", kiosk, {"service": service, "priority": False,
                 "priority_category": None, "request_id": str(uuid.uuid4())})  # fmt: skip

        pygame.display.init()
        pygame.font.init()
        screen = pygame.display.set_mode((1920, 1080))
        player = BenchPlayer(
            VoicePack.load(pack).clips, on_handed=lambda a: handed.put((time.perf_counter(), a))
        )
        player.open()
        state = BoardState(replay_window=timedelta(seconds=15))
        renderer = BoardRenderer((1920, 1080))
        inbox: queue.Queue = queue.Queue()
        board = Board(state, renderer, Announcer(), player, inbox)
        link = BoardLink(srv.url, board_token, inbox, post_wake)

        def officer() -> None:
            try:
                deadline = time.monotonic() + 30
                while not state.synced and time.monotonic() < deadline:
                    time.sleep(0.05)
                time.sleep(1)
                results["idle_cpu_ticker"] = cpu_percent(args.idle_seconds, board)
                renderer.running_text = ""
                renderer.invalidate()
                time.sleep(0.5)
                results["idle_cpu_static"] = cpu_percent(args.idle_seconds, board)

                latencies = []
                for _ in range(args.samples):
                    t0 = time.perf_counter()
                    post("/counters/PRE-L1/next", counters["L1"], {})
                    t1, _ = handed.get(timeout=10)
                    latencies.append(t1 - t0)
                    player.cut = True
                    post_wake()
                    time.sleep(0.1)
                results["latency_ms"] = sorted(x * 1000 for x in latencies)

                pressed = []
                c0, w0 = time.process_time(), time.perf_counter()
                for i in range(args.burst):
                    code = "L1" if i % 2 == 0 else "L2"
                    pressed.append(post(f"/counters/PRE-{code}/next", counters[code], {})
                                   ["current"]["number"])  # fmt: skip
                spoken = [handed.get(timeout=120)[1] for _ in range(args.burst)]
                while player.busy:
                    time.sleep(0.1)
                results["burst_cpu"] = 100 * (time.process_time() - c0) / (time.perf_counter() - w0)
                results["burst_seconds"] = time.perf_counter() - w0
                said = [a.clips for a in spoken]
                expected = [tuple(Announcer().compose(n, 1 if i % 2 == 0 else 2))
                            for i, n in enumerate(pressed)]  # fmt: skip
                results["burst_in_order"] = said == expected
            except Exception as exc:  # noqa: BLE001 - report and stop the loop
                results["error"] = repr(exc)
            finally:
                board.running = False
                post_wake()

        link.start()
        threading.Thread(target=officer, daemon=True).start()
        board.run(screen)
        link.stop()
        player.close()
        pygame.quit()
    finally:
        srv.stop()

    if "error" in results:
        print("error:", results["error"])
        return 1
    lat = results["latency_ms"]
    p99 = lat[min(len(lat) - 1, round(0.99 * (len(lat) - 1)))]
    print(f"machine: {os.cpu_count()} cores, {_cpu_model()}")
    median = statistics.median(lat)
    print(f"next -> first sample handed to the mixer, n={len(lat)}: "
          f"median {median:.1f} ms, p99 {p99:.1f} ms, max {lat[-1]:.1f} ms")  # fmt: skip
    (cpu_t, fps_t), (cpu_s, fps_s) = results["idle_cpu_ticker"], results["idle_cpu_static"]
    print(f"idle board CPU: {cpu_t:.1f} % of a core with running text ({fps_t:.1f} frames/s), "
          f"{cpu_s:.1f} % without ({fps_s:.2f} frames/s)")  # fmt: skip
    print(f"burst of {args.burst} calls: CPU {results['burst_cpu']:.1f} % of a core over "
          f"{results['burst_seconds']:.0f} s of speech; spoken in press order: "
          f"{results['burst_in_order']}")  # fmt: skip
    return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
