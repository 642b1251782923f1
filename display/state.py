"""What the board shows, as plain data, and how each server event changes it (no pygame).

Every ``apply_*`` returns the announcements the event calls for, so the loop decides what to
say from the same place that decides what to draw. A snapshot (sent on every connect and
reconnect) replaces the state; its recent calls are announced only when they are younger than
``replay_window`` by the server's own clock, and a call already announced never is again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from devicelink.officetime import office_zone
from display.announce import CALL, DOCUMENT_READY, RECALL


@dataclass(frozen=True)
class Call:
    ticket_id: int
    number: str
    service: str
    counter: str
    counter_name: str
    counter_number: int
    priority: bool
    recall: bool
    called_at: datetime
    kind: str  # announce.CALL, RECALL or DOCUMENT_READY
    call_id: int | None = None  # the server's id of this announcement

    @property
    def key(self) -> tuple:
        """One announcement: the server's call id; without one (an older server), the ticket,
        the time and whether it was a recall."""
        if self.call_id is not None:
            return ("call", self.call_id)
        return (self.ticket_id, self.called_at.isoformat(), self.recall)


@dataclass
class CounterTile:
    id: str
    name: str
    number: int
    current: str | None = None
    priority: bool = False


@dataclass(frozen=True)
class ServiceLine:
    code: str
    name: str
    prefix: str
    waiting: int


@dataclass
class BoardState:
    replay_window: timedelta = timedelta(seconds=15)
    highlight_seconds: float = 8.0
    recent_limit: int = 6
    ready_services: frozenset[str] = frozenset()  # calls of these services: "document ready"
    site: str = ""
    site_name: str = ""
    office_name: str = ""
    timezone: str | None = None  # the office's IANA zone name, once the server said it
    zone: tzinfo | None = None  # that zone, or the offset of the server's clock until then
    connected: bool = False
    synced: bool = False  # a snapshot has arrived since the last connect
    refused: str | None = None  # the server's reason for refusing our token, until accepted
    open_now: bool | None = None
    hours_today: str | None = None
    current: Call | None = None
    highlight_until: float = 0.0  # monotonic seconds
    counters: dict[str, CounterTile] = field(default_factory=dict)
    recent: list[Call] = field(default_factory=list)  # newest first
    services: list[ServiceLine] = field(default_factory=list)
    remaining: int | None = None
    running_text: str | None = None  # the office's running text (admin pages); None: default
    clock_offset: timedelta = timedelta(0)  # server clock minus this machine's clock
    version: int = 0  # bumped on every change: the renderer redraws when it moves
    _announced: deque[tuple[int, str, bool]] = field(default_factory=lambda: deque(maxlen=500))

    # --- events ----------------------------------------------------------------------------
    def apply_snapshot(self, snap: Mapping, now: float, local_now: datetime) -> list[Call]:
        """Rebuild from a snapshot; returns the recent calls still worth announcing."""
        server_time = parse_time(snap["server_time"])
        self.clock_offset = server_time - local_now
        self.set_timezone(snap.get("timezone"), snap["server_time"])
        self.site = snap.get("site", self.site)
        self.site_name = snap.get("site_name", self.site_name)
        self.open_now = snap.get("open_now")
        self.hours_today = snap.get("hours_today")
        self.running_text = snap.get("running_text")
        self.counters = {}
        for info in sorted(snap.get("counters", []), key=lambda c: c.get("number", 0)):
            cur = info.get("current")
            self.counters[info["id"]] = CounterTile(
                info["id"],
                info.get("name", info["id"]),
                int(info.get("number", 0)),
                cur["number"] if cur else None,
                bool(cur and cur.get("priority")),
            )
        self._apply_queue(snap.get("queue") or {})
        calls = [self.call_from(c) for c in snap.get("recent_calls", [])]
        calls.sort(key=lambda c: c.called_at, reverse=True)
        self.recent = _dedupe(calls)[: self.recent_limit]
        self.current = calls[0] if calls else None
        fresh = [
            c
            for c in reversed(calls)
            if server_time - c.called_at <= self.replay_window and c.key not in self._announced
        ]
        for c in calls:  # everything in the snapshot counts as heard from now on
            self._mark(c)
        if fresh:
            self.highlight_until = now + self.highlight_seconds
        self.synced = True
        self._changed()
        return fresh

    def apply_call(self, payload: Mapping, now: float) -> list[Call]:
        """A live ``ticket_called``: show it, and announce it unless already announced."""
        call = self.call_from(payload)
        tile = self.counters.get(call.counter)
        if tile is None:
            tile = CounterTile(call.counter, call.counter_name, call.counter_number)
            self.counters[call.counter] = tile
            self.counters = dict(sorted(self.counters.items(), key=lambda kv: kv[1].number))
        tile.current, tile.priority = call.number, call.priority
        self.recent = _dedupe([call, *self.recent])[: self.recent_limit]
        self.current = call
        self._changed()
        if call.key in self._announced:
            return []
        self._mark(call)
        self.highlight_until = now + self.highlight_seconds
        return [call]

    def apply_queue(self, payload: Mapping) -> None:
        self._apply_queue(payload)
        self._changed()

    def apply_counter(self, payload: Mapping) -> None:
        """``counter_changed``: a counter finished or skipped; its tile follows."""
        tile = self.counters.get(payload.get("counter", ""))
        if tile is None:
            return
        cur = payload.get("current")
        tile.current = cur["number"] if cur else None
        tile.priority = bool(cur and cur.get("priority"))
        self._changed()

    def day_rolled(self) -> None:
        """Numbers restart: yesterday's calls leave the board."""
        self.current = None
        self.recent = []
        for tile in self.counters.values():
            tile.current, tile.priority = None, False
        self.services = [ServiceLine(s.code, s.name, s.prefix, 0) for s in self.services]
        self._changed()

    def set_connected(self, connected: bool) -> None:
        """Connected, or offline (dropped, or no server answered): the latest news wins over
        an earlier refusal, since an unreachable server has refused nothing."""
        if connected != self.connected or self.refused:
            self.connected = connected
            self.refused = None
            if not connected:
                self.synced = False
            self._changed()

    def set_timezone(self, name: str | None, server_time: str | None = None) -> None:
        """The office's zone by name; until a name came, the offset of ``server_time``."""
        self.timezone = name or self.timezone
        zone = office_zone(self.timezone, server_time)
        if zone is not None and zone != self.zone:
            self.zone = zone
            self._changed()

    def set_refused(self, reason: str) -> None:
        if reason != self.refused:
            self.refused = reason
            self._changed()

    # --- questions -------------------------------------------------------------------------
    def highlighted(self, now: float) -> bool:
        return self.current is not None and now < self.highlight_until

    def server_now(self, local_now: datetime) -> datetime:
        """The office's time: this machine's clock corrected by the server's (a Pi has no RTC)."""
        return local_now + self.clock_offset

    def call_from(self, p: Mapping) -> Call:
        if p.get("kind") == DOCUMENT_READY or p.get("service") in self.ready_services:
            kind = DOCUMENT_READY
        else:
            kind = RECALL if p.get("recall") else CALL
        return Call(
            int(p["ticket_id"]),
            str(p["number"]),
            str(p.get("service", "")),
            str(p["counter"]),
            str(p.get("counter_name") or p["counter"]),
            int(p["counter_number"]),
            bool(p.get("priority")),
            bool(p.get("recall")),
            parse_time(p["called_at"]),
            kind,
            int(p["call_id"]) if p.get("call_id") is not None else None,
        )

    # --- internals -------------------------------------------------------------------------
    def _apply_queue(self, payload: Mapping) -> None:
        if "services" in payload:
            self.services = [
                ServiceLine(s["code"], s.get("name", s["code"]), s.get("prefix", ""), s["waiting"])
                for s in payload["services"]
            ]
        if "remaining" in payload:
            self.remaining = payload["remaining"]

    def _mark(self, call: Call) -> None:
        if call.key not in self._announced:
            self._announced.append(call.key)

    def _changed(self) -> None:
        self.version += 1


def _dedupe(calls: Iterable[Call]) -> list[Call]:
    """Newest first, one line per ticket (a recall moves the ticket up instead of doubling)."""
    seen: set[int] = set()
    out = []
    for c in calls:
        if c.ticket_id not in seen:
            seen.add(c.ticket_id)
            out.append(c)
    return out


def parse_time(text: str) -> datetime:
    """ISO 8601 from the server; a time without offset is taken as UTC."""
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
