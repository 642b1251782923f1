"""Fixtures of the console tests: an app with a hand-moved clock (Flask's test client), and a
real server process with Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re

import pytest

from sahaja import i18n

PASSWORD = "rahasia-loket-1"


def text(key: str, lang: str = "id", **params: object) -> str:
    """A console text exactly as the officer reads it."""
    return i18n.t(f"console.{key}", lang, **params)


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def add_user(app, username: str, role: str, site: str | None) -> None:
    clock = app.extensions["sahaja"].clock
    app.extensions["sahaja"].accounts.add_user(username, PASSWORD, role, site, clock.now())


# --- Flask test client --------------------------------------------------------------------
@pytest.fixture
def app(tmp_path, clock):
    from server.app import create_app
    from server.database import Database
    from server.setup import init_database

    url = f"sqlite:///{tmp_path / 'console.db'}"
    db = Database.connect(url)
    init_database(db, None, clock.now())
    db.dispose()
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "console-test-secret",
            "TESTING": True,
            "CONSOLE_FAILURE_DELAY": 0,
        },
        clock=clock,
    )
    add_user(app, "ani", "officer", "PRE")  # each password hash costs 0.13 s: one is enough
    yield app
    app.extensions["sahaja"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Browserless:
    """Signs in and chooses a counter through the console's own forms."""

    def __init__(self, client) -> None:
        self.client = client

    def token(self, path: str = "/console/login") -> str:
        return form_token(self.client.get(path).get_data(as_text=True))

    def sign_in(self, user: str, password: str = PASSWORD):
        form = {"username": user, "password": password, "csrf_token": self.token()}
        return self.client.post("/console/login", data=form)

    def choose(self, counter: str):
        token = self.token("/console/counter")
        return self.client.post("/console/counter", data={"counter": counter, "csrf_token": token})

    def csrf(self) -> str:
        with self.client.session_transaction() as s:
            return s["csrf"]


@pytest.fixture
def officer(client) -> Browserless:
    return Browserless(client)
