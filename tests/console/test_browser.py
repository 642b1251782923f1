"""The console in Debian's Chromium (Playwright) against a real ``sahaja-server run`` process.

One server serves the whole module; each test works at its own site so that the tickets one
test leaves behind do not change what another sees. Screenshots land in a temporary folder;
``scripts/console_screenshots.py`` runs these tests with SAHAJA_SCREENSHOTS_DIR pointing at
docs/screenshots/ to regenerate the docs' copies on purpose.
"""

from __future__ import annotations

import os
import queue
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from gpiozero.pins.mock import MockFactory
from playwright.sync_api import Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.database import Database
from server.models import Action, User
from tests.console.conftest import PASSWORD, text
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow
API = "/api/v1"
WAIT = 15.0
SCREENSHOTS_DIR = "SAHAJA_SCREENSHOTS_DIR"  # set by scripts/console_screenshots.py only
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
# (officer, site): each test signs in at its own site
OFFICERS = {"ani": "PRE", "wulan": "WTS", "bayu": "BNY", "citra": "DKC", "eko": "NGD"}

expect.set_options(timeout=WAIT * 1000)


class Office:
    """The live server, with kiosk tokens to issue tickets over HTTP as a kiosk does."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.url = server.url
        self.kiosks: dict[str, str] = {}

    def issue(self, site: str, service: str, category: str | None = None) -> dict[str, Any]:
        if site not in self.kiosks:
            self.kiosks[site] = self.server.add_device(f"kiosk-{site}", site, "kiosk")
        body = {"service": service, "priority_category": category, "request_id": str(uuid.uuid4())}
        r = requests.post(
            f"{self.url}{API}/sites/{site}/tickets",
            json=body,
            headers={"Authorization": f"Bearer {self.kiosks[site]}"},
            timeout=10,
        )
        assert r.status_code == 201, r.text
        return r.json()

    def ticket(self, ticket: dict[str, Any]) -> dict[str, Any]:
        r = requests.get(f"{self.url}{API}/tickets/{ticket['status_code']}", timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def serving(self, counter: str) -> str | None:
        """The number a counter is serving, from the public site view."""
        site = requests.get(f"{self.url}{API}/sites/{counter[:3]}", timeout=10).json()
        current = next(c for c in site["counters"] if c["id"] == counter)["current"]
        return current["number"] if current else None

    @contextmanager
    def db(self, write: bool = False) -> Iterator[Session]:
        """The live server's database, opened as the server opens it (its write lock too)."""
        db = Database.connect(self.server.database_url)
        try:
            with db.writing() if write else db.reading() as session:
                yield session
        finally:
            db.dispose()


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Iterator[Office]:
    # Every test's browser signs in from 127.0.0.1: lift the per-address window for them.
    env = {"SAHAJA_CONSOLE_ADDRESS_ATTEMPTS": "1000"}
    server = LiveServer(tmp_path_factory.mktemp("console-live"), env=env)
    for user, site in OFFICERS.items():
        server.add_officer(user, PASSWORD, site)
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
    """Where screenshots go: a temporary folder, so a test run rewrites no tracked file."""
    chosen = os.environ.get(SCREENSHOTS_DIR)
    return Path(chosen) if chosen else tmp_path_factory.mktemp("console-screenshots")


def sign_in(page: Page, office: Office, user: str, password: str = PASSWORD) -> None:
    page.goto(f"{office.url}/console/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("#sign-in button[type=submit]")


def open_counter(page: Page, office: Office, user: str, counter: str) -> None:
    sign_in(page, office, user)
    expect(page.locator("h1")).to_have_text(text("choose_counter_title"))
    page.click(f"button[data-counter='{counter}']")
    expect(page.locator("#live")).to_have_attribute("data-state", "online")


def feedback(page: Page):
    return page.locator("#feedback")


def test_sign_in_call_recall_transfer_finish_and_see_new_tickets_live(page, office, shots):
    page.goto(f"{office.url}/console/")
    expect(page).to_have_url(f"{office.url}/console/login")  # signed out: the sign-in page only
    expect(page.locator("h1")).to_have_text(text("sign_in_title"))
    page.screenshot(path=shots / "console-sign-in.png")

    open_counter(page, office, "ani", "PRE-L1")
    expect(page.locator("#counter-name")).to_have_text("Loket 1")
    expect(page.locator("#waiting-total")).to_have_text("0")
    expect(page.locator("#btn-recall")).to_be_disabled()
    page.screenshot(path=shots / "console-idle.png")

    # tickets issued by a kiosk over HTTP appear without a reload
    a1 = office.issue("PRE", "KTP")
    expect(page.locator("#waiting-KTP")).to_have_text("1")
    a2 = office.issue("PRE", "KTP", category="lansia")
    expect(page.locator("#waiting-total")).to_have_text("2")

    page.keyboard.press("n")  # Next: the priority ticket first
    expect(page.locator("#current-number")).to_have_text(a2["number"])
    expect(page.locator("#current-priority")).to_have_text("Prioritas · Lansia")
    expect(page.locator("#current-service")).to_have_text("KTP-el")
    expect(page.locator("#current-waited")).to_contain_text("Menunggu")
    expect(feedback(page)).to_have_text(text("js_done_next", number=a2["number"], service="KTP-el"))
    expect(page.locator("#waiting-total")).to_have_text("1")
    assert office.ticket(a2)["counter"] == "PRE-L1"
    page.screenshot(path=shots / "console-ticket.png")

    page.click("#btn-recall")
    expect(feedback(page)).to_have_text(text("js_done_recall", number=a2["number"]))

    page.keyboard.press("p")  # Transfer: pick a service in the dialog
    expect(page.locator("#dialog-transfer")).to_be_visible()
    page.select_option("#transfer-service", "KK")
    page.click("#dialog-transfer button[value=ok]")
    expect(feedback(page)).to_have_text(
        text("js_done_transfer", number=a2["number"], service="Kartu Keluarga")
    )
    expect(page.locator("#current-number")).to_have_text("—")
    moved = office.ticket(a2)
    assert (moved["service"], moved["status"]) == ("KK", "waiting")

    page.click("#btn-next")
    expect(page.locator("#current-number")).to_have_text(a2["number"])  # still first: priority
    expect(page.locator("#current-service")).to_have_text("Kartu Keluarga")
    page.keyboard.press("s")  # Finish
    expect(feedback(page)).to_have_text(text("js_done_finish", number=a2["number"]))
    expect(page.locator("#current-empty")).to_be_visible()
    assert office.ticket(a2)["status"] == "finished"

    page.keyboard.press("n")
    expect(page.locator("#current-number")).to_have_text(a1["number"])
    page.keyboard.press("l")  # Skip asks first
    expect(page.locator("#dialog-skip")).to_be_visible()
    page.click("#dialog-skip button[value=ok]")
    expect(feedback(page)).to_have_text(text("js_done_skip", number=a1["number"]))
    assert office.ticket(a1)["status"] == "waiting"

    page.keyboard.press("c")  # Reprint: a number typed loosely is normalised
    page.fill("#reprint-number", "a1")
    page.keyboard.press("Enter")
    expect(feedback(page)).to_have_text(text("js_done_reprint", number=a1["number"]))
    page.keyboard.press("c")
    page.fill("#reprint-number", "Z999")
    page.keyboard.press("Enter")
    expect(feedback(page)).to_have_text(text("js_error_unknown_ticket"))

    page.keyboard.press("u")  # Recall with nothing being served: the button is disabled
    expect(page.locator("#btn-recall")).to_be_disabled()

    with office.db() as s:
        actions = s.execute(
            select(Action.kind, Action.actor, Action.counter_id)
            .where(Action.site == "PRE", Action.kind != "issue")
            .order_by(Action.id)
        ).all()
    kinds = [a.kind for a in actions]
    assert kinds == ["call", "recall", "transfer", "call", "finish", "call", "skip", "reprint"]
    assert {(a.actor, a.counter_id) for a in actions} == {("officer:ani", "PRE-L1")}

    page.set_viewport_size(TABLET)
    page.keyboard.press("n")
    expect(page.locator("#current-number")).to_have_text(a1["number"])
    page.screenshot(path=shots / "console-tablet.png", full_page=True)


def test_another_counter_or_site_is_refused_and_the_refusal_shown(page, office):
    ppr = office.issue("PPR", "KTP")
    wts = office.issue("WTS", "KTP")
    open_counter(page, office, "wulan", "WTS-L2")

    # choosing a counter of another site is refused
    token = page.locator("form.sign-out input[name=csrf_token]").input_value()
    r = page.request.post(
        f"{office.url}/console/counter", form={"counter": "PPR-L1", "csrf_token": token}
    )
    assert r.status == 403
    assert text("counter_refused", counter="PPR-L1") in r.text()

    # a page tampered to act for another counter: the server refuses, the page says so
    for other in ("PPR-L1", "WTS-L1"):
        page.evaluate("(c) => { document.body.dataset.counter = c; }", other)
        with page.expect_response(lambda r, c=other: r.url.endswith(f"/counters/{c}/next")) as hit:
            page.keyboard.press("n")
        assert hit.value.status == 403
        expect(feedback(page)).to_have_text(text("js_error_forbidden"))
        expect(feedback(page)).to_have_attribute("data-kind", "error")
    assert office.ticket(ppr)["status"] == "waiting"
    assert office.ticket(wts)["status"] == "waiting"
    assert office.serving("PPR-L1") is None and office.serving("WTS-L1") is None


def test_cross_site_requests_change_nothing(page, office, playwright_browser):
    waiting = office.issue("BNY", "KTP")
    open_counter(page, office, "bayu", "BNY-L1")
    api_next = f"{office.url}{API}/counters/BNY-L1/next"

    # the session cookie alone is not enough: no CSRF token, no action
    assert page.request.post(api_next).status == 403
    assert page.request.post(api_next, headers={"X-CSRF-Token": "guess"}).status == 403
    assert page.request.post(f"{office.url}/console/logout", form={}).status == 403

    # a page of another site posts a form and a fetch to the console while bayu is signed in
    evil = "http://evil.example/"
    html = f"""<!doctype html><body>
    <form id="f" method="post" action="{office.url}/console/logout"></form>
    <script>
      fetch("{api_next}", {{method: "POST", mode: "no-cors", credentials: "include"}})
        .finally(() => document.getElementById("f").submit());
    </script></body>"""
    page.route(evil, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    with page.expect_response(lambda r: r.url.endswith("/console/logout")) as posted:
        page.goto(evil)
    assert posted.value.status == 403
    expect(page.locator("#refused")).to_have_text(text("refused_cross_site"))
    assert office.ticket(waiting)["status"] == "waiting"  # nothing was called

    # still signed in: a link from another site lands on the console itself
    page.route(
        "http://link.example/",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body=f'<a id="go" href="{office.url}/console/">console</a>',
        ),
    )
    page.goto("http://link.example/")
    page.click("#go")
    expect(page.locator("#counter-name")).to_have_text("Loket 1")
    expect(page.locator("#waiting-total")).to_have_text("1")


def test_bad_passwords_are_slowed_then_locked_without_telling_who_exists(page, office):
    failed = text("sign_in_failed", free=5)
    for attempt in range(5):
        sign_in(page, office, "citra", f"salah-{attempt}")
        expect(page.locator("#sign-in-error")).to_have_text(failed)
    sign_in(page, office, "tidak-ada", "salah")
    expect(page.locator("#sign-in-error")).to_have_text(failed)

    sign_in(page, office, "citra")  # the right password, but the account is locked
    expect(page.locator("#sign-in-error")).to_have_text(failed)
    with office.db() as s:
        user = s.scalars(select(User).where(User.username == "citra")).one()
        assert user.failed_logins == 5
        assert user.locked_until > datetime.now(UTC)
    with office.db(write=True) as s:  # the lock's half minute passes
        past = datetime.now(UTC) - timedelta(seconds=1)
        s.execute(update(User).where(User.username == "citra").values(locked_until=past))
    sign_in(page, office, "citra")
    expect(page.locator("h1")).to_have_text(text("choose_counter_title"))
    with office.db() as s:
        assert s.scalars(select(User.failed_logins).where(User.username == "citra")).one() == 0


def test_a_button_box_and_a_browser_pressing_next_together_never_share_a_ticket(page, office):
    from counter.cli import build
    from counter.controller import Action as BoxAction
    from counter.settings import BoxSettings, ButtonPins

    rounds = 10
    issued = [office.issue("NGD", "KK") for _ in range(2 * rounds - 2)]  # the last round: empty
    token = office.server.add_device("box-NGD-L1", "NGD", "counter", "L1")
    results: queue.Queue = queue.Queue()
    settings = BoxSettings(
        server_url=office.url,
        token=token,
        counter="NGD-L1",
        pins=ButtonPins(next=17, recall=27, skip=22, finish=23),
        bounce_time=None,
        min_interval=0.0,
        timeout=5.0,
    )
    box = build(settings, pin_factory=MockFactory(), on_result=results.put)
    try:
        results.get(timeout=WAIT)  # the state fetched at start
        open_counter(page, office, "eko", "NGD-L2")
        next_pin = box.buttons.buttons[BoxAction.NEXT].pin
        from_box: list[str] = []
        from_browser: list[str] = []
        for _ in range(rounds):
            expect(page.locator("#btn-next")).to_be_enabled()
            start = threading.Barrier(2, timeout=WAIT)

            def press_box(start=start) -> None:
                start.wait()
                next_pin.drive_low()
                next_pin.drive_high()

            presser = threading.Thread(target=press_box)
            presser.start()
            with page.expect_response(lambda r: r.url.endswith("/NGD-L2/next")) as answer:
                start.wait()
                page.keyboard.press("n")
            presser.join(WAIT)
            result = results.get(timeout=WAIT)
            if result.current:
                from_box.append(result.current["number"])
            current = answer.value.json()["current"]
            if current:
                from_browser.append(current["number"])
    finally:
        box.close()
    called = from_box + from_browser
    assert len(called) == len(set(called)), (from_box, from_browser)
    assert sorted(called) == sorted(t["number"] for t in issued)
    assert from_box and from_browser
    for ticket in issued:
        state = office.ticket(ticket)
        assert state["counter"] == ("NGD-L1" if ticket["number"] in from_box else "NGD-L2")


def test_the_page_says_when_the_server_is_gone_and_when_the_session_ended(page, office):
    waiting = office.issue("PPR", "KK")
    office.server.add_officer("dewi", PASSWORD, "PPR")
    open_counter(page, office, "dewi", "PPR-L2")

    office.server.kill()  # as a power cut would: no goodbye to the page
    expect(page.locator("#live")).to_have_attribute("data-state", "offline")
    expect(page.locator("#live")).to_have_text(text("js_live_offline"))
    page.keyboard.press("n")
    expect(feedback(page)).to_have_text(text("js_error_network"))
    office.server.start()
    expect(page.locator("#live")).to_have_attribute("data-state", "online")  # by itself
    assert office.serving("PPR-L2") is None  # the refused press was not sent later
    assert office.ticket(waiting)["status"] == "waiting"

    token = page.locator("form.sign-out input[name=csrf_token]").input_value()
    signed_out = page.request.post(f"{office.url}/console/logout", form={"csrf_token": token})
    assert signed_out.ok  # signed out in another tab of the same browser
    page.keyboard.press("n")
    expect(feedback(page)).to_have_text(text("js_error_unauthorized"))
    assert office.ticket(waiting)["status"] == "waiting"
