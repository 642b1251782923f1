"""Settings: options over SAHAJA_* variables over the TOML file over defaults."""

from __future__ import annotations

import pytest

from counter.cli import main
from counter.settings import ButtonPins, SettingsError, load_settings

REQUIRED = {
    "SAHAJA_SERVER_URL": "http://10.0.0.2:8000/",
    "SAHAJA_TOKEN": "tok",
    "SAHAJA_COUNTER": "PRE-L1",
}


def test_defaults_with_the_required_settings_from_the_environment():
    s = load_settings([], REQUIRED)
    assert (s.server_url, s.token, s.counter) == ("http://10.0.0.2:8000", "tok", "PRE-L1")
    assert s.pins == ButtonPins(next=17, recall=27, skip=22, finish=23, transfer=None)
    assert (s.led_pin, s.buzzer_pin, s.hold_time, s.min_interval) == (24, None, 1.0, 1.0)
    assert s.lang == "id" and s.events and not s.mock_pins


def test_options_beat_environment_beat_file(tmp_path):
    conf = tmp_path / "box.toml"
    conf.write_text(
        """
[counter_box]
server_url = "http://file:1"
token = "file-token"
counter = "DKC-L3"
transfer_service = "KK"
hold_time = 2.5
[counter_box.pins]
next = 5
transfer = 6
buzzer = 13
led = false
""",
        encoding="utf-8",
    )
    env = {"SAHAJA_TOKEN": "env-token", "SAHAJA_PIN_NEXT": "GPIO12"}
    s = load_settings(["--config", str(conf), "--counter", "PRE-L2"], env)
    assert s.server_url == "http://file:1"
    assert s.token == "env-token"
    assert s.counter == "PRE-L2"
    assert s.pins.next == "GPIO12" and s.pins.transfer == 6
    assert (s.led_pin, s.buzzer_pin) == (None, 13)
    assert (s.transfer_service, s.hold_time) == ("KK", 2.5)


def test_a_missing_setting_is_named_in_indonesian_then_english():
    with pytest.raises(SettingsError, match="belum diisi.*SAHAJA_DEVICE_TOKEN"):
        load_settings(["--server-url", "http://x", "--counter", "PRE-L1"], {})
    with pytest.raises(SettingsError, match="is not set.*SAHAJA_DEVICE_TOKEN"):
        load_settings(["--server-url", "http://x", "--counter", "PRE-L1", "--lang", "en"], {})


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--pin-recall", "17"], "pin 17 is used twice"),
        (["--pin-transfer", "5"], "needs --transfer-service"),
        (["--hold-time", "0"], "above zero"),
        (["--min-interval", "x"], "--min-interval"),
        (["--server-url", "10.0.0.2"], "http://"),
        (["--counter", "L1"], "SITE-CODE"),
        (["--pin-next", "17;rm"], "not a pin"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(argv, problem):
    with pytest.raises(SettingsError, match="tidak valid") as err:
        load_settings(argv, REQUIRED)
    assert problem in str(err.value)


def test_unknown_file_keys_and_bad_toml_are_refused(tmp_path):
    conf = tmp_path / "box.toml"
    conf.write_text('[counter_box]\nserver = "http://x"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="counter_box.server"):
        load_settings(["--config", str(conf)], REQUIRED)
    conf.write_text("[counter_box\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="box.toml"):
        load_settings(["--config", str(conf)], REQUIRED)
    with pytest.raises(SettingsError, match="missing.toml"):
        load_settings(["--config", str(tmp_path / "missing.toml")], REQUIRED)


def test_none_unwires_a_default_pin():
    s = load_settings(["--pin-skip", "none", "--pin-led", "none"], REQUIRED)
    assert s.pins.skip is None and s.led_pin is None
    assert "skip" not in s.pins.wired()


def test_help_and_bad_settings_from_the_console_script(capsys, monkeypatch):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "sahaja-counter" in out and "SAHAJA_SERVER_URL" in out and "--pin-next" in out
    for key in REQUIRED:
        monkeypatch.delenv(key, raising=False)
    assert main(["--server-url", "http://x"]) == 2
    assert "belum diisi" in capsys.readouterr().err


def test_every_text_the_box_can_log_exists_in_both_languages():
    import tomllib
    from importlib import resources

    from counter.controller import Action, Outcome, Press
    from counter.settings import OPTIONS, _help_key

    catalog = tomllib.loads(
        resources.files("sahaja.locales").joinpath("counter.toml").read_text(encoding="utf-8")
    )
    keys = {f"press_{p.value}" for p in Press} | {f"result_{o.value}" for o in Outcome}
    keys |= {f"action_{a.value}" for a in Action} | {f"help_{_help_key(o)}" for o in OPTIONS}
    keys |= {"link_up", "link_down", "now_serving", "event_called", "event_recalled", "state"}
    for key in sorted(keys):
        assert key in catalog, key
        assert catalog[key].get("id") and catalog[key].get("en"), key
