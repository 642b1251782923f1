"""When a site's forecast is made again: at once after every change (the default, the
simulator), or in the background once the serving loop runs, with the issue answered from
the forecast made before (server/store/forecasts.py). The estimate given is kept on the ticket."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from sahaja.config import load_config
from server.database import Database
from server.models import Ticket
from server.setup import init_database
from server.store import BackgroundForecasts, Forecasts, QueueStore


@pytest.fixture
def db(db_url, clock):
    database = Database.connect(db_url)
    init_database(database, None, clock.now())
    yield database
    database.dispose()


def make_store(db, clock, forecasts=None) -> QueueStore:
    return QueueStore(db, load_config(), clock, forecasts=forecasts)


def issue(store: QueueStore, n: int, service: str = "KTP", priority: bool = False) -> dict:
    return store.issue(
        "PRE",
        service,
        priority=priority,
        category="lansia" if priority else None,
        request_id=f"r{n}",
        actor="test",
    ).body


def stored_estimate(db, ticket_id: int) -> tuple:
    with db.reading() as session:
        t = session.scalars(select(Ticket).where(Ticket.id == ticket_id)).one()
        return t.estimated_call_at, t.estimate_from, t.estimate_to


def iso(dt) -> str:
    from server.payloads import iso as to_iso

    return to_iso(dt, load_config().tz)


def test_synchronous_policy_makes_the_forecast_again_with_every_issue(db, clock):
    store = make_store(db, clock)  # the default: Forecasts
    assert isinstance(store.forecasts, Forecasts) and not store.forecasts.background
    bodies = []
    for n in range(4):
        bodies.append(issue(store, n))
        made = store.forecasts.made["PRE"]
        assert bodies[-1]["id"] in made.tickets  # the new ticket is in a forecast made now
    # each later KTP ticket is expected no earlier than the one before it
    calls = [b["estimated_call_at"] for b in bodies]
    assert calls == sorted(calls) and calls[0] != calls[-1]


def test_the_estimate_given_at_issue_is_kept_on_the_ticket(db, clock):
    store = make_store(db, clock)
    body = issue(store, 1, "KK")
    at, start, end = stored_estimate(db, body["id"])
    assert (iso(at), iso(start), iso(end)) == (
        body["estimated_call_at"],
        body["estimate_from"],
        body["estimate_to"],
    )
    assert start < at < end


def test_background_policy_behaves_synchronously_until_its_loop_runs(db, clock):
    forecasts = BackgroundForecasts(interval=1.0, max_stale=3.0)
    store = make_store(db, clock, forecasts)
    issue(store, 1)
    body = issue(store, 2)
    assert body["id"] in forecasts.made["PRE"].tickets
    assert forecasts.refresh_due() == []  # nothing was marked: no loop


def test_background_issue_uses_the_forecast_made_before_and_marks_the_site(db, clock):
    forecasts = BackgroundForecasts(interval=1.0, max_stale=3.0)
    store = make_store(db, clock, forecasts)
    issue(store, 1)  # no forecast yet: made at once
    forecasts.running = True  # as when ``run`` started in a serving process
    before = forecasts.made["PRE"]
    body = issue(store, 2)
    assert forecasts.made["PRE"] is before  # not made again inside the answer
    given = before.taken_now["KTP"]
    assert body["estimated_call_at"] == iso(given.at)
    assert (body["estimate_from"], body["estimate_to"]) == (iso(given.earliest), iso(given.latest))
    assert stored_estimate(db, body["id"]) == (given.at, given.earliest, given.latest)
    # the background round makes it again: the ticket is in it, at the estimate it was given
    # (a regular ticket joins the end of its lane and changes no call before its own)
    assert forecasts.refresh_due() == ["PRE"]
    after = forecasts.made["PRE"]
    assert after is not before and after.tickets[body["id"]].at == given.at
    assert forecasts.refresh_due() == []  # nothing changed since


def test_background_forecast_older_than_max_stale_is_made_in_the_request(db, clock):
    forecasts = BackgroundForecasts(interval=1.0, max_stale=3.0)
    store = make_store(db, clock, forecasts)
    issue(store, 1)
    forecasts.running = True
    before = forecasts.made["PRE"]
    clock.advance(seconds=2)  # within max_stale: the forecast made before still answers
    issue(store, 2)
    assert forecasts.made["PRE"] is before
    clock.advance(seconds=2)  # 4 s: the background task fell behind (or is stuck)
    body = issue(store, 3)
    made = forecasts.made["PRE"]
    assert made is not before and body["id"] in made.tickets
    assert made.computed_at == clock.now()


def test_background_priority_ticket_is_forecast_at_once(db, clock):
    """A priority ticket goes ahead of waiting ones: "a ticket taken now" is not its place."""
    forecasts = BackgroundForecasts(interval=1.0, max_stale=3.0)
    store = make_store(db, clock, forecasts)
    for n in range(6):
        issue(store, n)
    forecasts.running = True
    regular_now = forecasts.made["PRE"].taken_now["KTP"]
    body = issue(store, 99, priority=True)
    made = forecasts.made["PRE"]
    assert body["id"] in made.tickets
    assert body["estimated_call_at"] == iso(made.tickets[body["id"]].at)
    assert made.tickets[body["id"]].at < regular_now.at


def test_background_reads_of_another_process_change_are_marked(db, clock):
    """A write by another process (another store on the same database) changes the site's
    version: a read here uses the recent forecast and marks the site for the background."""
    forecasts = BackgroundForecasts(interval=1.0, max_stale=3.0)
    store = make_store(db, clock, forecasts)
    issue(store, 1)
    forecasts.running = True
    forecasts.refresh_due()
    other = make_store(db, clock)
    body = issue(other, 2)
    view = store.ticket_by_code(body["status_code"])
    assert view["estimated_call_at"] == body["estimated_call_at"]
    assert forecasts.refresh_due() == ["PRE"]
    assert body["id"] in forecasts.made["PRE"].tickets


def test_the_background_loop_refreshes_a_changed_site(db, clock):
    forecasts = BackgroundForecasts(interval=0.0, max_stale=3.0)
    store = make_store(db, clock, forecasts)
    issue(store, 1)
    loop = threading.Thread(target=forecasts.run, args=(lambda _s: None,), daemon=True)
    loop.start()
    while not forecasts.running:
        threading.Event().wait(0.001)
    before = forecasts.made["PRE"]
    body = issue(store, 2)
    done = threading.Event()
    for _ in range(5000):  # a deadline, not a timing assertion
        made = forecasts.made["PRE"]
        if made is not before and body["id"] in made.tickets:
            done.set()
            break
        threading.Event().wait(0.002)
    forecasts.stop()
    loop.join(10)
    assert done.is_set() and not loop.is_alive()
