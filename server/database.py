"""Engines and sessions for SQLite (the embedded default) and PostgreSQL.

SQLite writers take the database lock up front (BEGIN IMMEDIATE) so two writers never both
read and then fail to upgrade. Before that they queue on a thread lock and, across processes,
on an ``flock`` of a file beside the database: both wake the next writer at once, where
SQLite's own busy handler sleeps 1, 2, 5, 10... ms and would dominate tail latency. Under
gevent the thread lock is a greenlet lock, and a contended ``flock`` waits in gevent's thread
pool, so a writer of another process never freezes this process's loop.

Pool sizes are per process (``SAHAJA_DB_POOL_SIZE``, ``SAHAJA_DB_MAX_OVERFLOW``): on
PostgreSQL, processes x (pool + overflow) must stay below ``max_connections`` (100 by
default) minus what other clients need (docs/limits.md).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from server.green import off_loop

AUTOCHECKPOINT_PAGES = 20_000  # about 80 MB of WAL


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


SQLITE_POOL = (16, 16)  # SQLite: connections are files, no server limit
POSTGRES_POOL = (10, 5)  # PostgreSQL: 15 per process; 6 processes stay below 100


def _sqlite_engine(url: str, immediate: bool, pool_size: int, max_overflow: int) -> Engine:
    engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=30)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # an acknowledged ticket survives a crash
        cur.execute("PRAGMA busy_timeout=15000")
        # Checkpoints copy the WAL back into the database with fsyncs; done by the committing
        # request they put 10-20 ms spikes on its latency. The server checkpoints from a
        # background thread instead (Database.checkpoint); this high threshold is a backstop.
        cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if immediate:
        _commit_off_loop(engine)
    return engine


def _commit_off_loop(engine: Engine) -> None:
    """A commit fsyncs the WAL (synchronous=FULL). Under gevent that would stop the loop for
    the fsync; the commit runs in gevent's thread pool instead (the connection is checked out
    by the committing greenlet, so no other greenlet touches it meanwhile), and the loop
    parses, answers and streams other requests (and live events) during the fsync: this disk
    has fsyncs of 100 ms and more when it is busy. Outside gevent it is the plain commit."""
    commit = engine.dialect.do_commit

    def do_commit(dbapi_connection) -> None:
        off_loop(commit, dbapi_connection)

    engine.dialect.do_commit = do_commit


def _lock_exclusive(fd: int) -> None:
    """Take the cross-process write lock. Uncontended it costs one system call; when another
    process holds it, a gevent process waits in gevent's thread pool (a blocking flock on
    the loop would stop every connection of the process), a threaded one waits in place."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    off_loop(fcntl.flock, fd, fcntl.LOCK_EX)


@dataclass
class Database:
    url: str
    write_engine: Engine
    read_engine: Engine
    _write_lock: threading.Lock | None = field(default=None, repr=False)
    _lock_file: int | None = field(default=None, repr=False)

    @classmethod
    def connect(
        cls, url: str, pool_size: int | None = None, max_overflow: int | None = None
    ) -> Database:
        default_size, default_overflow = SQLITE_POOL if is_sqlite(url) else POSTGRES_POOL
        size = default_size if pool_size is None else int(pool_size)
        overflow = default_overflow if max_overflow is None else int(max_overflow)
        if is_sqlite(url):
            write = _sqlite_engine(url, True, size, overflow)
            read = _sqlite_engine(url, False, size, overflow)
            path = write.url.database
            lock_file = None
            if path and path != ":memory:":
                lock_file = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
            return cls(url, write, read, threading.Lock(), lock_file)
        engine = create_engine(url, pool_size=size, max_overflow=overflow, pool_pre_ping=True)
        return cls(url, engine, engine, None)

    @property
    def dialect(self) -> str:
        return self.write_engine.dialect.name

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A transaction that commits on success; serialised per process on SQLite."""
        lock, lock_file = self._write_lock, self._lock_file
        if lock is not None:
            lock.acquire()
        if lock_file is not None:
            _lock_exclusive(lock_file)
        try:
            with Session(self.write_engine, expire_on_commit=False) as session, session.begin():
                yield session
        finally:
            if lock_file is not None:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
            if lock is not None:
                lock.release()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with Session(self.read_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def checkpoint(self) -> None:
        """Copy the SQLite WAL into the database without blocking writers (no-op elsewhere)."""
        if self._write_lock is None:
            return
        off_loop(self._checkpoint)  # its fsyncs would stop a gevent loop for their duration

    def _checkpoint(self) -> None:
        path = self.write_engine.url.database
        if not path or path == ":memory:":
            return
        # its own connection: the pool's locks are greenlet locks, not for another thread
        conn = sqlite3.connect(path, timeout=15)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()

    def dispose(self) -> None:
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()
