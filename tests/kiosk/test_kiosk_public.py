"""What the kiosk gives a citizen for the public pages: the QR's address (the status page,
on the office's public address), the expected wait per service on the home screen, and the
estimator's window on screen and on paper."""

from __future__ import annotations

from datetime import UTC, datetime

import pygame
import pytest
from escpos.printer import Dummy

from hardware.printer import TicketPrinter
from kiosk import messages as m
from kiosk import state as st
from kiosk.draw import Painter
from tests.kiosk.test_kiosk_printer import TEXT, WIB
from tests.kiosk.test_kiosk_state import SERVICES, SNAPSHOT, TICKET

WALL = datetime(2026, 11, 30, 1, 15, tzinfo=UTC)  # 08.15 WIB
WINDOW = {
    "estimated_call_at": "2026-11-30T09:50:00+07:00",
    "estimate_from": "2026-11-30T09:40:00+07:00",
    "estimate_to": "2026-11-30T10:05:00+07:00",
}


@pytest.fixture
def painter():
    pygame.font.init()
    yield Painter(pygame.Surface((1024, 600)))
    pygame.font.quit()


def kiosk(own: str = "", **snapshot: object) -> st.KioskState:
    """A kiosk with its own --public-url ``own`` (none by default) after a snapshot."""
    s = st.KioskState(public_url=own, server_url="http://10.0.0.2:8000")
    s.handle(m.Connection(True), 0)
    s.handle(m.Snapshot({**SNAPSHOT, **snapshot}), 0)
    return s


def test_the_qr_opens_the_status_page_on_the_best_known_address():
    assert kiosk().status_url(TICKET) == "http://10.0.0.2:8000/t/abc"  # nothing configured
    office = kiosk(public_url="https://antrian.example.go.id")
    assert office.status_url(TICKET) == "https://antrian.example.go.id/t/abc"
    own = kiosk("https://loket.example.id", public_url="https://antrian.example.go.id")
    assert own.status_url(TICKET) == "https://loket.example.id/t/abc"  # the kiosk's own wins
    s = kiosk()
    s.handle(m.OfficeInfo({"timezone": "Asia/Jakarta", "public_url": "https://o.example"}), 1)
    assert s.status_url(TICKET) == "https://o.example/t/abc"


def test_home_shows_the_expected_wait_under_each_service(painter):
    services = [
        {**SERVICES[0], "estimated_wait_minutes": 24.6},
        {**SERVICES[1], "estimated_wait_minutes": 0},
    ]
    s = kiosk(queue={"site": "PRE", "services": services})
    painter.paint(s, WALL)
    assert "Perkiraan tunggu ± 25 menit" in painter.drawn
    assert "Tanpa menunggu" in painter.drawn
    s.handle(st.ToggleLanguage(), 1)
    painter.paint(s, WALL)
    assert "Expected wait ± 25 min" in painter.drawn


def test_without_an_estimate_the_home_screen_shows_none(painter):
    painter.paint(kiosk(), WALL)
    assert not [text for text in painter.drawn if "Perkiraan" in text]


def test_the_window_on_screen_and_on_the_printed_ticket(painter):
    s = kiosk(timezone="Asia/Jakarta")
    s.handle(st.PressService("KTP"), 1)
    s.handle(m.PrinterStatus("ok", "issue"), 1)
    (job,) = s.handle(m.TicketIssued(s.pending.request_id, {**TICKET, **WINDOW}), 1)
    painter.paint(s, WALL)
    assert any("Perkiraan dipanggil: 09.40–10.05 WIB" in text for text in painter.drawn)
    dummy = Dummy(profile="TM-T88V")
    TicketPrinter(dummy, zone=WIB).print_ticket(job.ticket, TEXT, job.status_url, zone=job.zone)
    assert b"Perkiraan dipanggil: 09.40-10.05 WIB" in dummy.output
