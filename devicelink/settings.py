"""The settings every device shares: one set of environment names, one TOML reader.

Each app keeps its own options (pins, printer, voice pack...) but reads the shared ones under
these names, so an installer writes the same ``/etc/default`` lines for every device:

| variable              | meaning                                     |
|-----------------------|---------------------------------------------|
| ``SAHAJA_SERVER_URL`` | the queue server, ``http://10.0.0.2:8000``  |
| ``SAHAJA_DEVICE_TOKEN`` | this device's token (``sahaja-server device add``) |
| ``SAHAJA_LANG``       | ``id`` (default) or ``en``                  |
| ``SAHAJA_CONFIG``     | a TOML settings file                        |
| ``SAHAJA_HEALTH_SECONDS`` | seconds between health reports (default 30) |

Older names (``SAHAJA_TOKEN``, ``SAHAJA_DISPLAY_TOKEN``, ``SAHAJA_DISPLAY_SERVER``...) are
still read when the new one is absent.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SERVER_URL = "SAHAJA_SERVER_URL"
DEVICE_TOKEN = "SAHAJA_DEVICE_TOKEN"
LANG = "SAHAJA_LANG"
CONFIG = "SAHAJA_CONFIG"
HEALTH_SECONDS = "SAHAJA_HEALTH_SECONDS"

COMMON: tuple[str, ...] = (SERVER_URL, DEVICE_TOKEN, LANG, CONFIG, HEALTH_SECONDS)

# Names used before the devices shared one set; read only when the new name is not set.
LEGACY: dict[str, tuple[str, ...]] = {
    SERVER_URL: ("SAHAJA_DISPLAY_SERVER",),
    DEVICE_TOKEN: ("SAHAJA_TOKEN", "SAHAJA_DISPLAY_TOKEN"),
    LANG: ("SAHAJA_DISPLAY_LANGUAGE",),
    CONFIG: ("SAHAJA_DISPLAY_CONFIG",),
}

DEFAULT_HEALTH_SECONDS = 30.0


def env(environ: Mapping[str, str], name: str) -> str | None:
    """The value of a shared variable, or of its older name; None when neither is set."""
    for var in (name, *LEGACY.get(name, ())):
        value = environ.get(var)
        if value:
            return value
    return None


def check_server_url(url: str) -> str:
    """``url`` without a trailing slash; ValueError unless it is http(s)."""
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"server URL {url!r} must start with http:// or https://")
    return url.rstrip("/")


def read_table(path: str | Path, table: str) -> dict[str, Any]:
    """The ``[table]`` of a TOML file (or its top level when there is no such table).

    Raises ValueError naming the file and the problem.
    """
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    found = raw.get(table, raw)
    if not isinstance(found, dict):
        raise ValueError(f"{path}: [{table}] must be a table")
    return found
