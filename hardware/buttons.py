"""Named push buttons on GPIO pins (gpiozero), reporting presses to one callback.

Buttons close to ground (gpiozero's default ``pull_up=True``). A plain button reports on the
press: ``on_press(name, False)``. A button named in ``hold`` reports ``on_press(name, True)``
once held for ``hold_time`` seconds (``when_held``); released earlier it reports
``on_press(name, False)`` so the caller can show a "hold this button" hint. The callback runs
in gpiozero's threads and must return at once. This adapter knows no application.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping

from gpiozero import Button

Pin = int | str


class ButtonPanel:
    """One gpiozero ``Button`` per named pin; ``buttons[name].pin`` in tests."""

    def __init__(
        self,
        pins: Mapping[str, Pin],
        on_press: Callable[[str, bool], object],
        *,
        hold: Collection[str] = (),
        pin_factory=None,
        hold_time: float = 1.0,
        bounce_time: float | None = 0.05,
    ) -> None:
        self.on_press = on_press
        self.buttons: dict[str, Button] = {}
        self._held: dict[str, bool] = {}
        self._lock = threading.Lock()
        try:
            for action, pin in pins.items():
                button = Button(
                    pin, bounce_time=bounce_time, hold_time=hold_time, pin_factory=pin_factory
                )
                self.buttons[action] = button
                if action in hold:
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

    def __enter__(self) -> ButtonPanel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # gpiozero calls these with no argument when they take none.
    def _pressed(self, action: str):
        def pressed() -> None:
            self.on_press(action, False)

        return pressed

    def _start_hold(self, action: str):
        def start() -> None:
            with self._lock:
                self._held[action] = False

        return start

    def _held_long(self, action: str):
        def held() -> None:
            with self._lock:
                self._held[action] = True
            self.on_press(action, True)

        return held

    def _released(self, action: str):
        def released() -> None:
            with self._lock:
                was_held = self._held[action]
                self._held[action] = False
            if not was_held:
                self.on_press(action, False)  # only the "hold this button" hint

        return released
