"""Backups taken while kiosks issue tickets keep every ticket acknowledged before the backup
began, form a consistent whole, and restore (refused over live data without --force)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from sahaja import protocol as p
from server.backup import BackupError, backup, holds_data, restore
from server.cli import main
from server.database import Database
from server.models import ServiceDay, Ticket

THREADS = 4
PER_THREAD = 12  # 48 tickets: within PRE's quota of 80 and KTP's 40


def issue_concurrently(app, make_token, acked: list[tuple[str, str]], started: threading.Event):
    """Kiosk threads issuing tickets; each acknowledged (201) number goes into ``acked``."""
    tokens = [make_token("kiosk") for _ in range(THREADS)]
    lock = threading.Lock()
    errors: list[str] = []

    def kiosk(n: int) -> None:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {tokens[n]}"}
        for i in range(PER_THREAD):
            service = "KTP" if i % 2 else "KK"
            body = {"service": service, "priority": False, "request_id": f"t{n}-{i}"}
            r = client.post(f"{p.API_PREFIX}/sites/PRE/tickets", json=body, headers=headers)
            if r.status_code != 201:
                errors.append(f"{r.status_code} {r.json}")
                return
            with lock:
                acked.append((service, r.json["number"]))
                if len(acked) >= 8:
                    started.set()

    threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    return threads, errors


def tickets_in(url: str) -> tuple[set[tuple[str, str]], dict[str, int]]:
    db = Database.connect(url)
    try:
        with db.reading() as s:
            tickets = {(t.service, t.number) for t in s.scalars(select(Ticket))}
            last_seq = {d.service: d.last_seq for d in s.scalars(select(ServiceDay))}
    finally:
        db.dispose()
    return tickets, last_seq


def test_a_backup_under_load_restores_every_acknowledged_ticket(app, make_token, tmp_path):
    url = app.config["DATABASE_URL"]
    acked: list[tuple[str, str]] = []
    started = threading.Event()
    threads, errors = issue_concurrently(app, make_token, acked, started)
    assert started.wait(120)
    before_backup = set(acked)  # acknowledged before the backup began
    out = tmp_path / "backups" / "sahaja.backup"
    done = backup(url, out)
    for t in threads:
        t.join()
    assert errors == []
    assert done.path == out and done.bytes == out.stat().st_size > 0
    assert not list(out.parent.glob(".*partial"))
    every = set(acked)
    assert len(every) == THREADS * PER_THREAD

    # the running database holds data: restore refuses it without --force
    with pytest.raises(BackupError, match="--force"):
        restore(url, out)
    app.extensions["sahaja"].db.dispose()  # the server is stopped for a restore
    restore(url, out, force=True)
    restored, last_seq = tickets_in(url)
    assert before_backup <= restored <= every  # nothing acknowledged lost, nothing invented
    for service in ("KTP", "KK"):  # one consistent moment: numbers and counters agree
        numbers = sorted(int(n[1:]) for s, n in restored if s == service)
        assert numbers == list(range(1, len(numbers) + 1))
        assert last_seq.get(service, 0) == len(numbers)


def test_restore_into_an_empty_place_needs_no_force_and_keeps_the_schema_head(
    app, make_token, tmp_path, db_url
):
    if not db_url.startswith("sqlite"):
        pytest.skip("a second PostgreSQL target is the same test as above")
    kiosk = {"Authorization": f"Bearer {make_token('kiosk')}"}
    body = {"service": "KTP", "priority": False, "request_id": "x"}
    app.test_client().post(f"{p.API_PREFIX}/sites/PRE/tickets", json=body, headers=kiosk)
    out = tmp_path / "copy.backup"
    backup(app.config["DATABASE_URL"], out)
    fresh = f"sqlite:///{tmp_path / 'elsewhere' / 'restored.db'}"
    assert not holds_data(fresh)
    restore(fresh, out)
    assert holds_data(fresh)
    assert tickets_in(fresh)[0] == {("KTP", "A001")}


def test_the_command_line(app, tmp_path, capsys):
    url = app.config["DATABASE_URL"]
    out = tmp_path / "cli.backup"
    assert main(["--database", url, "backup", "--out", str(out)]) == 0
    assert "backup written" in capsys.readouterr().out
    app.extensions["sahaja"].db.dispose()
    assert main(["--database", url, "restore", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["--database", url, "restore", str(out), "--force"]) == 0
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup")
    assert main(["--database", url, "restore", str(junk), "--force"]) == 2
    assert "not a" in capsys.readouterr().err
    assert main(["--database", url, "restore", str(Path(tmp_path, "missing"))]) == 2
