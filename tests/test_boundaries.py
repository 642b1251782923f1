"""The layers' boundaries, enforced by reading every import (also those inside functions).

- ``sahaja`` (the pure core, config, protocol, translations) imports only the standard library
  and itself, so the core runs anywhere and a device pulls in nothing for it;
- the device apps (kiosk, display, counter), the shared client ``devicelink`` and the
  ``hardware`` adapters import neither Flask nor SQLAlchemy nor the ``server`` package, so a
  Raspberry Pi installs them from wheels without the server's dependencies;
- ``hardware`` adapters import no app and no server link: they know devices, not the queue;
- apps do not import one another; ``devicelink`` imports no app and nothing beyond
  python-socketio, requests and (for fonts) pygame.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVER_SIDE = {"flask", "flask_socketio", "werkzeug", "sqlalchemy", "alembic", "gunicorn",
               "psycopg", "redis", "server", "holidays"}  # fmt: skip
APPS = {"kiosk", "display", "counter"}
DEVICE_PACKAGES = (*sorted(APPS), "devicelink", "hardware")


def imports(package: str) -> Iterator[tuple[Path, int, str]]:
    """(file, line, top-level module) for every import in ``package``'s own files."""
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [package if node.level else node.module or ""]
            else:
                continue
            for name in names:
                yield path.relative_to(ROOT), node.lineno, name.split(".")[0]


def offending(package: str, allowed) -> list[str]:
    return [f"{path}:{line} imports {top}" for path, line, top in imports(package)
            if not allowed(top)]  # fmt: skip


def test_the_scan_sees_imports() -> None:
    found = {top for _, _, top in imports("counter")}
    assert {"counter", "sahaja", "hardware", "devicelink", "requests"} <= found
    assert "gpiozero" in found  # imported inside a function: seen too


def test_sahaja_imports_only_the_standard_library() -> None:
    stdlib = sys.stdlib_module_names
    assert offending("sahaja", lambda top: top in stdlib or top == "sahaja") == []


@pytest.mark.parametrize("package", DEVICE_PACKAGES)
def test_devices_import_nothing_of_the_server(package: str) -> None:
    assert offending(package, lambda top: top not in SERVER_SIDE) == []


def test_hardware_adapters_import_no_app() -> None:
    assert offending("hardware", lambda top: top not in APPS | {"devicelink"}) == []


@pytest.mark.parametrize("app", sorted(APPS))
def test_apps_do_not_import_one_another(app: str) -> None:
    assert offending(app, lambda top: top == app or top not in APPS) == []


def test_devicelink_needs_only_its_client_libraries() -> None:
    allowed = set(sys.stdlib_module_names) | {"devicelink", "sahaja", "socketio", "requests",
                                               "pygame"}  # fmt: skip
    assert offending("devicelink", lambda top: top in allowed) == []


def test_device_entry_points_load_without_server_packages() -> None:
    """The same, at run time: what importing each app's modules really pulls in."""
    modules = ["kiosk.cli", "kiosk.app", "display.cli", "display.app", "display.network",
               "counter.cli", "counter.events", "counter.client", "hardware.buttons",
               "hardware.status_led", "hardware.audio", "devicelink.link",
               "devicelink.health"]  # fmt: skip
    # python-socketio itself tries ``import redis`` (its optional Redis manager), which is
    # found in this all-in-one test environment but absent on a device: not ours to forbid.
    forbidden = sorted(SERVER_SIDE - {"redis"})
    code = (
        f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}];"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r});"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    env = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
