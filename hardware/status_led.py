"""The box's status light (and optional buzzer): patterns an officer learns in a day.

- ready: steady on.  busy (a request in flight): fast flicker.  offline: a short blink every
  1.5 s, nothing else, for as long as the server cannot be reached.
- flashes, played once and then back to the steady pattern: calling (three blinks and a beep),
  empty (one long dark pause), hold (two quick blinks: hold that button), error (six fast
  blinks and three beeps).

One player thread per light; ``show`` only records what is wanted, so the controller never
waits on a pattern. gpiozero devices receive the injected pin factory.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from gpiozero import LED, Buzzer

from hardware.signals import STEADY_SIGNALS, Signal


@dataclass(frozen=True)
class Pattern:
    steps: tuple[tuple[float, float], ...]  # (LED level 0/1, seconds)
    repeat: bool = False  # steady patterns that blink repeat their steps
    final: float = 1.0  # level held after the steps of a non-repeating steady pattern
    beeps: int = 0


FLASHES_KEPT = 100  # flashes remembered: a box flashes for every call, for months

_BLINK3 = ((0.0, 0.15), (1.0, 0.15)) * 3
PATTERNS: dict[Signal, Pattern] = {
    Signal.READY: Pattern(steps=(), final=1.0),
    Signal.BUSY: Pattern(steps=((1.0, 0.06), (0.0, 0.06)), repeat=True),
    Signal.OFFLINE: Pattern(steps=((1.0, 0.1), (0.0, 1.4)), repeat=True),
    Signal.CALLING: Pattern(steps=_BLINK3, beeps=1),
    Signal.EMPTY: Pattern(steps=((0.0, 0.8),)),
    Signal.HOLD: Pattern(steps=((0.0, 0.1), (1.0, 0.1)) * 2),
    Signal.ERROR: Pattern(steps=((0.0, 0.08), (1.0, 0.08)) * 6, beeps=3),
}


class StatusLed:
    """Implements ``counter.controller.Indicator`` with a gpiozero LED and Buzzer."""

    def __init__(
        self, led_pin: int | str, buzzer_pin: int | str | None = None, *, pin_factory=None
    ):
        self.led = LED(led_pin, pin_factory=pin_factory)
        self.buzzer = (
            Buzzer(buzzer_pin, pin_factory=pin_factory) if buzzer_pin is not None else None
        )
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._steady = Signal.OFFLINE
        self._flash: Signal | None = None
        self._flashing = False
        self._stopping = False
        self._flashes: deque[Signal] = deque(maxlen=FLASHES_KEPT)
        self._thread = threading.Thread(target=self._play, name="status-led", daemon=True)
        self._thread.start()

    @property
    def flashes(self) -> list[Signal]:
        """The last FLASHES_KEPT flashes asked for, oldest first (read by tests and logs)."""
        with self._lock:
            return list(self._flashes)

    @property
    def steady(self) -> Signal:
        with self._lock:
            return self._steady

    def show(self, signal: Signal) -> None:
        with self._lock:
            if signal in STEADY_SIGNALS:
                if signal == self._steady:
                    return
                self._steady = signal
                if self._flashing:  # let the flash finish; the new steady pattern follows
                    return
            else:
                self._flash = signal
                self._flashes.append(signal)
            self._changed.set()

    def close(self) -> None:
        with self._lock:
            self._stopping = True
            self._changed.set()
        self._thread.join()
        self.led.close()
        if self.buzzer is not None:
            self.buzzer.close()

    def _play(self) -> None:
        while True:
            with self._lock:
                if self._stopping:
                    return
                flash, self._flash = self._flash, None
                self._flashing = flash is not None
                signal = flash or self._steady
                self._changed.clear()
            pattern = PATTERNS[signal]
            if flash is not None and pattern.beeps and self.buzzer is not None:
                self.buzzer.beep(on_time=0.1, off_time=0.1, n=pattern.beeps, background=True)
            if self._steps(pattern) or flash is not None or pattern.repeat:
                continue
            self.led.value = pattern.final
            self._changed.wait()

    def _steps(self, pattern: Pattern) -> bool:
        """Play the steps once; True if interrupted by a new signal."""
        for level, seconds in pattern.steps:
            self.led.value = level
            if self._changed.wait(seconds):
                return True
        return False
