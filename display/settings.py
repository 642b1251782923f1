"""The board's settings: built-in defaults, then a TOML file, then environment, then flags.

A file holds what an office tunes once (templates, running text, voice pack); environment and
flags hold what differs per screen (server URL, token, size).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from devicelink import settings as shared
from display.announce import DEFAULT_PHRASES, DEFAULT_TEMPLATES, Announcer, TemplateError

ENV_PREFIX = "SAHAJA_DISPLAY_"  # the board's own settings: SAHAJA_DISPLAY_VOICE_PACK...
# Settings every device shares, under the shared names (devicelink.settings); the board's
# older SAHAJA_DISPLAY_SERVER / _TOKEN / _LANGUAGE / _CONFIG are still read after them.
SHARED_ENV = {
    "server": shared.SERVER_URL,
    "token": shared.DEVICE_TOKEN,
    "language": shared.LANG,
    "health_seconds": shared.HEALTH_SECONDS,
}
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def default_voice_pack() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sahaja" / "voice-id"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    server: str = "http://127.0.0.1:8000"
    token: str = ""
    fullscreen: bool = False
    size: tuple[int, int] = (1920, 1080)
    voice_pack: Path = field(default_factory=default_voice_pack)
    sound: bool = True
    volume: float = 1.0
    language: str = "id"
    fps: int = 30  # the cap while something moves (running text, highlight)
    running_text: str | None = None  # None: the catalog's default text
    running_text_speed: int = 120  # pixels per second at 1080 lines, scaled with height
    highlight_seconds: float = 8.0
    replay_window_seconds: float = 15.0
    recent_calls: int = 6
    ready_services: tuple[str, ...] = ()  # services whose calls mean "document ready"
    templates: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TEMPLATES))
    phrases: tuple[str, ...] = DEFAULT_PHRASES
    bell: bool = True
    max_counter_number: int = 50
    health_seconds: float = shared.DEFAULT_HEALTH_SECONDS
    font_dir: Path = FONT_DIR

    def announcer(self) -> Announcer:
        return Announcer(self.templates, self.phrases, self.bell)


_SIZE_RE = re.compile(r"^(\d{3,5})x(\d{3,5})$")


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Turn a TOML or environment value into the field's type, or explain why not."""
    try:
        if name == "size":
            if isinstance(value, str):
                m = _SIZE_RE.match(value.strip())
                if not m:
                    raise ValueError("expected WIDTHxHEIGHT, e.g. 1920x1080")
                return (int(m.group(1)), int(m.group(2)))
            w, h = value
            return (int(w), int(h))
        if isinstance(default, bool):
            if isinstance(value, str):
                low = value.strip().lower()
                if low not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError("expected true or false")
                return low in ("1", "true", "yes", "on")
            return bool(value)
        if isinstance(default, Path):
            return Path(os.path.expanduser(str(value)))
        if isinstance(default, tuple):
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(i).strip() for i in items if str(i).strip())
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise ValueError("expected a table")
            return {**default, **{str(k): str(v) for k, v in value.items()}}
        if isinstance(default, float):
            return float(value)
        if isinstance(default, int):
            return int(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name}: {value!r}: {exc}") from exc


def load_settings(
    path: str | Path | None = None,
    env: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Defaults < ``[display]`` of the TOML file < environment < explicit overrides."""
    env = dict(os.environ if env is None else env)
    path = path or shared.env(env, shared.CONFIG)
    base = Settings()
    defaults = {f.name: getattr(base, f.name) for f in fields(Settings)}
    values: dict[str, Any] = {}
    if path:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"{path}: {exc}") from exc
        table = raw.get("display", raw)
        for key, value in table.items():
            if key not in defaults:
                raise SettingsError(f"{path}: unknown setting {key!r}")
            values[key] = _coerce(key, value, defaults[key])
    for name, default in defaults.items():
        if name in SHARED_ENV:
            text = shared.env(env, SHARED_ENV[name])
        else:
            text = env.get(ENV_PREFIX + name.upper())
        if text is not None and not isinstance(default, dict):
            values[name] = _coerce(name, text, default)
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = _coerce(key, value, defaults[key])
    settings = replace(base, **values)
    if not 0.0 <= settings.volume <= 1.0:
        raise SettingsError(f"volume: {settings.volume} must be between 0 and 1")
    if settings.fps < 1 or settings.fps > 60:
        raise SettingsError(f"fps: {settings.fps} must be between 1 and 60")
    if not settings.health_seconds > 0:
        raise SettingsError(f"health_seconds: {settings.health_seconds} must be above zero")
    try:
        settings.announcer()
    except TemplateError as exc:
        raise SettingsError(f"templates: {exc}") from exc
    return settings
