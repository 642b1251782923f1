"""init, migrations and config changes against a real database; the CLI's error messages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from sahaja.config import ConfigError, default_config_text
from server.database import Database
from server.migrate import alembic_config
from server.setup import init_database, stored_config
from tests.conftest import MONDAY_0800


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def issue(db_url, clock, site="PRE", service="KTP"):
    from server.store import QueueStore

    db = Database.connect(db_url)
    try:
        store = QueueStore(db, stored_config(db), clock)
        return store.issue(
            site, service, priority=False, category=None, request_id=service + site, actor="test"
        ).body
    finally:
        db.dispose()


def test_init_twice_keeps_tickets(db_url, clock):
    db = Database.connect(db_url)
    init_database(db, None, MONDAY_0800)
    ticket = issue(db_url, clock)
    init_database(db, None, MONDAY_0800)
    with db.reading() as s:
        assert s.execute(text("select number from ticket")).scalars().all() == [ticket["number"]]
    db.dispose()


@contextmanager
def at_revision(db: Database, revision: str) -> Iterator[tuple[Connection, AlembicConfig]]:
    """The schema as it was at ``revision``, in one transaction (committed on leaving)."""
    cfg = alembic_config(db.write_engine)
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        yield conn, cfg


def old_ticket(conn: Connection, n: int, request_id: str = "", issued_by: str | None = None):
    """A waiting KTP ticket of 27 Nov at PRE, written with the first schema's columns."""
    conn.execute(
        text(
            "insert into ticket (site, day, service, issued_service, seq, number, priority,"
            " status, request_id, status_code, issued_at, issued_by, skips, recalls) values"
            " ('PRE', '2026-11-27', 'KTP', 'KTP', :n, :number, false, 'waiting', :request_id,"
            " :code, '2026-11-27 01:00:00', :issued_by, 0, 0)"
        ),
        {
            "n": n,
            "number": f"A{n:03d}",
            "request_id": request_id or f"r{n}",
            "code": f"code{n}",
            "issued_by": issued_by,
        },
    )


def test_upgrade_from_the_first_schema_keeps_data(db_url):
    db = Database.connect(db_url)
    with at_revision(db, "0001") as (conn, cfg):
        old_ticket(conn, 1, request_id="r1")
    init_database(db, None, MONDAY_0800)  # migrates 0001 -> head
    with db.reading() as s:
        assert s.execute(text("select request_id from ticket")).scalars().all() == ["r1"]
        head = ScriptDirectory.from_config(cfg).get_current_head()
        assert s.execute(text("select version_num from alembic_version")).scalar() == head
    db.dispose()


def test_0004_records_the_issuing_kiosk_of_earlier_tickets(db_url):
    db = Database.connect(db_url)
    with at_revision(db, "0003") as (conn, cfg):
        conn.execute(
            text(
                "insert into device (id, name, site, role, token_hash, created_at) values"
                " (7, 'kiosk-pare', 'PRE', 'kiosk', 'h7', '2026-11-27 00:00:00'),"
                " (8, 'kiosk-pare-2', 'PRE', 'kiosk', 'h8', '2026-11-27 00:00:00')"
            )
        )
        for n, actor in enumerate(("device:kiosk-pare", "officer:budi", "device:gone"), 1):
            old_ticket(conn, n, issued_by=actor)
        command.upgrade(cfg, "0004")
        rows = conn.execute(text("select number, issuer_device_id from ticket order by number"))
        assert rows.all() == [("A001", 7), ("A002", None), ("A003", None)]
        command.downgrade(cfg, "0003")
        assert conn.execute(text("select count(*) from ticket")).scalar() == 3
    db.dispose()


def test_a_config_that_drops_a_busy_site_or_reletters_a_used_service_is_refused(
    db_url, clock, tmp_path
):
    db = Database.connect(db_url)
    init_database(db, None, MONDAY_0800)
    issue(db_url, clock, "PRE", "KTP")
    base = default_config_text()
    start = base.index('[[site]]\ncode = "PRE"')
    end = base.index("[[site]]", start + 10)
    without_pre = base[:start] + base[end:]
    without_pre = without_pre.replace('site = "PRE"', 'site = "DKC"')
    with pytest.raises(ConfigError, match="site PRE is removed but has 1 open ticket"):
        init_database(db, write(tmp_path, "a.toml", without_pre), MONDAY_0800)
    swapped = base.replace('code = "KTP"\nprefix = "A"', 'code = "KTP"\nprefix = "X"')
    with pytest.raises(ConfigError, match="service KTP changes prefix A->X"):
        init_database(db, write(tmp_path, "b.toml", swapped), MONDAY_0800)
    # the stored config is unchanged after a refusal
    assert stored_config(db).services["KTP"].prefix == "A"
    db.dispose()


def cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.slow  # over a few seconds
def test_cli_errors_are_one_clear_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    r = cli("--database", db, "init", "--config", str(tmp_path / "missing.toml"))
    assert r.returncode == 2 and "missing.toml: cannot read" in r.stderr
    assert "Traceback" not in r.stderr
    r = cli("--database", "foo://bar", "init")
    assert r.returncode == 2 and "bad database URL" in r.stderr
    r = cli("--database", db, "device", "list")
    assert r.returncode == 2 and "not initialised" in r.stderr
    bad = write(
        tmp_path,
        "bad.toml",
        default_config_text().replace("daily_quota = 80", "daily_quota = -3", 1),
    )
    r = cli("--database", db, "init", "--config", str(bad))
    assert r.returncode == 2 and "daily_quota: quota below zero" in r.stderr
    assert cli("--database", db, "init").returncode == 0
    r = cli("--database", db, "device", "add", "x", "--site", "NOPE", "--role", "kiosk")
    assert r.returncode == 2 and "unknown site 'NOPE'" in r.stderr
    r = cli("--database", db, "device", "add", "x", "--site", "PRE", "--role", "counter")
    assert r.returncode == 2 and "needs --counter" in r.stderr
    for sub in ((), ("init",), ("run",), ("device",), ("device", "add"), ("officer", "add")):
        assert cli(*sub, "--help").returncode == 0


@pytest.mark.slow  # over a few seconds
def test_officer_password_reset_lifts_the_lock(tmp_path):
    from datetime import timedelta

    from sqlalchemy import select

    from server.accounts import Accounts
    from server.models import User

    db_url = f"sqlite:///{tmp_path / 'x.db'}"
    assert cli("--database", db_url, "init").returncode == 0
    add = subprocess.run(
        [sys.executable, "-m", "server.cli", "--database", db_url, "officer", "add", "ani",
         "--site", "PRE", "--password-stdin"],
        input="rahasia-lama\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    db = Database.connect(db_url)
    with db.writing() as s:
        user = s.scalars(select(User)).one()
        user.failed_logins, user.locked_until = 7, MONDAY_0800 + timedelta(hours=1)
    reset = subprocess.run(
        [sys.executable, "-m", "server.cli", "--database", db_url, "officer", "reset", "ani",
         "--password-stdin"],
        input="rahasia-baru\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    accounts = Accounts(db, stored_config(db))
    assert accounts.check_password("ani", "rahasia-baru") is not None
    assert accounts.check_password("ani", "rahasia-lama") is None
    with db.reading() as s:
        user = s.scalars(select(User)).one()
        assert (user.failed_logins, user.locked_until) == (0, None)
    r = subprocess.run(
        [sys.executable, "-m", "server.cli", "--database", db_url, "officer", "reset", "nobody",
         "--password-stdin"],
        input="rahasia-baru\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 2 and "no user named 'nobody'" in r.stderr
    db.dispose()


def test_the_migrations_build_exactly_the_models(db_url):
    """No table, column or index of ``server/models.py`` is missing from the migrations."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from server.models import Base

    db = Database.connect(db_url)
    init_database(db, None, MONDAY_0800)
    with db.write_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    dialect = db.dialect
    db.dispose()
    if dialect == "sqlite":  # SQLite cannot reflect the expression (DESC) index of 0003
        diff = [d for d in diff if getattr(d[1], "name", None) != "ix_ticket_call_order"]
    assert diff == []
