"""The document part of a ticket's status page in Debian's Chromium (Playwright), at phone
size, against a real ``sahaja-server run``: after the finish it reads "received", and it
follows the officers' moves by itself (the page polls /t/{code}/live) up to "ready" with where
to collect, and "collected"; a rejection shows its reason."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from sahaja import i18n
from sahaja import protocol as p
from tests.public.test_browser import PHONE, SCREENSHOTS_DIR, WAIT, Office, fits_the_width
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow

expect.set_options(timeout=WAIT * 1000)


def d(key: str, lang: str = "id", **params: object) -> str:
    return i18n.t(f"documents.{key}", lang, **params)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Iterator[Office]:
    server = LiveServer(
        tmp_path_factory.mktemp("documents-public"), env={"SAHAJA_PUBLIC_POLL_SECONDS": "1"}
    )
    with server:
        yield Office(server)


@pytest.fixture
def phone(playwright_browser) -> Iterator[Page]:
    context = playwright_browser.new_context(
        viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    chosen = os.environ.get(SCREENSHOTS_DIR)
    return Path(chosen) if chosen else tmp_path_factory.mktemp("documents-screenshots")


def move(office: Office, site: str, ticket: dict, stage: str, reason: str | None = None):
    body = {"stage": stage} if reason is None else {"stage": stage, "reason": reason}
    r = requests.post(
        f"{office.url}{p.API_PREFIX}/sites/{site}/documents/{ticket['id']}",
        json=body,
        headers={"Authorization": f"Bearer {office._token(site, 'counter')}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text


def served(office: Office, site: str, service: str = "KTP") -> dict:
    ticket = office.issue(site, service)
    assert office.act(site, p.ACTION_NEXT)["current"]["number"] == ticket["number"]
    office.act(site, p.ACTION_FINISH)
    return ticket


def test_the_status_page_follows_the_document_to_pickup(phone, office, shots):
    mine = served(office, "PPR")
    phone.goto(f"{office.url}/t/{mine['status_code']}")
    expect(phone.locator("#document")).to_have_attribute("data-stage", p.STAGE_RECEIVED)
    expect(phone.locator("#document-stage")).to_have_text(d("stage_received"))
    expect(phone.locator("#document-text")).to_have_text(d("public_received"))
    expect(phone.locator("#document-where")).to_have_count(0)
    expect(phone.locator("main[data-live-ready]")).to_have_count(1)
    phone.evaluate("window.sameDocument = true")  # gone if the page reloaded

    move(office, "PPR", mine, p.STAGE_PROCESSING)
    expect(phone.locator("#document-stage")).to_have_text(d("stage_processing"))
    move(office, "PPR", mine, p.STAGE_READY)
    expect(phone.locator("#document-stage")).to_have_text(d("stage_ready"))
    expect(phone.locator("#document-where")).to_have_text(
        f"{d('public_where')}: Kantor Kecamatan Papar"
    )
    expect(phone.locator("#document")).to_contain_text(d("public_bring"))
    assert phone.evaluate("window.sameDocument") is True  # changed live, not by a reload
    assert fits_the_width(phone)
    phone.screenshot(path=shots / "public-status-document-ready-phone.png")

    move(office, "PPR", mine, p.STAGE_COLLECTED)
    expect(phone.locator("#document-text")).to_have_text(d("public_collected"))
    expect(phone.locator("#status")).to_have_attribute("data-poll", "0")  # nothing to wait for


def test_a_rejection_shows_its_reason_in_english_too(phone, office):
    mine = served(office, "PPR", "KK")
    move(office, "PPR", mine, p.STAGE_REJECTED, "Surat pengantar RT belum ada")
    phone.goto(f"{office.url}/t/{mine['status_code']}?lang=en")
    expect(phone.locator("#document-stage")).to_have_text(d("stage_rejected", "en"))
    expect(phone.locator("#document")).to_contain_text(
        d("public_reason", "en", reason="Surat pengantar RT belum ada")
    )
    expect(phone.locator("#document")).to_contain_text(
        d("public_rejected_hint", "en", site="Kantor Kecamatan Papar")
    )
