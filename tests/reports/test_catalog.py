"""The reports' texts: every key used exists in both languages (sahaja/locales/reports.toml)."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

from server.reports.tables import FIGURES, FLAT_HEAD, PERSON_FIGURES

SOURCES = Path(__file__).resolve().parents[2] / "server" / "reports"


def catalog() -> dict[str, dict[str, str]]:
    text = resources.files("sahaja.locales").joinpath("reports.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_every_text_has_indonesian_and_english():
    for key, entry in catalog().items():
        assert entry.get("id", "").strip(), key
        assert entry.get("en", "").strip(), key


def test_every_key_used_exists():
    known = set(catalog())
    used: set[str] = set()
    for path in [*SOURCES.glob("*.py"), *SOURCES.glob("templates/reports/*.html")]:
        text = path.read_text("utf-8")
        used |= set(re.findall(r"reports\.([a-z_0-9]+)\b", text))
        used |= {m for m in re.findall(r't\("([a-z_0-9]+)"', text) if path.suffix == ".py"}
    columns = {f"col_{k}" for k in (*FLAT_HEAD, *FIGURES, *PERSON_FIGURES, "hour", "counter")}
    periods = {f"period_{p}" for p in ("day", "week", "month")}
    groups = {f"group_{g}" for g in ("service", "total", "counter", "officer", "arrivals")}
    modules = {path.stem for path in SOURCES.glob("*.py")} | {"static", "page", "export", "css"}
    used = {key for key in used - modules if not key.endswith("_")}  # prefixes: below
    missing = used | columns | periods | groups
    assert missing <= known, sorted(missing - known)
