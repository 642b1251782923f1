"""The controller's own rules: one request at a time, minimum interval, hold, no queueing.

The server is not under test here, so a recording client stands in for the HTTP client; every
behaviour that involves the server is proven against the real one in test_live_box.py.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

import pytest

from counter.controller import (
    Action,
    ActionResult,
    CounterBox,
    Outcome,
    Press,
    Signal,
)
from counter.errors import ActionRefused, ServerUnreachable

WAIT = 10.0


class RecordingClient:
    """Records what the box asked for; can be made to block or fail."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any] | None]] = []
        self.gate: threading.Event | None = None
        self.entered = threading.Event()
        self.fail: Exception | None = None
        self.reply: dict[str, Any] = {
            "counter": "PRE-L1",
            "current": {"number": "A001"},
            "waiting": 2,
        }

    def act(self, action, body=None):
        self.calls.append((action, dict(body) if body else None))
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(WAIT)
        if self.fail is not None:
            raise self.fail
        return dict(self.reply)

    def state(self):
        return {"counter": "PRE-L1", "current": None, "waiting": 0}


class RecordingIndicator:
    def __init__(self) -> None:
        self.shown: list[Signal] = []

    def show(self, signal: Signal) -> None:
        self.shown.append(signal)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def parts():
    client, light, clock, results = RecordingClient(), RecordingIndicator(), Clock(), queue.Queue()
    box = CounterBox(
        client,
        light,
        counter="PRE-L1",
        min_interval=1.0,
        clock=clock,
        on_result=results.put,
        transfer_service="KK",
    )
    box.start(refresh=False)
    yield box, client, light, clock, results
    if client.gate is not None:
        client.gate.set()
    box.close()


def test_press_before_start_is_a_programming_error():
    box = CounterBox(RecordingClient(), counter="PRE-L1")
    with pytest.raises(RuntimeError):
        box.press(Action.NEXT)


def test_a_press_while_a_request_is_in_flight_sends_nothing(parts):
    box, client, light, clock, results = parts
    client.gate = threading.Event()
    assert box.press(Action.NEXT) is Press.SENT  # returns while the request is still blocked
    assert client.entered.wait(WAIT)
    clock.now += 5  # even long after: still in flight
    assert box.press(Action.NEXT) is Press.BUSY
    assert box.press(Action.RECALL) is Press.BUSY
    assert box.state.busy and box.state.signal is Signal.BUSY
    client.gate.set()
    assert results.get(timeout=WAIT).outcome is Outcome.DONE
    assert box.wait_idle(WAIT)
    assert client.calls == [("next", None)]
    assert box.state.current_number == "A001"
    assert Signal.BUSY in light.shown and light.shown[-1] is not Signal.BUSY


def test_presses_closer_than_the_minimum_interval_count_once(parts):
    box, client, _, clock, results = parts
    assert box.press(Action.NEXT) is Press.SENT
    results.get(timeout=WAIT)
    clock.now += 0.5
    assert box.press(Action.NEXT) is Press.TOO_SOON
    assert box.press(Action.FINISH) is Press.TOO_SOON
    clock.now += 0.6
    assert box.press(Action.FINISH) is Press.SENT
    results.get(timeout=WAIT)
    assert [c[0] for c in client.calls] == ["next", "finish"]


def test_destructive_actions_need_a_hold(parts):
    box, client, light, clock, results = parts
    assert box.press(Action.SKIP) is Press.HOLD_REQUIRED
    assert box.press(Action.TRANSFER) is Press.HOLD_REQUIRED
    assert client.calls == []
    assert light.shown.count(Signal.HOLD) == 2
    assert box.press(Action.SKIP, held=True) is Press.SENT
    results.get(timeout=WAIT)
    clock.now += 2
    assert box.press(Action.TRANSFER, held=True) is Press.SENT
    results.get(timeout=WAIT)
    assert client.calls == [("skip", None), ("transfer", {"service": "KK"})]


def test_transfer_without_a_preset_service_is_refused_at_once():
    client = RecordingClient()
    with CounterBox(client, counter="PRE-L1", min_interval=0) as box:
        box.wait_idle(WAIT)
        assert box.press(Action.TRANSFER, held=True) is Press.NOT_CONFIGURED
    assert client.calls == []


def test_unreachable_server_refuses_the_press_and_nothing_fires_later(parts):
    box, client, light, clock, results = parts
    client.fail = ServerUnreachable("connection refused")
    assert box.press(Action.NEXT) is Press.SENT
    result = results.get(timeout=WAIT)
    assert result.outcome is Outcome.OFFLINE
    assert box.state.online is False
    assert box.state.signal is Signal.OFFLINE
    assert light.shown[-1] is Signal.OFFLINE
    # the server comes back: the refused press is not replayed
    client.fail = None
    box.link_up()
    box.counter_changed(None, 3)
    assert box.wait_idle(WAIT)
    assert client.calls == [("next", None)]
    assert box.state.signal is Signal.READY
    clock.now += 2
    assert box.press(Action.NEXT) is Press.SENT
    assert results.get(timeout=WAIT).outcome is Outcome.DONE
    assert len(client.calls) == 2


def test_an_unanswered_request_is_uncertain_and_not_resent(parts):
    box, client, _, clock, results = parts
    client.fail = ServerUnreachable("read timeout", maybe_done=True)
    box.press(Action.NEXT)
    assert results.get(timeout=WAIT).outcome is Outcome.UNCERTAIN
    assert box.wait_idle(WAIT)
    assert len(client.calls) == 1
    assert box.state.signal is Signal.OFFLINE


def test_a_refusal_flashes_error_and_keeps_the_box_usable(parts):
    box, client, light, clock, results = parts
    client.fail = ActionRefused(409, "no_current_ticket", "Belum ada nomor yang dipanggil.")
    box.press(Action.RECALL)
    result: ActionResult = results.get(timeout=WAIT)
    assert (result.outcome, result.code) == (Outcome.REFUSED, "no_current_ticket")
    assert Signal.ERROR in light.shown
    assert box.state.online is True
    client.fail = RuntimeError("a bug in a client")
    clock.now += 2
    box.press(Action.RECALL)
    assert results.get(timeout=WAIT).outcome is Outcome.FAILED
    client.fail = None
    clock.now += 2
    assert box.press(Action.NEXT) is Press.SENT
    assert results.get(timeout=WAIT).outcome is Outcome.DONE


def test_next_with_nobody_waiting_is_empty(parts):
    box, client, light, clock, results = parts
    client.reply = {"counter": "PRE-L1", "current": None, "waiting": 0}
    box.press(Action.NEXT)
    assert results.get(timeout=WAIT).outcome is Outcome.EMPTY
    assert Signal.EMPTY in light.shown


def test_events_of_this_counter_update_the_box_and_others_are_ignored(parts):
    box, _, light, _, _ = parts
    box.link_up()
    box.ticket_called({"counter": "PRE-L2", "number": "B004", "recall": False})
    assert box.state.last_call is None
    box.ticket_called({"counter": "PRE-L1", "number": "B005", "recall": False})
    box.counter_changed({"number": "B005"}, 4)
    state = box.state
    assert state.last_call["number"] == "B005"
    assert (state.current_number, state.waiting) == ("B005", 4)
    assert light.shown[-2:] == [Signal.CALLING, Signal.READY]
    box.link_down()
    assert box.state.signal is Signal.OFFLINE


def test_closed_box_refuses_presses():
    client = RecordingClient()
    box = CounterBox(client, counter="PRE-L1")
    box.start(refresh=False)
    box.close()
    assert box.press(Action.NEXT) is Press.CLOSED
    assert client.calls == []


def test_holding_recall_calls_the_last_finished_ticket_back_and_keeps_the_current(parts):
    box, client, light, clock, results = parts
    box.press(Action.NEXT)
    results.get(timeout=WAIT)
    assert box.state.current_number == "A001"
    client.reply = {"ticket": {"number": "B007"}, "call": {"kind": "document_ready"}}
    clock.now += 2
    assert box.press(Action.RECALL, held=True) is Press.SENT
    result = results.get(timeout=WAIT)
    assert (result.action, result.outcome, result.ticket) == (
        Action.READY,
        Outcome.DONE,
        {"number": "B007"},
    )
    assert client.calls[-1] == ("ready", None)  # the server picks the counter's last finished
    assert box.state.current_number == "A001"  # the citizen at the desk is still served
    assert light.shown[-1] is Signal.CALLING  # no live events here: the box flashes itself
    clock.now += 2
    client.reply = {"counter": "PRE-L1", "current": {"number": "A001"}, "waiting": 2}
    assert box.press(Action.RECALL) is Press.SENT  # a short press is still a recall
    results.get(timeout=WAIT)
    assert [c[0] for c in client.calls] == ["next", "ready", "recall"]


def test_without_ready_hold_a_held_recall_is_a_recall():
    client, results = RecordingClient(), queue.Queue()
    box = CounterBox(
        client, counter="PRE-L1", min_interval=0, on_result=results.put, ready_hold=False
    )
    box.start(refresh=False)
    try:
        assert box.held_instead == {}
        assert box.press(Action.RECALL, held=True) is Press.SENT
        assert results.get(timeout=WAIT).action is Action.RECALL
    finally:
        box.close()
    assert client.calls == [("recall", None)]
