"""Fixtures of the operations tests: an app over a real database (SQLite, and PostgreSQL in
its own schema) with the Kediri config, a hand-moved clock and one officer, ``ani``."""

from __future__ import annotations

import logging

import pytest

from tests.console.conftest import add_user


@pytest.fixture
def app(db_url, clock):
    from server.app import create_app
    from server.database import Database
    from server.setup import init_database

    db = Database.connect(db_url)
    init_database(db, None, clock.now())
    db.dispose()
    app = create_app(
        {
            "DATABASE_URL": db_url,
            "SECRET_KEY": "ops-test-secret",
            "TESTING": True,
            "CONSOLE_FAILURE_DELAY": 0,
        },
        clock=clock,
    )
    add_user(app, "ani", "officer", "PRE")
    yield app
    app.extensions["sahaja"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_token(app, clock):
    accounts = app.extensions["sahaja"].accounts
    counter = iter(range(10_000))

    def make(role: str, site: str = "PRE", counter_code: str | None = None) -> str:
        return accounts.add_device(f"{role}-{next(counter)}", site, role, counter_code, clock.now())

    return make


@pytest.fixture(autouse=True)
def root_logger_kept(monkeypatch):
    """``sahaja-server`` configures the root logger (and SAHAJA_LOG_FORMAT); tests that run
    its ``main`` get both back afterwards."""
    from server.logging_setup import FORMAT_ENV

    monkeypatch.setenv(FORMAT_ENV, "text")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
