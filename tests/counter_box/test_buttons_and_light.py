"""gpiozero wiring under MockFactory: which press reaches the controller, and the light."""

from __future__ import annotations

import queue
import threading

import pytest
from gpiozero.pins.mock import MockFactory

from counter.cli import wire_buttons
from counter.controller import Action, CounterBox, Outcome, Press, Signal
from counter.settings import ButtonPins
from hardware.status_led import PATTERNS, StatusLed
from tests.counter_box.test_controller import RecordingClient

WAIT = 10.0


@pytest.fixture
def rig():
    factory = MockFactory()
    client, results = RecordingClient(), queue.Queue()
    light = StatusLed(24, 18, pin_factory=factory)
    box = CounterBox(client, light, counter="PRE-L1", min_interval=0, on_result=results.put)
    box.start(refresh=False)
    pins = ButtonPins(next=17, recall=27, skip=22, finish=23, transfer=5)
    buttons = wire_buttons(box, pins, pin_factory=factory, hold_time=0.3, bounce_time=None)
    yield box, buttons, light, client, results, factory
    buttons.close()
    box.close()
    light.close()


def tap(button) -> None:
    button.pin.drive_low()
    button.pin.drive_high()


def test_next_recall_finish_act_on_a_press(rig):
    box, buttons, _, client, results, _ = rig
    for action in (Action.NEXT, Action.RECALL, Action.FINISH):
        tap(buttons.buttons[action])
        assert results.get(timeout=WAIT).action is action
    assert [c[0] for c in client.calls] == ["next", "recall", "finish"]


def test_a_short_press_of_skip_sends_nothing_and_a_hold_sends_once(rig):
    box, buttons, light, client, results, _ = rig
    skip = buttons.buttons[Action.SKIP]
    tap(skip)  # released long before hold_time: when_held cannot fire any more
    assert box.wait_idle(WAIT)
    assert client.calls == []
    assert Signal.HOLD in light.flashes
    skip.pin.drive_low()
    result = results.get(timeout=WAIT)  # when_held fired on gpiozero's hold thread
    skip.pin.drive_high()
    assert (result.action, result.outcome) == (Action.SKIP, Outcome.DONE)
    assert box.wait_idle(WAIT)
    assert client.calls == [("skip", None)]  # the release after a hold adds nothing


def test_transfer_is_wired_only_with_a_preset_service(rig):
    box, buttons, light, client, results, _ = rig
    transfer = buttons.buttons[Action.TRANSFER]
    transfer.pin.drive_low()
    assert wait_for(lambda: Signal.ERROR in light.flashes)  # held, but nowhere to send
    transfer.pin.drive_high()
    assert client.calls == []  # no preset service: NOT_CONFIGURED
    assert box.press(Action.TRANSFER, held=True) is Press.NOT_CONFIGURED


def test_a_press_in_flight_is_not_doubled_by_gpio_chatter(rig):
    box, buttons, _, client, results, _ = rig
    client.gate = threading.Event()
    nxt = buttons.buttons[Action.NEXT]
    for _ in range(5):  # contact chatter that bounce_time would not catch under MockFactory
        tap(nxt)
    assert client.entered.wait(WAIT)
    client.gate.set()
    results.get(timeout=WAIT)
    assert box.wait_idle(WAIT)
    assert client.calls == [("next", None)]


def wait_for(predicate, timeout: float = WAIT) -> bool:
    stop = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return True
        stop.wait(0.01)
    return predicate()


def test_light_patterns_follow_the_signals():
    factory = MockFactory()
    light = StatusLed(24, 18, pin_factory=factory)
    try:
        assert light.steady is Signal.OFFLINE
        light.show(Signal.READY)
        assert wait_for(lambda: light.led.value == 1 and light.steady is Signal.READY)
        light.show(Signal.CALLING)
        # the buzzer beeps once for a call, then the light returns to steady on
        assert wait_for(lambda: light.buzzer.value == 1)
        assert wait_for(lambda: light.led.value == 1 and not light._flashing)
        light.show(Signal.OFFLINE)
        assert wait_for(lambda: light.led.value == 0)
        assert light.flashes == [Signal.CALLING]
    finally:
        light.close()
    assert set(PATTERNS) == set(Signal)


def test_recall_recalls_on_a_short_press_and_calls_the_document_when_held(rig):
    box, buttons, light, client, results, _ = rig
    recall = buttons.buttons[Action.RECALL]
    tap(recall)  # released before hold_time: a recall, sent on the release
    assert results.get(timeout=WAIT).action is Action.RECALL
    client.reply = {"ticket": {"number": "A001"}, "call": {}}
    recall.pin.drive_low()
    result = results.get(timeout=WAIT)  # when_held fired on gpiozero's hold thread
    recall.pin.drive_high()
    assert (result.action, result.outcome) == (Action.READY, Outcome.DONE)
    assert box.wait_idle(WAIT)
    assert client.calls == [("recall", None), ("ready", None)]  # the release adds nothing
