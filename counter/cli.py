"""``sahaja-counter``: the counter's button box on a Raspberry Pi.

Wires the parts together: settings -> HTTP client -> ``CounterBox`` (the rules) -> status
light, buttons (gpiozero, pin factory injected) and the Socket.IO follower; then waits for
SIGTERM or Ctrl-C. Nothing here pulls in Flask or SQLAlchemy.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from counter.controller import ActionResult, CounterBox
from counter.settings import BoxSettings, ButtonPins, SettingsError, load_settings
from devicelink.health import software_version, uptime_seconds
from sahaja import i18n

if TYPE_CHECKING:
    from hardware.buttons import ButtonPanel
    from sahaja.protocol import HealthReport

log = logging.getLogger("sahaja.counter")


@dataclass
class RunningBox:
    """Everything ``build`` started; ``close`` stops it in reverse order."""

    box: CounterBox
    buttons: Any
    light: Any
    events: Any
    client: Any
    health: Any = None

    def close(self) -> None:
        if self.health is not None:
            self.health.stop()
        if self.events is not None:
            self.events.stop()
        self.buttons.close()
        self.box.close()
        if self.light is not None:
            self.light.close()
        self.client.close()


def build(
    settings: BoxSettings,
    *,
    pin_factory=None,
    on_result: Callable[[ActionResult], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    reconnect_max: float = 5.0,
) -> RunningBox:
    """Start a box from settings; ``pin_factory`` None means gpiozero's own choice."""
    # Imported here so --help and settings errors never need gpiozero or requests.
    from counter.client import CounterClient
    from counter.events import CounterEvents
    from devicelink.health import HealthReporter
    from hardware.status_led import StatusLed

    if pin_factory is None and settings.mock_pins:
        from gpiozero.pins.mock import MockFactory

        pin_factory = MockFactory()
    client = CounterClient(
        settings.server_url,
        settings.token,
        settings.counter,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.timeout,
    )
    light = None
    if settings.led_pin is not None:
        light = StatusLed(settings.led_pin, settings.buzzer_pin, pin_factory=pin_factory)
    box = CounterBox(
        client,
        light,
        counter=settings.counter,
        transfer_service=settings.transfer_service,
        min_interval=settings.min_interval,
        on_result=on_result,
        clock=clock,
        lang=settings.lang,
    )
    box.start()
    buttons = wire_buttons(
        box,
        settings.pins,
        pin_factory=pin_factory,
        hold_time=settings.hold_time,
        bounce_time=settings.bounce_time,
    )
    events = None
    if settings.events:
        events = CounterEvents(
            settings.server_url, settings.token, box, reconnection_delay_max=reconnect_max
        )
        events.start()
    health = HealthReporter(
        settings.server_url,
        settings.token,
        lambda: health_report(box),
        every=settings.health_seconds,
        name="counter-health",
    )
    health.start()
    return RunningBox(box, buttons, light, events, client, health)


def health_report(box: CounterBox) -> HealthReport:
    """What the server's device list shows for the box: linked, serving what, light state."""
    state = box.state
    return {
        "connected": bool(state.linked),
        "printer": "unknown",  # a box has no printer
        "last_ticket": state.current_number,
        "detail": f"counter {box.counter}; light {state.signal.value}",
        "version": software_version(),
        "uptime_seconds": uptime_seconds(),
        "audio": "none",  # a box makes no sound
        "voice_pack": "none",
    }


def wire_buttons(box: CounterBox, pins: ButtonPins, **options: Any) -> ButtonPanel:
    """The box's buttons on their pins: each press goes to ``CounterBox.press`` at once."""
    from hardware.buttons import ButtonPanel

    def press(action: str, held: bool) -> None:
        box.press(action, held=held)

    return ButtonPanel(pins.wired(), press, hold=box.hold_actions, **options)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = load_settings(sys.argv[1:] if argv is None else argv)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    running = build(settings)
    log.info(
        i18n.t("counter.started", settings.lang, counter=settings.counter, url=settings.server_url)
    )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        running.close()
        log.info(i18n.t("counter.stopped", settings.lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
