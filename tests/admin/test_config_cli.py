"""``sahaja-server config export FILE`` / ``config import FILE``: TOML round trip, history,
live pick-up, refusals; ``init --config`` keeps working."""

from __future__ import annotations

import pytest

from sahaja.config import default_config_text
from server.admin.config_store import current_text, history
from server.cli import main
from server.database import Database
from server.setup import init_database, stored_config
from tests.conftest import MONDAY_0800


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    db = Database.connect(url)
    init_database(db, None, MONDAY_0800)
    monkeypatch.setenv("SAHAJA_DATABASE_URL", url)
    yield db
    db.dispose()


def test_export_then_import_round_trips_the_toml(database, tmp_path, capsys):
    out = tmp_path / "office.toml"
    assert main(["config", "export", str(out)]) == 0
    exported = out.read_text(encoding="utf-8")
    assert exported == default_config_text()  # exactly what is stored, comments included
    changed = exported.replace(
        'name = "Kantor Kecamatan Pare"\ndaily_quota = 80',
        'name = "Kantor Kecamatan Pare"\ndaily_quota = 85',
    )
    assert changed != exported
    out.write_text(changed, encoding="utf-8")
    assert main(["config", "import", str(out)]) == 0
    assert "running version 2" in capsys.readouterr().out
    assert stored_config(database).sites["PRE"].daily_quota == 85
    again = tmp_path / "again.toml"
    assert main(["config", "export", str(again)]) == 0
    assert again.read_text(encoding="utf-8") == changed
    versions = history(database)
    assert [(v.version, v.created_by) for v in versions] == [
        (2, "cli:config import"),
        (1, "cli:init"),
    ]
    # importing the same text again writes nothing
    assert main(["config", "import", str(out)]) == 0
    assert current_text(database)[1] == 2


def test_export_to_stdout(database, capsys):
    assert main(["config", "export", "-"]) == 0
    assert capsys.readouterr().out == default_config_text()


def test_an_invalid_or_breaking_import_is_refused_in_one_line(database, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(default_config_text().replace("daily_quota = 80", "daily_quota = -1", 1))
    assert main(["config", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "quota below zero" in err
    assert current_text(database)[1] == 1


def test_init_with_a_config_file_is_a_new_version_too(database, tmp_path, capsys):
    path = tmp_path / "init.toml"
    path.write_text(default_config_text().replace("paper_mm = 58", "paper_mm = 80"))
    assert main(["init", "--config", str(path)]) == 0
    text, version = current_text(database)
    assert version == 2 and "paper_mm = 80" in text
    assert stored_config(database).ticket.paper_mm == 80


def test_device_and_user_changes_on_the_command_line_are_audited(database, monkeypatch, capsys):
    import io

    from sqlalchemy import select

    from server.models import AdminChange

    assert main(["device", "add", "kiosk-pre", "--site", "PRE", "--role", "kiosk"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("rahasia-kepala-1\n"))
    args = ["user", "add", "sri", "--role", "kepala", "--site", "PRE", "--password-stdin"]
    assert main(args) == 0
    assert main(["device", "revoke", "kiosk-pre"]) == 0
    with database.reading() as s:
        rows = [(r.kind, r.site, r.detail) for r in s.scalars(select(AdminChange))]
    assert rows == [
        ("device_add", "PRE", "kiosk-pre (kiosk)"),
        ("user_add", "PRE", "sri (kepala)"),
        ("device_revoke", "PRE", "kiosk-pre"),
    ]
    assert all(r.actor.startswith("cli") for r in _rows(database))


def _rows(database):
    from sqlalchemy import select

    from server.models import AdminChange

    with database.reading() as s:
        return list(s.scalars(select(AdminChange)))
