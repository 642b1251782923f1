"""The real kiosk, headless, against a real server: touches in, screen and printer bytes out."""

from __future__ import annotations

import re

import pygame
import pytest

from kiosk import draw
from kiosk import layout as lay
from tests.kiosk.kiosk_support import CLOSED_SITE, QUOTA_SITE, site_view, ticket_view

pytestmark = pytest.mark.slow


def test_home_shows_site_date_and_every_service(server, token, kiosks):
    k = kiosks(server.url, token("PRE")).ready()
    assert "Kantor Kecamatan Pare" in k.drawn
    assert any(
        re.match(r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d+ \w+ 20\d\d", t)
        for t in k.drawn
    )
    assert any(t.endswith(" WIB") for t in k.drawn)
    view = site_view(server.url, "PRE")
    assert [t.key for t in k.app.targets if t.kind == "service"] == [
        s["code"] for s in view["services"]
    ]
    for svc in view["services"]:
        assert svc["name"] in k.drawn
    assert "★ Layanan Prioritas ★" in k.drawn


def test_touch_issues_shows_and_prints_a_ticket(server, token, kiosks):
    k = kiosks(server.url, token("PRE")).ready()
    before = site_view(server.url, "PRE")["issued"]
    k.tap("service", "KK")
    k.until(lambda: k.state.ticket_printed)
    number = k.state.ticket["number"]
    assert number.startswith("B")
    assert number in k.drawn and "Silakan ambil tiket Anda" in k.drawn
    out = k.printed
    assert number.encode() in out
    assert b"\x1dV" in out  # cut
    code = k.state.ticket["status_code"]
    assert f"{server.url}/t/{code}".encode() in out  # native QR data: the status page
    assert b"Kartu Keluarga" in out and b"KABUPATEN KEDIRI" in out
    assert site_view(server.url, "PRE")["issued"] == before + 1
    assert ticket_view(server.url, code)["status"] == "waiting"
    # a touch goes back home
    k.tap("dismiss")
    k.until(lambda: k.screen == "home")


def test_finger_touch_works_and_does_not_double_issue(server, token, kiosks):
    k = kiosks(server.url, token("PRE"), size=(1920, 1080)).ready()
    before = site_view(server.url, "PRE")["issued"]
    k.tap("service", "AKL", finger=True)
    k.tap("service", "AKL", finger=True)  # a second, impatient touch while busy
    k.until(lambda: k.state.ticket_printed)
    k.until(lambda: site_view(server.url, "PRE")["issued"] == before + 1)
    assert k.printed.count(b"\x1dV") == 1


def test_waiting_counts_follow_the_server_without_a_touch(server, token, kiosks):
    watcher = kiosks(server.url, token("PRE")).ready()
    other = kiosks(server.url, token("PRE")).ready()
    waiting = watcher.state.service("SPD")["waiting"]
    other.tap("service", "SPD")
    other.until(lambda: other.state.ticket_printed)
    watcher.until(lambda: watcher.state.service("SPD")["waiting"] == waiting + 1)
    assert f"Menunggu: {waiting + 1}" in watcher.drawn


def test_quota_reached_shows_a_disabled_button(server, token, kiosks):
    k = kiosks(server.url, token(QUOTA_SITE)).ready()
    if k.state.service("AKM")["remaining"]:
        k.tap("service", "AKM")
        k.until(lambda: k.state.ticket_printed)
        k.tap("dismiss")
    k.until(lambda: k.screen == "home" and k.state.service("AKM")["remaining"] == 0)
    k.app.step()
    target = k.target("service", "AKM")
    assert target.event is None
    assert "Kuota hari ini habis" in k.drawn
    assert k.pixel(target.rect.centerx, target.rect.top + 3) == draw.DISABLED
    printed = k.printed
    k.tap("service", "AKM")
    k.app.step()
    assert k.state.pending is None and k.printed == printed
    other = k.target("service", "KTP")
    assert k.pixel(other.rect.centerx, other.rect.top + 3) == draw.SERVICE


def test_priority_lane_issues_a_marked_ticket(server, token, kiosks):
    k = kiosks(server.url, token("PRE")).ready()
    k.tap("priority")
    k.until(lambda: k.screen == "priority")
    assert {"Lansia", "Disabilitas", "Ibu hamil", "Anak", "Korban bencana"} <= set(k.drawn)
    k.tap("group", "lansia")
    k.until(lambda: "Antrian prioritas: Lansia" in k.drawn)
    target = k.target("service", "KTP")
    assert k.pixel(target.rect.centerx, target.rect.top + 3) == draw.PRIORITY
    k.tap("service", "KTP")
    k.until(lambda: k.state.ticket_printed)
    ticket = ticket_view(server.url, k.state.ticket["status_code"])
    assert ticket["priority"] and ticket["priority_category"] == "lansia"
    assert b"PRIORITAS - Lansia" in k.printed


def test_language_switch(server, token, kiosks):
    k = kiosks(server.url, token("PRE")).ready()
    assert "Silakan pilih layanan" in k.drawn
    k.tap("language")
    k.until(lambda: "Please choose a service" in k.drawn)
    assert "Bahasa Indonesia" in k.drawn
    k.tap("service", "KTP")
    k.until(lambda: k.state.ticket_printed)
    assert "Please take your ticket" in k.drawn
    assert b"QUEUE NUMBER" in k.printed


def test_closed_site_shows_todays_hours(server, token, kiosks):
    k = kiosks(server.url, token(CLOSED_SITE))
    k.until(lambda: k.screen == "closed")
    k.app.step()
    assert "Pengambilan nomor antrian ditutup" in k.drawn
    assert "Hari ini tidak ada layanan" in k.drawn
    assert not [t for t in k.app.targets if t.kind == "service"]


def test_reprint_request_from_a_counter(server, token, kiosks):
    import requests

    k = kiosks(server.url, token("PRE")).ready()
    k.tap("service", "SPK")
    k.until(lambda: k.state.ticket_printed)
    number = k.state.ticket["number"]
    counter = token("PRE", "counter", "PRE-L1")
    resp = requests.post(
        f"{server.url}/api/v1/counters/PRE-L1/reprint",
        json={"number": number},
        headers={"Authorization": f"Bearer {counter}"},
        timeout=5,
    )
    assert resp.status_code == 200, resp.text
    k.until(lambda: k.printed.count(number.encode()) >= 2)
    assert k.printed.count(b"\x1dV") == 2


@pytest.mark.parametrize("size", [(800, 480), (1024, 600), (1280, 800), (1920, 1080)])
def test_layout_fits_every_screen(size):
    from kiosk import state as st

    s = st.KioskState()
    s.handle(
        __import__("kiosk.messages").messages.Snapshot(
            {
                "site": "DKC",
                "site_name": "Kantor Dinas",
                "open_now": True,
                "queue": {
                    "services": [
                        {"code": c, "name": c, "remaining": 5, "waiting": 0}
                        for c in ("KTP", "KK", "AKL", "AKM", "SPK", "SPD")
                    ]
                },
            }
        ),
        0,
    )
    s.socket_up = True
    for screen_events in ([], [st.OpenPriority()]):
        for e in screen_events:
            s.handle(e, 0)
        rects = [t.rect for t in lay.targets(s, size)]
        bounds = pygame.Rect(0, 0, *size)
        for i, r in enumerate(rects):
            assert bounds.contains(r)
            assert r.height >= size[1] * 0.09  # 14 mm on a 7" 800x480 panel: a fingertip
            assert not any(r.colliderect(o) for o in rects[i + 1 :])
