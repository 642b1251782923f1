"""The shared device client: environment names, office time, fonts, link states, health."""

from __future__ import annotations

import os
import queue
import socket
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pygame
import pytest

from devicelink import settings as shared
from devicelink.fonts import FontCache
from devicelink.health import HealthReporter
from devicelink.link import DeviceLink, LinkState
from devicelink.officetime import office_zone

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")


def test_one_set_of_names_with_the_old_ones_still_read() -> None:
    assert (
        shared.env({"SAHAJA_DEVICE_TOKEN": "new", "SAHAJA_TOKEN": "old"}, shared.DEVICE_TOKEN)
        == "new"
    )
    assert shared.env({"SAHAJA_TOKEN": "old"}, shared.DEVICE_TOKEN) == "old"
    assert shared.env({"SAHAJA_DISPLAY_TOKEN": "board"}, shared.DEVICE_TOKEN) == "board"
    assert shared.env({"SAHAJA_DISPLAY_SERVER": "http://b"}, shared.SERVER_URL) == "http://b"
    assert shared.env({}, shared.LANG) is None
    assert shared.check_server_url(" http://10.0.0.2:8000/ ") == "http://10.0.0.2:8000"
    with pytest.raises(ValueError, match="http://"):
        shared.check_server_url("10.0.0.2:8000")


def test_every_app_reads_the_shared_names(tmp_path) -> None:
    from counter.settings import load_settings as box_settings
    from display.settings import load_settings as board_settings
    from kiosk.settings import load_settings as kiosk_settings

    conf = tmp_path / "device.toml"
    conf.write_text('[kiosk]\nprinter = "dummy"\n[counter_box]\ncounter = "PRE-L1"\n')
    env = {"SAHAJA_SERVER_URL": "http://srv:8000", "SAHAJA_DEVICE_TOKEN": "t", "SAHAJA_LANG": "en",
           "SAHAJA_HEALTH_SECONDS": "12", "SAHAJA_CONFIG": str(conf)}  # fmt: skip
    kiosk = kiosk_settings([], env)
    assert (kiosk.server_url, kiosk.token, kiosk.lang, kiosk.health_seconds) == (
        "http://srv:8000", "t", "en", 12.0)  # fmt: skip
    box = box_settings([], env)
    assert (box.server_url, box.token, box.lang, box.health_seconds, box.counter) == (
        "http://srv:8000", "t", "en", 12.0, "PRE-L1")  # fmt: skip
    board = board_settings(None, {k: v for k, v in env.items() if k != "SAHAJA_CONFIG"})
    assert (board.server, board.token, board.language, board.health_seconds) == (
        "http://srv:8000", "t", "en", 12.0)  # fmt: skip


def test_the_office_zone_by_name_else_by_the_server_clocks_offset() -> None:
    assert office_zone("Asia/Makassar") == ZoneInfo("Asia/Makassar")
    wib = office_zone(None, "2026-11-30T08:15:00+07:00")
    assert wib is not None and wib.utcoffset(None) == timedelta(hours=7)
    assert wib.tzname(None) == "WIB"
    assert office_zone("Not/AZone", "2026-11-30T09:15:00+09:00").tzname(None) == "WIT"
    assert office_zone(None, "2026-11-30T01:15:00+00:00") is UTC
    assert office_zone(None, None) is None


def test_the_font_cache_is_bounded() -> None:
    pygame.font.init()
    try:
        fonts = FontCache(limit=4)
        first = fonts.get(True, 20)
        for size in range(21, 40):
            fonts.get(False, size)
        assert len(fonts) == 4
        assert fonts.get(True, 20) is not first  # dropped long ago, made again
    finally:
        pygame.font.quit()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when this returns: nothing listens there


def test_no_server_is_unreachable_not_refused_and_the_link_keeps_trying() -> None:
    states: queue.Queue = queue.Queue()
    link = DeviceLink(
        f"http://127.0.0.1:{closed_port()}", "token", {}, lambda s, d: states.put(s),
        retry_delay=0.05, retry_max=0.05,
    )  # fmt: skip
    link.start()
    try:
        seen = [states.get(timeout=10) for _ in range(3)]  # three attempts, three answers
    finally:
        link.stop()
    assert seen == [LinkState.UNREACHABLE] * 3
    assert not link.connected


def test_a_health_report_to_no_server_is_no_answer_not_an_error() -> None:
    reporter = HealthReporter(
        f"http://127.0.0.1:{closed_port()}",
        "token",
        lambda: {"connected": False, "printer": "unknown", "last_ticket": None, "detail": "x"},
    )
    try:
        assert reporter.send() is None and reporter.sent == 0
    finally:
        reporter.stop()
