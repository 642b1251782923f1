"""The one translation mechanism: every text a citizen or officer sees comes from here.

Catalogs are TOML files in ``sahaja/locales``, one per part of the system (``common``,
``server``, ``kiosk``, ``display``, ``console``...), each key holding its Indonesian and English
text side by side so a translator sees both at once. A key is ``<catalog>.<name>``; a missing
English text falls back to Indonesian, a missing key raises (tests catch typos).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from importlib import resources

LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"


class MissingTranslation(KeyError):
    pass


@cache
def _catalog(name: str) -> dict[str, dict[str, str]]:
    ref = resources.files("sahaja.locales").joinpath(f"{name}.toml")
    try:
        data = tomllib.loads(ref.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MissingTranslation(f"no catalog {name!r}") from exc
    return data


def normalize_language(lang: str | None) -> str:
    """Map 'en-US', 'EN', 'id_ID' or None onto a supported language."""
    if not lang:
        return DEFAULT_LANGUAGE
    base = lang.replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def best_language(accept_language: str | None) -> str:
    """Pick a language from an HTTP Accept-Language header (Indonesian unless English wins)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.split("-")[0].strip().lower()
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


def has(key: str) -> bool:
    catalog, _, name = key.partition(".")
    try:
        return name in _catalog(catalog)
    except MissingTranslation:
        return False


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """Translate ``key`` ("kiosk.take_ticket") into ``lang`` and fill ``{placeholders}``."""
    catalog, _, name = key.partition(".")
    entry = _catalog(catalog).get(name)
    if entry is None:
        raise MissingTranslation(key)
    lang = normalize_language(lang)
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


def translator(lang: str | None) -> Callable[..., str]:
    """``t(key, **params)`` bound to one language, as templates call it."""

    def bound(key: str, /, **params: object) -> str:
        return t(key, lang, **params)

    return bound


def day_name(d: date, lang: str | None = None) -> str:
    return t(f"common.weekday_{d.weekday()}", lang)


def month_name(d: date, lang: str | None = None) -> str:
    return t(f"common.month_{d.month}", lang)


def format_date(d: date, lang: str | None = None) -> str:
    """'Sabtu, 28 November 2026' / 'Saturday, 28 November 2026'."""
    return f"{day_name(d, lang)}, {d.day} {month_name(d, lang)} {d.year}"


def format_time(dt: datetime, lang: str | None = None, *, seconds: bool = False) -> str:
    """'08.15 WIB': Indonesian writes times with a dot; English with a colon."""
    sep = "." if normalize_language(lang) == "id" else ":"
    text = f"{dt.hour:02d}{sep}{dt.minute:02d}"
    if seconds:
        text += f"{sep}{dt.second:02d}"
    zone = dt.tzname() or ""
    return f"{text} {zone}".strip()


def format_window(start: datetime, end: datetime, lang: str | None = None) -> str:
    """'09.40–10.05 WIB' (one time when both are the same minute: '09.40 WIB')."""
    if (start.hour, start.minute) == (end.hour, end.minute):
        return format_time(end, lang)
    first = format_time(start.replace(tzinfo=None), lang)
    return f"{first}–{format_time(end, lang)}"
