"""What a status light can say: the vocabulary shared by the light adapter and its users.

Standard library only, so rules that decide *what* to show (``counter.controller``) import it
without pulling gpiozero in, and the adapter (``hardware.status_led``) knows no application.
"""

from __future__ import annotations

from enum import StrEnum


class Signal(StrEnum):
    """What the status LED (and buzzer) should say."""

    READY = "ready"  # steady: online, idle
    BUSY = "busy"  # steady while a request is in flight
    OFFLINE = "offline"  # steady: the server cannot be reached
    CALLING = "calling"  # flash: a ticket was just called or recalled at this counter
    EMPTY = "empty"  # flash: nobody is waiting
    HOLD = "hold"  # flash: this button must be held
    ERROR = "error"  # flash: the server refused or failed


STEADY_SIGNALS: frozenset[Signal] = frozenset({Signal.READY, Signal.BUSY, Signal.OFFLINE})
