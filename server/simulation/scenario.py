"""A scenario file: one site, one day, the officers who work and the citizens who come.

Every problem is one line naming the entry and what is wrong (unknown site, closed day,
unknown service, bad time...), raised as ``ScenarioError``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sahaja.config import Config, Counter, Hours, Site
from sahaja.core import calendar
from server.closed_days import site_holidays

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


class ScenarioError(ValueError):
    """A scenario that cannot be run; the message is one line."""


@dataclass(frozen=True)
class CounterShift:
    """A counter whose officer works from ``from_minute`` to ``to_minute`` (local minutes)."""

    counter: Counter
    from_minute: float
    to_minute: float
    # on the office's roster (the config's counter hours): the server knows these hours;
    # False: a surprise (an officer late or gone early) the server is not told about
    rostered: bool = True


@dataclass(frozen=True)
class Arrival:
    """One citizen at the kiosk: when, for what, and how long serving them takes."""

    index: int
    at_minute: float
    service: str
    priority: bool
    minutes: float
    no_show: bool


@dataclass(frozen=True)
class EarlierTicket:
    """A ticket an earlier day's kiosk issued: local minute, service, priority."""

    at_minute: float
    service: str
    priority: bool


@dataclass(frozen=True)
class EarlierDay:
    day: date
    tickets: tuple[EarlierTicket, ...]


@dataclass(frozen=True)
class Scenario:
    site: Site
    day: date
    counters: tuple[CounterShift, ...]
    arrivals: tuple[Arrival, ...]  # in arrival order
    periods: tuple[tuple[int, int], ...]  # the site's calling periods that day
    # minutes of earlier days' finished services per service (what the server learned
    # before this day); empty: the first day on the system
    history: dict[str, tuple[float, ...]] = field(default_factory=dict)
    # the site's earlier open days as its kiosk issued them (the prior of priority arrivals);
    # empty: none known
    earlier: tuple[EarlierDay, ...] = ()

    def at(self, minute: float, config: Config) -> datetime:
        """The instant of a local minute of the scenario's day."""
        base = datetime.combine(self.day, time(0), tzinfo=config.tz)
        return base + timedelta(minutes=minute)

    def rostered(self, config: Config) -> Config:
        """The config as the office would have it: each rostered shift that differs from the
        site's hours becomes the counter's ``hours`` on this weekday."""
        weekday = self.day.weekday()
        site_hours = self.site.hours[weekday]
        changed = {}
        for shift in self.counters:
            start, end = round(shift.from_minute), round(shift.to_minute)
            if not shift.rostered or (start, end) == (
                site_hours.open_minute,
                site_hours.close_minute,
            ):
                continue
            hours = {**shift.counter.hours, weekday: Hours(start, end)}
            changed[shift.counter.id] = replace(shift.counter, hours=hours)
        if not changed:
            return config
        site = config.sites[self.site.code]
        counters = tuple(changed.get(c.id, c) for c in site.counters)
        sites = {**config.sites, site.code: replace(site, counters=counters)}
        return replace(config, sites=sites)

    def true_means(self) -> dict[str, float]:
        """Each service's mean service minutes over the day's citizens (the reference's)."""
        by_service: dict[str, list[float]] = {}
        for a in self.arrivals:
            if not a.no_show:
                by_service.setdefault(a.service, []).append(a.minutes)
        return {s: sum(v) / len(v) for s, v in by_service.items()}


def parse_time(value: Any, where: str) -> float:
    """'07:41' or '07:41:30' -> minutes after local midnight."""
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None:
        raise ScenarioError(f"{where}: bad time {value!r} (expected HH:MM or HH:MM:SS)")
    hours, minutes, seconds = match.group(1), match.group(2), match.group(3) or "0"
    return int(hours) * 60 + int(minutes) + int(seconds) / 60


def load_scenario(path: str | Path, config: Config) -> Scenario:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return parse_scenario(raw, config)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from exc


def parse_scenario(raw: dict[str, Any], config: Config) -> Scenario:
    known = {"site", "date", "counter", "arrival", "description", "history", "earlier"}
    unknown = set(raw) - known
    if unknown:
        raise ScenarioError(f"unknown key {sorted(unknown)[0]!r}")
    site_code = raw.get("site")
    if not isinstance(site_code, str):
        raise ScenarioError("site: missing (a site code of the config)")
    site = config.sites.get(site_code)
    if site is None:
        raise ScenarioError(f"site: unknown site {site_code!r} (known: {', '.join(config.sites)})")
    day = _day(raw.get("date"))
    holidays = site_holidays(config)[site.code]
    periods = tuple(calendar.calling_periods(site, day, holidays))
    if not periods:
        why = calendar.holiday_on(day, holidays) or f"{day:%A}"
        raise ScenarioError(f"date: {site.code} is closed on {day.isoformat()} ({why})")
    open_minute, close_minute = periods[0][0], periods[-1][1]
    counters = _counters(raw.get("counter"), site, open_minute, close_minute)
    arrivals = _arrivals(raw.get("arrival"), site, config)
    history = _history(raw.get("history", {}), site)
    earlier = _earlier(raw.get("earlier", []), site, day)
    return Scenario(site, day, counters, arrivals, periods, history, earlier)


def _earlier(value: Any, site: Site, today: date) -> tuple[EarlierDay, ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ScenarioError("earlier: expected [[earlier]] tables")
    out: list[EarlierDay] = []
    seen: set[date] = set()
    for i, item in enumerate(value):
        where = f"earlier[{i}]"
        unknown = set(item) - {"date", "tickets"}
        if unknown:
            raise ScenarioError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        try:
            day = _day(item.get("date"))
        except ScenarioError as exc:
            raise ScenarioError(f"{where}.{exc}") from exc
        if day >= today or day in seen:
            raise ScenarioError(f"{where}.date: {day} must be a distinct day before {today}")
        seen.add(day)
        tickets = item.get("tickets")
        if not isinstance(tickets, list):
            raise ScenarioError(f"{where}.tickets: expected a list of 'HH:MM[:SS] SERVICE [P]'")
        parsed = []
        for j, text in enumerate(tickets):
            parts = text.split() if isinstance(text, str) else []
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "P"):
                raise ScenarioError(
                    f"{where}.tickets[{j}]: expected 'HH:MM[:SS] SERVICE [P]', not {text!r}"
                )
            if parts[1] not in site.services:
                raise ScenarioError(
                    f"{where}.tickets[{j}]: service {parts[1]} is not offered at {site.code}"
                )
            minute = parse_time(parts[0], f"{where}.tickets[{j}]")
            parsed.append(EarlierTicket(minute, parts[1], len(parts) == 3))
        out.append(EarlierDay(day, tuple(parsed)))
    return tuple(out)


def _history(value: Any, site: Site) -> dict[str, tuple[float, ...]]:
    if not isinstance(value, dict):
        raise ScenarioError("history: expected a table of service = [minutes, ...]")
    out = {}
    for service, minutes in value.items():
        if service not in site.services:
            raise ScenarioError(f"history.{service}: service not offered at {site.code}")
        if not isinstance(minutes, list) or not all(
            isinstance(m, int | float) and not isinstance(m, bool) and m > 0 for m in minutes
        ):
            raise ScenarioError(f"history.{service}: expected a list of positive minutes")
        out[service] = tuple(float(m) for m in minutes)
    return out


def _day(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ScenarioError(f"date: bad date {value!r} (expected YYYY-MM-DD)")


def _table_list(value: Any, name: str) -> list[dict[str, Any]]:
    if value is None:
        raise ScenarioError(f"no [[{name}]] entries")
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ScenarioError(f"{name}: expected [[{name}]] tables")
    return value


def _counters(
    value: Any, site: Site, open_minute: int, close_minute: int
) -> tuple[CounterShift, ...]:
    shifts: list[CounterShift] = []
    seen: set[str] = set()
    for i, item in enumerate(_table_list(value, "counter")):
        where = f"counter[{i}]"
        unknown = set(item) - {"code", "from", "to", "rostered"}
        if unknown:
            raise ScenarioError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        code = item.get("code")
        counter = site.counter(code) if isinstance(code, str) else None
        if counter is None:
            known = ", ".join(c.code for c in site.counters)
            raise ScenarioError(f"{where}: unknown counter {code!r} at {site.code} ({known})")
        if counter.code in seen:
            raise ScenarioError(f"{where}: counter {counter.code} listed twice")
        seen.add(counter.code)
        start = parse_time(item["from"], f"{where}.from") if "from" in item else open_minute
        end = parse_time(item["to"], f"{where}.to") if "to" in item else close_minute
        if end <= start:
            raise ScenarioError(f"{where}: 'to' must be after 'from'")
        rostered = item.get("rostered", True)
        if not isinstance(rostered, bool):
            raise ScenarioError(f"{where}: rostered must be true or false")
        shifts.append(CounterShift(counter, start, end, rostered))
    return tuple(shifts)


def _arrivals(value: Any, site: Site, config: Config) -> tuple[Arrival, ...]:
    arrivals: list[Arrival] = []
    for i, item in enumerate(_table_list(value, "arrival")):
        where = f"arrival[{i}]"
        unknown = set(item) - {"at", "service", "priority", "minutes", "no_show"}
        if unknown:
            raise ScenarioError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        at = parse_time(item.get("at"), f"{where}.at")
        service = item.get("service")
        if service not in config.services:
            raise ScenarioError(f"{where}: unknown service {service!r}")
        if service not in site.services:
            raise ScenarioError(f"{where}: service {service} is not offered at {site.code}")
        minutes = item.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
            raise ScenarioError(f"{where}: minutes must be a positive number, not {minutes!r}")
        flags = {}
        for key in ("priority", "no_show"):
            flag = item.get(key, False)
            if not isinstance(flag, bool):
                raise ScenarioError(f"{where}: {key} must be true or false")
            flags[key] = flag
        priority, no_show = flags["priority"], flags["no_show"]
        arrivals.append(Arrival(i, at, service, priority, float(minutes), no_show))
    arrivals.sort(key=lambda a: (a.at_minute, a.index))
    return tuple(arrivals)
