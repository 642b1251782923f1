"""The button box against a real ``sahaja-server run`` process, buttons pressed by MockFactory.

Every ticket the box calls, recalls, skips or finishes is checked on the server through its
public HTTP API; nothing of the server is faked.
"""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from gpiozero.pins.mock import MockFactory

from counter.cli import RunningBox, build
from counter.controller import Action, ActionResult, Outcome, Signal
from counter.settings import BoxSettings, ButtonPins
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow
WAIT = 15.0
API = "/api/v1"


class ManualClock:
    """The controller's monotonic clock, moved by the test instead of by sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def wait_for(predicate: Callable[[], Any], timeout: float = WAIT) -> Any:
    pause = threading.Event()
    for _ in range(int(timeout / 0.02)):
        value = predicate()
        if value:
            return value
        pause.wait(0.02)
    return predicate()


class Office:
    """A live server with a kiosk token and helpers to issue and inspect tickets."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.url = server.url
        self.kiosk = server.add_device("kiosk-pre", "PRE", "kiosk")

    def issue(self, service: str, n: int = 1) -> list[dict[str, Any]]:
        out = []
        for _ in range(n):
            r = requests.post(
                f"{self.url}{API}/sites/PRE/tickets",
                json={"service": service, "priority": False, "request_id": str(uuid.uuid4())},
                headers={"Authorization": f"Bearer {self.kiosk}"},
                timeout=10,
            )
            assert r.status_code == 201, r.text
            out.append(r.json())
        return out

    def ticket(self, ticket: dict[str, Any]) -> dict[str, Any]:
        r = requests.get(f"{self.url}{API}/tickets/{ticket['status_code']}", timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def counter(self, counter: str, token: str) -> dict[str, Any]:
        r = requests.get(
            f"{self.url}{API}/counters/{counter}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return r.json()

    def act(self, counter: str, token: str, action: str) -> dict[str, Any]:
        r = requests.post(
            f"{self.url}{API}/counters/{counter}/{action}",
            json={},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def office(tmp_path) -> Iterator[Office]:
    with LiveServer(tmp_path) as server:
        yield Office(server)


class Box:
    """A running button box on MockFactory pins, with its results in a queue."""

    def __init__(self, office: Office, counter: str = "PRE-L1", **settings: Any) -> None:
        self.counter = counter
        self.token = office.server.add_device(f"box-{counter}", "PRE", "counter", counter[4:])
        self.results: queue.Queue[ActionResult] = queue.Queue()
        self.clock = ManualClock()
        self.factory = MockFactory()
        options = {
            "pins": ButtonPins(next=17, recall=27, skip=22, finish=23, transfer=5),
            "transfer_service": "KK",
            "led_pin": 24,
            "buzzer_pin": 18,
            "hold_time": 0.3,
            "bounce_time": None,
            "min_interval": 1.0,
            "timeout": 5.0,
        } | settings
        cfg = BoxSettings(server_url=office.url, token=self.token, counter=counter, **options)
        self.running: RunningBox = build(
            cfg,
            pin_factory=self.factory,
            on_result=self.results.put,
            clock=self.clock,
            reconnect_max=0.5,
        )
        self.box = self.running.box
        self.light = self.running.light
        first = self.result()  # the state fetched at start
        assert first.action is None

    def button(self, action: Action):
        return self.running.buttons.buttons[action]

    def tap(self, action: Action) -> None:
        pin = self.button(action).pin
        pin.drive_low()
        pin.drive_high()

    def hold(self, action: Action) -> ActionResult:
        pin = self.button(action).pin
        pin.drive_low()
        try:
            return self.result()  # when_held fires on gpiozero's hold thread
        finally:
            pin.drive_high()

    def result(self) -> ActionResult:
        return self.results.get(timeout=WAIT)

    def later(self) -> None:
        """Let the minimum interval pass."""
        self.clock.now += self.box.min_interval + 0.01

    def linked(self) -> bool:
        return bool(wait_for(lambda: self.box.state.linked and self.box.state.online))

    def close(self) -> None:
        self.running.close()


@pytest.fixture
def make_box(office):
    boxes: list[Box] = []

    def make(**settings: Any) -> Box:
        box = Box(office, **settings)
        boxes.append(box)
        return box

    yield make
    for box in boxes:
        box.close()


def test_the_right_ticket_is_called_recalled_skipped_and_finished(office, make_box):
    a1, a2, _ = office.issue("KTP", 3)
    box = make_box()
    assert box.linked()

    box.tap(Action.NEXT)
    result = box.result()
    assert (result.outcome, result.current["number"]) == (Outcome.DONE, "A001")
    assert office.ticket(a1)["status"] == "called"
    assert office.ticket(a1)["counter"] == "PRE-L1"
    assert office.counter("PRE-L1", box.token)["current"]["number"] == "A001"

    box.later()
    box.tap(Action.RECALL)
    assert box.result().current["number"] == "A001"
    recall = wait_for(lambda: (box.box.state.last_call or {}).get("recall"))
    assert recall is True  # the server's ticket_called event for the recall reached the box

    box.later()
    box.tap(Action.SKIP)  # a short press of Skip does nothing on the server
    assert box.box.wait_idle(WAIT)
    assert box.results.empty()
    assert office.counter("PRE-L1", box.token)["current"]["number"] == "A001"
    result = box.hold(Action.SKIP)
    assert (result.action, result.outcome, result.current) == (Action.SKIP, Outcome.DONE, None)
    skipped = office.ticket(a1)
    assert skipped["status"] == "waiting"  # missed once: back in the queue for a later call
    assert skipped["counter"] is None

    box.later()
    box.tap(Action.NEXT)
    assert box.result().current["number"] == "A002"
    box.later()
    box.tap(Action.FINISH)
    result = box.result()
    assert (result.action, result.current) == (Action.FINISH, None)
    assert office.ticket(a2)["status"] == "finished"
    assert office.counter("PRE-L1", box.token)["current"] is None


def test_transfer_needs_a_hold_and_sends_the_ticket_to_the_preset_service(office, make_box):
    (a1,) = office.issue("KTP")
    box = make_box()
    box.tap(Action.NEXT)
    assert box.result().current["number"] == "A001"
    box.later()
    box.tap(Action.TRANSFER)
    assert box.box.wait_idle(WAIT)
    assert office.ticket(a1)["service"] == "KTP"
    result = box.hold(Action.TRANSFER)
    assert (result.action, result.outcome) == (Action.TRANSFER, Outcome.DONE)
    moved = office.ticket(a1)
    assert (moved["service"], moved["status"]) == ("KK", "waiting")


def test_a_double_press_calls_one_ticket(office, make_box):
    office.issue("KTP", 3)
    box = make_box(min_interval=1.0)
    box.tap(Action.NEXT)
    box.tap(Action.NEXT)  # in flight or within the minimum interval: nothing sent
    box.tap(Action.NEXT)
    assert box.result().current["number"] == "A001"
    assert box.box.wait_idle(WAIT)
    assert box.results.empty()
    view = office.counter("PRE-L1", box.token)
    assert (view["current"]["number"], view["waiting"]) == ("A001", 2)


def test_presses_while_the_server_is_down_are_refused_and_never_fire_later(office, make_box):
    a1, _ = office.issue("KTP", 2)
    box = make_box(min_interval=0.0)
    assert box.linked()
    office.server.stop()
    assert wait_for(lambda: box.box.state.online is False)  # the socket noticed

    box.tap(Action.NEXT)
    result = box.result()
    assert result.outcome is Outcome.OFFLINE
    assert box.box.state.signal is Signal.OFFLINE
    assert wait_for(lambda: box.light.steady is Signal.OFFLINE)
    box.tap(Action.NEXT)
    assert box.result().outcome is Outcome.OFFLINE

    office.server.start()
    assert box.linked()  # reconnected by itself
    assert box.box.wait_idle(WAIT)
    assert wait_for(lambda: box.light.steady is Signal.READY)
    view = office.counter("PRE-L1", box.token)
    assert (view["current"], view["waiting"]) == (None, 2)  # nothing was replayed
    assert office.ticket(a1)["status"] == "waiting"

    box.tap(Action.NEXT)  # and the box works again
    assert box.result().current["number"] == "A001"


def test_a_call_made_elsewhere_for_this_counter_shows_on_the_box(office, make_box):
    office.issue("KK", 2)
    box = make_box()
    assert box.linked()
    console = office.server.add_device("console-L1", "PRE", "counter", "L1")
    office.act("PRE-L1", console, "next")
    assert wait_for(lambda: box.box.state.current_number == "B001")
    assert wait_for(lambda: (box.box.state.last_call or {}).get("number") == "B001")
    assert wait_for(lambda: Signal.CALLING in box.light.flashes)
    assert box.box.state.waiting == 1
    # a call at another counter changes nothing on this box
    other = office.server.add_device("console-L2", "PRE", "counter", "L2")
    office.act("PRE-L2", other, "next")
    assert wait_for(lambda: office.counter("PRE-L2", other)["current"]["number"] == "B002")
    box.box.wait_idle(WAIT)
    assert box.box.state.current_number == "B001"
    assert box.box.state.last_call["number"] == "B001"


def test_two_counters_pressing_next_together_never_get_the_same_ticket(office, make_box):
    rounds = 12
    issued = office.issue("KK", 2 * rounds - 2)  # the last round finds the queue empty
    box = make_box(min_interval=0.0)  # box at PRE-L1; PRE-L2 acts over plain HTTP
    other = office.server.add_device("console-L2", "PRE", "counter", "L2")
    from_box: list[str] = []
    from_http: list[str] = []
    for _ in range(rounds):
        start = threading.Barrier(2)
        http_reply: list[dict[str, Any]] = []

        def http_next(start=start, http_reply=http_reply) -> None:
            start.wait(WAIT)
            http_reply.append(office.act("PRE-L2", other, "next"))

        worker = threading.Thread(target=http_next)
        worker.start()
        start.wait(WAIT)
        box.tap(Action.NEXT)
        result = box.result()
        worker.join(WAIT)
        if result.current:
            from_box.append(result.current["number"])
        if http_reply and http_reply[0]["current"]:
            from_http.append(http_reply[0]["current"]["number"])
    called = from_box + from_http
    assert len(called) == len(set(called)), (from_box, from_http)
    assert sorted(called) == sorted(t["number"] for t in issued)
    assert from_box and from_http
    for ticket in issued:
        state = office.ticket(ticket)
        assert state["status"] in ("called", "finished")
        assert state["counter"] == ("PRE-L1" if ticket["number"] in from_box else "PRE-L2")


def test_the_box_reports_its_health_so_last_seen_means_alive(office, make_box):
    box = make_box(health_seconds=0.3)
    assert box.linked()
    office.issue("KTP")
    box.tap(Action.NEXT)
    number = box.result().current["number"]
    report = lambda: office.server.device_state("box-PRE-L1") or {}  # noqa: E731
    assert wait_for(lambda: report().get("last_ticket") == number)
    assert report()["connected"] is True
    assert report()["detail"].startswith("counter PRE-L1; light ")


def test_holding_recall_calls_the_last_finished_ticket_back_for_its_document(office, make_box):
    a1, a2 = office.issue("KTP", 2)
    box = make_box()
    assert box.linked()
    box.later()
    result = box.hold(Action.RECALL)  # nothing finished here today yet: refused, flashed
    assert (result.action, result.outcome, result.code) == (
        Action.READY,
        Outcome.REFUSED,
        "unknown_ticket",
    )
    for action in (Action.NEXT, Action.FINISH, Action.NEXT):
        box.later()
        box.tap(action)
        box.result()
    assert office.ticket(a1)["document_stage"] == "received"
    assert box.box.state.current_number == "A002"  # the next citizen is at the desk

    box.later()
    result = box.hold(Action.RECALL)
    assert (result.action, result.outcome) == (Action.READY, Outcome.DONE)
    assert result.ticket is not None and result.ticket["number"] == "A001"
    heard = wait_for(lambda: (box.box.state.last_call or {}).get("kind") == "document_ready")
    assert heard  # the server's pickup call for this counter reached the box
    assert box.box.state.last_call["number"] == "A001"
    assert office.ticket(a1)["document_stage"] == "ready"
    assert office.ticket(a2)["status"] == "called"  # A002 is still being served
    assert box.box.state.current_number == "A002"
    assert office.counter("PRE-L1", box.token)["current"]["number"] == "A002"
