"""Headless pygame for every display test: SDL's dummy video and disk audio drivers."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "disk"
os.environ.setdefault("SDL_DISKAUDIOFILE", os.devnull)
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from display.voice_build import build_pack  # noqa: E402


@pytest.fixture(scope="session")
def espeak_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default pack, synthesized once per test session with espeak-ng."""
    out = tmp_path_factory.mktemp("voice-id")
    build_pack(out)
    return out
