"""Board state: what a snapshot and each event change, and what is announced (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from display.announce import CALL, DOCUMENT_READY, RECALL
from display.state import BoardState
from sahaja import protocol
from tests.display.payloads import (
    call,
    counter_changed,
    counter_info,
    later,
    queue_changed,
    snapshot,
    ticket,
)

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)


def test_snapshot_rebuilds_and_announces_only_fresh_calls() -> None:
    s = BoardState(replay_window=timedelta(seconds=15))
    old = call("A010", 1, later(T0, minutes=-10), ticket_id=10)
    fresh = call("B002", 2, later(T0, seconds=-5), ticket_id=11)
    said = s.apply_snapshot(snapshot(T0, [fresh, old]), now=100.0, local_now=T0)
    assert [c.number for c in said] == ["B002"]
    assert s.current is not None and s.current.number == "B002"
    assert s.counters["PRE-L1"].current == "A010" and s.counters["PRE-L2"].current == "B002"
    assert [c.number for c in s.recent] == ["B002", "A010"]
    assert [(x.code, x.waiting) for x in s.services] == [("KTP", 4), ("KK", 1)]
    assert s.highlighted(101.0) and not s.highlighted(100.0 + s.highlight_seconds)
    assert s.synced


def test_reconnect_snapshot_never_repeats_an_announcement() -> None:
    s = BoardState()
    s.set_connected(True)
    first = call("A001", 1, T0, ticket_id=1)
    assert [c.number for c in s.apply_call(first, 10.0)] == ["A001"]
    s.set_connected(False)
    assert not s.synced
    # server restarted; while away, two calls: one long ago, one a moment ago
    away_old = call("A002", 2, later(T0, minutes=3), ticket_id=2)
    away_new = call("A003", 1, later(T0, minutes=5, seconds=2), ticket_id=3)
    s.set_connected(True)
    snap = snapshot(later(T0, minutes=5, seconds=10), [away_new, away_old, first])
    said = s.apply_snapshot(snap, 20.0, later(T0, minutes=5, seconds=10))
    assert [c.number for c in said] == ["A003"]
    assert s.apply_snapshot(snap, 21.0, later(T0, minutes=5, seconds=11)) == []
    assert s.apply_call(away_new, 22.0) == []  # a late duplicate event is shown, not said


def test_recall_is_announced_again_with_its_own_template() -> None:
    s = BoardState()
    s.apply_call(call("C005", 2, T0, ticket_id=5), 1.0)
    again = s.apply_call(call("C005", 2, later(T0, minutes=1), ticket_id=5, recall=True), 2.0)
    assert [(c.number, c.kind) for c in again] == [("C005", RECALL)]
    assert [c.number for c in s.recent] == ["C005"]  # one line per ticket


def test_calls_of_ready_services_are_document_ready() -> None:
    s = BoardState(ready_services=frozenset({"AMB"}))
    (c,) = s.apply_call(call("G001", 1, T0, service="AMB"), 1.0)
    assert c.kind == DOCUMENT_READY
    (c,) = s.apply_call(call("A001", 1, T0, ticket_id=99), 1.0)
    assert c.kind == CALL


def test_a_call_from_an_unknown_counter_gets_a_tile_and_priority_shows() -> None:
    s = BoardState()
    s.apply_call(call("A004", 7, T0, priority=True), 1.0)
    tile = s.counters["PRE-L7"]
    assert (tile.number, tile.current, tile.priority) == (7, "A004", True)


def test_queue_counter_and_day_roll_events() -> None:
    s = BoardState()
    s.apply_snapshot(snapshot(T0, [call("A001", 1, T0, ticket_id=1)]), 0.0, T0)
    v = s.version
    s.apply_queue(queue_changed(T0, {"KTP": 9, "KK": 0, "AKL": 2}))
    assert [x.waiting for x in s.services] == [9, 0, 2] and s.version > v
    s.apply_counter(counter_changed(1, None, 3))
    assert s.counters["PRE-L1"].current is None
    s.day_rolled()
    assert s.current is None and s.recent == [] and all(x.waiting == 0 for x in s.services)


def test_clock_follows_the_server() -> None:
    s = BoardState()
    pi_clock = datetime(2026, 1, 1, tzinfo=UTC)  # a Pi without network time
    s.apply_snapshot(snapshot(T0, []), 0.0, pi_clock)
    assert s.server_now(pi_clock + timedelta(minutes=1)) == later(T0, minutes=1)


def test_payloads_follow_the_protocol() -> None:
    """The builders above feed the board what the server sends: every key, no other."""

    def keys(typed: type) -> set[str]:
        return set(typed.__required_keys__ | typed.__optional_keys__)

    snap = snapshot(T0, [call("A001", 1, T0)])
    assert set(snap) == keys(protocol.SnapshotPayload)
    assert set(snap["recent_calls"][0]) == keys(protocol.CallPayload)
    assert set(snap["queue"]) == keys(protocol.QueueChangedPayload)
    assert set(snap["queue"]["services"][0]) == keys(protocol.ServiceCounts)
    assert set(snap["counters"][0]) == keys(protocol.CounterInfo)
    assert set(snap["counters"][0]["current"]) == keys(protocol.TicketPayload)
    assert set(counter_info(2, None)) == keys(protocol.CounterInfo)
    assert set(ticket("A001", T0)) == keys(protocol.TicketPayload)
    assert set(counter_changed(1, None, 0)) == keys(protocol.CounterChangedPayload)
    first, again = call("A001", 1, T0), call("A001", 1, T0, recall=True)
    assert first["call_id"] != again["call_id"]  # one id per announcement, as the server's
    assert (first["kind"], again["kind"]) == ("call", "recall")
