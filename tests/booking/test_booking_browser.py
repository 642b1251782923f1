"""/lokasi and /booking in Debian's Chromium (Playwright) against a real ``sahaja-server run``
with the built-in Kediri config, at phone size (360x740), with and without JavaScript: find
the service point, book through every step of the form, see the code and its QR, cancel with
the wrong and the right NIK, switch to English. Screenshots go to a temporary folder;
``scripts/booking_screenshots.py`` points SAHAJA_SCREENSHOTS_DIR at docs/screenshots/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sahaja import i18n
from sahaja.config import default_config_text
from tests.booking.conftest import NIK_MAN, NIK_WOMAN
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow
WAIT = 15.0
PHONE = {"width": 360, "height": 740}
SCREENSHOTS_DIR = "SAHAJA_SCREENSHOTS_DIR"

expect.set_options(timeout=WAIT * 1000)


def t(key: str, lang: str = "id", **params: object) -> str:
    return i18n.t(f"booking.{key}", lang, **params)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("booking-live"), config_text=default_config_text())
    with live:
        yield live


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    chosen = os.environ.get(SCREENSHOTS_DIR)
    return Path(chosen) if chosen else tmp_path_factory.mktemp("booking-screenshots")


def phone_page(browser, **options) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True, **options
    )
    page = context.new_page()
    page.violations = []  # CSP or script errors the page reports
    page.on("console", lambda m: m.type == "error" and page.violations.append(m.text))
    yield page
    context.close()


@pytest.fixture
def phone(playwright_browser) -> Iterator[Page]:
    yield from phone_page(playwright_browser)


@pytest.fixture
def no_script(playwright_browser) -> Iterator[Page]:
    yield from phone_page(playwright_browser, java_script_enabled=False)


def fits_the_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_lokasi_on_a_phone_finds_the_service_point_and_leads_to_booking(phone, server, shots):
    response = phone.goto(f"{server.url}/lokasi")
    assert response is not None and response.status == 200
    expect(phone.locator("h1").first).to_have_text(t("lokasi_title"))
    phone.select_option("#kecamatan", label="Kepung")
    phone.click("#show")
    expect(phone.locator("#site-name")).to_have_text("Kantor Kecamatan Pare")
    expect(phone.locator("#address")).to_have_text("Kecamatan Pare, Kabupaten Kediri")
    expect(phone.locator("#services tbody tr")).to_have_count(6)
    assert fits_the_width(phone)
    assert not phone.violations, phone.violations
    phone.screenshot(path=str(shots / "booking-lokasi-phone.png"), full_page=True)
    phone.click("#book")
    expect(phone.locator("#kecamatan")).to_have_value("35.06.18")


def book_through_the_form(page: Page, url: str, nik: str, shots: Path | None) -> str:
    """Every step of the form, as a citizen on a phone would; returns the shown code."""
    page.goto(f"{url}/booking")
    page.fill("#nik", nik)
    page.click("#next")
    expect(page.locator("#suggested")).to_have_text(t("suggested", name="Pare"))
    expect(page.locator("#kecamatan")).to_have_value("35.06.17")
    page.select_option("#service", "KTP")
    page.click("#next")
    page.select_option("#date", index=1)  # the first bookable day
    page.click("#next")
    free = page.locator("#windows input[type=radio]:not([disabled])")
    expect(free.first).to_be_visible()
    free.first.check()
    assert fits_the_width(page)
    if shots is not None:
        page.screenshot(path=str(shots / "booking-form-phone.png"), full_page=True)
    page.click("#submit")
    expect(page.locator("#status")).to_have_text(t("status_booked"))
    assert nik not in page.url
    return page.locator("#code").inner_text()


def test_booking_on_a_phone_shows_code_and_qr_and_cancels_with_the_nik(phone, server, shots):
    code = book_through_the_form(phone, server.url, NIK_MAN, shots)
    assert len(code.replace("-", "")) == 9
    qr = phone.locator("#qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 150  # big enough to scan from a phone screen
    assert fits_the_width(phone)
    assert not phone.violations, phone.violations
    phone.screenshot(path=str(shots / "booking-code-phone.png"), full_page=True)
    phone.fill("#cancel-nik", NIK_WOMAN)
    phone.click("#cancel-button")
    expect(phone.locator("#error")).to_have_text(t("wrong_nik"))
    phone.fill("#cancel-nik", NIK_MAN)
    phone.click("#cancel-button")
    expect(phone.locator("#done")).to_have_text(t("cancelled_now"))
    expect(phone.locator("#status")).to_have_text(t("status_cancelled"))
    expect(phone.locator("#qr")).to_have_count(0)


def test_booking_works_without_javascript_and_in_english(no_script, server):
    code = book_through_the_form(no_script, server.url, "3506171505900009", None)
    no_script.click("#lang")
    expect(no_script.locator("#status")).to_have_text(t("status_booked", "en"))
    expect(no_script.locator("#code")).to_have_text(code)
    no_script.goto(f"{server.url}/booking?lang=en")
    expect(no_script.locator("h1")).to_have_text(t("booking_title", "en"))
    no_script.fill("#code", code.lower())
    no_script.click("#find button")
    expect(no_script.locator("#code")).to_have_text(code)
