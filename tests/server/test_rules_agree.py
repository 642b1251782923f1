"""Where SQL makes a core rule fast, it must agree with the core's definition.

The store reads "next"'s candidates with an ORDER BY (``balancing.next_candidates`` in call
order), counts "ahead" in SQL (``estimate.ahead_of``) and expires a day's open tickets in one
UPDATE (``lifecycle.expires``). Over random days on SQLite and PostgreSQL - issues with equal
issue times, priority, checked-in bookings inside, before and after their span, next, recall,
skip, transfer, finish, void, a midnight - each answer must equal the core's answer computed
over every ticket at that moment.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from sahaja import protocol as p
from sahaja.core import balancing, estimate, lifecycle
from sahaja.core.tickets import WaitingTicket
from server.models import SiteDay, Ticket
from tests.conftest import WIB
from tests.server.test_day_rollover import OPEN_ALL_DAY

SITE = "DKC"  # three counters with overlapping services, quota 200, open all day
SERVICES = ("KTP", "KK", "AKL", "AKM", "SPK", "SPD")


@pytest.fixture
def office_config():
    return OPEN_ALL_DAY


def waiting_now(store) -> tuple[list[WaitingTicket], int]:
    """Every waiting ticket of today (the core's input) and the site's call count."""
    day = store.today()
    with store.db.reading() as s:
        rows = s.scalars(
            select(Ticket).where(
                Ticket.site == SITE, Ticket.day == day, Ticket.status == p.STATUS_WAITING
            )
        ).all()
        calls = s.scalar(select(SiteDay.call_count).where(SiteDay.site == SITE, SiteDay.day == day))
    waiting = [
        WaitingTicket(
            t.id,
            t.service,
            t.priority,
            t.issued_at,
            t.eligible_after_call,
            t.booked_from,
            t.booked_to,
        )
        for t in rows
    ]
    return waiting, calls or 0


def book(store, ticket_id: int, now: datetime, rng: random.Random) -> str:
    """Give an issued ticket the booking columns a check-in writes (the span of an hourly
    window from an hour ago to an hour ahead), as the checkins endpoint would."""
    hours = rng.choice([-1, 0, 0, 0, 1])
    start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)
    span = (start - timedelta(minutes=30), start + timedelta(hours=1))
    with store.db.writing() as s:
        s.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(booking_code=f"T{ticket_id:05d}", booked_from=span[0], booked_to=span[1])
        )
    return "inside" if span[0] <= now < span[1] else "outside"


def check_candidates_and_ahead(store, counters, now: datetime) -> int:
    """SQL candidates and SQL "ahead" against the core over the whole queue."""
    waiting, _ = waiting_now(store)
    site = store.config.sites[SITE]
    with store.db.reading() as s:
        for counter in counters:
            got = store.writes.next_candidates(s, site, store.today(), counter.services)
            expected = balancing.next_candidates(waiting, counter.services)
            assert sorted(t.id for t in got) == sorted(t.id for t in expected), counter.id
        for ticket in waiting:
            row = s.get(Ticket, ticket.id)
            got = store.views.ahead(s, row, now)
            assert got == estimate.ahead_of(ticket, waiting, now), (ticket, now)
    return len(waiting)


@pytest.mark.parametrize("seed", [20261130, 8, 2027])
def test_sql_agrees_with_the_core_on_random_days(app, client, make_token, clock, seed):
    store = app.extensions["sahaja"].store
    site = store.config.sites[SITE]
    counters = site.counters
    kiosk = {"Authorization": f"Bearer {make_token('kiosk', SITE)}"}
    desks = {
        c.id: {"Authorization": f"Bearer {make_token('counter', SITE, c.code)}"} for c in counters
    }
    rng = random.Random(seed)
    issued: list[dict] = []
    seen = {"next": 0, "ahead": 0, "tie": 0, "skip": 0, "transfer": 0, "expired": 0}
    seen |= {"inside": 0, "outside": 0, "booked_next": 0}
    midnight_at = rng.randint(60, 100)

    def act(counter, action, **body):
        return client.post(
            f"{p.API_PREFIX}/counters/{counter.id}/{action}", json=body, headers=desks[counter.id]
        )

    for step in range(160):
        clock.advance(seconds=rng.choice([0, 0, 1, 5, 30, 90]))  # 0: equal issue times
        if step == midnight_at:
            before = {}
            with store.db.reading() as s:
                for t in s.scalars(select(Ticket).where(Ticket.site == SITE)):
                    before[t.id] = (t.status, t.day)
            clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=WIB))
            assert client.get(f"{p.API_PREFIX}/sites/{SITE}").status_code == 200
            act(counters[0], p.ACTION_NEXT)  # the first write of the day rolls it over
            with store.db.reading() as s:
                for t in s.scalars(select(Ticket).where(Ticket.id.in_(before))):
                    status, day = before[t.id]
                    assert t.status == lifecycle.status_after_rollover(status, day, store.today())
                    seen["expired"] += t.status == p.STATUS_EXPIRED and status != t.status
            continue
        counter = rng.choice(counters)
        roll = rng.random()
        if roll < 0.45:
            body = {"service": rng.choice(SERVICES), "priority": rng.random() < 0.2}
            r = client.post(f"{p.API_PREFIX}/sites/{SITE}/tickets", json=body, headers=kiosk)
            assert r.status_code == 201, r.json
            if issued and issued[-1]["issued_at"] == r.json["issued_at"]:
                seen["tie"] += 1
            issued.append(r.json)
            if not body["priority"] and rng.random() < 0.35:
                seen[book(store, r.json["id"], clock.now(), rng)] += 1
        elif roll < 0.75:
            waiting, calls = waiting_now(store)
            expected = balancing.pick_next(waiting, counter.services, calls, clock.now())
            got = act(counter, p.ACTION_NEXT).json["current"]
            assert (got and got["id"]) == (expected and expected.id), step
            seen["next"] += 1
            seen["booked_next"] += bool(expected and expected.in_booked_lane(clock.now()))
        elif roll < 0.83:
            seen["skip"] += act(counter, p.ACTION_SKIP).status_code == 200
        elif roll < 0.88:
            target = rng.choice([s for s in SERVICES if s in site.services])
            seen["transfer"] += act(counter, p.ACTION_TRANSFER, service=target).status_code == 200
        elif roll < 0.93:
            act(counter, rng.choice([p.ACTION_RECALL, p.ACTION_FINISH]))
        elif issued:
            client.post(f"{p.API_PREFIX}/tickets/{issued[-1]['id']}/void", json={}, headers=kiosk)
        if step % 8 == 0:
            seen["ahead"] += check_candidates_and_ahead(store, counters, clock.now())
    seen["ahead"] += check_candidates_and_ahead(store, counters, clock.now())
    # the random day exercised what it claims to
    assert seen["next"] > 20 and seen["ahead"] > 50 and seen["tie"] > 3, seen
    assert seen["skip"] > 2 and seen["transfer"] > 0 and seen["expired"] > 0, seen
    assert seen["inside"] > 3 and seen["outside"] > 3 and seen["booked_next"] > 2, seen
