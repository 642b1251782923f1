"""Backups a running office can take, and restoring one.

SQLite: the online backup API (``sqlite3.Connection.backup``, one step) copies a consistent
snapshot while the server keeps issuing (WAL: readers do not block writers); every ticket
committed before the copy began is in it. The copy is written beside the target and
renamed into place, so a crash never leaves half a file under the backup's name.

PostgreSQL: ``pg_dump`` (custom format, one snapshot transaction; only the schema of the
URL's ``search_path`` when it names one), restored with ``pg_restore``. The password, if
any, goes to pg_dump through ``PGPASSWORD``, never on its command line.

Restore refuses to overwrite a database that already holds Sahaja Lekat tables unless
forced: stop the server first (docs/operations.md). After a restore the schema is migrated
to this version, so a backup of an older version restores too.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
MARKER_TABLE = "alembic_version"  # a database holding it is a Sahaja Lekat database
# SQLite backup: the whole copy in one step, inside one read snapshot. In WAL mode writers
# go on meanwhile; copied in smaller steps, every write by another connection would restart
# the copy, which under steady issuing might never finish.
PAGES_PER_STEP = -1


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, with the reason for the technician."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    kind: str  # "sqlite" | "pg_dump"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _partial(out: Path) -> Path:
    return out.with_name(f".{out.name}.partial")


# --- backup ------------------------------------------------------------------------------
def backup(url: str, out: Path | str) -> BackupResult:
    """Copy the database at ``url`` into the file ``out`` while it is in use."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(out)
    partial.unlink(missing_ok=True)
    try:
        kind = _backup_sqlite(url, partial) if _is_sqlite(url) else _backup_postgres(url, partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(out, out.stat().st_size, kind)


def _backup_sqlite(url: str, partial: Path) -> str:
    source_path = _sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=15)
    target = sqlite3.connect(partial)
    try:
        source.backup(target, pages=PAGES_PER_STEP)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("the copy failed SQLite's quick_check")
    finally:
        target.close()
        source.close()
    return "sqlite"


@dataclass(frozen=True)
class _Postgres:
    uri: str  # a libpq URI without password
    env: dict[str, str]
    schema: str | None  # from options=-csearch_path=...


def _postgres(url: str) -> _Postgres:
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    options = unquote(str(parsed.query.get("options", "")))
    found = re.search(r"-c\s*search_path=([A-Za-z_][A-Za-z0-9_]*)", options)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return _Postgres(uri, env, found.group(1) if found else None)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed (Debian: apt install postgresql-client, of the server's "
            "major version or newer)"
        )
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()}")


def _backup_postgres(url: str, partial: Path) -> str:
    pg = _postgres(url)
    args = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    if pg.schema:
        args.append(f"--schema={pg.schema}")
    _run([*args, f"--file={partial}", f"--dbname={pg.uri}"], pg.env)
    return "pg_dump"


# --- restore -----------------------------------------------------------------------------
def holds_data(url: str) -> bool:
    """True when the database at ``url`` exists and holds Sahaja Lekat's tables."""
    if _is_sqlite(url):
        path = _sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return False
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table(MARKER_TABLE)
    finally:
        engine.dispose()


def restore(url: str, source: Path | str, force: bool = False) -> str:
    """Put the backup ``source`` in place of the database at ``url``, then migrate it to
    this version. Refuses a database that holds data unless ``force``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    with source.open("rb") as f:
        magic = f.read(len(SQLITE_MAGIC))
    sqlite_target = _is_sqlite(url)
    if sqlite_target and not magic.startswith(SQLITE_MAGIC):
        raise BackupError(f"{source} is not a SQLite backup (of `sahaja-server backup`)")
    if not sqlite_target and not magic.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{source} is not a pg_dump custom-format backup")
    if holds_data(url) and not force:
        raise BackupError(
            "the target database holds data; stop the server and add --force to overwrite it"
        )
    if sqlite_target:
        _restore_sqlite(url, source)
    else:
        _restore_postgres(url, source)
    _migrate(url)
    return "sqlite" if sqlite_target else "pg_dump"


def _restore_sqlite(url: str, source: Path) -> None:
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if backup_db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{source} failed SQLite's quick_check")
        if not backup_db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MARKER_TABLE,)
        ).fetchone():
            raise BackupError(f"{source} is not a Sahaja Lekat database")
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(target_path, timeout=15)
        try:
            backup_db.backup(target)  # replaces every page, in one locked step
        finally:
            target.close()
    finally:
        backup_db.close()


def _restore_postgres(url: str, source: Path) -> None:
    pg = _postgres(url)
    args = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    args += ["--single-transaction", "--exit-on-error", f"--dbname={pg.uri}", str(source)]
    _run(args, pg.env)


def _migrate(url: str) -> None:
    from server.database import Database
    from server.migrate import upgrade

    db = Database.connect(url)
    try:
        upgrade(db.write_engine)
    finally:
        db.dispose()
