"""The box's push buttons, wired to a ``CounterBox`` through gpiozero.

Buttons close to ground (gpiozero's default ``pull_up=True``). Next, Recall and Finish act on
the press. Skip and Transfer (the controller's ``hold_actions``) act only when held for
``hold_time`` seconds (``when_held``); released earlier, they ask the controller for the "hold
this button" hint and send nothing. Callbacks only call ``CounterBox.press``, which returns at
once: no network work ever runs in gpiozero's threads.
"""

from __future__ import annotations

import threading

from gpiozero import Button

from hardware.counter_config import ButtonPins
from hardware.counter_controller import Action, CounterBox

__all__ = ["ButtonPins", "CounterButtons"]


class CounterButtons:
    """Creates one gpiozero ``Button`` per wired action; ``buttons[action].pin`` in tests."""

    def __init__(
        self,
        box: CounterBox,
        pins: ButtonPins,
        *,
        pin_factory=None,
        hold_time: float = 1.0,
        bounce_time: float | None = 0.05,
    ) -> None:
        self.box = box
        self.buttons: dict[Action, Button] = {}
        self._held: dict[Action, bool] = {}
        self._lock = threading.Lock()
        try:
            for name, pin in pins.wired().items():
                action = Action(name)
                button = Button(
                    pin, bounce_time=bounce_time, hold_time=hold_time, pin_factory=pin_factory
                )
                self.buttons[action] = button
                if action in box.hold_actions:
                    self._held[action] = False
                    button.when_pressed = self._start_hold(action)
                    button.when_held = self._held_long(action)
                    button.when_released = self._released(action)
                else:
                    button.when_pressed = self._pressed(action)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        for button in self.buttons.values():
            button.close()
        self.buttons.clear()

    def __enter__(self) -> CounterButtons:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # gpiozero calls these with no argument when they take none.
    def _pressed(self, action: Action):
        def pressed() -> None:
            self.box.press(action)

        return pressed

    def _start_hold(self, action: Action):
        def start() -> None:
            with self._lock:
                self._held[action] = False

        return start

    def _held_long(self, action: Action):
        def held() -> None:
            with self._lock:
                self._held[action] = True
            self.box.press(action, held=True)

        return held

    def _released(self, action: Action):
        def released() -> None:
            with self._lock:
                was_held = self._held[action]
                self._held[action] = False
            if not was_held:
                self.box.press(action, held=False)  # only the "hold this button" hint

        return released
