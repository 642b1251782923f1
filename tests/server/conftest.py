from __future__ import annotations

import pytest

from sahaja.config import load_config


@pytest.fixture
def office_config():
    return None  # the built-in Kediri config; a test may override with a path


@pytest.fixture
def app(db_url, clock, office_config):
    from server.app import create_app
    from server.database import Database
    from server.setup import init_database

    db = Database.connect(db_url)
    init_database(db, office_config, clock.now())
    db.dispose()
    app = create_app(
        {"DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "TESTING": True}, clock=clock
    )
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


@pytest.fixture
def kiosk(make_token):
    return {"Authorization": f"Bearer {make_token('kiosk')}"}


@pytest.fixture
def counter1(make_token):
    return {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L1')}"}


@pytest.fixture
def counter2(make_token):
    return {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L2')}"}


@pytest.fixture
def kediri():
    return load_config()
