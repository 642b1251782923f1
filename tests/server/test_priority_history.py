"""The store's read of earlier days' priority tickets (the priority outlook's prior), SQLite."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sahaja import protocol as p
from server.database import Database
from server.models import SiteDay, Ticket
from server.setup import init_database
from server.store.priority_history import earlier_priority
from tests.conftest import MONDAY_0800

WIB = ZoneInfo("Asia/Jakarta")


def add_day(session, site: str, day: date, tickets: list[tuple[str, str, bool, str]]) -> None:
    """(HH:MM, service, priority, status) tickets of ``day`` and its site_day row."""
    for n, (hhmm, service, priority, status) in enumerate(tickets, 1):
        issued = datetime.combine(day, datetime.min.time(), tzinfo=WIB) + timedelta(
            hours=int(hhmm[:2]), minutes=int(hhmm[3:])
        )
        session.add(
            Ticket(
                site=site,
                day=day,
                service=service,
                issued_service=service,
                seq=n,
                number=f"A{n:03d}",
                priority=priority,
                status=status,
                request_id=f"r{n}",
                status_code=f"{site}-{day}-{n}",
                issued_at=issued,
            )
        )
    session.add(SiteDay(site=site, day=day, issued=len(tickets)))


def test_earlier_priority_reads_the_last_days_with_tickets(tmp_path):
    db = Database.connect(f"sqlite:///{tmp_path / 'p.db'}")
    init_database(db, None, MONDAY_0800)
    done = p.STATUS_FINISHED
    with db.writing() as s:
        add_day(s, "PRE", date(2026, 11, 24), [("08:10", "KTP", True, done)])  # too old
        add_day(s, "PRE", date(2026, 11, 25), [("08:30", "KTP", True, done)])
        add_day(
            s,
            "PRE",
            date(2026, 11, 26),
            [
                ("09:15", "KK", True, done),
                ("09:20", "KK", True, p.STATUS_VOIDED),  # voided: not counted
                ("09:25", "KTP", False, done),  # regular: not counted
            ],
        )
        add_day(s, "PRE", date(2026, 11, 27), [("10:00", "KTP", False, done)])  # none
        add_day(s, "DKC", date(2026, 11, 27), [("10:00", "KTP", True, done)])  # other site
        add_day(s, "PRE", date(2026, 11, 30), [("08:00", "KTP", True, done)])  # today
    with db.reading() as s:
        got = earlier_priority(s, "PRE", date(2026, 11, 30), WIB, days=3)
        first = earlier_priority(s, "NGD", date(2026, 11, 30), WIB)
    assert got.days == 3
    assert got.minutes == {"KTP": [8 * 60 + 30], "KK": [9 * 60 + 15]}
    assert first.days == 0 and first.minutes == {}
