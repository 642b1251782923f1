"""Local midnight: open tickets expire, numbers and quotas restart."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from sahaja import protocol as p
from server.extensions import socketio
from tests.conftest import WIB

OPEN_ALL_DAY = Path(__file__).parents[1] / "support" / "open_all_day.toml"


@pytest.fixture
def office_config():
    return OPEN_ALL_DAY


def test_midnight_expires_open_tickets_and_restarts_numbers(app, client, kiosk, counter1, clock):
    clock.set(datetime(2026, 11, 30, 23, 50, tzinfo=WIB))
    first = client.post("/api/v1/sites/PRE/tickets", json={"service": "KTP"}, headers=kiosk).json
    client.post("/api/v1/sites/PRE/tickets", json={"service": "KTP"}, headers=kiosk)
    called = client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=counter1).json[
        "current"
    ]
    assert called["number"] == "A001"
    clock.set(datetime(2026, 12, 1, 0, 0, 1, tzinfo=WIB))
    store = app.extensions["sahaja"].store
    events = store.roll_over()
    assert any(
        e.event == p.DAY_ROLLED and e.payload["expired"] == 2
        for e in events
        if e.payload.get("site") == "PRE"
    )
    status = client.get(f"/api/v1/tickets/{first['status_code']}").json
    assert status["status"] == p.STATUS_EXPIRED
    fresh = client.post("/api/v1/sites/PRE/tickets", json={"service": "KTP"}, headers=kiosk).json
    assert fresh["number"] == "A001" and fresh["id"] != first["id"]
    view = client.get("/api/v1/counters/PRE-L1", headers=counter1).json
    assert view["current"] is None and view["waiting"] == 1
    site = client.get("/api/v1/sites/PRE").json
    assert site["issued"] == 1 and site["day"] == "2026-12-01"


def test_lazy_rollover_without_the_timer(app, client, kiosk, clock, make_token):
    clock.set(datetime(2026, 11, 30, 22, 0, tzinfo=WIB))
    client.post("/api/v1/sites/PRE/tickets", json={"service": "KK"}, headers=kiosk)
    board = socketio.test_client(app, auth={"token": make_token("display", "PRE")})
    board.get_received()
    clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=WIB))  # the server slept through midnight
    r = client.post("/api/v1/sites/PRE/tickets", json={"service": "KK"}, headers=kiosk)
    assert r.json["number"] == "B001"
    got = board.get_received()
    rolled = [m["args"][0] for m in got if m["name"] == p.DAY_ROLLED]
    assert rolled == [{"site": "PRE", "day": "2026-12-01", "expired": 1}]


def test_an_issue_in_flight_at_midnight_is_expired_by_the_rollover(db_url, clock):
    """The rollover waits for yesterday's writers: a ticket committed at 23:59:59.9 still
    expires instead of staying 'waiting' forever."""
    import threading

    from server.database import Database
    from server.setup import init_database
    from server.store import QueueStore

    locked, release = threading.Event(), threading.Event()

    def slow_code() -> str:
        locked.set()  # called inside the issuing transaction, after the site lock
        release.wait(10)
        return "late-ticket-code"

    issuing_db, rolling_db = Database.connect(db_url), Database.connect(db_url)
    config = init_database(issuing_db, OPEN_ALL_DAY, clock.now())
    issuing = QueueStore(issuing_db, config, clock, make_code=slow_code)
    rolling = QueueStore(rolling_db, config, clock)
    result = {}

    def issue_late() -> None:
        body = issuing.issue(
            "PRE", "KTP", priority=False, category=None, request_id="late", actor="test"
        ).body
        result["ticket"] = body

    try:
        clock.set(datetime(2026, 11, 30, 23, 0, tzinfo=WIB))
        rolling.issue("PRE", "KK", priority=False, category=None, request_id="early", actor="t")
        clock.set(datetime(2026, 11, 30, 23, 59, 59, tzinfo=WIB))
        thread = threading.Thread(target=issue_late)
        thread.start()
        assert locked.wait(10)
        clock.set(datetime(2026, 12, 1, 0, 0, 1, tzinfo=WIB))
        threading.Timer(0.3, release.set).start()  # the rollover below must wait for it
        rolling.roll_over()
        thread.join(10)
        assert result["ticket"]["number"] == "A001"
        assert rolling.ticket_by_code("late-ticket-code")["status"] == p.STATUS_EXPIRED
    finally:
        release.set()
        issuing_db.dispose()
        rolling_db.dispose()
