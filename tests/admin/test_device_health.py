"""Device health: boards and button boxes report it like kiosks; /admin/devices shows last
seen and state; alerts (paper out or low, offline over a minute, a failed voice pack) there
and as a banner in the console of the site; devices added with a token shown once + QR."""

from __future__ import annotations

import queue
import re
import wave

import pygame
import pytest

from tests.admin.conftest import text
from tests.admin.helpers import API, add_device


def report(client, token: str, body: dict):
    r = client.post(
        f"{API}/devices/me/health", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def alert_kinds(page: str) -> set[tuple[str, str]]:
    return set(re.findall(r'<li[^>]*data-kind="([^"]+)" data-device="([^"]+)"', page))


@pytest.fixture
def board_with_broken_pack(tmp_path, monkeypatch):
    """A real board (display.app.Board) with a real mixer on SDL's disk driver, whose voice
    pack has one clip that cannot be decoded."""
    monkeypatch.setenv("SDL_AUDIODRIVER", "disk")
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(tmp_path / "played.raw"))
    from display.announce import Announcer
    from display.app import Board
    from display.render import BoardRenderer
    from display.state import BoardState
    from hardware.audio import MixerPlayer

    good = tmp_path / "nomor.wav"
    with wave.open(str(good), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(bytes(2205 * 2))
    broken = tmp_path / "antrian.wav"
    broken.write_bytes(b"not a wav file")
    clips = {"nomor": good, "antrian": broken}
    player = MixerPlayer(clips)
    player.open()
    pygame.font.init()
    board = Board(
        BoardState(),
        BoardRenderer((320, 180)),
        Announcer(),
        player,
        queue.Queue(),
        voice_clips=len(clips),
    )
    yield board
    player.close()


def test_board_and_box_reports_carry_version_uptime_audio_and_voice_pack(
    app, board_with_broken_pack
):
    from counter.cli import health_report
    from counter.controller import CounterBox

    board_report = board_with_broken_pack.health()
    assert board_report["voice_pack"] == "failed"  # one clip of two would not decode
    assert board_report["audio"] == "ok"
    assert board_report["version"] and board_report["uptime_seconds"] >= 0
    client = app.test_client()
    token = add_device(app, "board-pre", "PRE", "display")
    stored = report(client, token, board_report)["state"]
    assert stored["voice_pack"] == "failed" and stored["version"] == board_report["version"]

    from counter.client import CounterClient

    box_token = add_device(app, "box-pre-l1", "PRE", "counter", "L1")
    box = CounterBox(CounterClient("http://127.0.0.1:9", box_token, "PRE-L1"), counter="PRE-L1")
    box_report = health_report(box)
    assert (box_report["audio"], box_report["voice_pack"]) == ("none", "none")
    assert box_report["version"] == board_report["version"]
    assert report(client, box_token, box_report)["state"]["detail"].startswith("counter PRE-L1")


def test_a_malformed_health_field_is_refused(app):
    client = app.test_client()
    token = add_device(app, "board-pre", "PRE", "display")
    r = client.post(
        f"{API}/devices/me/health",
        json={"voice_pack": "broken"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 422 and r.get_json()["error"] == "malformed_request"
    r = client.post(
        f"{API}/devices/me/health",
        json={"uptime_seconds": -1},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 422


def test_alerts_on_the_devices_page_and_the_console_banner_of_the_site(app, as_user, clock):
    client = app.test_client()
    kiosk = add_device(app, "kiosk-pre", "PRE", "kiosk")
    kiosk2 = add_device(app, "kiosk-pre-2", "PRE", "kiosk")
    board = add_device(app, "board-pre", "PRE", "display")
    box = add_device(app, "box-pre-l1", "PRE", "counter", "L1")
    ppr = add_device(app, "kiosk-ppr", "PPR", "kiosk")
    report(client, kiosk, {"printer": "out"})
    report(client, kiosk2, {"printer": "near_end"})
    report(client, board, {"voice_pack": "failed", "audio": "ok", "printer": "unknown"})
    report(client, box, {"connected": True})
    report(client, ppr, {"printer": "out"})
    admin = as_user("kepala-pre")
    page = admin.client.get("/admin/devices").get_data(as_text=True)
    assert alert_kinds(page) == {
        ("paper_out", "kiosk-pre"),
        ("paper_low", "kiosk-pre-2"),
        ("voice_failed", "board-pre"),
    }  # Papar's kiosk is not this kepala's
    assert text("alert_paper_out", device="kiosk-pre", site="PRE") in page
    assert "kiosk-ppr" not in page

    # a minute and a bit later only the box has reported again: the others are offline
    clock.advance(seconds=61)
    report(client, box, {"connected": True})
    page = admin.client.get("/admin/devices").get_data(as_text=True)
    assert alert_kinds(page) == {
        ("offline", "kiosk-pre"),
        ("offline", "kiosk-pre-2"),
        ("offline", "board-pre"),
    }
    row = re.search(r'<tr data-device="box-pre-l1">.*?</tr>', page, re.S).group(0)
    assert text("online") in row

    # the officer at a Pare counter sees the same alerts as a banner
    officer = as_user("ani")
    token = officer.token("/console/counter")
    officer.client.post("/console/counter", data={"counter": "PRE-L1", "csrf_token": token})
    console = officer.client.get("/console/").get_data(as_text=True)
    assert 'id="device-alerts"' in console
    assert alert_kinds(console) == alert_kinds(page)
    assert "kiosk-ppr" not in console


def test_a_device_added_on_the_page_shows_its_token_once_with_a_qr(app, as_user):
    kepala = as_user("kepala-pre")
    r = kepala.post("/admin/devices", {"name": "kiosk-pre-3", "site": "PRE", "role": "kiosk"})
    assert r.status_code == 201
    page = r.get_data(as_text=True)
    token = re.search(r'<p class="token" id="new-token">([^<]+)</p>', page).group(1)
    assert "<svg" in page and "<script" not in page
    client = app.test_client()
    assert report(client, token, {"printer": "ok"})["device"] == "kiosk-pre-3"
    assert token not in kepala.client.get("/admin/devices").get_data(as_text=True)
    # a kepala adds devices at their own site only, and a box needs a counter
    r = kepala.post("/admin/devices", {"name": "x", "site": "PPR", "role": "kiosk"})
    assert r.status_code == 403
    r = kepala.post("/admin/devices", {"name": "box", "site": "PRE", "role": "counter"})
    assert r.status_code == 422
    # revoked: its token no longer works
    assert kepala.post("/admin/devices/kiosk-pre-3/revoke").status_code == 303
    app.extensions["sahaja"].accounts._cache.clear()
    r = client.post(
        f"{API}/devices/me/health", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 401


def test_the_qr_holds_the_server_and_the_token():
    from urllib.parse import parse_qs, urlsplit

    from server.admin.devices import ENROL_URI, enrol_uri

    uri = enrol_uri("http://10.0.0.2:8000/", "tok-en", "kiosk-pre")
    parts = urlsplit(uri)
    assert uri.startswith(ENROL_URI)
    assert parse_qs(parts.query) == {
        "server": ["http://10.0.0.2:8000"],
        "token": ["tok-en"],
        "name": ["kiosk-pre"],
    }
