"""The kiosk's check-in end to end: the real kiosk (headless) against a real server process,
bookings in its database, the code typed on the keypad or sent by a scanner, the ticket on
paper, and the server's refusals on the screen."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pygame
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from sahaja import protocol as p
from tests.kiosk.kiosk_support import site_view, ticket_view

pytestmark = pytest.mark.slow

TZ = ZoneInfo("Asia/Jakarta")  # the test office's zone


def add_booking(server, code: str, site: str = "PRE", service: str = "KTP") -> None:
    """A booking whose window started ten minutes ago (as /booking would have stored it the
    day before): today's, at ``site``, not yet checked in."""
    from server.models import Booking

    now = datetime.now(UTC)
    engine = create_engine(server.database_url)
    with Session(engine) as s, s.begin():
        s.add(
            Booking(
                code=code,
                site=site,
                service=service,
                kecamatan="35.06.17",
                day=now.astimezone(TZ).date(),
                window_start=now - timedelta(minutes=10),
                window_end=now + timedelta(minutes=50),
                nik_hash=hashlib.sha256(code.encode()).hexdigest(),
                status=p.BOOKING_BOOKED,
                created_at=now - timedelta(days=1),
            )
        )
    engine.dispose()


def type_keys(k, code: str) -> None:
    for key in code:
        k.tap("key", key)


def scan(k, line: str) -> None:
    """What a USB barcode scanner sends: a key per character, then Enter."""
    for ch in line:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=0, mod=0, unicode=ch))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="\r"))
    k.app.step()


def test_a_code_typed_on_the_keypad_checks_in_and_prints(server, token, kiosks):
    add_booking(server, "ACD479HJK")
    k = kiosks(server.url, token("PRE")).ready()
    before = site_view(server.url, "PRE")["issued"]
    k.tap("booking")
    k.until(lambda: k.screen == "checkin")
    type_keys(k, "ACD479HJK")
    k.tap("submit")
    k.until(lambda: k.state.ticket_printed)
    ticket = k.state.ticket
    assert ticket[p.TICKET_BOOKING_KEY] == "ACD479HJK" and ticket["service"] == "KTP"
    assert "Booking: ACD-479-HJK" in "  ".join(k.drawn)
    out = k.printed
    assert ticket["number"].encode() in out and b"Booking: ACD-479-HJK" in out
    assert f"{server.url}/t/{ticket['status_code']}".encode() in out  # the status page's QR
    assert b"\x1dV" in out  # cut
    assert ticket_view(server.url, ticket["status_code"])["status"] == "waiting"
    assert site_view(server.url, "PRE")["issued"] == before + 1  # counted when checked in

    # the same code again, now scanned: already used, said in Indonesian, nothing printed
    k.tap("dismiss")
    k.until(lambda: k.screen == "home")
    printed = len(k.printed)
    scan(k, "ACD-479-HJK")
    k.until(lambda: k.state.message == "checkin_used")
    k.app.step()
    assert "Booking ini sudah dipakai untuk check-in" in k.drawn
    assert len(k.printed) == printed
    assert site_view(server.url, "PRE")["issued"] == before + 1


def test_a_scanned_link_checks_in_from_the_home_screen(server, token, kiosks):
    add_booking(server, "KMN367FGH", service="KK")
    k = kiosks(server.url, token("PRE")).ready()
    scan(k, f"{server.url}/booking/KMN367FGH")
    k.until(lambda: k.state.ticket_printed)
    assert k.state.ticket[p.TICKET_BOOKING_KEY] == "KMN367FGH"
    assert k.state.ticket["service"] == "KK" and b"Booking: KMN-367-FGH" in k.printed


def test_refusals_from_the_server_are_shown_on_the_check_in_screen(server, token, kiosks):
    add_booking(server, "PQR469TWX", site="PPR")
    other = site_view(server.url, "PPR")["name"]
    k = kiosks(server.url, token("PRE")).ready()
    k.tap("booking")
    type_keys(k, "PQR469TWX")
    k.tap("submit")
    k.until(lambda: k.state.message == "checkin_wrong_site")
    k.app.step()
    assert k.screen == "checkin" and k.state.ticket is None
    assert "Booking ini untuk tempat pelayanan lain" in k.drawn
    assert any(other in text for text in k.drawn), k.drawn  # names the right service point

    for _ in range(9):
        k.tap("backspace")
    type_keys(k, "AAAAAAAAA")  # well formed, never issued
    k.tap("submit")
    k.until(lambda: k.state.message == "checkin_unknown")
    k.app.step()
    assert "Kode booking tidak ditemukan — periksa dan coba lagi" in k.drawn
    assert b"\x1dV" not in k.printed
