"""A day at PRE driven through the real HTTP API (a kiosk, an officer in the console, a
button box), on SQLite and PostgreSQL: what the reports must count exactly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest

from sahaja import protocol as p
from sahaja.config import default_config_text
from tests.conftest import MONDAY_0800, WIB
from tests.console.conftest import PASSWORD, Browserless, add_user

DAY = date(2026, 11, 30)  # a Monday
NEXT_DAY = date(2026, 12, 1)
API = p.API_PREFIX


def office_text() -> str:
    """Kediri, with a skipped ticket back at once and a second skip making a no-show."""
    text = default_config_text()
    text = text.replace("skip_recall_after = 3", "skip_recall_after = 0", 1)
    return text.replace("max_skips = 2", "max_skips = 1", 1)


def make_app(db_url: str, clock, folder):
    from server.app import create_app
    from server.database import Database
    from server.setup import init_database

    path = folder / "office.toml"
    path.write_text(office_text(), encoding="utf-8")
    db = Database.connect(db_url)
    init_database(db, path, clock.now())
    db.dispose()
    return create_app(
        {
            "DATABASE_URL": db_url,
            "SECRET_KEY": "reports-test-secret",
            "TESTING": True,
            "CONSOLE_FAILURE_DELAY": 0,
        },
        clock=clock,
    )


@pytest.fixture
def app(db_url, clock, tmp_path):
    app = make_app(db_url, clock, tmp_path)
    yield app
    app.extensions["sahaja"].db.dispose()


@dataclass
class Office:
    """Drives the API as the office's devices and officers do, on a hand-moved clock."""

    app: Any
    clock: Any
    kiosk: dict[str, str]
    box: dict[str, str]
    officer: Browserless
    numbers: dict[str, int] = field(default_factory=dict)

    def at(self, day: date, hhmm: str) -> None:
        hour, minute = (int(x) for x in hhmm.split(":"))
        self.clock.set(datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB))

    def issue(self, service: str, site: str = "PRE") -> str:
        body = {"service": service, "request_id": str(uuid.uuid4())}
        r = self.officer.client.post(f"{API}/sites/{site}/tickets", json=body, headers=self.kiosk)
        assert r.status_code == 201, r.get_json()
        self.numbers[r.json["number"]] = r.json["id"]
        return r.json["number"]

    def void(self, number: str) -> None:
        url = f"{API}/tickets/{self.numbers[number]}/void"
        r = self.officer.client.post(url, json={"reason": "paper_out"}, headers=self.kiosk)
        assert r.status_code == 200, r.get_json()

    def by_officer(self, action: str, body: dict | None = None) -> dict:
        headers = {"X-CSRF-Token": self.officer.csrf()}
        url = f"{API}/counters/PRE-L1/{action}"
        r = self.officer.client.post(url, json=body or {}, headers=headers)
        assert r.status_code == 200, r.get_json()
        return r.json

    def by_box(self, action: str, body: dict | None = None) -> dict:
        url = f"{API}/counters/PRE-L2/{action}"
        r = self.officer.client.post(url, json=body or {}, headers=self.box)
        assert r.status_code == 200, r.get_json()
        return r.json


def current(body: dict) -> str | None:
    ticket = body.get("current")
    return ticket["number"] if ticket else None


def drive_day(office: Office) -> None:
    """The day every report test reads (expected figures in test_figures_of_a_day.py)."""
    o = office
    o.at(DAY, "08:00")
    o.issue("KTP")  # A001
    o.at(DAY, "08:10")
    assert current(o.by_officer(p.ACTION_NEXT)) == "A001"  # waited 10 min
    o.at(DAY, "08:15")
    o.issue("KTP")  # A002
    o.at(DAY, "08:20")
    assert current(o.by_officer(p.ACTION_NEXT)) == "A002"  # A001 served in 10 min; A002 5
    o.at(DAY, "08:22")
    o.by_officer(p.ACTION_SKIP)  # A002 did not come: back in the queue
    o.at(DAY, "08:25")
    assert current(o.by_officer(p.ACTION_NEXT)) == "A002"  # called again...
    o.at(DAY, "08:27")
    o.by_officer(p.ACTION_FINISH)  # ...and served in 2 min
    o.at(DAY, "08:30")
    o.issue("KK")  # B001
    o.at(DAY, "08:31")
    o.issue("KTP")  # A003: the kiosk could not print it
    o.at(DAY, "08:32")
    o.void("A003")
    o.at(DAY, "08:40")
    assert current(o.by_box(p.ACTION_NEXT)) == "B001"  # waited 10 min
    o.at(DAY, "08:45")
    o.by_box(p.ACTION_TRANSFER, {"service": "KTP"})  # B001 needs KTP-el instead
    o.at(DAY, "08:50")
    assert current(o.by_officer(p.ACTION_NEXT)) == "B001"
    o.at(DAY, "09:02")
    o.by_officer(p.ACTION_FINISH)  # B001 served (as KTP) in 12 min
    o.at(DAY, "09:05")
    o.issue("AKL")  # C001
    o.at(DAY, "09:10")
    assert current(o.by_box(p.ACTION_NEXT)) == "C001"  # waited 5 min
    o.at(DAY, "09:11")
    o.by_box(p.ACTION_SKIP)
    o.at(DAY, "09:12")
    assert current(o.by_box(p.ACTION_NEXT)) == "C001"
    o.at(DAY, "09:13")
    o.by_box(p.ACTION_SKIP)  # the second skip: a no-show
    o.at(DAY, "09:20")
    o.issue("AKM")  # D001: never called, expires at midnight
    o.at(NEXT_DAY, "08:00")
    o.issue("KTP")  # the next day's first write expires D001


def make_office(app, clock) -> Office:
    add_user(app, "ani", "officer", "PRE")
    officer = Browserless(app.test_client())
    assert officer.sign_in("ani", PASSWORD).status_code in (302, 303)
    assert officer.choose("PRE-L1").status_code in (302, 303)
    accounts = app.extensions["sahaja"].accounts
    kiosk = accounts.add_device("kiosk-pre", "PRE", "kiosk", None, clock.now())
    box = accounts.add_device("box-pre-l2", "PRE", "counter", "L2", clock.now())
    return Office(
        app,
        clock,
        kiosk={"Authorization": f"Bearer {kiosk}"},
        box={"Authorization": f"Bearer {box}"},
        officer=officer,
    )


@pytest.fixture
def office(app, clock) -> Office:
    return make_office(app, clock)


@pytest.fixture
def driven(office) -> Office:
    drive_day(office)
    return office


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def driven_day(request, tmp_path_factory) -> Iterator[Office]:
    """The scripted day once per module and backend, for tests that only read it."""
    from sahaja.core.clock import ManualClock
    from tests.support.databases import database_url

    folder = tmp_path_factory.mktemp("reports")
    with database_url(request.param, folder) as url:
        clock = ManualClock(MONDAY_0800)
        app = make_app(url, clock, folder)
        office = make_office(app, clock)
        drive_day(office)
        yield office
        app.extensions["sahaja"].db.dispose()


@pytest.fixture(scope="module")
def driven_once(tmp_path_factory) -> Iterator[Office]:
    """The scripted day on SQLite, once for a module whose tests only read it."""
    from sahaja.core.clock import ManualClock

    folder = tmp_path_factory.mktemp("reports")
    clock = ManualClock(MONDAY_0800)
    app = make_app(f"sqlite:///{folder / 'sahaja.db'}", clock, folder)
    office = make_office(app, clock)
    drive_day(office)
    yield office
    app.extensions["sahaja"].db.dispose()
