"""The fault matrix: each case ends on the right screen, no ticket lost or issued twice.

Real server processes (killed, stopped, restarted), a fake ESC/POS printer on 127.0.0.1 for
the network backend, python-escpos' Dummy otherwise.
"""

from __future__ import annotations

import contextlib
import os
import signal

import pytest

from tests.kiosk.kiosk_support import (
    CLOSED_SITE,
    PAPER_LOW,
    PAPER_OUT,
    QUOTA_SITE,
    device_state,
    kiosk_config_text,
    site_view,
    ticket_view,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow
CUT = b"\x1dV"


@pytest.fixture
def own_server(tmp_path):
    """A server this test may kill, stop and restart."""
    srv = LiveServer(tmp_path, config_text=kiosk_config_text())
    yield srv
    if srv.proc is not None:
        signal_server(srv, signal.SIGCONT)
    srv.stop()


def server_pids(srv: LiveServer) -> list[int]:
    """The server process and its workers (Gunicorn forks them)."""
    pids, i = [srv.proc.pid], 0
    while i < len(pids):
        try:
            with open(f"/proc/{pids[i]}/task/{pids[i]}/children") as f:
                pids += [int(p) for p in f.read().split()]
        except FileNotFoundError:
            pass
        i += 1
    return pids


def signal_server(srv: LiveServer, sig: signal.Signals) -> None:
    for pid in server_pids(srv):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def db_path(srv: LiveServer) -> str:
    return srv.database_url.removeprefix("sqlite:///")


def named_token(srv: LiveServer, name: str, site: str = "PRE") -> str:
    return srv.add_device(name, site, "kiosk")


# --- the printer ----------------------------------------------------------------------


def test_paper_out_issues_nothing_and_recovers(server, kiosks, fake_printer):
    import uuid

    name = f"kiosk-{uuid.uuid4().hex[:6]}"
    k = kiosks(server.url, named_token(server, name), printer=fake_printer.spec).ready()
    before = site_view(server.url, "PRE")["issued"]
    fake_printer.paper = PAPER_OUT
    k.tap("service", "KTP")
    k.until(lambda: k.screen == "fault")
    k.app.step()
    assert "Kertas habis — silakan hubungi petugas" in k.drawn
    assert site_view(server.url, "PRE")["issued"] == before
    assert not any(CUT in job for job in fake_printer.jobs)
    k.until(lambda: (device_state(db_path(server), name) or {}).get("printer") == "out")
    fake_printer.paper = 0x12
    k.until(lambda: k.screen == "home")


def test_paper_near_end_warns_but_prints(server, kiosks, fake_printer):
    import uuid

    name = f"kiosk-{uuid.uuid4().hex[:6]}"
    k = kiosks(server.url, named_token(server, name), printer=fake_printer.spec).ready()
    fake_printer.paper = PAPER_LOW
    k.tap("service", "KTP")
    k.until(lambda: k.state.ticket_printed)
    number = k.state.ticket["number"]
    k.until(lambda: any(number.encode() in j and CUT in j for j in fake_printer.jobs))
    assert "Kertas hampir habis" in k.drawn
    k.until(lambda: (device_state(db_path(server), name) or {}).get("last_ticket") == number)
    assert device_state(db_path(server), name)["printer"] == "near_end"


def test_printer_offline_issues_nothing(server, token, kiosks, fake_printer):
    spec = fake_printer.spec
    fake_printer.close()
    k = kiosks(server.url, token("PRE"), printer=spec).ready()
    before = site_view(server.url, "PRE")["issued"]
    k.tap("service", "KK")
    k.until(lambda: k.screen == "fault")
    k.app.step()
    assert "Printer tidak siap — silakan hubungi petugas" in k.drawn
    assert site_view(server.url, "PRE")["issued"] == before


def test_print_failing_mid_ticket_voids_the_number(server, token, kiosks, fake_printer):
    k = kiosks(server.url, token("PRE"), printer=fake_printer.spec).ready()
    before = site_view(server.url, "PRE")
    fake_printer.drop_after = 200
    k.tap("service", "AKL")
    k.until(lambda: k.screen == "fault")
    number = k.state.fault_number
    assert number and number.startswith("C")
    k.app.step()
    assert f"Nomor {number} dibatalkan dan tidak berlaku" in k.drawn
    k.until(
        lambda: (
            k.link.pending_voids == 0 and site_view(server.url, "PRE")["issued"] == before["issued"]
        )
    )  # quota returned
    assert k.state.last_ticket == number
    # the next ticket gets a new number, never the voided one
    fake_printer.drop_after = None
    k.until(lambda: k.screen == "home", timeout=20)
    k.tap("service", "AKL")
    k.until(lambda: k.state.ticket_printed)
    assert k.state.ticket["number"] != number
    assert int(k.state.ticket["number"][1:]) == int(number[1:]) + 1


def test_write_error_on_a_file_printer_voids_the_ticket(server, token, kiosks):
    """The real File backend on /dev/full: every write fails with ENOSPC."""
    from escpos.printer import File

    from hardware.printer import TicketPrinter

    k = kiosks(server.url, token("PRE")).ready()
    before = site_view(server.url, "PRE")["issued"]
    k.app.printer.printer = TicketPrinter(File("/dev/full", profile="TM-T88V"))
    k.tap("service", "SPD")
    k.until(lambda: k.screen == "fault" and k.state.failed_ticket and k.link.pending_voids == 0)
    k.app.step()
    assert "Tiket gagal dicetak — silakan hubungi petugas" in k.drawn
    code = k.state.failed_ticket["status_code"]
    k.until(lambda: ticket_view(server.url, code)["status"] == "voided")
    assert site_view(server.url, "PRE")["issued"] == before


# --- the server -------------------------------------------------------------------------


def test_server_down_at_start_then_up(own_server, kiosks):
    token = named_token(own_server, "kiosk-a")
    k = kiosks(own_server.url, token)
    k.until(lambda: k.app.frames > 0)
    assert k.screen == "offline"
    assert "Tidak terhubung ke server" in k.drawn
    own_server.start()
    k.until(lambda: k.screen == "home", timeout=20)


def test_server_lost_mid_request_issues_nothing_twice(own_server, kiosks):
    own_server.start()
    token = named_token(own_server, "kiosk-a")
    k = kiosks(own_server.url, token, issue_attempts=2, read_timeout=1).ready()
    before = site_view(own_server.url, "PRE")["issued"]
    own_server.kill()
    k.tap("service", "KTP")
    k.until(lambda: k.screen == "offline" and k.state.pending is None)
    k.app.step()
    assert "Tidak terhubung ke server" in k.drawn
    assert k.printed == b""
    own_server.start()
    k.until(lambda: k.screen == "home", timeout=20)
    # the abandoned request is settled: whatever the server made of it is voided
    k.until(lambda: not k.link._unsettled and k.link.pending_voids == 0)
    assert site_view(own_server.url, "PRE")["issued"] == before


def test_timeout_then_retry_returns_the_same_ticket(own_server, kiosks):
    own_server.start()
    token = named_token(own_server, "kiosk-a")
    k = kiosks(own_server.url, token, issue_attempts=20, read_timeout=0.5).ready()
    before = site_view(own_server.url, "PRE")["issued"]
    signal_server(own_server, signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        k.tap("service", "KTP")
        k.until(lambda: k.link.issue_attempts >= 2)
    finally:
        signal_server(own_server, signal.SIGCONT)
    k.until(lambda: k.state.ticket_printed, timeout=20)
    assert k.printed.count(CUT) == 1
    assert site_view(own_server.url, "PRE")["issued"] == before + 1
    assert ticket_view(own_server.url, k.state.ticket["status_code"])["status"] == "waiting"


def test_quota_refusal_from_a_stale_screen(server, token, kiosks):
    k = kiosks(server.url, token(QUOTA_SITE)).ready()
    if k.state.service("AKM")["remaining"]:
        k.tap("service", "AKM")
        k.until(lambda: k.state.ticket_printed)
        k.tap("dismiss")
    k.until(lambda: k.screen == "home" and k.state.service("AKM")["remaining"] == 0)
    printed = k.printed
    from kiosk.state import PressService

    k.state.service("AKM")["remaining"] = 1  # the kiosk's view is stale by one ticket...
    k.app.apply(PressService("AKM"))  # ...and a citizen touched it
    assert k.state.pending is not None
    k.until(lambda: k.state.message == "error_quota")
    k.app.step()
    assert "Kuota layanan ini hari ini sudah habis" in k.drawn
    assert k.printed == printed
    k.until(lambda: k.state.service("AKM")["remaining"] == 0)


def test_closed_refusal_from_a_stale_screen(server, token, kiosks):
    k = kiosks(server.url, token(CLOSED_SITE))
    k.until(lambda: k.screen == "closed" and k.state.office_ticket)  # site refresh done
    from kiosk.state import PressService

    k.state.open_now = True  # as if the cutoff passed since the last refresh...
    k.app.apply(PressService("KTP"))  # ...and a citizen touched KTP on that stale screen
    assert k.state.pending is not None
    k.until(lambda: k.screen == "closed" and k.state.pending is None)
    k.app.step()
    assert "Pengambilan nomor antrian ditutup" in k.drawn
    assert k.printed == b""
    assert site_view(server.url, CLOSED_SITE)["issued"] == 0


def test_bad_token_says_so(server, kiosks):
    k = kiosks(server.url, "not-a-token")
    k.until(lambda: k.state.auth_error)
    k.app.step()
    assert k.screen == "offline"
    assert "Kios belum terdaftar di server — silakan hubungi petugas" in k.drawn
