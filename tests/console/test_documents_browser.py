"""The console's documents section in Debian's Chromium (Playwright) against a real
``sahaja-server run``: a finished ticket appears as received without a reload, its stage
buttons move it, "ready" calls the number on a board (a real Socket.IO client) for pickup,
a rejection needs a reason, and every move is in the audit log.

Screenshots go to a temporary folder unless SAHAJA_SCREENSHOTS_DIR is set
(``scripts/console_screenshots.py``).
"""

from __future__ import annotations

import os
import queue
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio
from playwright.sync_api import Page, expect
from sqlalchemy import select

from sahaja import i18n
from sahaja import protocol as p
from server.models import Action
from tests.console.conftest import PASSWORD, text
from tests.console.test_browser import LAPTOP, SCREENSHOTS_DIR, WAIT, Office, open_counter
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow

expect.set_options(timeout=WAIT * 1000)


def doc(key: str, lang: str = "id", **params: object) -> str:
    return i18n.t(f"documents.{key}", lang, **params)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Iterator[Office]:
    server = LiveServer(tmp_path_factory.mktemp("documents-live"))
    server.add_officer("sari", PASSWORD, "WTS")
    with server:
        yield Office(server)


@pytest.fixture
def page(playwright_browser) -> Iterator[Page]:
    context = playwright_browser.new_context(viewport=LAPTOP, locale="id-ID")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    chosen = os.environ.get(SCREENSHOTS_DIR)
    return Path(chosen) if chosen else tmp_path_factory.mktemp("documents-screenshots")


class Board:
    """A display device of the site on the live server's Socket.IO, as a board connects."""

    def __init__(self, url: str, token: str) -> None:
        self.calls: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on(p.TICKET_CALLED, self.calls.put)
        self.client.connect(url, auth={"token": token}, transports=["websocket"])

    def next_call(self) -> dict:
        return self.calls.get(timeout=WAIT)

    def close(self) -> None:
        self.client.disconnect()


def row(page: Page, number: str):
    return page.locator(f"#documents-list tr[data-number='{number}']")


def feedback(page: Page):
    return page.locator("#documents-feedback")


def test_stages_from_the_console_and_the_pickup_call_on_the_board(page, office, shots):
    first = office.issue("WTS", "KTP")
    second = office.issue("WTS", "KK")
    board = Board(office.url, office.server.add_device("papan-WTS", "WTS", "display"))
    try:
        open_counter(page, office, "sari", "WTS-L1")
        expect(page.locator("#documents-empty")).to_be_visible()

        for _ in (first, second):  # call and finish both: each appears as received, live
            page.keyboard.press("n")
            expect(page.locator("#current-number")).not_to_have_text("—")
            assert board.next_call()["kind"] == p.CALL_KIND_CALL
            page.keyboard.press("s")
            expect(page.locator("#current-empty")).to_be_visible()
        a, b = first["number"], second["number"]
        expect(row(page, a)).to_have_attribute("data-stage", p.STAGE_RECEIVED)
        expect(row(page, b).locator("td.stage")).to_have_text(doc("stage_received"))
        expect(page.locator("[data-count='received']")).to_have_text("2")

        row(page, a).get_by_role("button", name=doc("move_processing")).click()
        expect(feedback(page)).to_have_text(doc("js_done", number=a, stage=doc("stage_processing")))
        expect(row(page, a)).to_have_attribute("data-stage", p.STAGE_PROCESSING)
        # in process: no way back to received, no "collected" before ready
        expect(row(page, a).get_by_role("button", name=doc("move_collected"))).to_have_count(0)

        with page.expect_response(lambda r: "/documents/" in r.url) as answer:
            row(page, a).get_by_role("button", name=doc("move_ready")).click()
        assert answer.value.json()["call"]["kind"] == p.CALL_KIND_DOCUMENT_READY
        expect(feedback(page)).to_have_text(doc("js_done_called", number=a))
        call = board.next_call()
        assert (call["kind"], call["number"], call["counter"]) == (
            p.CALL_KIND_DOCUMENT_READY,
            a,
            "WTS-L1",
        )
        expect(row(page, a).locator("td.stage")).to_have_text(doc("stage_ready"))
        row(page, a).get_by_role("button", name=doc("call_again")).click()
        expect(feedback(page)).to_have_text(doc("js_done_called", number=a))
        assert board.next_call()["number"] == a  # called again

        # a rejection asks for a reason; the server refuses a blank one and says why
        row(page, b).get_by_role("button", name=doc("move_rejected")).click()
        expect(page.locator("#dialog-reject")).to_be_visible()
        expect(page.locator("#dialog-reject .reject-number")).to_have_text(b)
        page.fill("#reject-reason", "   ")
        page.click("#dialog-reject button[value=ok]")
        expect(feedback(page)).to_have_text(doc("reason_required", number=b))
        expect(feedback(page)).to_have_attribute("data-kind", "error")
        row(page, b).get_by_role("button", name=doc("move_rejected")).click()
        page.fill("#reject-reason", "Akta kelahiran belum dilegalisir")
        page.keyboard.press("Enter")
        expect(row(page, b).locator("td.stage")).to_have_text(
            doc("stage_rejected") + "Akta kelahiran belum dilegalisir"
        )
        expect(row(page, b).locator("button")).to_have_count(0)  # rejected is final

        page.click("[data-filter='ready']")
        expect(page.locator("#documents-list tr")).to_have_count(1)
        expect(row(page, a)).to_be_visible()
        page.screenshot(path=shots / "console-documents.png", full_page=True)
        page.click("[data-filter='']")
        expect(page.locator("#documents-list tr")).to_have_count(2)

        row(page, a).get_by_role("button", name=doc("move_collected")).click()
        expect(row(page, a).locator("td.stage")).to_have_text(doc("stage_collected"))
        expect(page.locator("[data-count='collected']")).to_have_text("1")
    finally:
        board.close()

    with office.db() as s:
        rows = s.execute(
            select(Action.kind, Action.detail, Action.actor, Action.counter_id)
            .where(Action.site == "WTS", Action.kind.in_(["document", "ready"]))
            .order_by(Action.id)
        ).all()
    assert [(r.kind, r.detail) for r in rows] == [
        ("document", "processing"),
        ("document", "ready"),
        ("ready", None),
        ("ready", None),
        ("document", "rejected: Akta kelahiran belum dilegalisir"),
        ("document", "collected"),
    ]
    assert {(r.actor, r.counter_id) for r in rows} == {("officer:sari", "WTS-L1")}


def test_a_move_made_elsewhere_shows_without_a_reload(page, office):
    ticket = office.issue("WTS", "SPK")
    open_counter(page, office, "sari", "WTS-L1")
    page.keyboard.press("n")
    expect(page.locator("#current-number")).to_have_text(ticket["number"])
    page.keyboard.press("s")
    expect(row(page, ticket["number"])).to_have_attribute("data-stage", p.STAGE_RECEIVED)
    box = office.server.add_device("box-WTS-L2", "WTS", "counter", "L2")
    r = requests.post(
        f"{office.url}{p.API_PREFIX}/counters/WTS-L2/ready",
        json={"number": ticket["number"]},
        headers={"Authorization": f"Bearer {box}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    # the pickup call (ticket_called) tells the page to look again
    expect(row(page, ticket["number"])).to_have_attribute("data-stage", p.STAGE_READY)
    expect(page.locator("#live")).to_have_text(text("js_live_online"))
