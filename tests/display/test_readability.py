"""The board read from the back of a waiting room: sizes, the overscan margin and contrast,
measured on what was drawn (the glyphs' own bounding boxes)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pygame
import pytest

from display import render as r
from display.state import BoardState

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "display_screenshots", ROOT / "scripts" / "display_screenshots.py"
)
scenes = importlib.util.module_from_spec(_spec)
sys.modules["display_screenshots"] = scenes
_spec.loader.exec_module(scenes)

SIZES = [(1920, 1080), (1366, 768), (1280, 720)]
PANEL_43_INCH_CM = 43 * 2.54 * 9 / (16**2 + 9**2) ** 0.5  # picture height of a 16:9 panel
CM_PER_METRE = 2.5 / 3  # signage practice: 2.5 cm of letter height per 3 m of distance


@pytest.fixture(autouse=True)
def fonts():
    pygame.font.init()
    yield
    pygame.font.quit()


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance."""

    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable_metres(share_of_height: float) -> float:
    return share_of_height * PANEL_43_INCH_CM / CM_PER_METRE


def test_the_rule_of_thumb_reproduces_the_issue_figures() -> None:
    # the old board: 22.7 % stood about 12 cm and read from ~14 m; 6.9 % from ~4.5 m
    assert readable_metres(0.227) == pytest.approx(14.5, abs=0.3)
    assert readable_metres(0.069) == pytest.approx(4.4, abs=0.3)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("counter", [3, 12])
def test_number_and_counter_read_from_fifteen_metres(size: tuple[int, int], counter: int) -> None:
    state = scenes.morning()
    state.apply_call(scenes._call("A017", counter, 2, 40), now=100.0)
    _, renderer = scenes.render(state, size, now=100.7)  # blink phase: the unlit panel
    p = renderer.placed
    assert p["current.counter_number"].text == str(counter)
    number = p["current.number"].rect.height / size[1]
    counter_word = p["current.counter"].rect.height / size[1]
    counter_number = p["current.counter_number"].rect.height / size[1]
    assert number >= 0.25, number
    # "LOKET" gives room to a two-digit counter's number, down to a tenth of the height
    assert counter_word >= (0.15 if counter < 10 else 0.1), counter_word
    assert readable_metres(number) >= 15 and readable_metres(counter_number) >= 15
    # "LOKET" and its number stand on one baseline, the number on its own line above
    assert p["current.counter"].rect.bottom == p["current.counter_number"].rect.bottom
    assert p["current.number"].rect.bottom < p["current.counter_number"].rect.top


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("phase", [100.2, 100.7], ids=["lit", "unlit"])
def test_everything_inside_the_safe_area_with_enough_contrast(
    size: tuple[int, int], phase: float
) -> None:
    state = scenes.morning()
    surface, renderer = scenes.render(state, size, now=phase)
    safe = renderer.layout.safe
    inset = (safe.x / size[0], safe.y / size[1])
    assert inset[0] >= 0.035 and inset[1] >= 0.035  # a TV that crops its edges cuts nothing
    for name, placed in renderer.placed.items():
        assert safe.contains(placed.rect), (name, placed.rect, safe)
        assert contrast(placed.color, placed.background) >= 4.5, name
    # the edge strip outside the safe area holds nothing but the background
    assert surface.get_at((2, 2))[:3] == r.BG
    assert surface.get_at((size[0] - 3, size[1] - 3))[:3] == r.BG


def test_offline_notice_and_priority_badge_have_contrast() -> None:
    state = BoardState()
    state.set_connected(False)
    surface = pygame.Surface((1920, 1080))
    renderer = r.BoardRenderer((1920, 1080))
    renderer.draw(surface, state, 0.0, scenes.T0)
    notice = renderer.placed["indicator.text"]
    assert contrast(notice.color, notice.background) >= 4.5
    assert contrast(r.PRIORITY, r.BG) >= 4.5 and contrast(r.PRIORITY, r.PANEL) >= 4.5
    assert contrast(r.TEXT, r.PRIORITY_FILL) >= 4.5
