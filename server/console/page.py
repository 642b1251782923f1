"""What the console pages show, gathered from the config and the queue store."""

from __future__ import annotations

from typing import Any

from sahaja import i18n
from sahaja import protocol as p
from sahaja.config import Config, Counter, Service, Site

# (action, key): one letter per button, Indonesian mnemonics (Lewati, Pindah, Selesai, Cetak).
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("next", "N"),
    ("recall", "U"),
    ("skip", "L"),
    ("transfer", "P"),
    ("finish", "S"),
    ("reprint", "C"),
)

# Texts the page's script needs: console.js_<name> in the catalog, handed over as one block.
JS_TEXTS: tuple[str, ...] = (
    "working",
    "live_online",
    "live_offline",
    "waited",
    "waited_short",
    "called_at",
    "priority",
    "idle",
    "done_next",
    "done_next_empty",
    "done_recall",
    "done_skip",
    "done_finish",
    "done_transfer",
    "done_reprint",
    "bad_number",
    "error_no_current_ticket",
    "error_unknown_ticket",
    "error_unknown_service",
    "error_service_not_offered",
    "error_unknown_counter",
    "error_forbidden",
    "error_unauthorized",
    "error_malformed_request",
    "error_busy",
    "error_internal_error",
    "error_network",
    "error_other",
)


def service_name(service: Service, lang: str) -> str:
    return service.name_en if lang == "en" and service.name_en else service.name


def may_work_at(role: str | None, own_site: str | None, site_code: str) -> bool:
    """Officers work at the counters of their own site; admins at any."""
    return role == "admin" or (role == "officer" and own_site == site_code)


def choosable_sites(config: Config, role: str | None, own_site: str | None) -> list[Site]:
    return [s for s in config.sites.values() if may_work_at(role, own_site, s.code)]


def counter_services_text(config: Config, counter: Counter, lang: str) -> str:
    return ", ".join(service_name(config.services[c], lang) for c in counter.services)


def console_data(
    config: Config, site: Site, counter: Counter, lang: str, csrf: str, snapshot: Any
) -> dict[str, Any]:
    """The JSON block the page's script starts from; live events keep it current."""
    return {
        "counter": counter.id,
        "counterServices": list(counter.services),
        "services": {c: service_name(config.services[c], lang) for c in site.services},
        "categories": {c: i18n.t(f"common.priority_{c}", lang) for c in p.PRIORITY_CATEGORIES},
        "texts": {name: i18n.t(f"console.js_{name}", lang) for name in JS_TEXTS},
        "lang": lang,
        "csrf": csrf,
        "apiPrefix": p.API_PREFIX,
        "snapshot": snapshot,
    }
