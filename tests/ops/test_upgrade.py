"""Upgrades: a database made by the first release (schema 0001) with a day of data in every
table migrates to the newest schema with nothing lost, and the server then works on it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from sahaja import protocol as p
from sahaja.config import default_config_text
from server.database import Database
from server.migrate import alembic_config
from server.models import Action, CounterState, Device, ServiceDay, SiteDay, Ticket, User
from tests.server.test_setup import at_revision

DAY = date(2026, 11, 30)  # the tests' Monday (tests/conftest.py MONDAY_0800 is 08:00 WIB)


def at(db_url: str, hour: int, minute: int = 0) -> datetime:
    """A UTC instant as the first release stored it (naive on SQLite)."""
    moment = datetime(2026, 11, 30, hour, minute, tzinfo=UTC)
    return moment.replace(tzinfo=None) if db_url.startswith("sqlite") else moment


def first_release_day(conn, db_url: str) -> None:
    """What an office had after a morning on the first release: config, devices, officers
    (one with capitals in the name), two tickets (one served), the audit log, a counter."""
    rows = {
        "office_config": [{"id": 1, "text": default_config_text(), "loaded_at": at(db_url, 0)}],
        "device": [
            {
                "id": 1,
                "name": "kiosk-pare",
                "site": "PRE",
                "role": "kiosk",
                "counter_id": None,
                "token_hash": "h1",
                "created_at": at(db_url, 0),
                "last_seen_at": at(db_url, 0, 30),
                "state": '{"printer": "ok"}',
            }
        ],
        "user_account": [
            {
                "id": 1,
                "username": "Petugas-PRE",
                "password_hash": "scrypt:x",
                "role": "officer",
                "site": "PRE",
                "created_at": at(db_url, 0),
                "failed_logins": 2,
            }
        ],
        "site_day": [{"site": "PRE", "day": DAY, "issued": 2, "call_count": 1}],
        "service_day": [{"site": "PRE", "day": DAY, "service": "KTP", "last_seq": 2, "issued": 2}],
        "ticket": [
            {
                "id": n,
                "site": "PRE",
                "day": DAY,
                "service": "KTP",
                "issued_service": "KTP",
                "seq": n,
                "number": f"A00{n}",
                "priority": False,
                "status": status,
                "request_id": f"r{n}",
                "status_code": f"code{n}",
                "issued_at": at(db_url, 0, n),
                "issued_by": "device:kiosk-pare",
                "called_at": at(db_url, 0, 10) if n == 1 else None,
                "finished_at": at(db_url, 0, 20) if n == 1 else None,
                "counter_id": "PRE-L1" if n == 1 else None,
                "skips": 0,
                "recalls": 0,
                "service_seconds": 600.0 if n == 1 else None,
            }
            for n, status in ((1, p.STATUS_FINISHED), (2, p.STATUS_WAITING))
        ],
        "action": [
            {
                "id": i,
                "at": at(db_url, 0, i),
                "site": "PRE",
                "day": DAY,
                "kind": kind,
                "actor": actor,
                "counter_id": counter,
                "ticket_id": ticket,
                "detail": None,
            }
            for i, (kind, actor, counter, ticket) in enumerate(
                [
                    ("issue", "device:kiosk-pare", None, 1),
                    ("issue", "device:kiosk-pare", None, 2),
                    ("call", "officer:Petugas-PRE", "PRE-L1", 1),
                    ("finish", "officer:Petugas-PRE", "PRE-L1", 1),
                ],
                1,
            )
        ],
        "counter_state": [
            {"counter_id": "PRE-L1", "current_ticket_id": None, "last_action_at": at(db_url, 0, 20)}
        ],
    }
    for table, values in rows.items():
        columns = list(values[0])
        names = ", ".join(columns)
        params = ", ".join(f":{c}" for c in columns)
        conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({params})"), values)
        if "id" in columns and not db_url.startswith("sqlite"):  # as if the ids came from it
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
            )


def test_the_first_schema_with_data_migrates_to_head_and_serves(db_url, clock):
    db = Database.connect(db_url)
    with at_revision(db, "0001") as (conn, _cfg):
        first_release_day(conn, db_url)
    from server.setup import init_database

    init_database(db, None, clock.now())  # what `sahaja-server init` does on an upgrade
    head = ScriptDirectory.from_config(alembic_config(db.write_engine)).get_current_head()
    with db.reading() as s:
        assert s.execute(text("select version_num from alembic_version")).scalar() == head
        tickets = s.scalars(select(Ticket).order_by(Ticket.id)).all()
        assert [(t.number, t.status, t.request_id, t.status_code) for t in tickets] == [
            ("A001", p.STATUS_FINISHED, "r1", "code1"),
            ("A002", p.STATUS_WAITING, "r2", "code2"),
        ]
        assert tickets[0].finished_at == datetime(2026, 11, 30, 0, 20, tzinfo=UTC)
        assert tickets[0].service_seconds == 600.0
        assert [a.kind for a in s.scalars(select(Action).order_by(Action.id))] == [
            "issue",
            "issue",
            "call",
            "finish",
        ]
        device = s.scalars(select(Device)).one()
        assert (device.name, device.token_hash, device.state) == (
            "kiosk-pare",
            "h1",
            '{"printer": "ok"}',
        )
        user = s.scalars(select(User)).one()
        assert (user.username, user.failed_logins) == ("petugas-pre", 2)  # folded by 0012
        assert s.get(SiteDay, ("PRE", DAY)).issued == 2
        assert s.get(ServiceDay, ("PRE", DAY, "KTP")).last_seq == 2
        assert s.get(CounterState, "PRE-L1").current_ticket_id is None
    db.dispose()

    from server.app import create_app

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "x", "TESTING": True}, clock=clock)
    try:
        accounts = app.extensions["sahaja"].accounts
        token = accounts.add_device("loket-1", "PRE", "counter", "L1", clock.now())
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        called = client.post(f"{p.API_PREFIX}/counters/PRE-L1/next", headers=headers)
        assert called.status_code == 200
        assert called.json["current"]["number"] == "A002"  # the morning's queue goes on
        kiosk = accounts.add_device("kiosk-2", "PRE", "kiosk", None, clock.now())
        body = {"service": "KTP", "priority": False, "request_id": "r3"}
        r = client.post(
            f"{p.API_PREFIX}/sites/PRE/tickets",
            json=body,
            headers={"Authorization": f"Bearer {kiosk}"},
        )
        assert r.json["number"] == "A003"  # numbering continues, no number issued twice
    finally:
        app.extensions["sahaja"].db.dispose()


def test_names_that_differ_only_by_case_stop_the_upgrade_and_are_named(db_url, clock):
    db = Database.connect(db_url)
    with at_revision(db, "0006") as (conn, _cfg):
        for n, name in enumerate(("budi", "Budi"), 1):
            conn.execute(
                text(
                    "INSERT INTO user_account (id, username, password_hash, role, site,"
                    " created_at, failed_logins) VALUES (:id, :name, 'h', 'officer', 'PRE',"
                    " :at, 0)"
                ),
                {"id": n, "name": name, "at": at(db_url, 0)},
            )
    from server.migrate import upgrade

    with pytest.raises(RuntimeError, match=r"rename one of each first: \[\['Budi', 'budi'\]\]"):
        upgrade(db.write_engine)
    with db.reading() as s:  # nothing changed
        assert sorted(s.scalars(select(User.username))) == ["Budi", "budi"]
    db.dispose()
