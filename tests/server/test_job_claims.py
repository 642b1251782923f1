"""Periodic jobs run once across server processes: two app instances share one database."""

from __future__ import annotations

from datetime import datetime

import pytest

from sahaja import protocol as p
from server.app import create_app
from server.database import Database
from server.extensions import socketio
from server.jobs import claim
from server.midnight import roll_over_once
from server.setup import init_database
from tests.conftest import WIB


@pytest.fixture
def two_apps(db_url, clock):
    db = Database.connect(db_url)
    init_database(db, None, clock.now())
    db.dispose()
    apps = [
        create_app({"DATABASE_URL": db_url, "SECRET_KEY": "k", "TESTING": True}, clock=clock)
        for _ in range(2)
    ]
    yield apps
    for app in apps:
        app.extensions["sahaja"].db.dispose()


def test_a_claim_is_won_once_per_job_and_slot(two_apps, clock):
    first, second = (app.extensions["sahaja"].db for app in two_apps)
    now = clock.now()
    assert claim(first, "midnight_rollover", "2026-12-01", now)
    assert not claim(second, "midnight_rollover", "2026-12-01", now)
    assert not claim(first, "midnight_rollover", "2026-12-01", now)
    assert claim(second, "midnight_rollover", "2026-12-02", now)  # another slot
    assert claim(second, "other_job", "2026-12-01", now)  # another job


def test_midnight_rollover_is_announced_by_one_process_only(two_apps, clock):
    first, second = two_apps
    accounts = second.extensions["sahaja"].accounts
    token = accounts.add_device("board", "PRE", "display", None, clock.now())
    board = socketio.test_client(second, auth={"token": token})  # the last app's server
    board.get_received()
    clock.set(datetime(2026, 12, 1, 0, 0, 1, tzinfo=WIB))
    done = [roll_over_once(first), roll_over_once(second)]
    assert done == [True, False]
    rolled = [m for m in board.get_received() if m["name"] == p.DAY_ROLLED]
    assert [m["args"][0]["day"] for m in rolled] == ["2026-12-01"]
    clock.set(datetime(2026, 12, 2, 0, 0, 1, tzinfo=WIB))
    assert [roll_over_once(second), roll_over_once(first)] == [True, False]
    board.disconnect()
