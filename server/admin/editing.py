"""Admin form edits as changes of the office's TOML document (tomlkit keeps its comments).

Each ``edit_*`` function checks the form's values (a ``FormError`` names the field and the
problem in the admin catalog, so the page shows it in Indonesian or English) and returns a
function from the stored TOML text to the new one, for ``config_store.change_config``; the
full validation (``sahaja.config``) and today's-queue check run there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from sahaja.config import RUNNING_TEXT_MAX, WEEKDAYS, Config, Site

Edit = Callable[[str], str]
_CODE_RE = re.compile(r"^[A-Za-z0-9_]{1,16}$")
_HOURS_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
_BREAK_RE = re.compile(
    r"^(?P<days>[a-z ,]+?)\s+(?P<from>\d{2}:\d{2})-(?P<to>\d{2}:\d{2})(?:\s+(?P<name>.+))?$"
)


class FormError(ValueError):
    """A form value the admin must correct: an ``admin.*`` message key and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = f"admin.{key}"
        self.params = params


# --- reading form values ------------------------------------------------------------------
def whole_number(form: Mapping[str, str], name: str, label: str, *, blank_ok: bool = False):
    raw = (form.get(name) or "").strip()
    if not raw and blank_ok:
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise FormError("error_whole_number", field=label)
    return int(raw)


def code_value(form: Mapping[str, str], name: str, label: str) -> str:
    raw = (form.get(name) or "").strip()
    if not _CODE_RE.match(raw) or "-" in raw:
        raise FormError("error_code", field=label)
    return raw


def text_value(form: Mapping[str, str], name: str, label: str, *, limit: int = 80) -> str:
    raw = " ".join((form.get(name) or "").split())
    if not raw:
        raise FormError("error_required", field=label)
    if len(raw) > limit:
        raise FormError("error_too_long", field=label, limit=limit)
    return raw


def hours_value(raw: str, day: str) -> str | None:
    raw = raw.strip().replace(".", ":").replace(" ", "")
    if not raw:
        return None
    m = _HOURS_RE.match(raw)
    if not m or raw[6:] <= raw[:5] or raw[6:] > "24:00":
        raise FormError("error_hours", day=day, value=raw)
    return raw


def breaks_value(raw: str) -> list[dict[str, Any]]:
    """One break a line: ``mon tue wed thu 12:00-13:00 Istirahat``."""
    out = []
    for n, line in enumerate(raw.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        m = _BREAK_RE.match(line.lower().replace(".", ":"))
        if not m:
            raise FormError("error_break", line=n)
        days = [d for d in re.split(r"[ ,]+", m.group("days")) if d]
        if not days or any(d not in WEEKDAYS for d in days):
            raise FormError("error_break_days", line=n)
        entry: dict[str, Any] = {"days": days, "from": m.group("from"), "to": m.group("to")}
        name = line[m.start("name") :].strip() if m.group("name") else ""
        if name:
            entry["name"] = name
        out.append(entry)
    return out


def breaks_text(site: Site) -> str:
    lines = []
    for b in site.breaks:
        days = " ".join(WEEKDAYS[d] for d in sorted(b.days))
        lines.append(f"{days} {b} {b.name}")
    return "\n".join(lines)


# --- the TOML document ----------------------------------------------------------------------
def _doc(text: str) -> tomlkit.TOMLDocument:
    return tomlkit.parse(text)


def _site_table(doc: tomlkit.TOMLDocument, code: str) -> Table:
    for item in doc.get("site", []):
        if item.get("code") == code:
            return item
    raise FormError("error_unknown_site", site=code)


def _service_table(doc: tomlkit.TOMLDocument, code: str) -> Table:
    for item in doc.get("service", []):
        if item.get("code") == code:
            return item
    raise FormError("error_unknown_service", service=code)


def _inline(values: Mapping[str, Any]):
    table = tomlkit.inline_table()
    table.update(values)
    return table


def _array_of_tables(items: list[dict[str, Any]]) -> AoT:
    aot = tomlkit.aot()
    for entry in items:
        table = tomlkit.table()
        table.update(entry)
        aot.append(table)
    return aot


# --- the edits ------------------------------------------------------------------------------
def edit_site(config: Config, code: str, form: Mapping[str, str]) -> Edit:
    """Quota, per-service quotas, services offered, hours, breaks, cutoff, running text."""
    site = config.sites[code]
    quota = whole_number(form, "daily_quota", "kuota harian / daily quota")
    cutoff = whole_number(form, "ticket_cutoff_minutes", "batas tiket / ticket cutoff")
    offered = [s for s in config.services if form.get(f"offer_{s}")]
    if not offered:
        raise FormError("error_no_service")
    squota: dict[str, int] = {}
    for s in offered:
        value = whole_number(form, f"quota_{s}", s, blank_ok=True)
        if value is not None:
            squota[s] = value
    hours = {}
    for day in WEEKDAYS:
        value = hours_value(form.get(f"hours_{day}", ""), day)
        if value:
            hours[day] = value
    breaks_raw = form.get("breaks")
    breaks = None
    if breaks_raw is not None and breaks_raw.strip() != breaks_text(site).strip():
        breaks = breaks_value(breaks_raw)
    running = " ".join((form.get("running_text") or "").split())
    if len(running) > RUNNING_TEXT_MAX:
        raise FormError("error_too_long", field="running text", limit=RUNNING_TEXT_MAX)
    during = bool(form.get("issue_during_breaks"))

    def apply(text: str) -> str:
        doc = _doc(text)
        table = _site_table(doc, code)
        table["daily_quota"] = quota
        table["ticket_cutoff_minutes"] = cutoff
        table["services"] = offered
        if squota:
            table["service_quota"] = _inline(squota)
        elif "service_quota" in table:
            del table["service_quota"]
        table["hours"] = _inline(hours)
        if breaks is not None:
            table["breaks"] = [_inline(b) for b in breaks]
        if during != site.issue_during_breaks or "issue_during_breaks" in table:
            table["issue_during_breaks"] = during
        if running:
            table["running_text"] = running
        elif "running_text" in table:
            del table["running_text"]
        # counters may no longer serve a service the site stopped offering
        for counter in table.get("counter", []):
            counter["services"] = [s for s in counter["services"] if s in offered]
        return tomlkit.dumps(doc)

    return apply


def edit_counter(config: Config, site_code: str, form: Mapping[str, str]) -> Edit:
    """Add a counter, or change the name and services of one (``code`` names it)."""
    site = config.sites[site_code]
    code = code_value(form, "code", "kode loket / counter code")
    name = text_value(form, "name", "nama / name", limit=40)
    served = [s for s in site.services if form.get(f"serves_{s}")]
    if not served:
        raise FormError("error_counter_services")

    def apply(text: str) -> str:
        doc = _doc(text)
        table = _site_table(doc, site_code)
        counters = table.get("counter")
        for counter in counters or []:
            if counter.get("code") == code:
                counter["name"] = name
                counter["services"] = served
                return tomlkit.dumps(doc)
        entry = {"code": code, "name": name, "services": served}
        if counters is None:
            table["counter"] = _array_of_tables([entry])
        else:
            new = tomlkit.table()
            new.update(entry)
            counters.append(new)
        return tomlkit.dumps(doc)

    return apply


def remove_counter(site_code: str, code: str) -> Edit:
    def apply(text: str) -> str:
        doc = _doc(text)
        table = _site_table(doc, site_code)
        counters = table.get("counter") or []
        keep = [dict(c) for c in counters if c.get("code") != code]
        if len(keep) == len(counters):
            raise FormError("error_unknown_counter", counter=code)
        table["counter"] = _array_of_tables(keep)
        return tomlkit.dumps(doc)

    return apply


def edit_service(config: Config, form: Mapping[str, str], *, new: bool) -> Edit:
    code = code_value(form, "code", "kode layanan / service code")
    prefix = (form.get("prefix") or "").strip().upper()
    if not re.fullmatch(r"[A-Z]", prefix):
        raise FormError("error_prefix")
    name = text_value(form, "name", "nama / name")
    name_en = text_value(form, "name_en", "nama (Inggris) / English name")
    minutes = whole_number(form, "default_service_minutes", "menit / minutes")
    if not minutes:
        raise FormError("error_whole_number", field="menit / minutes")
    if new and code in config.services:
        raise FormError("error_exists", code=code)
    values = {
        "code": code,
        "prefix": prefix,
        "name": name,
        "name_en": name_en,
        "default_service_minutes": minutes,
    }

    def apply(text: str) -> str:
        doc = _doc(text)
        if new:
            table = tomlkit.table()
            table.update(values)
            doc["service"].append(table)
        else:
            _service_table(doc, code).update(values)
        return tomlkit.dumps(doc)

    return apply


def remove_service(code: str) -> Edit:
    """Remove a service from the office, its sites, counters and quotas."""

    def apply(text: str) -> str:
        doc = _doc(text)
        services = doc["service"]
        keep = [dict(s) for s in services if s.get("code") != code]
        if len(keep) == len(services):
            raise FormError("error_unknown_service", service=code)
        doc["service"] = _array_of_tables(keep)
        for site in doc.get("site", []):
            if "services" in site:
                site["services"] = [s for s in site["services"] if s != code]
            if "service_quota" in site and code in site["service_quota"]:
                del site["service_quota"][code]
            for counter in site.get("counter", []):
                counter["services"] = [s for s in counter["services"] if s != code]
        return tomlkit.dumps(doc)

    return apply


def add_holiday(config: Config, form: Mapping[str, str], sites: list[str]) -> Edit:
    raw = (form.get("date") or "").strip()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise FormError("error_date", value=raw[:20]) from None
    name = text_value(form, "name", "nama / name")
    chosen = [s for s in sites if form.get(f"site_{s}")]
    if len(chosen) == len(config.sites):
        chosen = []  # every site: the office-wide form

    def apply(text: str) -> str:
        doc = _doc(text)
        entry: dict[str, Any] = {"date": day, "name": name}
        if chosen:
            entry["sites"] = chosen
        if "holiday" not in doc:
            doc["holiday"] = _array_of_tables([entry])
        else:
            table = tomlkit.table()
            table.update(entry)
            doc["holiday"].append(table)
        return tomlkit.dumps(doc)

    return apply


def remove_holiday(day: date, name: str) -> Edit:
    def apply(text: str) -> str:
        doc = _doc(text)
        holidays = doc.get("holiday") or []

        def same(h: Any) -> bool:
            value = h.get("date")
            when = value if isinstance(value, date) else date.fromisoformat(str(value))
            return when == day and h.get("name") == name

        keep = [dict(h) for h in holidays if not same(h)]
        if len(keep) == len(holidays):
            raise FormError("error_unknown_holiday")
        if keep:
            doc["holiday"] = _array_of_tables(keep)
        else:
            del doc["holiday"]
        return tomlkit.dumps(doc)

    return apply
