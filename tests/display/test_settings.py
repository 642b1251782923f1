"""Settings: defaults < TOML file < environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from display.announce import CALL
from display.settings import SettingsError, load_settings


def test_precedence_and_types(tmp_path: Path) -> None:
    f = tmp_path / "board.toml"
    f.write_text(
        '[display]\nserver = "http://file:1"\nsize = "1366x768"\nvolume = 0.5\n'
        'ready_services = ["AMB"]\nrunning_text = "Halo"\n'
        '[display.templates]\ncall = "Nomor {prefix} {number_words} loket {counter_words}"\n'
    )
    env = {"SAHAJA_DISPLAY_SERVER": "http://env:2", "SAHAJA_DISPLAY_FULLSCREEN": "yes"}
    s = load_settings(f, env, {"token": "T", "volume": None})
    assert s.server == "http://env:2"
    assert s.size == (1366, 768) and s.fullscreen is True
    assert s.volume == 0.5 and s.token == "T"
    assert s.ready_services == ("AMB",) and s.running_text == "Halo"
    assert s.templates[CALL].startswith("Nomor {prefix}")
    assert "recall" in s.templates  # the other templates keep their defaults
    assert load_settings(f, env, {"server": "http://flag:3"}).server == "http://flag:3"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("size = '1920*1080'", "WIDTHxHEIGHT"),
        ("volume = 3.0", "between 0 and 1"),
        ("colour = 'red'", "unknown setting"),
        ("[templates]\ncall = '{nomor}'", "unknown placeholder"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, text: str, error: str) -> None:
    f = tmp_path / "board.toml"
    f.write_text(text)
    with pytest.raises(SettingsError, match=error):
        load_settings(f, {})
