"""The kiosk's settings: command-line flags over ``SAHAJA_*`` environment over a TOML file.

The server, token, language and config file use the names every device shares
(``devicelink.settings``: ``SAHAJA_SERVER_URL``, ``SAHAJA_DEVICE_TOKEN``, ``SAHAJA_LANG``,
``SAHAJA_CONFIG``); the rest are the kiosk's own.

The TOML file holds the same names as the flags, at the top level or under ``[kiosk]``::

    server_url = "http://10.0.0.2:8000"
    token = "..."
    printer = "usb:0x04b8:0x0202"
    size = "1024x600"
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from devicelink import settings as shared
from sahaja.i18n import LANGUAGES

ENV = {
    "server_url": shared.SERVER_URL,
    "token": shared.DEVICE_TOKEN,
    "printer": "SAHAJA_PRINTER",
    "printer_profile": "SAHAJA_PRINTER_PROFILE",
    "public_url": "SAHAJA_PUBLIC_URL",
    "size": "SAHAJA_KIOSK_SIZE",
    "fullscreen": "SAHAJA_FULLSCREEN",
    "lang": shared.LANG,
    "fps": "SAHAJA_KIOSK_FPS",
    "health_seconds": shared.HEALTH_SECONDS,
}
_SIZE = re.compile(r"^(\d{3,5})x(\d{3,5})$")


class SettingsError(ValueError):
    """A setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class KioskSettings:
    server_url: str
    token: str
    printer: str = "dummy"
    printer_profile: str | None = None
    public_url: str | None = None  # base of the QR link; the server URL when not given
    size: tuple[int, int] = (1024, 600)
    fullscreen: bool = False
    lang: str = "id"
    fps: int = 30
    health_seconds: float = shared.DEFAULT_HEALTH_SECONDS

    @property
    def status_base(self) -> str:
        return (self.public_url or self.server_url).rstrip("/")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sahaja-kiosk",
        description="Touchscreen ticket kiosk of Sahaja Lekat: issues and prints queue tickets.",
        epilog="Each flag can also come from the environment ("
        + ", ".join(f"{v}" for v in ENV.values())
        + ") or from the --config TOML file; flags win, then environment, then the file.",
    )
    p.add_argument("--config", type=Path, help="TOML file with the settings below")
    p.add_argument("--server-url", help="queue server, e.g. http://10.0.0.2:8000")
    p.add_argument("--token", help="this kiosk's device token (sahaja-server device add)")
    p.add_argument(
        "--printer",
        help="usb:VENDOR:PRODUCT, network:HOST[:PORT], serial:DEVICE[:BAUD], file:PATH or dummy",
    )
    p.add_argument("--printer-profile", help="python-escpos profile, e.g. TM-T20II, POS-5890")
    p.add_argument("--public-url", help="address printed in the QR code (default: server URL)")
    p.add_argument("--size", help="window size WIDTHxHEIGHT, 800x480 up to 1920x1080")
    p.add_argument("--fullscreen", action="store_true", default=None, help="use the whole screen")
    p.add_argument("--windowed", dest="fullscreen", action="store_false", help="use a window")
    p.add_argument("--lang", choices=LANGUAGES, help="starting language (id or en)")
    p.add_argument("--fps", type=int, help="frame-rate cap (default 30)")
    p.add_argument("--health-seconds", type=float, help="seconds between health reports (30)")
    return p


def load_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> KioskSettings:
    args = build_parser().parse_args(argv)
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    config = args.config or shared.env(environ, shared.CONFIG)
    if config:
        values.update(_from_file(Path(config)))
    for name, var in ENV.items():
        value = shared.env(environ, var)
        if value:
            values[name] = value
    for f in fields(KioskSettings):
        flag = getattr(args, f.name, None)
        if flag is not None:
            values[f.name] = flag
    return _validate(values)


def _from_file(path: Path) -> dict[str, object]:
    try:
        table = shared.read_table(path, "kiosk")
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc
    known = {f.name for f in fields(KioskSettings)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise SettingsError(f"{path}: unknown setting {unknown[0]!r}")
    return dict(table)


def _validate(values: dict[str, object]) -> KioskSettings:
    for required in ("server_url", "token"):
        if not values.get(required):
            flag = "--" + required.replace("_", "-")
            raise SettingsError(f"{required} is needed ({flag} or {ENV[required]})")
    try:
        url = shared.check_server_url(str(values["server_url"]))
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc
    size = values.get("size", (1024, 600))
    if isinstance(size, str):
        match = _SIZE.match(size.strip())
        if not match:
            raise SettingsError(f"size {size!r} must look like 1024x600")
        size = (int(match.group(1)), int(match.group(2)))
    if not isinstance(size, tuple | list) or len(size) != 2:
        raise SettingsError(f"size {size!r} must look like 1024x600")
    width, height = int(size[0]), int(size[1])
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise SettingsError(f"size {width}x{height} is out of range")
    fullscreen = values.get("fullscreen", False)
    if isinstance(fullscreen, str):
        fullscreen = fullscreen.strip().lower() in ("1", "true", "yes", "on")
    lang = str(values.get("lang", "id"))
    if lang not in LANGUAGES:
        raise SettingsError(f"lang {lang!r} must be one of {', '.join(LANGUAGES)}")
    try:
        fps = int(values.get("fps", 30))  # type: ignore[arg-type]
    except ValueError as exc:
        raise SettingsError(f"fps {values.get('fps')!r} is not a number") from exc
    try:
        health = float(values.get("health_seconds", shared.DEFAULT_HEALTH_SECONDS))  # type: ignore[arg-type]
    except ValueError as exc:
        raise SettingsError(
            f"health_seconds {values.get('health_seconds')!r} is not a number"
        ) from exc
    if not health > 0:
        raise SettingsError(f"health_seconds {health} must be above zero")
    return KioskSettings(
        server_url=url,
        token=str(values["token"]),
        printer=str(values.get("printer") or "dummy"),
        printer_profile=str(values["printer_profile"]) if values.get("printer_profile") else None,
        public_url=str(values["public_url"]) if values.get("public_url") else None,
        size=(width, height),
        fullscreen=bool(fullscreen),
        lang=lang,
        fps=max(5, min(fps, 60)),
        health_seconds=health,
    )
