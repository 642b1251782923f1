"""Render the board headless after a scripted morning and save PNGs for the docs.

    .venv/bin/python scripts/display_screenshots.py [--out docs/screenshots]

The only thing that rewrites docs/screenshots/display-*.png: the tests render the same scenes
into a temporary folder. The scenes' payloads come from tests/display/payloads.py, which
builds them from sahaja.protocol.

Writes display-<width>x<height>.png (a new priority call, highlighted), display-offline.png
(the same board after losing the server), display-no-server.png (started while the server is
unreachable) and display-recall.png.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pygame  # noqa: E402

from display.render import BoardRenderer  # noqa: E402
from display.state import BoardState  # noqa: E402
from tests.display import payloads  # noqa: E402  # sample payloads shaped by sahaja.protocol

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 30, 9, 41, tzinfo=WIB)
SIZES = [(1920, 1080), (1366, 768), (1280, 720)]


def _call(number: str, counter: int, minutes: float, tid: int, **kw: object) -> dict:
    return payloads.call(number, counter, T0 + timedelta(minutes=minutes), ticket_id=tid, **kw)


def morning() -> BoardState:
    """A Pare morning: three counters, a few calls, the last one a priority call."""
    s = BoardState()
    s.office_name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kediri"
    s.set_connected(True)
    calls = [
        _call("A014", 1, -9, 14), _call("B006", 2, -7, 26), _call("C003", 3, -6, 33),
        _call("A015", 1, -4, 15), _call("B007", 2, -2, 27),
    ]  # fmt: skip
    waiting = {"KTP": 7, "KK": 4, "AKL": 2, "AKM": 0, "SPK": 1, "SPD": 0}
    snap = payloads.snapshot(T0, list(reversed(calls)), counters=3, waiting=waiting)
    s.apply_snapshot(snap, now=0.0, local_now=T0)
    s.apply_call(_call("A016", 3, 0, 16, priority=True), now=100.0)
    return s


def render(
    state: BoardState, size: tuple[int, int], now: float = 100.2, **options: object
) -> tuple[pygame.Surface, BoardRenderer]:
    """One frame of ``state`` at ``now`` (monotonic seconds; the new call came at 100.0)."""
    surface = pygame.Surface(size)
    renderer = BoardRenderer(size, **options)
    renderer.draw(surface, state, now, T0)
    return surface, renderer


def save_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    for size in SIZES:
        shots.append((morning(), size, 100.2, f"display-{size[0]}x{size[1]}.png"))
    offline = morning()
    offline.set_connected(False)
    shots.append((offline, (1920, 1080), 120.0, "display-offline.png"))
    nothing = BoardState()  # started while the server is unreachable: the offline screen
    nothing.set_connected(False)
    shots.append((nothing, (1920, 1080), 0.0, "display-no-server.png"))
    recall = morning()
    recall.apply_call(_call("B007", 2, 1, 27, recall=True), now=200.0)
    shots.append((recall, (1920, 1080), 200.7, "display-recall.png"))
    paths = []
    for state, size, now, name in shots:
        surface, _ = render(state, size, now)
        pygame.image.save(surface, str(out / name))
        paths.append(out / name)
    return paths


PANEL_43_INCH_CM = 43 * 2.54 * 9 / (16**2 + 9**2) ** 0.5  # picture height of a 16:9 panel


def sizes_table() -> str:
    """The rendered letter heights (glyph bounding boxes) of the call, as a Markdown table:
    share of the screen height, cm on a 43-inch panel, and the distance it reads from at
    2.5 cm of letter height per 3 m."""
    rows = [
        '| screen | text | height | share | cm on 43" | reads from |',
        "|---|---|---|---|---|---|",
    ]
    for size in SIZES:
        _, renderer = render(morning(), size, now=100.7)
        for name in ("current.number", "current.counter", "current.counter_number", "clock.time"):
            placed = renderer.placed[name]
            share = placed.rect.height / size[1]
            cm = share * PANEL_43_INCH_CM
            rows.append(
                f"| {size[0]}x{size[1]} | {placed.text} | {placed.rect.height} px "
                f"| {share:.1%} | {cm:.1f} | {cm / 2.5 * 3:.1f} m |"
            )
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="docs/screenshots")
    out = Path(ap.parse_args().out)
    pygame.font.init()
    for path in save_all(out):
        print(path)
    print(sizes_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
