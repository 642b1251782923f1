"""Every booking text exists in Indonesian and English with the same placeholders, and every
key the booking templates use exists."""

from __future__ import annotations

import re
import string
import tomllib
from importlib import resources
from pathlib import Path

from sahaja import i18n

TEMPLATES = Path(__file__).resolve().parents[2] / "server" / "booking" / "templates" / "booking"


def catalog() -> dict[str, dict[str, str]]:
    text = resources.files("sahaja.locales").joinpath("booking.toml").read_text("utf-8")
    return tomllib.loads(text)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_entry_has_both_languages_with_the_same_placeholders():
    for key, entry in catalog().items():
        assert entry.get("id") and entry.get("en"), key
        assert fields(entry["id"]) == fields(entry["en"]), key


def test_every_key_a_template_uses_exists():
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r't\(\s*"([a-z]+\.[a-z_]+)"', template.read_text("utf-8")))
    assert len(used) > 20, "no texts found: the pattern is wrong"
    assert not sorted(k for k in used if not i18n.has(k))


def test_every_booking_status_has_a_text():
    from sahaja import protocol as p

    for status in p.BOOKING_STATUSES:
        assert i18n.has(f"booking.status_{status}"), status
