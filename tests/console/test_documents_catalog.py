"""Every documents text exists in Indonesian and English, and the documents script takes its
texts and wire words from the page and the generated protocol module only."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

from sahaja import i18n
from sahaja import protocol as p
from server.console.page import DOCUMENT_JS_TEXTS
from tests.console.test_protocol_module import wire_words

CONSOLE = Path(__file__).resolve().parents[2] / "server" / "console"
SCRIPT = (CONSOLE / "static" / "documents.js").read_text("utf-8")


def catalog() -> dict[str, dict[str, str]]:
    text = resources.files("sahaja.locales").joinpath("documents.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_every_entry_has_both_languages_and_every_stage_its_texts():
    entries = catalog()
    for key, entry in entries.items():
        assert entry.get("id") and entry.get("en"), key
    for stage in p.DOCUMENT_STAGES:
        for prefix in ("stage_", "public_"):
            assert f"{prefix}{stage}" in entries, (prefix, stage)
    for stage in p.DOCUMENT_STAGES[1:]:  # every stage but received can be moved to
        assert f"move_{stage}" in entries, stage


def test_the_template_uses_only_existing_texts():
    template = (CONSOLE / "templates" / "console" / "console.html").read_text("utf-8")
    used = set(re.findall(r't\(\s*"(documents\.[a-z_]+)"(?! ~)', template))
    used |= {f"documents.stage_{s}" for s in p.DOCUMENT_STAGES}
    assert len(used) > 10
    assert not sorted(k for k in used if not i18n.has(k))


def test_the_script_gets_exactly_its_texts_and_spells_no_wire_word():
    in_catalog = {k.removeprefix("js_") for k in catalog() if k.startswith("js_")}
    assert set(DOCUMENT_JS_TEXTS) == in_catalog
    used = set(re.findall(r"data\.texts\.([a-z_]+)", SCRIPT))
    used |= set(re.findall(r'tr\("([a-z_]+)"[,)]', SCRIPT))
    assert used and used <= set(DOCUMENT_JS_TEXTS), used - set(DOCUMENT_JS_TEXTS)
    literals = set(re.findall(r'"([^"\\]*)"', SCRIPT))
    words = wire_words() | set(p.DOCUMENT_STAGES)
    assert not literals & words, literals & words


def test_an_officer_reaches_the_documents_of_their_own_site_only(client, officer):
    assert client.get(f"{p.API_PREFIX}/sites/PRE/documents").status_code == 401
    officer.sign_in("ani")  # an officer of PRE
    officer.choose("PRE-L1")
    token = {"X-CSRF-Token": officer.csrf()}
    listed = client.get(f"{p.API_PREFIX}/sites/PRE/documents", headers=token)
    assert listed.status_code == 200 and listed.json["documents"] == []
    assert client.get(f"{p.API_PREFIX}/sites/PRE/documents").status_code == 403  # no CSRF
    for site in ("PPR", "DKC"):
        r = client.get(f"{p.API_PREFIX}/sites/{site}/documents", headers=token)
        assert (r.status_code, r.json["error"]) == (403, p.ERR_FORBIDDEN)
        r = client.post(
            f"{p.API_PREFIX}/sites/{site}/documents/1", json={"stage": "ready"}, headers=token
        )
        assert r.status_code == 403
    page = client.get("/console/").get_data(as_text=True)
    assert 'id="documents-data"' in page and "/console/static/documents.js" in page
