"""The citizens' pages in Debian's Chromium (Playwright) against a real ``sahaja-server run``,
at phone size (360x740) and on a desktop: the status page follows its ticket live (called,
skipped), survives the network dropping, works without JavaScript, answers 404 for an unknown
code; the service point's page. Screenshots go to a temporary folder;
``scripts/public_screenshots.py`` points SAHAJA_SCREENSHOTS_DIR at docs/screenshots/.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from sahaja import i18n
from sahaja import protocol as p
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow
WAIT = 15.0  # seconds any expectation may take (the page checks every second here)
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}
SCREENSHOTS_DIR = "SAHAJA_SCREENSHOTS_DIR"  # set by scripts/public_screenshots.py only

expect.set_options(timeout=WAIT * 1000)


def t(key: str, lang: str = "id", **params: object) -> str:
    return i18n.t(f"public.{key}", lang, **params)


class Office:
    """The live server with a kiosk and counter L1 per site, acting over HTTP."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.url = server.url
        self.tokens: dict[tuple[str, str], str] = {}

    def _token(self, site: str, role: str) -> str:
        if (site, role) not in self.tokens:
            counter = "L1" if role == "counter" else None
            name = f"{role}-{site}"
            self.tokens[(site, role)] = self.server.add_device(name, site, role, counter)
        return self.tokens[(site, role)]

    def issue(self, site: str, service: str = "KTP") -> dict[str, Any]:
        r = requests.post(
            f"{self.url}{p.API_PREFIX}/sites/{site}/tickets",
            json={"service": service, "request_id": str(uuid.uuid4())},
            headers={"Authorization": f"Bearer {self._token(site, 'kiosk')}"},
            timeout=10,
        )
        assert r.status_code == 201, r.text
        return r.json()

    def act(self, site: str, action: str) -> dict[str, Any]:
        r = requests.post(
            f"{self.url}{p.API_PREFIX}/counters/{site}-L1/{action}",
            headers={"Authorization": f"Bearer {self._token(site, 'counter')}"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Iterator[Office]:
    server = LiveServer(
        tmp_path_factory.mktemp("public-live"), env={"SAHAJA_PUBLIC_POLL_SECONDS": "1"}
    )
    with server:
        yield Office(server)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go: a temporary folder, so a test run rewrites no tracked file."""
    chosen = os.environ.get(SCREENSHOTS_DIR)
    return Path(chosen) if chosen else tmp_path_factory.mktemp("public-screenshots")


def browser_page(browser, viewport: dict[str, int], **options: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, locale="id-ID", **options)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(playwright_browser) -> Iterator[Page]:
    yield from browser_page(playwright_browser, PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def desktop(playwright_browser) -> Iterator[Page]:
    yield from browser_page(playwright_browser, DESKTOP)


@pytest.fixture
def no_script(playwright_browser) -> Iterator[Page]:
    yield from browser_page(playwright_browser, PHONE, java_script_enabled=False)


def fits_the_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_status_page_on_a_phone_follows_the_ticket_live(phone, office, shots):
    first = office.issue("PRE")
    mine = office.issue("PRE")
    others = [office.issue("PRE", "KK") for _ in range(2)]
    response = phone.goto(f"{office.url}/t/{mine['status_code']}")
    assert response is not None and response.status == 200
    expect(phone.locator("#number")).to_have_text(mine["number"])
    expect(phone.locator("#headline")).to_have_text(t("state_waiting"))
    expect(phone.locator("#estimate")).to_contain_text("Perkiraan dipanggil")
    expect(phone.locator("#estimate")).to_contain_text("WIB")
    expect(phone.locator("#status")).to_contain_text(t("ahead", n=1))
    expect(phone.locator("#service")).to_have_text("KTP-el")
    expect(phone.locator("#site")).to_have_text("Kantor Kecamatan Pare")
    expect(phone.locator("main[data-live-ready]")).to_have_count(1)
    assert fits_the_width(phone)
    phone.screenshot(path=shots / "public-status-phone.png")
    phone.evaluate("window.sameDocument = true")  # gone if the page reloaded

    office.act("PRE", p.ACTION_NEXT)  # the number ahead is called
    expect(phone.locator("#status")).to_contain_text(t("ahead_none"))
    office.act("PRE", p.ACTION_NEXT)  # mine
    expect(phone.locator("#headline")).to_have_text(t("state_called", counter="Loket 1"))
    expect(phone.locator("#status")).to_have_attribute("data-state", "called")
    assert phone.evaluate("window.sameDocument") is True  # changed live, not by a reload
    phone.screenshot(path=shots / "public-status-called-phone.png")

    office.act("PRE", p.ACTION_SKIP)
    expect(phone.locator("#headline")).to_have_text(t("state_skipped"))
    content = phone.content()
    for other in [first, *others]:
        assert other["status_code"] not in content


def test_status_page_survives_the_network_dropping(phone, office):
    mine = office.issue("WTS")
    phone.goto(f"{office.url}/t/{mine['status_code']}")
    expect(phone.locator("main[data-live-ready]")).to_have_count(1)
    phone.context.set_offline(True)
    expect(phone.locator("#offline")).to_be_visible()  # a failed check says so
    office.act("WTS", p.ACTION_NEXT)
    expect(phone.locator("#headline")).to_have_text(t("state_waiting"))  # nothing arrives
    phone.context.set_offline(False)  # back online: checks again at once
    expect(phone.locator("#headline")).to_have_text(t("state_called", counter="Loket 1"))
    expect(phone.locator("#offline")).to_be_hidden()


def test_status_page_without_javascript_refreshes_itself(no_script, office):
    mine = office.issue("BNY")
    no_script.goto(f"{office.url}/t/{mine['status_code']}")
    expect(no_script.locator("#headline")).to_have_text(t("state_waiting"))
    expect(no_script.locator("#estimate")).to_contain_text("Perkiraan dipanggil")
    office.act("BNY", p.ACTION_NEXT)
    expect(no_script.locator("#headline")).to_have_text(t("state_called", counter="Loket 1"))
    office.act("BNY", p.ACTION_FINISH)
    expect(no_script.locator("#headline")).to_have_text(t("state_finished"))


def test_english_by_its_link_and_a_desktop_layout(desktop, office):
    mine = office.issue("DKC")
    desktop.goto(f"{office.url}/t/{mine['status_code']}")
    desktop.click("#lang")
    expect(desktop.locator("html")).to_have_attribute("lang", "en")
    expect(desktop.locator("#headline")).to_have_text(t("state_waiting", "en"))
    expect(desktop.locator("#service")).to_have_text("Electronic ID card (KTP-el)")
    width = desktop.locator("#status").bounding_box()["width"]
    assert width < DESKTOP["width"] / 2  # a readable column, not stretched across the screen


def test_unknown_code_is_an_indonesian_404_page(phone, office):
    response = phone.goto(f"{office.url}/t/no-such-ticket")
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    expect(phone.locator("h1")).to_have_text(t("missing_title"))
    response = phone.goto(f"{office.url}/s/NOPE")
    assert response is not None and response.status == 404
    expect(phone.locator("h1")).to_have_text(t("missing_site_title"))


def test_site_page_on_a_phone_and_a_desktop(phone, desktop, office, shots):
    office.issue("NGD")
    office.issue("NGD")
    office.issue("NGD", "KK")
    office.act("NGD", p.ACTION_NEXT)
    for page in (phone, desktop):
        response = page.goto(f"{office.url}/s/NGD")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_have_text("Kantor Kecamatan Ngadiluwih")
        expect(page.locator("#service-KTP .waiting")).to_have_text("1")
        expect(page.locator("#service-KK .waiting")).to_have_text("1")
        expect(page.locator("#hours")).to_contain_text("Jam layanan hari ini")
        expect(page.locator("#counters")).to_contain_text("A001")
        assert fits_the_width(page)
    phone.screenshot(path=shots / "public-site-phone.png", full_page=True)
