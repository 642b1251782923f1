"""The closed screen says why the office is closed (a holiday by name, a break, an early
kiosk not yet open), Indonesian first; rendered headless with SDL's dummy driver."""

from __future__ import annotations

from datetime import UTC, datetime

import pygame
import pytest

from kiosk import messages as m
from kiosk import state as st
from kiosk.draw import Painter
from sahaja import protocol as p
from tests.kiosk.test_kiosk_state import SNAPSHOT

WALL = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)  # 09.00 WIB on Idulfitri 2027


@pytest.fixture
def painter():
    pygame.font.init()
    yield Painter(pygame.Surface((800, 480)))
    pygame.font.quit()


def closed_kiosk(reason: dict | None, hours: str | None = None) -> st.KioskState:
    s = st.KioskState(public_url="http://srv")
    s.handle(m.Connection(True), 0)
    snapshot = {**SNAPSHOT, "open_now": False, "hours_today": hours, "closed_reason": reason}
    s.handle(m.Snapshot(snapshot), 0)
    assert s.screen == st.Screen.CLOSED
    return s


HOLIDAY = {"kind": p.CLOSED_HOLIDAY, "name": "Hari Raya Idul Fitri", "until": None}


def test_a_holiday_is_named_on_the_closed_screen(painter):
    s = closed_kiosk(HOLIDAY)
    painter.paint(s, WALL)
    assert "Kantor tutup hari ini" in painter.drawn
    assert "Hari Raya Idul Fitri" in painter.drawn
    assert "Silakan datang kembali pada hari kerja berikutnya" in painter.drawn
    assert not any("Jam layanan" in text for text in painter.drawn)
    s.handle(st.ToggleLanguage(), 1)
    painter.paint(s, WALL)
    assert "The office is closed today" in painter.drawn
    assert "Hari Raya Idul Fitri" in painter.drawn  # the holiday keeps its own name


def test_the_reason_follows_the_site_refresh(painter):
    s = closed_kiosk(None, hours=None)
    painter.paint(s, WALL)
    assert "Hari ini tidak ada layanan" in painter.drawn
    version = s.version
    s.handle(m.SiteInfo({"code": "PRE", "open_now": False, "closed_reason": HOLIDAY}), 2)
    assert s.version > version  # the screen is drawn again
    painter.paint(s, WALL)
    assert "Hari Raya Idul Fitri" in painter.drawn


def test_a_break_and_an_early_kiosk_say_when_issuing_starts(painter):
    brk = {"kind": p.CLOSED_BREAK, "name": "Sholat Jumat", "until": "13:00"}
    painter.paint(closed_kiosk(brk, "07:30-14:00"), WALL)
    assert "Sholat Jumat: pengambilan nomor dibuka kembali pukul 13.00" in painter.drawn
    early = {"kind": p.CLOSED_BEFORE_OPEN, "name": None, "until": "06:30"}
    painter.paint(closed_kiosk(early, "07:30-15:00"), WALL)
    assert "Pengambilan nomor antrian dibuka pukul 06.30" in painter.drawn
    after = {"kind": p.CLOSED_AFTER_CLOSE, "name": None, "until": None}
    painter.paint(closed_kiosk(after, "07:30-15:00"), WALL)
    assert "Jam layanan hari ini: 07.30–15.00" in painter.drawn
