"""The admin pages in Debian's Chromium (Playwright) against a real ``sahaja-server run``
process, with a real Socket.IO kiosk: a quota and running text changed in the browser reach
the kiosk at once; a breaking change is refused in Indonesian; devices, alerts and the audit
log as a head of office sees them; ``config import`` from another process reaches the kiosk.

Screenshots go to a temporary folder; ``scripts/admin_screenshots.py`` points
SAHAJA_SCREENSHOTS_DIR at docs/screenshots/ to regenerate the docs' copies on purpose.
"""

from __future__ import annotations

import os
import queue
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio
from playwright.sync_api import Page, expect

from sahaja import i18n
from sahaja import protocol as p
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow
API = "/api/v1"
WAIT = 15.0
PASSWORD = "rahasia-admin-1"
LAPTOP = {"width": 1366, "height": 900}
SCREENSHOTS_DIR = "SAHAJA_SCREENSHOTS_DIR"
expect.set_options(timeout=WAIT * 1000)


def text(key: str, lang: str = "id", **params: object) -> str:
    return i18n.t(f"admin.{key}", lang, **params)


class Kiosk:
    """A real Socket.IO client with a kiosk token: every snapshot it gets lands in a queue."""

    def __init__(self, url: str, token: str) -> None:
        self.snapshots: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on(p.SNAPSHOT, self.snapshots.put)
        self.client.connect(url, auth={"token": token}, transports=["websocket"])
        self.snapshots.get(timeout=WAIT)  # the one sent on connect

    def next_snapshot(self) -> dict:
        return self.snapshots.get(timeout=WAIT)

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    env = {"SAHAJA_CONSOLE_ADDRESS_ATTEMPTS": "1000"}
    srv = LiveServer(tmp_path_factory.mktemp("admin-live"), env=env)
    for user, role, site in (("ratna", "admin", None), ("kepala-pre", "kepala", "PRE")):
        args = ["user", "add", user, "--role", role, "--password-stdin"]
        srv._cli(*args, *(["--site", site] if site else []), stdin=PASSWORD + "\n")
    with srv:
        yield srv


@pytest.fixture
def page(playwright_browser) -> Iterator[Page]:
    context = playwright_browser.new_context(viewport=LAPTOP, locale="id-ID")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    chosen = os.environ.get(SCREENSHOTS_DIR)
    return Path(chosen) if chosen else tmp_path_factory.mktemp("admin-screenshots")


def sign_in_at(page: Page, url: str, user: str) -> None:
    """Open an admin page signed out: the sign-in page, then back to the page asked for."""
    page.goto(url)
    expect(page.locator("#sign-in")).to_be_visible()
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_url(url)


def issue(server: LiveServer, token: str, site: str = "PRE") -> None:
    r = requests.post(
        f"{server.url}{API}/sites/{site}/tickets",
        json={"service": "KTP", "request_id": str(uuid.uuid4())},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 201, r.text


def test_a_head_of_office_changes_quota_and_running_text_live(page, server, shots):
    kiosk_token = server.add_device("kiosk-pre", "PRE", "kiosk")
    board_token = server.add_device("board-pre", "PRE", "display")
    kiosk = Kiosk(server.url, kiosk_token)
    board = Kiosk(server.url, board_token)
    try:
        for _ in range(3):
            issue(server, kiosk_token)
        kiosk.snapshots.queue.clear()
        board.snapshots.queue.clear()
        sign_in_at(page, f"{server.url}/admin/sites/PRE", "kepala-pre")
        expect(page.locator("h1")).to_contain_text("Kantor Kecamatan Pare")
        page.fill("input[name=daily_quota]", "50")
        page.fill("input[name=running_text]", "Pelayanan KTP-el hari Sabtu tutup")
        page.click("#site-form button[type=submit]")
        expect(page.locator(".flash.ok")).to_contain_text(text("saved", version=2))
        snap = kiosk.next_snapshot()
        assert snap["queue"]["remaining"] == 47  # quota 50, three issued
        assert board.next_snapshot()["running_text"] == "Pelayanan KTP-el hari Sabtu tutup"
        page.screenshot(path=str(shots / "admin-site.png"), full_page=True)

        # below today's issued count: refused, with the reason, nothing changed
        page.fill("input[name=daily_quota]", "2")
        page.click("#site-form button[type=submit]")
        reason = text("refuse_quota_below_issued", site="PRE", quota=2, n=3)
        expect(page.locator("#form-error")).to_contain_text(reason)
        page.screenshot(path=str(shots / "admin-refused.png"), full_page=True)
        assert requests.get(f"{server.url}{API}/sites/PRE", timeout=10).json()["daily_quota"] == 50

        # the same page in English
        page.goto(f"{server.url}/admin/sites/PRE?lang=en")
        page.fill("input[name=hours_mon]", "7-15")
        page.click("#site-form button[type=submit]")
        expect(page.locator("#form-error")).to_contain_text(
            text("error_hours", "en", day="mon", value="7-15")
        )
    finally:
        kiosk.close()
        board.close()


def test_devices_alerts_and_the_audit_log_in_the_browser(page, server, shots):
    sign_in_at(page, f"{server.url}/admin/devices", "kepala-pre")
    page.fill("#device-form input[name=name]", "kiosk-pre-lobi")
    page.select_option("#device-form select[name=role]", "kiosk")
    page.click("#device-form button[type=submit]")
    token = page.locator("#new-token").inner_text().strip()
    expect(page.locator("#new-device svg")).to_be_visible()
    r = requests.post(
        f"{server.url}{API}/devices/me/health",
        json={"printer": "near_end", "version": "0.1.0", "uptime_seconds": 3600},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 200
    page.screenshot(path=str(shots / "admin-device-added.png"), full_page=True)
    page.goto(f"{server.url}/admin/devices")
    expect(page.locator("#device-alerts")).to_contain_text(
        text("alert_paper_low", device="kiosk-pre-lobi", site="PRE")
    )
    expect(page.locator("#new-token")).to_have_count(0)  # shown once
    page.screenshot(path=str(shots / "admin-devices.png"), full_page=True)

    page.goto(f"{server.url}/admin/audit")
    page.fill("#audit-filter input[name=officer]", "kepala-pre")
    page.click("#audit-filter button[type=submit]")
    rows = page.locator("#audit-rows tr[data-kind]")
    expect(rows.first).to_be_visible()
    actors = set(rows.evaluate_all("rows => rows.map(r => r.dataset.actor)"))
    assert actors == {"officer:kepala-pre"}
    kinds = rows.evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert "device_add" in kinds
    assert re.search(r"officer=kepala-pre", page.url)
    page.screenshot(path=str(shots / "admin-audit.png"), full_page=True)


def test_a_config_import_from_another_process_reaches_a_connected_kiosk(server, tmp_path):
    token = server.add_device("kiosk-dkc", "DKC", "kiosk")
    kiosk = Kiosk(server.url, token)
    try:
        exported = tmp_path / "office.toml"
        server._cli("config", "export", str(exported))
        text_ = exported.read_text(encoding="utf-8")
        head = 'code = "DKC"\nname = "Kantor Dinas Dukcapil Kab. Kediri"\ndaily_quota = 200'
        assert head in text_
        exported.write_text(text_.replace(head, head[: -len("200")] + "150"), encoding="utf-8")
        server._cli("config", "import", str(exported))  # another process than the server
        snap = kiosk.next_snapshot()  # the server's watcher noticed the new version
        assert snap["queue"]["remaining"] == 150
    finally:
        kiosk.close()
