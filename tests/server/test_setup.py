"""init, migrations and config changes against a real database; the CLI's error messages."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command
from sqlalchemy import text

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
    from server.queue_store import QueueStore

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


def test_upgrade_from_the_first_schema_keeps_data(db_url):
    db = Database.connect(db_url)
    cfg = alembic_config(db.write_engine)
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "insert into ticket (site, day, service, issued_service, seq, number, priority,"
                " status, request_id, status_code, issued_at, skips, recalls) values ('PRE',"
                " '2026-11-27', 'KTP', 'KTP', 1, 'A001', false, 'waiting', 'r1', 'code1',"
                " '2026-11-27 01:00:00', 0, 0)"
            )
        )
    init_database(db, None, MONDAY_0800)  # migrates 0001 -> head
    with db.reading() as s:
        assert s.execute(text("select request_id from ticket")).scalars().all() == ["r1"]
        assert s.execute(text("select version_num from alembic_version")).scalar() == "0006"
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
