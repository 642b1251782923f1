"""The kiosk's printer worker: status queries and tickets, off the loop, one at a time."""

from __future__ import annotations

import logging
import queue
import threading

from hardware.printer import PaperOut, PrinterError, PrinterOffline, TicketPrinter
from kiosk import messages as m

log = logging.getLogger(__name__)


class PrinterWorker:
    """Runs ``CheckPrinter`` / ``PrintTicket`` commands and posts the outcome to ``results``."""

    def __init__(self, printer: TicketPrinter, results: queue.Queue) -> None:
        self.printer = printer
        self.results = results
        self._commands: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="kiosk-printer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._commands.put(None)
        self._thread.join(timeout=10)

    def submit(self, command: object) -> None:
        self._commands.put(command)

    def _loop(self) -> None:
        while True:
            cmd = self._commands.get()
            if cmd is None:
                return
            try:
                self._run(cmd)
            except Exception:  # noqa: BLE001 - keep serving; the loop shows the fault
                log.exception("kiosk printer worker: %r failed", cmd)
                if isinstance(cmd, m.PrintTicket):
                    self.results.put(m.PrintError(cmd.ticket, "print_failed", "", cmd.reprint))

    def _run(self, cmd: object) -> None:
        if isinstance(cmd, m.CheckPrinter):
            self.results.put(m.PrinterStatus(self.printer.status(), cmd.purpose))
        elif isinstance(cmd, m.PrintTicket):
            try:
                self.printer.print_ticket(
                    cmd.ticket,
                    cmd.text,
                    cmd.status_url,
                    service_name=cmd.service_name,
                    lang=cmd.lang,
                    zone=cmd.zone,
                )
            except PrinterError as exc:
                kind = (
                    "paper_out"
                    if isinstance(exc, PaperOut)
                    else "offline"
                    if isinstance(exc, PrinterOffline)
                    else "print_failed"
                )
                self.results.put(m.PrintError(cmd.ticket, kind, str(exc), cmd.reprint))
            else:
                self.results.put(m.Printed(cmd.ticket, cmd.reprint))
