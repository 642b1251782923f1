"""The kiosk shows and prints times in the office's zone, as the server names it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pygame
import pytest
from escpos.printer import Dummy

from hardware.printer import TicketPrinter
from kiosk import messages as m
from kiosk import state as st
from kiosk.draw import Painter
from tests.kiosk.test_kiosk_state import SNAPSHOT, TICKET

WALL = datetime(2026, 11, 30, 1, 15, tzinfo=UTC)  # 08.15 WIB, 09.15 WITA


@pytest.fixture
def painter():
    pygame.font.init()
    yield Painter(pygame.Surface((800, 480)))
    pygame.font.quit()


def kiosk(**snapshot: object) -> st.KioskState:
    s = st.KioskState(public_url="http://srv")
    s.handle(m.Connection(True), 0)
    s.handle(m.Snapshot({**SNAPSHOT, **snapshot}), 0)
    return s


def test_the_zone_named_in_the_snapshot_is_used_on_screen_and_on_the_ticket(painter):
    s = kiosk(server_time="2026-11-30T09:15:00+08:00", timezone="Asia/Makassar")
    assert s.zone == ZoneInfo("Asia/Makassar")
    painter.paint(s, WALL)
    assert "09.15 WITA" in painter.drawn
    s.handle(st.PressService("KTP"), 1)
    s.handle(m.PrinterStatus("ok", "issue"), 1)
    (job,) = s.handle(m.TicketIssued(s.pending.request_id, TICKET), 1)
    assert isinstance(job, m.PrintTicket) and job.zone == ZoneInfo("Asia/Makassar")
    dummy = Dummy(profile="TM-T88V")
    TicketPrinter(dummy).print_ticket(job.ticket, job.text, job.status_url, zone=job.zone)
    assert b"09.00 WITA" in dummy.output  # issued 08.00 WIB, printed in the office's zone


def test_before_the_server_names_its_zone_the_offset_of_its_clock_stands_in(painter):
    s = kiosk(server_time="2026-11-30T08:15:00+07:00")  # an older server: no "timezone"
    painter.paint(s, WALL)
    assert "08.15 WIB" in painter.drawn
    s.handle(m.OfficeInfo({"name": "Dukcapil", "timezone": "Asia/Jayapura"}), 1)
    painter.paint(s, WALL)
    assert "10.15 WIT" in painter.drawn
    s.handle(m.Snapshot({**SNAPSHOT, "server_time": "2026-11-30T10:15:00+09:00"}), 2)
    assert s.zone == ZoneInfo("Asia/Jayapura")  # the name, once known, is kept


def test_no_zone_is_hard_coded():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for folder in ("kiosk", "display", "counter", "hardware"):
        for path in (root / folder).glob("*.py"):
            assert "Asia/Jakarta" not in path.read_text(encoding="utf-8"), path
