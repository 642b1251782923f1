"""Headless rendering: after a sequence of events the board shows the right numbers."""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path

import pygame
import pytest

from display import render as r
from display.layout import compute_layout
from display.state import BoardState
from tests.display.payloads import queue_changed

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "display_screenshots", ROOT / "scripts" / "display_screenshots.py"
)
scenes = importlib.util.module_from_spec(_spec)
sys.modules["display_screenshots"] = scenes
_spec.loader.exec_module(scenes)

SIZES = [(1920, 1080), (1366, 768), (1280, 720)]


@pytest.fixture(autouse=True)
def fonts():
    pygame.font.init()
    yield
    pygame.font.quit()


def shows(surface: pygame.Surface, placed: r.Placed) -> bool:
    """The pixels under ``placed`` are exactly that text rendered in that font and colour."""
    expected = r.text_image(placed.font, placed.text, placed.color, placed.background, placed.tight)
    assert expected.get_size() == placed.rect.size
    drawn = surface.subsurface(placed.rect)
    return pygame.image.tobytes(drawn, "RGB") == pygame.image.tobytes(expected, "RGB")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_board_after_a_morning_of_events(size: tuple[int, int], tmp_path: Path) -> None:
    state = scenes.morning()
    surface, renderer = scenes.render(state, size, now=100.2)
    p = renderer.placed
    text = {k: v.text for k, v in p.items()}
    assert text["current.number"] == "A016"
    assert (text["current.counter"], text["current.counter_number"]) == ("LOKET", "3")
    assert text["current.badge"] == "PRIORITAS"
    assert [text[f"recent.{i}.number"] for i in range(6)] == [
        "A016", "B007", "A015", "C003", "B006", "A014",
    ]  # fmt: skip
    assert [text[f"tiles.PRE-L{i}.current"] for i in (1, 2, 3)] == ["A015", "B007", "A016"]
    assert text["services.KTP"] == "7" and text["services.SPK"] == "1"
    assert text["clock.time"] == "09.41 WIB"
    assert text["clock.date"] == "Senin, 30 November 2026"
    assert text["title.site"] == "Kantor Kecamatan Pare"
    for name, placed in p.items():
        region = getattr(renderer.layout, name.split(".")[0])
        assert region.contains(placed.rect), (name, placed.rect, region)
        assert shows(surface, placed), name  # nothing painted over it afterwards
    # the number is big: about a quarter of the screen's height, the biggest text on it
    assert p["current.number"].rect.height > 0.17 * size[1]
    assert max(p.values(), key=lambda v: v.rect.height) is p["current.number"]
    pygame.image.save(surface, str(tmp_path / f"display-{size[0]}x{size[1]}.png"))


def test_new_call_blinks_then_settles() -> None:
    state = scenes.morning()  # A016 called at monotonic 100.0
    corner = None
    colours = []
    for now in (100.2, 100.7, 100.0 + state.highlight_seconds + 0.2):
        surface, renderer = scenes.render(state, (1280, 720), now=now)
        rect = renderer.layout.current
        corner = (rect.x + rect.width // 50, rect.centery)
        colours.append(tuple(surface.get_at(corner))[:3])
        number = renderer.placed["current.number"]
        assert shows(surface, number)
    assert colours == [r.HIGHLIGHT, r.PANEL, r.PANEL]


def test_only_changed_regions_are_redrawn() -> None:
    state = scenes.morning()
    size = (1366, 768)
    surface = pygame.Surface(size)
    renderer = r.BoardRenderer(size, running_text="")
    now = 200.0  # highlight over: nothing moves by itself
    assert len(renderer.draw(surface, state, now, scenes.T0)) == 8
    assert renderer.draw(surface, state, now + 1, scenes.T0) == []
    layout = compute_layout(*size)
    state.apply_queue(queue_changed(scenes.T0, {"KTP": 12}))
    assert renderer.draw(surface, state, now + 2, scenes.T0) == [layout.services]
    assert renderer.placed["services.KTP"].text == "12"
    state.set_connected(False)
    assert renderer.draw(surface, state, now + 3, scenes.T0) == [layout.indicator]
    assert renderer.placed["indicator.text"].text == "Terputus dari server"
    assert shows(surface, renderer.placed["indicator.text"])
    later = scenes.T0 + timedelta(minutes=1)
    assert renderer.draw(surface, state, now + 4, later) == [layout.clock]
    assert renderer.placed["clock.time"].text == "09.42 WIB"


def test_running_text_scrolls_within_its_strip() -> None:
    state = scenes.morning()
    surface, renderer = scenes.render(state, (1280, 720), now=300.0)
    before = surface.copy()
    dirty = renderer.draw(surface, state, 300.5, scenes.T0)
    assert dirty == [renderer.layout.ticker]
    strip = renderer.layout.ticker
    assert pygame.image.tobytes(surface.subsurface(strip), "RGB") != pygame.image.tobytes(
        before.subsurface(strip), "RGB"
    )


def test_english_board_and_empty_state() -> None:
    state = BoardState()
    surface = pygame.Surface((1280, 720))
    renderer = r.BoardRenderer((1280, 720), language="en")
    renderer.draw(surface, state, 0.0, scenes.T0)
    assert renderer.placed["current.label"].text == "NOW CALLING"
    assert renderer.placed["current.empty"].text == "No calls yet"
    assert renderer.placed["indicator.text"].text == "Server connection lost"


def test_offline_and_recall_screenshots(tmp_path: Path) -> None:
    paths = scenes.save_all(tmp_path)  # docs/screenshots: only scripts/display_screenshots.py
    assert all(p.stat().st_size > 10_000 for p in paths)
    state = scenes.morning()
    state.apply_call(scenes._call("B007", 2, 1, 27, recall=True), now=200.0)
    _, renderer = scenes.render(state, (1920, 1080), now=200.7)
    assert renderer.placed["current.badge"].text == "PANGGILAN ULANG"
