"""The kiosk's ticket printer: reads the paper sensor and lays a ticket out on 58/80 mm rolls.

The escpos object is injected (``Dummy`` in tests, ``Network``/``Usb``/``Serial``/``File`` on a
kiosk, see ``hardware.printer_backends``), so this module only decides *what* goes on paper and
how to read the printer's answer. Every failure leaves here as a ``PrinterError``.
"""

from __future__ import annotations

import contextlib
import textwrap
import threading
from dataclasses import dataclass
from datetime import datetime, tzinfo

from escpos import exceptions as escpos_errors
from escpos.constants import (
    RT_MASK_LOWPAPER,
    RT_MASK_NOPAPER,
    RT_MASK_ONLINE,
    RT_STATUS_ONLINE,
    RT_STATUS_PAPER,
)
from escpos.escpos import Escpos

from sahaja import i18n
from sahaja.core.booking import display_code
from sahaja.protocol import TICKET_BOOKING_KEY, TicketPayload, estimate_bounds

# Font A is 12 dots wide; these are the printable widths most 58/80 mm printers have.
_FONT_A_DOTS, _FONT_B_DOTS = 12, 9
_PAPER = {58: (32, 384), 80: (42, 512)}  # paper_mm -> (columns, printable dots)
_MAX_MAGNIFY = 8  # custom_size goes from 1 to 8

OK, NEAR_END, OUT, OFFLINE, UNKNOWN = "ok", "near_end", "out", "offline", "unknown"
PRINTABLE_STATES = frozenset({OK, NEAR_END, UNKNOWN})


class PrinterError(Exception):
    """Root of every printer failure the kiosk has to react to."""


class PrinterOffline(PrinterError):
    """The printer cannot be reached (unplugged, switched off, nothing listening)."""


class PaperOut(PrinterError):
    """The paper sensor reports an empty roll."""


class PrintFailed(PrinterError):
    """The printer stopped answering in the middle of a ticket."""


class PrinterConfigError(PrinterError, ValueError):
    """A printer spec string that names no usable backend."""


# Errors an escpos backend raises while talking to its device: sockets, USB, serial, files.
_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    AssertionError,  # escpos asserts ``self.device`` when the device could not be opened
    escpos_errors.Error,
)
try:  # pragma: no cover - depends on the optional extras being installed
    import usb.core

    _TRANSPORT_ERRORS += (usb.core.USBError,)
except ImportError:  # pragma: no cover
    pass
try:  # pragma: no cover
    import serial

    _TRANSPORT_ERRORS += (serial.SerialException,)
except ImportError:  # pragma: no cover
    pass


@dataclass(frozen=True)
class TicketText:
    """What the office prints around every number (from the server's ``office.ticket``)."""

    site_name: str
    header: tuple[str, ...] = ()
    footer: str = ""
    paper_mm: int = 58


def paper_state(status: bytes) -> str:
    """Interpret the answer to DLE EOT 4 (paper roll sensor); empty means we cannot tell."""
    if not status:
        return UNKNOWN
    byte = status[0]
    if byte & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
        return OUT
    if byte & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER:
        return NEAR_END
    return OK


def online_state(status: bytes) -> str:
    """Interpret the answer to DLE EOT 1 (printer status); bit 3 set means offline."""
    if not status:
        return UNKNOWN
    return OFFLINE if status[0] & RT_MASK_ONLINE else OK


def big_number_size(number: str, paper_mm: int) -> int:
    """The largest custom_size magnification that keeps ``number`` on one printed line."""
    _, dots = _PAPER.get(paper_mm, _PAPER[58])
    return max(1, min(_MAX_MAGNIFY, dots // (_FONT_A_DOTS * max(1, len(number)))))


class TicketPrinter:
    """One thermal printer, used from one worker thread (a lock guards against a second)."""

    def __init__(self, printer: Escpos, *, zone: tzinfo | None = None) -> None:
        self._printer = printer
        self._zone = zone  # the office's zone; None: each time's own offset, as the server sent
        self._lock = threading.Lock()
        self._silent = False  # set once the printer ignored a status query

    @property
    def device(self) -> Escpos:
        return self._printer

    def can_read_status(self) -> bool:
        """Dummy and File backends cannot answer a status query; the others can."""
        return type(self._printer)._read is not Escpos._read

    def status(self) -> str:
        """One of ok, near_end, out, offline, unknown. Never raises."""
        if not self.can_read_status():
            return UNKNOWN
        with self._lock:
            try:
                self._open()
                online = online_state(self._printer.query_status(RT_STATUS_ONLINE))
                if online == OFFLINE:
                    return OFFLINE
                paper = paper_state(self._printer.query_status(RT_STATUS_PAPER))
            except TimeoutError:
                # Connected but silent: some printers ignore DLE EOT. Printing will tell.
                self._silent = True
                return UNKNOWN
            except PrinterError:
                return OFFLINE
            except _TRANSPORT_ERRORS:
                return OFFLINE
            finally:
                self._close()
        return paper

    def print_ticket(
        self,
        ticket: TicketPayload,
        text: TicketText,
        status_url: str,
        *,
        service_name: str | None = None,
        lang: str = "id",
        zone: tzinfo | None = None,
    ) -> None:
        """Print one ticket and cut; raises a ``PrinterError`` if any byte cannot be sent.

        Times are printed in ``zone`` (else the printer's, else the offset the server sent).
        """
        zone = zone or self._zone
        with self._lock:
            try:
                self._open()
                self._layout(
                    ticket, text, status_url, service_name or ticket["service"], lang, zone
                )
                self._confirm()
            except PrinterError:
                raise
            except _TRANSPORT_ERRORS as exc:
                raise PrintFailed(f"printing {ticket['number']} failed: {exc}") from exc
            finally:
                self._close()

    # --- internals -----------------------------------------------------------------------

    def _open(self) -> None:
        """Open a fresh connection per job: a network printer may have been restarted."""
        try:
            self._printer.open()
        except _TRANSPORT_ERRORS as exc:
            raise PrinterOffline(str(exc)) from exc

    def _confirm(self) -> None:
        """Ask again after the cut: a printer that died mid-ticket does not answer.

        Bytes written to a socket or a USB pipe are no proof they were printed; an answer after
        the job is. A printer that never answers status queries (timeout) gets the benefit.
        """
        if not self.can_read_status() or self._silent:
            return
        try:
            answer = self._printer.query_status(RT_STATUS_PAPER)
        except TimeoutError:
            self._silent = True
            return
        if not answer:
            raise PrintFailed("the printer closed the connection during the ticket")
        if paper_state(answer) == OUT:
            raise PaperOut("the paper ran out during the ticket")

    def _close(self) -> None:
        with contextlib.suppress(*_TRANSPORT_ERRORS):
            self._printer.close()

    def _layout(
        self,
        ticket: TicketPayload,
        text: TicketText,
        url: str,
        service: str,
        lang: str,
        zone: tzinfo | None,
    ) -> None:
        p = self._printer
        columns, dots = _PAPER.get(text.paper_mm, _PAPER[58])

        def line(value: str, **style: object) -> None:
            value, width = _ascii(value), columns
            if len(value) > columns and len(value) <= dots // _FONT_B_DOTS:
                style["font"], width = "b", dots // _FONT_B_DOTS  # one line in the small font
            p.set_with_default(**style)  # type: ignore[arg-type]
            for chunk in textwrap.wrap(value, width) or [""]:
                p.textln(chunk)

        p.hw("INIT")
        for i, head in enumerate(text.header):
            line(head, align="center", bold=i == 0)
        line(text.site_name, align="center", bold=True)
        line("-" * columns, align="center")
        line(i18n.t("kiosk.ticket_number_label", lang), align="center")
        size = big_number_size(ticket["number"], text.paper_mm)
        p.set_with_default(align="center", bold=True, custom_size=True, width=size, height=size)
        p.textln(ticket["number"])
        line(service, align="center", bold=True)
        if ticket["priority"]:
            mark = i18n.t("common.priority", lang).upper()
            if ticket.get("priority_category"):
                category = i18n.t(f"common.priority_{ticket['priority_category']}", lang)
                mark = f"{mark} - {category}"
            line(f" {mark} ", align="center", bold=True, invert=True)
        if ticket.get(TICKET_BOOKING_KEY):  # checked in from an online booking
            code = display_code(str(ticket[TICKET_BOOKING_KEY]))
            line(i18n.t("kiosk.ticket_booking", lang, code=code), align="center", bold=True)
        issued = _local(ticket["issued_at"], zone)
        line(i18n.format_date(issued.date(), lang), align="center")
        line(i18n.format_time(issued, lang), align="center")
        if ticket.get("ahead") is not None:
            line(i18n.t("kiosk.ticket_ahead", lang, n=ticket["ahead"]), align="center")
        bounds = estimate_bounds(ticket)
        if bounds is not None:
            start, end = (_local(b, zone) for b in bounds)
            window = i18n.format_window(start, end, lang)
            line(i18n.t("kiosk.ticket_eta", lang, time=window), align="center")
        p.set_with_default(align="center")
        if p.profile.supports("qrCode"):
            p.ln()
            p.qr(url, size=6 if text.paper_mm == 80 else 5, native=True)
            p.ln()
        else:
            p.qr(url, size=4, center=True)
        line(i18n.t("kiosk.ticket_scan", lang), align="center")
        if text.footer:
            line(text.footer, align="center")
        p.set_with_default()
        p.cut()


def _local(iso: str, zone: tzinfo | None) -> datetime:
    """Server times carry an offset; show them in the office zone so they read 'WIB'."""
    moment = datetime.fromisoformat(iso)
    return moment.astimezone(zone) if zone is not None else moment


_REPLACE = str.maketrans({"—": "-", "–": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "·": "-"})


def _ascii(value: str) -> str:
    """Thermal printers' code pages lack typographic dashes and quotes."""
    return value.translate(_REPLACE)
