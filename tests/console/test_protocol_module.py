"""The console's script takes every wire word from the server's generated protocol module."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sahaja import protocol as p
from sahaja.core import actions

CONSOLE = Path(__file__).resolve().parents[2] / "server" / "console"


def module_data(text: str) -> dict:
    match = re.search(r"window\.SahajaProtocol = Object\.freeze\((.*)\);\s*$", text, re.S)
    assert match, text[:200]
    return json.loads(match.group(1))


def test_the_module_is_the_protocol_and_needs_no_sign_in(client):
    r = client.get("/console/protocol.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in r.headers  # served without a session
    data = module_data(r.get_data(as_text=True))
    needs = [a for a, rule in actions.RULES.items() if rule.needs_current]
    assert data == json.loads(json.dumps({**p.vocabulary(), "needsCurrent": needs}))
    assert data["actions"]["next"] == p.ACTION_NEXT
    assert data["events"]["counterChanged"] == p.COUNTER_CHANGED
    assert set(data["needsCurrent"]) == {
        p.ACTION_RECALL,
        p.ACTION_SKIP,
        p.ACTION_FINISH,
        p.ACTION_TRANSFER,
    }


def test_the_counter_page_loads_the_module_before_its_script(client, officer):
    officer.sign_in("ani")
    officer.choose("PRE-L1")
    page = client.get("/console/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts.index("/console/protocol.js") < next(
        i for i, s in enumerate(scripts) if s.endswith("/console.js")
    )


def wire_words() -> set[str]:
    words = set(p.SERVER_EVENTS) | {p.REQUEST_SNAPSHOT}
    words |= set(p.COUNTER_ACTIONS) | set(p.CALL_KINDS) | set(p.TICKET_STATUSES)
    words |= set(p.ERROR_CODES) | {p.API_PREFIX}
    return words


def test_the_script_spells_no_wire_word_itself():
    script = (CONSOLE / "static" / "console.js").read_text("utf-8")
    literals = set(re.findall(r'"([^"\\]*)"', script)) | set(re.findall(r"'([^'\\]*)'", script))
    assert literals, "no string literals found: the pattern is wrong"
    assert not literals & wire_words()
    assert "/^" not in script and "padStart(3" not in script  # the number format comes too


def test_number_input_pattern_means_the_same_in_python():
    from sahaja.core.tickets import parse_number

    assert parse_number("a12") == "A012"
    assert parse_number(" B 007 ") == "B007"
    assert parse_number("A0") is None and parse_number("AB1") is None
    assert parse_number("A1000") is None
    assert re.fullmatch(p.NUMBER_PATTERN, parse_number("c999") or "")
