"""Fixtures of the admin tests: an app with a hand-moved clock and one user of each role
(admin, kepala of PRE, kepala of PPR, petugas of PRE), signed in through the console's form."""

from __future__ import annotations

import re
import shutil

import pytest

from sahaja import i18n

PASSWORD = "rahasia-admin-1"
USERS = {
    "ratna": ("admin", None),
    "kepala-pre": ("kepala", "PRE"),
    "kepala-ppr": ("kepala", "PPR"),
    "ani": ("petugas", "PRE"),
}


def text(key: str, lang: str = "id", **params: object) -> str:
    """An admin text as an HTML page shows it (escaped)."""
    from markupsafe import escape

    return str(escape(i18n.t(f"admin.{key}", lang, **params)))


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """One initialised database with the four users (password hashes are slow), copied per
    test."""
    from sahaja.core.clock import ManualClock
    from server.accounts import Accounts
    from server.database import Database
    from server.setup import init_database
    from tests.conftest import MONDAY_0800

    path = tmp_path_factory.mktemp("admin-template") / "admin.db"
    db = Database.connect(f"sqlite:///{path}")
    config = init_database(db, None, MONDAY_0800)
    accounts = Accounts(db, config)
    for name, (role, site) in USERS.items():
        accounts.add_user(name, PASSWORD, role, site, ManualClock(MONDAY_0800).now())
    db.dispose()
    return path


@pytest.fixture
def db_path(template_db, tmp_path):
    path = tmp_path / "admin.db"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def app(db_path, clock):
    from server.app import create_app

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SECRET_KEY": "admin-test-secret",
            "TESTING": True,
            "CONSOLE_FAILURE_DELAY": 0,
            "ADMIN_CONFIG_CHECK_SECONDS": 0,
        },
        clock=clock,
    )
    yield app
    app.extensions["sahaja"].db.dispose()


class Staff:
    """A browser (Flask test client) signing in through the console's own form."""

    def __init__(self, client) -> None:
        self.client = client

    def token(self, path: str = "/console/login") -> str:
        return form_token(self.client.get(path).get_data(as_text=True))

    def sign_in(self, user: str, password: str = PASSWORD):
        form = {"username": user, "password": password, "csrf_token": self.token()}
        return self.client.post("/console/login", data=form)

    def post(self, path: str, data: dict | None = None, **kwargs):
        with self.client.session_transaction() as s:
            token = s["csrf"]
        return self.client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


@pytest.fixture
def browser(app) -> Staff:
    return Staff(app.test_client())


@pytest.fixture
def as_user(app):
    """``as_user("ratna")``: a new signed-in test client."""

    def sign_in(name: str) -> Staff:
        staff = Staff(app.test_client())
        r = staff.sign_in(name)
        assert r.status_code == 303, r.get_data(as_text=True)
        return staff

    return sign_in
