"""``sahaja-kiosk``: read the settings, pick the printer, run the touchscreen loop."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from hardware.printer import PrinterConfigError, TicketPrinter
from hardware.printer_backends import open_printer
from kiosk.settings import SettingsError, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        settings = load_settings(argv)
        device = open_printer(settings.printer, profile=settings.printer_profile)
    except (SettingsError, PrinterConfigError) as exc:
        print(f"sahaja-kiosk: {exc}", file=sys.stderr)
        return 2
    from kiosk.app import KioskApp  # pygame only once the settings are known to be good

    KioskApp(settings, TicketPrinter(device)).run()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
