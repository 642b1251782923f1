"""The button box's settings: command-line options, then ``SAHAJA_*`` variables, then a TOML
file (``--config`` or ``SAHAJA_CONFIG``, table ``[counter_box]`` with ``[counter_box.pins]``),
then defaults. The server, token, language and health period use the names every device shares
(``devicelink.settings``: ``SAHAJA_SERVER_URL``, ``SAHAJA_DEVICE_TOKEN``...).

Standard library only, so ``--help`` and a bad setting are answered before gpiozero loads.
Pins are BCM numbers or gpiozero pin names ("GPIO17", "BOARD11"); ``"none"`` (or ``false`` in
TOML) leaves a button or light out.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devicelink import settings as shared
from sahaja import i18n

Pin = int | str


class SettingsError(ValueError):
    """A setting that cannot be used; the message is ready to show (in the chosen language)."""


@dataclass(frozen=True)
class ButtonPins:
    """BCM pin numbers (or gpiozero pin names); None leaves a button out."""

    next: Pin | None = 17
    recall: Pin | None = 27
    skip: Pin | None = 22
    finish: Pin | None = 23
    transfer: Pin | None = None

    def wired(self) -> dict[str, Pin]:
        pins = {"next": self.next, "recall": self.recall, "skip": self.skip}
        pins |= {"finish": self.finish, "transfer": self.transfer}
        return {a: p for a, p in pins.items() if p is not None}


@dataclass(frozen=True)
class BoxSettings:
    server_url: str
    token: str
    counter: str
    pins: ButtonPins = field(default_factory=ButtonPins)
    led_pin: Pin | None = 24
    buzzer_pin: Pin | None = None
    transfer_service: str | None = None
    hold_time: float = 1.0
    bounce_time: float | None = 0.05
    min_interval: float = 1.0
    timeout: float = 5.0
    health_seconds: float = 30.0
    lang: str = "id"
    mock_pins: bool = False
    events: bool = True
    ready_hold: bool = True  # holding Recall calls the last finished ticket for its document

    @property
    def connect_timeout(self) -> float:
        return min(2.0, self.timeout)


def parse_pin(value: Any) -> Pin | None:
    if value is None or value is False:
        return None
    if isinstance(value, bool):
        raise ValueError("true is not a pin")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{value} is not a pin")
        return value
    text = str(value).strip()
    if text.lower() in ("", "none", "off", "-"):
        return None
    if text.isdigit():
        return int(text)
    if not text.replace(":", "").isalnum():
        raise ValueError(f"{text!r} is not a pin")
    return text


def _positive(value: Any) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(f"{value!r} must be above zero")
    return number


def _not_negative(value: Any) -> float:
    number = float(value)
    if not number >= 0:
        raise ValueError(f"{value!r} must not be below zero")
    return number


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value.strip()


@dataclass(frozen=True)
class _Option:
    name: str  # attribute, also the TOML key ("pins.next" inside [counter_box])
    flag: str
    env: str
    parse: Callable[[Any], Any]
    default: Any = None
    required: bool = False
    help_key: str = ""
    help_params: tuple[tuple[str, str], ...] = ()


_PIN_NAMES = ("next", "recall", "skip", "finish", "transfer", "led", "buzzer")
_PIN_DEFAULTS = {"next": 17, "recall": 27, "skip": 22, "finish": 23, "led": 24}

OPTIONS: tuple[_Option, ...] = (
    _Option("server_url", "--server-url", shared.SERVER_URL, _text, required=True),
    _Option("token", "--token", shared.DEVICE_TOKEN, _text, required=True),
    _Option("counter", "--counter", "SAHAJA_COUNTER", _text, required=True),
    *(
        _Option(
            f"pins.{p}",
            f"--pin-{p}",
            f"SAHAJA_PIN_{p.upper()}",
            parse_pin,
            _PIN_DEFAULTS.get(p),
            help_key="pin",
            help_params=(("name", p),),
        )
        for p in _PIN_NAMES
    ),
    _Option("transfer_service", "--transfer-service", "SAHAJA_TRANSFER_SERVICE", _text),
    _Option("hold_time", "--hold-time", "SAHAJA_HOLD_TIME", _positive, 1.0),
    _Option("bounce_time", "--bounce-time", "SAHAJA_BOUNCE_TIME", _not_negative, 0.05),
    _Option("min_interval", "--min-interval", "SAHAJA_MIN_INTERVAL", _not_negative, 1.0),
    _Option("timeout", "--timeout", "SAHAJA_TIMEOUT", _positive, 5.0),
    _Option("health_seconds", "--health-seconds", shared.HEALTH_SECONDS, _positive, 30.0),
    _Option("lang", "--lang", shared.LANG, _text, "id"),
)


def _help_key(option: _Option) -> str:
    return option.help_key or option.name.replace("pins.", "")


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    def t(key: str, **params: object) -> str:
        return i18n.t(f"counter.{key}", lang, **params).replace("%", "%%")

    parser = argparse.ArgumentParser(
        prog="sahaja-counter", description=t("help_description"), epilog=t("help_epilog")
    )
    parser.add_argument("--config", metavar="FILE", help=t("help_config"))
    for option in OPTIONS:
        help_text = t(f"help_{_help_key(option)}", **dict(option.help_params))
        if option.default is not None:
            help_text += f" [{option.env}; {option.default}]"
        else:
            help_text += f" [{option.env}]"
        metavar = "PIN" if option.name.startswith("pins.") else option.flag[2:].upper()
        parser.add_argument(
            option.flag, dest=option.name, default=None, metavar=metavar, help=help_text
        )
    parser.add_argument("--mock-pins", action="store_true", help=t("help_mock_pins"))
    parser.add_argument("--no-events", action="store_true", help=t("help_no_events"))
    parser.add_argument("--no-ready-hold", action="store_true", help=t("help_no_ready_hold"))
    return parser


def _guess_language(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return i18n.normalize_language(argv[i + 1])
        if arg.startswith("--lang="):
            return i18n.normalize_language(arg.partition("=")[2])
    return i18n.normalize_language(shared.env(environ, shared.LANG))


def _read_toml(path: str, lang: str) -> dict[str, Any]:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _error(lang, f"{path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise _error(lang, f"{path}: {exc}") from exc
    table = raw.get("counter_box", {})
    if not isinstance(table, dict):
        raise _error(lang, f"{path}: [counter_box] must be a table")
    flat = {k: v for k, v in table.items() if k != "pins"}
    pins = table.get("pins", {})
    if not isinstance(pins, dict):
        raise _error(lang, f"{path}: [counter_box.pins] must be a table")
    flat |= {f"pins.{k}": v for k, v in pins.items()}
    known = {o.name for o in OPTIONS}
    unknown = sorted(set(flat) - known)
    if unknown:
        raise _error(lang, f"{path}: unknown key counter_box.{unknown[0]}")
    return flat


def _error(lang: str, problem: str) -> SettingsError:
    return SettingsError(i18n.t("counter.config_error", lang, problem=problem))


def load_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> BoxSettings:
    """Parse ``argv`` (``--help`` exits here) and merge it with ``environ`` and the file."""
    argv = list(argv if argv is not None else [])
    environ = os.environ if environ is None else environ
    lang = _guess_language(argv, environ)
    args = build_parser(lang).parse_args(argv)
    args.config = args.config or shared.env(environ, shared.CONFIG)
    from_file = _read_toml(args.config, lang) if args.config else {}

    values: dict[str, Any] = {}
    for option in OPTIONS:
        given, source = getattr(args, option.name), option.flag
        if given is None and shared.env(environ, option.env) is not None:
            given, source = shared.env(environ, option.env), option.env
        if given is None and option.name in from_file:
            given, source = from_file[option.name], f"{args.config}: {option.name}"
        if given is None:
            if option.required:
                name = option.name.replace("_", " ")
                raise SettingsError(
                    i18n.t(
                        "counter.missing_setting", lang, name=name, flag=option.flag, env=option.env
                    )
                )
            values[option.name] = option.default
            continue
        try:
            values[option.name] = option.parse(given)
        except (TypeError, ValueError) as exc:
            raise _error(lang, f"{source}: {exc}") from exc
    return _assemble(values, args, lang)


def _assemble(values: dict[str, Any], args: argparse.Namespace, lang: str) -> BoxSettings:
    try:
        url = shared.check_server_url(values["server_url"])
    except ValueError as exc:
        raise _error(lang, str(exc)) from exc
    counter = values["counter"]
    if "-" not in counter:
        raise _error(lang, f"counter {counter!r} must look like SITE-CODE, e.g. PRE-L1")
    if not values["token"]:
        raise _error(lang, "empty token")
    pins = {p: values[f"pins.{p}"] for p in _PIN_NAMES}
    used = [p for p in pins.values() if p is not None]
    clash = next((p for p in used if used.count(p) > 1), None)
    if clash is not None:
        raise _error(lang, f"pin {clash} is used twice")
    service = values["transfer_service"] or None
    if pins["transfer"] is not None and not service:
        raise _error(lang, "the Transfer button needs --transfer-service")
    language = i18n.normalize_language(values["lang"])
    return BoxSettings(
        server_url=url,
        token=values["token"],
        counter=counter,
        pins=ButtonPins(**{p: pins[p] for p in ("next", "recall", "skip", "finish", "transfer")}),
        led_pin=pins["led"],
        buzzer_pin=pins["buzzer"],
        transfer_service=service,
        hold_time=values["hold_time"],
        bounce_time=values["bounce_time"] or None,
        min_interval=values["min_interval"],
        timeout=values["timeout"],
        health_seconds=values["health_seconds"],
        lang=language,
        mock_pins=bool(args.mock_pins),
        events=not args.no_events,
        ready_hold=not args.no_ready_hold,
    )
