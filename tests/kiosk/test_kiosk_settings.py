"""Settings come from flags, then SAHAJA_* environment, then a TOML file."""

from __future__ import annotations

import pytest

from kiosk.cli import main
from kiosk.settings import SettingsError, load_settings


def test_precedence(tmp_path):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(
        '[kiosk]\nserver_url = "http://file:8000"\ntoken = "t-file"\nsize = "800x480"\n'
        'printer = "network:10.0.0.9"\n'
    )
    env = {"SAHAJA_TOKEN": "t-env", "SAHAJA_PRINTER": "usb:0x04b8:0x0202"}
    s = load_settings(["--config", str(cfg), "--printer", "dummy"], env)
    assert s.server_url == "http://file:8000"
    assert s.token == "t-env"
    assert s.printer == "dummy"
    assert s.size == (800, 480)
    assert s.status_base == "http://file:8000"


def test_environment_only():
    env = {
        "SAHAJA_SERVER_URL": "http://srv:8000/",
        "SAHAJA_TOKEN": "x",
        "SAHAJA_KIOSK_SIZE": "1920x1080",
        "SAHAJA_FULLSCREEN": "yes",
        "SAHAJA_LANG": "en",
        "SAHAJA_PUBLIC_URL": "https://antrian.kedirikab.go.id",
    }
    s = load_settings([], env)
    assert s.server_url == "http://srv:8000" and s.fullscreen and s.lang == "en"
    assert s.size == (1920, 1080)
    assert s.status_base == "https://antrian.kedirikab.go.id"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "server_url is needed"),
        (["--server-url", "srv:8000", "--token", "x"], "must start with http"),
        (["--server-url", "http://s", "--token", "x", "--size", "big"], "must look like"),
    ],
)
def test_bad_settings_are_named(argv, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(argv, {})


def test_unknown_key_in_file(tmp_path):
    cfg = tmp_path / "k.toml"
    cfg.write_text('server_url = "http://s"\ntoken = "x"\nprinterr = "dummy"\n')
    with pytest.raises(SettingsError, match="printerr"):
        load_settings(["--config", str(cfg)], {})


def test_cli_refuses_a_bad_printer(capsys, monkeypatch):
    monkeypatch.delenv("SAHAJA_PRINTER", raising=False)
    code = main(["--server-url", "http://s", "--token", "x", "--printer", "lpt1"])
    assert code == 2
    assert "usb:VENDOR:PRODUCT" in capsys.readouterr().err
