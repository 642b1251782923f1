"""``/admin/reports`` in Debian's Chromium (Playwright) against a real ``sahaja-server run``:
signing in sends a head of office back to the report; a petugas is refused; a kepala sees
only their site; an admin chooses a period and site with the form; the chart is drawn; the
CSV download reads back. Screenshots go to a temporary folder unless
``scripts/reports_screenshots.py`` points SAHAJA_SCREENSHOTS_DIR at docs/screenshots/."""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from bench.report_speed import seed_month
from sahaja import i18n
from sahaja import protocol as p
from server.database import Database
from server.setup import stored_config
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow
PASSWORD = "rahasia-laporan-1"
NOVEMBER = (datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date())
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
WAIT = 15_000
expect.set_options(timeout=WAIT)


def t(key: str, lang: str = "id", **params: object) -> str:
    return i18n.t(f"reports.{key}", lang, **params)


class Office:
    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.url = server.url
        self.kiosk = server.add_device("kiosk-pre", "PRE", "kiosk")
        self.box = server.add_device("box-pre-l1", "PRE", "counter", "L1")

    def api(self, path: str, token: str, body: dict | None = None) -> dict:
        r = requests.post(
            f"{self.url}{p.API_PREFIX}{path}",
            json=body or {},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert r.status_code in (200, 201), r.text
        return r.json()

    def issue(self, service: str) -> dict:
        body = {"service": service, "request_id": str(uuid.uuid4())}
        return self.api("/sites/PRE/tickets", self.kiosk, body)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Iterator[Office]:
    env = {"SAHAJA_CONSOLE_ADDRESS_ATTEMPTS": "1000"}
    server = LiveServer(tmp_path_factory.mktemp("reports-live"), env=env)
    users = (("ratna", "admin", None), ("kepala-pre", "kepala", "PRE"), ("ani", "petugas", "PRE"))
    for user, role, site in users:
        args = ["user", "add", user, "--role", role, "--password-stdin"]
        server._cli(*args, *(["--site", site] if site else []), stdin=PASSWORD + "\n")
    db = Database.connect(server.database_url)
    seed_month(db.write_engine, stored_config(db), *NOVEMBER, tickets=3000)
    db.dispose()
    with server:
        office = Office(server)
        # today, through the API: two KTP-el (one served by the button box), one voided KK
        office.issue("KTP")
        office.issue("KTP")
        voided = office.issue("KK")
        office.api(f"/tickets/{voided['id']}/void", office.kiosk, {"reason": "paper_out"})
        office.api("/counters/PRE-L1/next", office.box)
        office.api("/counters/PRE-L1/finish", office.box)
        yield office


@pytest.fixture
def page(playwright_browser) -> Iterator[Page]:
    context = playwright_browser.new_context(viewport=LAPTOP, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    chosen = os.environ.get("SAHAJA_SCREENSHOTS_DIR")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("reports-screenshots")


def sign_in_at(page: Page, office: Office, path: str, user: str) -> None:
    """Open an admin page signed out, sign in on the form it sends to, come back to it."""
    page.goto(f"{office.url}{path}")
    expect(page).to_have_url(f"{office.url}/console/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("#sign-in button[type=submit]")


def test_petugas_is_refused(page, office):
    sign_in_at(page, office, "/admin/reports/", "ani")
    page.goto(f"{office.url}/admin/reports/")
    expect(page.locator("#refused")).to_have_text(i18n.t("admin.forbidden", "id"))


def test_kepala_reads_their_site_and_downloads_csv(page, office, shots):
    month = "/admin/reports/?period=month&date=2026-11-02"
    sign_in_at(page, office, month, "kepala-pre")
    expect(page).to_have_url(f"{office.url}{month}")
    expect(page.locator("h1")).to_have_text(t("title"))
    expect(page.locator("#range")).to_have_text(
        "Minggu, 1 November 2026 s.d. Senin, 30 November 2026"
    )
    expect(page.locator(".site-report")).to_have_count(1)
    expect(page.locator("#site-PRE")).to_be_visible()
    expect(page.locator("select[name=site] option")).to_have_count(1)  # their own site only
    chart = page.locator("#site-PRE svg.arrivals-chart")
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() >= 5  # a month of arrivals: many hours
    box = chart.bounding_box()
    assert box and box["width"] > 300  # readable, not a thumbnail
    page.screenshot(path=shots / "reports-month.png", full_page=True)

    with page.expect_download() as download:
        page.click("#downloads a[href*='export.csv']")
    text = Path(download.value.path()).read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == t("col_site")
    assert {r[0] for r in rows[1:]} == {"PRE"}

    page.goto(f"{office.url}/admin/reports/?site=PPR")
    expect(page.locator("#refused")).to_have_text(i18n.t("admin.forbidden", "id"))


def test_admin_chooses_today_at_a_site_with_the_form(page, office, shots):
    sign_in_at(page, office, "/admin/reports/", "ratna")
    expect(page.locator("#overview")).to_be_visible()  # every site: one overview table first
    expect(page.locator(".site-report")).to_have_count(6)
    page.select_option("select[name=period]", "day")
    page.select_option("select[name=site]", "PRE")
    page.click("#choice button[type=submit]")
    expect(page.locator(".site-report")).to_have_count(1)
    row = page.locator("#site-PRE tr[data-service=KTP]")
    expect(row.locator("td[data-key=issued]")).to_have_text("2")
    expect(row.locator("td[data-key=served]")).to_have_text("1")
    kk = page.locator("#site-PRE tr[data-service=KK]")
    expect(kk.locator("td[data-key=issued]")).to_have_text("1")
    expect(kk.locator("td[data-key=voided]")).to_have_text("1")
    expect(page.locator("#site-PRE tr[data-counter='PRE-L1'] td[data-key=served]")).to_have_text(
        "1"
    )
    expect(page.locator("#site-PRE svg.arrivals-chart rect.bar")).to_have_count(1)

    page.click("a[hreflang=en]")  # English on request
    expect(page.locator("h1")).to_have_text(t("title", "en"))
    page.click("a[hreflang=id]")

    page.goto(f"{office.url}/admin/reports/?period=week&date=2026-11-18&site=PRE")
    page.set_viewport_size(PHONE)  # a head of office on a phone: tables scroll, chart fits
    chart = page.locator("#site-PRE svg.arrivals-chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box and box["width"] <= PHONE["width"]
    page.screenshot(path=shots / "reports-phone.png", full_page=False)
