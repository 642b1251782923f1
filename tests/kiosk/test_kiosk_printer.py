"""TicketPrinter against python-escpos' own Dummy and File printers and a fake network printer."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from escpos.printer import Dummy, File

from hardware.printer import (
    PaperOut,
    PrinterConfigError,
    PrinterError,
    PrintFailed,
    TicketPrinter,
    TicketText,
    big_number_size,
    online_state,
    paper_state,
)
from hardware.printer_backends import open_printer

TICKET = {
    "id": 7,
    "number": "A012",
    "service": "KTP",
    "site": "PRE",
    "priority": False,
    "priority_category": None,
    "status": "waiting",
    "issued_at": "2026-11-30T01:15:00+00:00",  # 08.15 WIB
    "ahead": 3,
    "estimated_call_at": "2026-11-30T08:40:00+07:00",
    "status_code": "Xy7pQ2",
    "counter": None,
    "called_at": None,
}
TEXT = TicketText(
    site_name="Kantor Kecamatan Pare",
    header=("DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", "KABUPATEN KEDIRI"),
    footer="Silakan menunggu hingga nomor Anda dipanggil",
    paper_mm=58,
)
URL = "http://server.test/t/Xy7pQ2"
WIB = ZoneInfo("Asia/Jakarta")  # the office's zone, as the kiosk learns it from the server
GS_SIZE = b"\x1d!"  # GS ! n: character size
CUT = b"\x1dV"


def print_dummy(ticket=TICKET, text=TEXT, profile="TM-T88V", **kw) -> bytes:
    dummy = Dummy(profile=profile)
    TicketPrinter(dummy, zone=WIB).print_ticket(ticket, text, URL, service_name="KTP-el", **kw)
    return dummy.output


def test_ticket_carries_number_large_service_time_and_cut():
    out = print_dummy()
    number_at = out.index(b"A012")
    # The last size command before the number is the largest that fits 58 mm: 8 x 8 (0x77).
    assert out[out.rindex(GS_SIZE, 0, number_at) :].startswith(GS_SIZE + b"\x77")
    assert b"\n" not in out[out.rindex(GS_SIZE, 0, number_at) : number_at]
    assert b"KTP-el" in out
    assert b"Senin, 30 November 2026" in out
    assert b"08.15 WIB" in out  # converted from UTC to the office zone
    assert b"Antrian di depan Anda: 3 orang" in out
    assert b"Perkiraan dipanggil: 08.40 WIB" in out
    assert b"DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL" in out
    assert b"Kantor Kecamatan Pare" in out
    assert b"Silakan menunggu hingga nomor" in out
    assert out.rstrip(b"\x00").rfind(CUT) > out.index(b"Silakan menunggu")


def test_native_qr_holds_the_status_url():
    out = print_dummy()
    # GS ( k ... cn=1 fn=80 m=0 data: store the QR data, then fn=81 prints it.
    store = re.search(rb"\x1d\(k(..)1P0", out, re.S)
    assert store, "no native QR store command"
    length = store.group(1)[0] + 256 * store.group(1)[1] - 3
    assert out[store.end() : store.end() + length] == URL.encode()
    assert b"\x1d(k\x03\x001Q0" in out


def test_profile_without_native_qr_gets_a_raster_image():
    out = print_dummy(profile="POS-5890")
    assert b"\x1d(k" not in out
    assert b"\x1dv0" in out  # GS v 0 raster image
    assert len(out) > 2000


def test_priority_mark_and_english():
    ticket = dict(TICKET, priority=True, priority_category="lansia", number="A013")
    out = print_dummy(ticket, lang="en")
    assert b"PRIORITY - Elderly" in out
    assert b"People ahead of you: 3" in out
    assert b"08:15 WIB" in out


def test_eighty_mm_and_long_numbers_stay_on_one_line():
    assert big_number_size("A012", 58) == 8
    assert big_number_size("A012", 80) == 8
    assert big_number_size("PA012", 58) == 6
    text = TicketText("Kantor", paper_mm=80)
    out = print_dummy(text=text)
    assert b"A012" in out and CUT in out


def test_header_lines_wrap_at_the_paper_width():
    out = re.sub(rb"\x1d\(k..1P0[^\x1d]*", b"", print_dummy(), flags=re.S)
    for line in out.split(b"\n"):
        printable = re.sub(rb"[\x00-\x1f]..?", b"", line)
        assert len(printable) <= 40


def test_dummy_and_file_cannot_read_status(tmp_path):
    assert TicketPrinter(Dummy()).status() == "unknown"
    assert TicketPrinter(File(str(tmp_path / "lp0"))).status() == "unknown"


def test_file_backend_writes_the_ticket(tmp_path):
    path = tmp_path / "lp0"
    printer = TicketPrinter(open_printer(f"file:{path}", profile="TM-T88V"))
    printer.print_ticket(TICKET, TEXT, URL)
    data = path.read_bytes()
    assert b"A012" in data and CUT in data


def test_file_write_failure_is_a_printer_error():
    printer = TicketPrinter(open_printer("file:/dev/full", profile="TM-T88V"))
    with pytest.raises(PrintFailed):
        printer.print_ticket(TICKET, TEXT, URL)
    missing = TicketPrinter(open_printer("file:/nonexistent/dir/lp0"))
    with pytest.raises(PrinterError):
        missing.print_ticket(TICKET, TEXT, URL)


def test_status_byte_decoding():
    assert paper_state(b"\x12") == "ok"
    assert paper_state(b"\x1e") == "near_end"
    assert paper_state(b"\x72") == "out"
    assert paper_state(b"\x7e") == "out"
    assert paper_state(b"") == "unknown"  # an empty read is no proof of paper
    assert online_state(b"\x16") == "ok"
    assert online_state(b"\x1e") == "offline"


@pytest.mark.parametrize(
    ("paper", "online", "expected"),
    [(0x12, 0x16, "ok"), (0x1E, 0x16, "near_end"), (0x72, 0x16, "out"), (0x12, 0x1E, "offline")],
)
def test_network_status_is_read_from_the_printer(fake_printer, paper, online, expected):
    fake_printer.paper, fake_printer.online = paper, online
    printer = TicketPrinter(open_printer(fake_printer.spec, timeout=2))
    assert printer.status() == expected


def test_network_printer_not_listening_is_offline(fake_printer):
    spec = fake_printer.spec
    fake_printer.close()
    assert TicketPrinter(open_printer(spec, timeout=1)).status() == "offline"
    with pytest.raises(PrinterError):
        TicketPrinter(open_printer(spec, timeout=1)).print_ticket(TICKET, TEXT, URL)


def test_silent_network_printer_is_unknown_and_still_prints(fake_printer, wait):
    fake_printer.silent = True
    printer = TicketPrinter(open_printer(fake_printer.spec, profile="TM-T88V", timeout=0.3))
    assert printer.status() == "unknown"
    printer.print_ticket(TICKET, TEXT, URL)
    wait(lambda: any(CUT in job for job in fake_printer.jobs))


def test_network_ticket_reaches_the_printer(fake_printer, wait):
    printer = TicketPrinter(open_printer(fake_printer.spec, profile="TM-T88V", timeout=2))
    printer.print_ticket(TICKET, TEXT, URL)
    job = wait(lambda: fake_printer.jobs and fake_printer.jobs[-1])
    assert b"A012" in job and CUT in job and URL.encode() in job


def test_printer_dying_mid_ticket_is_reported(fake_printer):
    fake_printer.drop_after = 200
    printer = TicketPrinter(open_printer(fake_printer.spec, profile="TM-T88V", timeout=2))
    with pytest.raises(PrintFailed):
        printer.print_ticket(TICKET, TEXT, URL)


def test_paper_running_out_during_the_ticket_is_reported(fake_printer):
    printer = TicketPrinter(open_printer(fake_printer.spec, profile="TM-T88V", timeout=2))
    fake_printer.paper = 0x72
    with pytest.raises(PaperOut):
        printer.print_ticket(TICKET, TEXT, URL)


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("dummy", "Dummy"),
        ("network:192.168.1.50:9100", "Network"),
        ("network:printer.local", "Network"),
        ("file:/dev/usb/lp0", "File"),
        ("serial:/dev/ttyUSB0:19200", "Serial"),
        ("usb:0x04b8:0x0202", "Usb"),
    ],
)
def test_backend_specs(spec, kind):
    printer = open_printer(spec)
    assert type(printer).__name__ == kind


@pytest.mark.parametrize("spec", ["", "lpt1", "usb:zz:01", "network:", "network:h:port"])
def test_bad_backend_specs_are_refused(spec):
    with pytest.raises(PrinterConfigError, match="usb:VENDOR:PRODUCT"):
        open_printer(spec)
