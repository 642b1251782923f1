"""Every board text exists in Indonesian and English, and every key the code uses exists."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_catalog_keys_used_by_the_board_exist_in_both_languages() -> None:
    catalog = tomllib.loads((ROOT / "sahaja/locales/display.toml").read_text(encoding="utf-8"))
    for key, entry in catalog.items():
        assert entry.get("id") and entry.get("en"), key
    used = set()
    for path in (ROOT / "display").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'self\.t\("(\w+)"', text))
        used |= set(re.findall(r'"display\.(\w+)"', text))
    assert used, "no keys found: the pattern is stale"
    assert used <= set(catalog), used - set(catalog)
    assert set(catalog) <= used, set(catalog) - used  # no dead texts for translators


def test_board_import_path_has_no_server_packages() -> None:
    import subprocess
    import sys

    code = (
        "import sys, display.cli, display.app, display.network, display.render, hardware.audio;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'server',"
        " 'flask_socketio', 'alembic')]; print(bad); sys.exit(1 if bad else 0)"
    )
    env = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
