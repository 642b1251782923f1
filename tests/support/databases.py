"""Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL schema per test.

PostgreSQL tests run for real against 127.0.0.1:5432 (database ``test``, trust auth). When it
is not there they skip, except under CI=true where they fail: CI must test both backends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PG_BASE = os.environ.get(
    "SAHAJA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_available() -> bool:
    try:
        engine = create_engine(PG_BASE, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def require_postgres() -> None:
    if postgres_available():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI=true but not reachable at {PG_BASE}")
    pytest.skip("PostgreSQL not reachable")


@contextmanager
def postgres_schema() -> Iterator[str]:
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'sahaja.db'}"
    else:
        with postgres_schema() as url:
            yield url


REDIS_URL = os.environ.get("SAHAJA_TEST_REDIS", "redis://127.0.0.1:6379/0")


def require_redis() -> str:
    """Redis for the multi-process event tests: skip locally when absent, fail under CI."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        return REDIS_URL
    except redis.RedisError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required under CI=true but not reachable at {REDIS_URL}")
        pytest.skip("Redis not reachable")
