"""Every console text the templates and the script use exists, in Indonesian and English."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

from sahaja import i18n
from server.console.page import JS_TEXTS, SHORTCUTS

CONSOLE = Path(__file__).resolve().parents[2] / "server" / "console"


def catalog() -> dict[str, dict[str, str]]:
    text = resources.files("sahaja.locales").joinpath("console.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_every_entry_has_both_languages():
    for key, entry in catalog().items():
        assert entry.get("id") and entry.get("en"), key


def test_every_key_a_template_uses_exists():
    used = set()
    for template in (CONSOLE / "templates" / "console").glob("*.html"):
        used |= set(re.findall(r't\(\s*"(console\.[a-z_]+)"(?! ~)', template.read_text("utf-8")))
    used |= {f"console.btn_{action}" for action, _ in SHORTCUTS}
    assert used, "no texts found: the pattern is wrong"
    missing = sorted(k for k in used if not i18n.has(k))
    assert not missing


def test_the_script_gets_exactly_the_js_texts():
    in_catalog = {k.removeprefix("js_") for k in catalog() if k.startswith("js_")}
    assert set(JS_TEXTS) == in_catalog
    script = (CONSOLE / "static" / "console.js").read_text("utf-8")
    used = set(re.findall(r"texts\.([a-z_]+)", script))
    used |= set(re.findall(r'tr\("([a-z_]+)"[,)]', script))
    assert used <= set(JS_TEXTS), used - set(JS_TEXTS)


def test_error_codes_of_the_counter_api_have_console_texts():
    from sahaja import protocol as p

    for code in (
        p.ERR_NO_CURRENT_TICKET,
        p.ERR_UNKNOWN_TICKET,
        p.ERR_UNKNOWN_SERVICE,
        p.ERR_SERVICE_NOT_OFFERED,
        p.ERR_UNKNOWN_COUNTER,
        p.ERR_FORBIDDEN,
        p.ERR_UNAUTHORIZED,
        p.ERR_MALFORMED,
    ):
        assert f"error_{code}" in JS_TEXTS, code
