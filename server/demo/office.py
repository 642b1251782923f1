"""The demo's office: the real config, open every day at every hour, and saying so.

A visitor tries the demo at 21:00 or on a Sunday; the real Kediri hours would only show
"ditutup". The demo keeps the sites, services, counters and quotas, and changes only what
closes the office: hours, breaks, the ticket cutoff, an early kiosk and holidays. The office
name says DEMO, so every screen that shows it (board, kiosk, ticket) says so too.
"""

from __future__ import annotations

import tomllib
from typing import Any

import tomli_w

from sahaja.config import WEEKDAYS, parse_config

ALL_DAY = "00:00-24:00"
DEMO_SUFFIX = " (DEMO)"
CLOSING_KEYS = ("breaks", "kiosk_opens", "issue_during_breaks")


def demo_config_text(text: str, source: str = "config") -> str:
    """``text`` (an office config) open 24/7 with no breaks, cutoff or holidays; validated."""
    raw: dict[str, Any] = tomllib.loads(text)
    if not str(raw.get("name", "")).endswith(DEMO_SUFFIX):
        raw["name"] = f"{raw.get('name', '')}{DEMO_SUFFIX}"
    for key in (*CLOSING_KEYS, "holiday"):
        raw.pop(key, None)
    raw["national_holidays"] = False
    for site in raw.get("site", []):
        site["hours"] = {day: ALL_DAY for day in WEEKDAYS}
        site["ticket_cutoff_minutes"] = 0
        for key in CLOSING_KEYS:
            site.pop(key, None)
    out = tomli_w.dumps(raw)
    parse_config(out, f"demo of {source}")  # the demo refuses to start on a config it broke
    return out
