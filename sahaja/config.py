"""An office's description (sites, services, counters, hours, quotas) read from TOML.

Validation happens here, once, so every part of the system can trust a loaded ``Config``; a
bad file is refused with a ``ConfigError`` naming the key path and the problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_CODE_RE = re.compile(r"^[A-Za-z0-9_]{1,16}$")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})$")
DEFAULT_BREAK_NAME = "Istirahat"
RUNNING_TEXT_MAX = 300  # characters of a board's running text (one line)


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the key and the problem."""


@dataclass(frozen=True)
class Hours:
    """One day's opening window in minutes after local midnight (close may be 1440)."""

    open_minute: int
    close_minute: int

    def __str__(self) -> str:
        return f"{_hhmm(self.open_minute)}-{_hhmm(self.close_minute)}"


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class Break:
    """A pause in calling on some weekdays (lunch, Friday prayers): counters do not call."""

    days: frozenset[int]  # weekdays, 0=Monday
    from_minute: int
    to_minute: int
    name: str

    def __str__(self) -> str:
        return f"{_hhmm(self.from_minute)}-{_hhmm(self.to_minute)}"


@dataclass(frozen=True)
class Holiday:
    """A configured closed day (collective leave, a local closure); ``sites`` empty = all."""

    day: date
    name: str
    sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    prefix: str
    name_en: str
    default_service_minutes: float


@dataclass(frozen=True)
class Counter:
    id: str  # "<site>-<code>", unique across the office
    code: str
    name: str
    number: int  # announced number ("loket tiga")
    services: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    daily_quota: int
    services: tuple[str, ...]
    hours: dict[int, Hours]  # weekday (0=Monday) -> window; a missing day is closed
    ticket_cutoff_minutes: int
    service_quota: dict[str, int]
    counters: tuple[Counter, ...]
    breaks: tuple[Break, ...] = ()  # counters do not call during these
    issue_during_breaks: bool = True  # the kiosk keeps issuing through a break
    kiosk_opens_minute: int | None = None  # issuing starts here; None: at opening time
    running_text: str | None = None  # the board's ticker; None: the board's own default text

    def counter(self, code: str) -> Counter | None:
        return next((c for c in self.counters if c.code == code or c.id == code), None)


@dataclass(frozen=True)
class Kecamatan:
    code: str
    name: str
    site: str


@dataclass(frozen=True)
class QueueRules:
    skip_recall_after: int = 3  # a skipped ticket is called again after this many other calls
    max_skips: int = 2  # skipped more often than this: no-show
    estimate_window: int = 20  # finished tickets in the rolling mean service time
    counter_idle_minutes: int = 30  # a counter with no action for this long counts as closed
    recent_calls: int = 10  # calls kept in a snapshot for the board
    void_window_minutes: int = 5  # a kiosk may void a ticket it issued this long after issuing


@dataclass(frozen=True)
class TicketText:
    header: tuple[str, ...] = ()
    footer: str = ""
    paper_mm: int = 58


@dataclass(frozen=True)
class Config:
    name: str
    timezone: str
    services: dict[str, Service]
    sites: dict[str, Site]
    kecamatan: tuple[Kecamatan, ...] = ()
    rules: QueueRules = field(default_factory=QueueRules)
    ticket: TicketText = field(default_factory=TicketText)
    holidays: tuple[Holiday, ...] = ()  # configured closed days, besides national holidays
    national_holidays: bool = True  # close on Indonesia's national holidays (server side)
    # the address citizens reach from outside (the ticket's QR links to {public_url}/t/{code});
    # None: kiosks fall back to the server URL they connect to
    public_url: str | None = None

    def holidays_of(self, site: str) -> dict[date, str]:
        """The configured closed days of ``site`` (national holidays are added by the server)."""
        return {h.day: h.name for h in self.holidays if not h.sites or site in h.sites}

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def counter(self, counter_id: str) -> tuple[Site, Counter] | None:
        site_code, _, code = counter_id.partition("-")
        site = self.sites.get(site_code)
        counter = site.counter(code) if site and code else None
        return (site, counter) if site and counter else None


def default_config_text() -> str:
    return resources.files("sahaja").joinpath("kediri.toml").read_text(encoding="utf-8")


def load_config(path: str | Path | None = None) -> Config:
    """Load ``path``, or the built-in Kabupaten Kediri config when ``path`` is None."""
    if path is None:
        return parse_config(default_config_text(), source="built-in kediri.toml")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    return parse_config(text, source=str(p))


def parse_config(text: str, source: str = "config") -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    return _Parser(source).config(raw)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: {key}: {problem}")

    def get(self, table: dict[str, Any], key: str, path: str, kind: type | tuple, default=...):
        if key not in table:
            if default is ...:
                raise self.fail(f"{path}.{key}".lstrip("."), "missing")
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(f"{path}.{key}".lstrip("."), f"expected {_kind(kind)}, got {value!r}")
        if not isinstance(value, kinds):
            raise self.fail(f"{path}.{key}".lstrip("."), f"expected {_kind(kind)}, got {value!r}")
        return value

    def known_keys(self, table: dict[str, Any], path: str, keys: set[str]) -> None:
        unknown = set(table) - keys
        if unknown:
            raise self.fail(f"{path}.{sorted(unknown)[0]}", "unknown key")

    def code(self, table: dict[str, Any], path: str) -> str:
        code = self.get(table, "code", path, str)
        if not _CODE_RE.match(code):
            raise self.fail(f"{path}.code", f"{code!r} must be 1-16 letters, digits or _")
        return code

    def config(self, raw: dict[str, Any]) -> Config:
        tz = self.get(raw, "timezone", "", str, "Asia/Jakarta")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise self.fail("timezone", f"unknown time zone {tz!r}") from exc
        services = self.services(self.get(raw, "service", "", list))
        default_breaks = self.get(raw, "breaks", "", list, [])
        self.breaks(default_breaks, "breaks", None)  # its shape, once, before any site uses it
        sites = self.sites(self.get(raw, "site", "", list), services, default_breaks)
        kecamatan = self.kecamatan(self.get(raw, "kecamatan", "", list, []), sites)
        rules = self.rules(self.get(raw, "queue", "", dict, {}))
        ticket = self.ticket(self.get(raw, "ticket", "", dict, {}))
        name = self.get(raw, "name", "", str, "Sahaja Lekat")
        holidays = self.holidays(self.get(raw, "holiday", "", list, []), sites)
        national = self.get(raw, "national_holidays", "", bool, True)
        public_url = self.public_url(self.get(raw, "public_url", "", str, None))
        return Config(
            name,
            tz,
            services,
            sites,
            kecamatan,
            rules,
            ticket,
            holidays,
            national_holidays=national,
            public_url=public_url,
        )

    def public_url(self, value: str | None) -> str | None:
        """An http(s) address with a host, no query or fragment; kept without a trailing /."""
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail("public_url", f"{value!r} must be an http:// or https:// address")
        if parts.query or parts.fragment or " " in value.strip():
            raise self.fail("public_url", f"{value!r} must have no query, fragment or space")
        return value.strip().rstrip("/")

    def services(self, items: list[Any]) -> dict[str, Service]:
        if not items:
            raise self.fail("service", "at least one service is needed")
        out: dict[str, Service] = {}
        prefixes: dict[str, str] = {}
        for i, item in enumerate(items):
            path = f"service[{i}]"
            if not isinstance(item, dict):
                raise self.fail(path, "expected a table")
            code = self.code(item, path)
            path = f"service[{code}]"
            if code in out:
                raise self.fail(path, "duplicate service code")
            prefix = self.get(item, "prefix", path, str)
            if not re.fullmatch(r"[A-Z]", prefix):
                raise self.fail(f"{path}.prefix", f"{prefix!r} must be one capital letter A-Z")
            if prefix in prefixes:
                raise self.fail(
                    f"{path}.prefix", f"duplicate prefix {prefix!r} (also {prefixes[prefix]})"
                )
            prefixes[prefix] = code
            name = self.get(item, "name", path, str)
            minutes = self.get(item, "default_service_minutes", path, (int, float), 10)
            if minutes <= 0:
                raise self.fail(f"{path}.default_service_minutes", "must be above zero")
            name_en = self.get(item, "name_en", path, str, name)
            out[code] = Service(code, name, prefix, name_en, float(minutes))
        return out

    def sites(
        self, items: list[Any], services: dict[str, Service], default_breaks: list[Any]
    ) -> dict[str, Site]:
        if not items:
            raise self.fail("site", "at least one site is needed")
        out: dict[str, Site] = {}
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail(f"site[{i}]", "expected a table")
            code = self.code(item, f"site[{i}]")
            if "-" in code:
                raise self.fail(f"site[{code}].code", "must not contain '-'")
            path = f"site[{code}]"
            if code in out:
                raise self.fail(path, "duplicate site code")
            out[code] = self.site(item, path, code, services, default_breaks)
        return out

    def site(
        self,
        item: dict[str, Any],
        path: str,
        code: str,
        services: dict,
        default_breaks: list[Any],
    ) -> Site:
        name = self.get(item, "name", path, str)
        quota = self.get(item, "daily_quota", path, int)
        if quota < 0:
            raise self.fail(f"{path}.daily_quota", f"quota below zero ({quota})")
        offered = self.get(item, "services", path, list, list(services))
        for s in offered:
            if s not in services:
                raise self.fail(f"{path}.services", f"unknown service {s!r}")
        if len(set(offered)) != len(offered):
            raise self.fail(f"{path}.services", "a service is listed twice")
        hours = self.hours(self.get(item, "hours", path, dict, {}), f"{path}.hours")
        cutoff = self.get(item, "ticket_cutoff_minutes", path, int, 0)
        if cutoff < 0:
            raise self.fail(f"{path}.ticket_cutoff_minutes", "must not be below zero")
        squota = self.get(item, "service_quota", path, dict, {})
        for s, q in squota.items():
            if s not in offered:
                raise self.fail(f"{path}.service_quota.{s}", "service not offered at this site")
            if not isinstance(q, int) or isinstance(q, bool):
                raise self.fail(f"{path}.service_quota.{s}", f"expected an integer, got {q!r}")
            if q < 0:
                raise self.fail(f"{path}.service_quota.{s}", f"quota below zero ({q})")
        counters = self.counters(self.get(item, "counter", path, list, []), path, code, offered)
        served = {s for c in counters for s in c.services}
        for s in offered:
            if s not in served:
                raise self.fail(f"{path}.counter", f"no counter serves service {s!r}")
        if "breaks" in item:
            breaks = self.breaks(self.get(item, "breaks", path, list), f"{path}.breaks", hours)
        else:  # the office default, on the days this site is open
            breaks = self.breaks(default_breaks, "breaks", hours, only_open_days=True)
        during = self.get(item, "issue_during_breaks", path, bool, True)
        kiosk_opens = self.kiosk_opens(item, path, hours)
        running_text = self.running_text(item, path)
        return Site(
            code,
            name,
            quota,
            tuple(offered),
            hours,
            cutoff,
            dict(squota),
            tuple(counters),
            breaks,
            during,
            kiosk_opens,
            running_text,
        )

    def running_text(self, item: dict[str, Any], path: str) -> str | None:
        text = self.get(item, "running_text", path, str, None)
        if text is None or not text.strip():
            return None
        if len(text) > RUNNING_TEXT_MAX or any(ord(ch) < 32 for ch in text):
            raise self.fail(
                f"{path}.running_text", f"one line of at most {RUNNING_TEXT_MAX} characters"
            )
        return text.strip()

    def time(self, table: dict[str, Any], key: str, path: str) -> int:
        """A "HH:MM" value as minutes after local midnight ("24:00" allowed)."""
        value = self.get(table, key, path, str)
        m = _TIME_RE.match(value)
        minute = int(m.group(1)) * 60 + int(m.group(2)) if m else -1
        if not m or int(m.group(2)) > 59 or not 0 <= minute <= 1440:
            raise self.fail(f"{path}.{key}", f"malformed time {value!r}, expected 'HH:MM'")
        return minute

    def kiosk_opens(self, item: dict[str, Any], path: str, hours: dict[int, Hours]) -> int | None:
        if "kiosk_opens" not in item:
            return None
        minute = self.time(item, "kiosk_opens", path)
        for day, h in sorted(hours.items()):
            if minute > h.open_minute:
                raise self.fail(
                    f"{path}.kiosk_opens",
                    f"{_hhmm(minute)} is after the opening time of {WEEKDAYS[day]} ({h})",
                )
        return minute

    def breaks(
        self,
        items: list[Any],
        path: str,
        hours: dict[int, Hours] | None,
        only_open_days: bool = False,
    ) -> tuple[Break, ...]:
        """Breaks, checked against the site's ``hours`` (None: only their shape)."""
        out: list[Break] = []
        for i, item in enumerate(items):
            bpath = f"{path}[{i}]"
            if not isinstance(item, dict):
                raise self.fail(bpath, "expected a table")
            self.known_keys(item, bpath, {"days", "from", "to", "name"})
            days = self.get(item, "days", bpath, list)
            if not days:
                raise self.fail(f"{bpath}.days", "at least one day is needed")
            for day in days:
                if day not in WEEKDAYS:
                    raise self.fail(
                        f"{bpath}.days", f"unknown day {day!r} (use {', '.join(WEEKDAYS)})"
                    )
            start, end = self.time(item, "from", bpath), self.time(item, "to", bpath)
            if end <= start:
                raise self.fail(f"{bpath}.to", f"{_hhmm(end)} is not after {_hhmm(start)}")
            name = self.get(item, "name", bpath, str, DEFAULT_BREAK_NAME).strip()
            if not name:
                raise self.fail(f"{bpath}.name", "must not be empty")
            weekdays = {WEEKDAYS.index(d) for d in days}
            if hours is not None:
                if only_open_days:
                    weekdays &= set(hours)
                for day in sorted(weekdays):
                    h = hours.get(day)
                    if h is None:
                        raise self.fail(f"{bpath}.days", f"the site is closed on {WEEKDAYS[day]}")
                    if start < h.open_minute or end > h.close_minute:
                        raise self.fail(
                            bpath,
                            f"{_hhmm(start)}-{_hhmm(end)} is outside the opening hours of "
                            f"{WEEKDAYS[day]} ({h})",
                        )
            brk = Break(frozenset(weekdays), start, end, name)
            for other in out:
                shared = brk.days & other.days
                if shared and start < other.to_minute and other.from_minute < end:
                    raise self.fail(
                        bpath,
                        f"overlaps {other.name} ({other}) on {WEEKDAYS[min(shared)]}",
                    )
            if weekdays:
                out.append(brk)
        return tuple(out)

    def holidays(self, items: list[Any], sites: dict[str, Site]) -> tuple[Holiday, ...]:
        out: list[Holiday] = []
        for i, item in enumerate(items):
            path = f"holiday[{i}]"
            if not isinstance(item, dict):
                raise self.fail(path, "expected a table")
            self.known_keys(item, path, {"date", "name", "sites"})
            value = self.get(item, "date", path, (date, str))
            try:
                day = value if isinstance(value, date) else date.fromisoformat(value)
            except ValueError:
                day = None
            if day is None or hasattr(value, "hour"):
                raise self.fail(f"{path}.date", f"expected a date YYYY-MM-DD, got {value!r}")
            name = self.get(item, "name", path, str).strip()
            if not name:
                raise self.fail(f"{path}.name", "must not be empty")
            where = self.get(item, "sites", path, list, [])
            for s in where:
                if s not in sites:
                    raise self.fail(f"{path}.sites", f"unknown site {s!r}")
            for other in out:
                if other.day == day and (
                    not other.sites or not where or set(other.sites) & set(where)
                ):
                    raise self.fail(f"{path}.date", f"{day} is already listed ({other.name})")
            out.append(Holiday(day, name, tuple(where)))
        return tuple(out)

    def hours(self, table: dict[str, Any], path: str) -> dict[int, Hours]:
        out: dict[int, Hours] = {}
        for day, value in table.items():
            if day not in WEEKDAYS:
                raise self.fail(f"{path}.{day}", f"unknown day (use {', '.join(WEEKDAYS)})")
            m = _HOURS_RE.match(value) if isinstance(value, str) else None
            if not m:
                raise self.fail(
                    f"{path}.{day}", f"malformed hours {value!r}, expected 'HH:MM-HH:MM'"
                )
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            start, end = h1 * 60 + m1, h2 * 60 + m2
            if h1 > 23 or m1 > 59 or m2 > 59 or end > 1440 or end <= start:
                raise self.fail(f"{path}.{day}", f"malformed hours {value!r}")
            out[WEEKDAYS.index(day)] = Hours(start, end)
        return out

    def counters(self, items: list[Any], path: str, site: str, offered: list[str]):
        out: list[Counter] = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail(f"{path}.counter[{i}]", "expected a table")
            code = self.code(item, f"{path}.counter[{i}]")
            cpath = f"{path}.counter[{code}]"
            if any(c.code == code for c in out):
                raise self.fail(cpath, "duplicate counter code")
            name = self.get(item, "name", cpath, str, code)
            digits = re.search(r"(\d+)$", code)
            number = self.get(item, "number", cpath, int, int(digits.group(1)) if digits else 0)
            if number < 1:
                raise self.fail(f"{cpath}.number", "needs a number of 1 or more to announce")
            served = self.get(item, "services", cpath, list)
            if not served:
                raise self.fail(f"{cpath}.services", "a counter must serve at least one service")
            for s in served:
                if s not in offered:
                    raise self.fail(f"{cpath}.services", f"unknown service {s!r} at this site")
            out.append(Counter(f"{site}-{code}", code, name, number, tuple(served)))
        if len({c.number for c in out}) != len(out):
            raise self.fail(f"{path}.counter", "two counters share an announced number")
        return out

    def kecamatan(self, items: list[Any], sites: dict[str, Site]) -> tuple[Kecamatan, ...]:
        out = []
        for i, item in enumerate(items):
            path = f"kecamatan[{i}]"
            if not isinstance(item, dict):
                raise self.fail(path, "expected a table")
            code = self.get(item, "code", path, str)
            site = self.get(item, "site", path, str)
            if site not in sites:
                raise self.fail(f"{path}.site", f"unknown site {site!r}")
            out.append(Kecamatan(code, self.get(item, "name", path, str), site))
        return tuple(out)

    def rules(self, table: dict[str, Any]) -> QueueRules:
        defaults = QueueRules()
        values = {}
        for key in QueueRules.__dataclass_fields__:
            value = self.get(table, key, "queue", int, getattr(defaults, key))
            if value < 0 or (value == 0 and key in ("estimate_window", "counter_idle_minutes")):
                raise self.fail(f"queue.{key}", f"out of range ({value})")
            values[key] = value
        unknown = set(table) - set(values)
        if unknown:
            raise self.fail(f"queue.{sorted(unknown)[0]}", "unknown key")
        return QueueRules(**values)

    def ticket(self, table: dict[str, Any]) -> TicketText:
        header = self.get(table, "header", "ticket", list, [])
        footer = self.get(table, "footer", "ticket", str, "")
        paper = self.get(table, "paper_mm", "ticket", int, 58)
        if paper not in (58, 80):
            raise self.fail("ticket.paper_mm", "must be 58 or 80")
        return TicketText(tuple(str(h) for h in header), footer, paper)


def _kind(kind: type | tuple) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "a string", int: "an integer", float: "a number", list: "a list", dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)
