"""Console sessions live on the server: a copied cookie stops working after sign-out, a
password reset, or locking the officer, on console pages, the counter API and Socket.IO."""

from __future__ import annotations

import io
import uuid

import pytest

from server import cli
from server.extensions import socketio
from tests.console.conftest import PASSWORD, Browserless

API = "/api/v1"


@pytest.fixture
def kiosk(app, clock) -> dict[str, str]:
    token = app.extensions["sahaja"].accounts.add_device("kiosk", "PRE", "kiosk", None, clock.now())
    return {"Authorization": f"Bearer {token}"}


def issue(client, kiosk) -> None:
    body = {"service": "KTP", "request_id": str(uuid.uuid4())}
    assert client.post(f"{API}/sites/PRE/tickets", json=body, headers=kiosk).status_code == 201


def copy_of(app, original) -> tuple:
    """A second client holding a copy of the signed session cookie (as stolen from a PC)."""
    cookie = original.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


@pytest.fixture
def signed_in(app, client, officer: Browserless):
    """The officer at PRE-L1, a copy of their cookie, and that copy's CSRF token."""
    assert officer.sign_in("ani").status_code == 303
    assert officer.choose("PRE-L1").status_code == 303
    thief = copy_of(app, client)
    return officer, thief, officer.csrf()


def copy_works(thief, csrf_token: str) -> bool:
    r = thief.post(f"{API}/counters/PRE-L1/next", headers={"X-CSRF-Token": csrf_token})
    assert r.status_code in (200, 401), r.get_json()
    return r.status_code == 200


@pytest.fixture
def run_cli(app, monkeypatch):
    """``sahaja-server ...`` against the app's database, in this process."""
    url = app.extensions["sahaja"].db.url

    def run(*args: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return cli.main(["--database", url, *args])

    return run


def test_a_copied_cookie_works_until_sign_out_then_nowhere(app, client, signed_in, kiosk):
    officer, thief, csrf_token = signed_in
    issue(client, kiosk)
    assert copy_works(thief, csrf_token)  # the copy is as good as the original...
    live = socketio.test_client(app, flask_test_client=thief)
    assert live.is_connected()
    live.disconnect()

    r = client.post("/console/logout", data={"csrf_token": csrf_token})
    assert r.status_code == 303
    assert not copy_works(thief, csrf_token)  # ...until the officer signs out
    assert thief.get("/console/").headers["Location"] == "/console/login"
    assert not socketio.test_client(app, flask_test_client=thief).is_connected()


def test_a_password_reset_ends_every_session(app, client, signed_in, kiosk, run_cli):
    _, thief, csrf_token = signed_in
    issue(client, kiosk)
    assert copy_works(thief, csrf_token)
    reset = ("officer", "reset", "ani", "--password-stdin")
    assert run_cli(*reset, stdin="baru-123\n") == 0
    assert not copy_works(thief, csrf_token)
    assert client.get("/console/").headers["Location"] == "/console/login"  # the original too
    assert Browserless(app.test_client()).sign_in("ani", "baru-123").status_code == 303


def test_locking_an_officer_ends_their_sessions_and_refuses_sign_in(
    app, client, signed_in, kiosk, run_cli
):
    _, thief, csrf_token = signed_in
    issue(client, kiosk)
    assert run_cli("officer", "lock", "ani") == 0
    assert not copy_works(thief, csrf_token)
    assert not socketio.test_client(app, flask_test_client=thief).is_connected()
    fresh = Browserless(app.test_client())
    assert fresh.sign_in("ani").status_code == 401  # the right password, but locked
    assert run_cli("officer", "unlock", "ani") == 0
    assert fresh.sign_in("ani").status_code == 303


def test_sessions_of_other_officers_are_untouched(app, client, signed_in, kiosk, run_cli):
    from tests.console.conftest import add_user

    _, thief, csrf_token = signed_in
    add_user(app, "budi", "officer", "PRE")
    other = Browserless(app.test_client())
    assert other.sign_in("budi").status_code == 303
    assert other.choose("PRE-L2").status_code == 303
    assert run_cli("officer", "lock", "ani") == 0
    issue(client, kiosk)
    r = other.client.post(f"{API}/counters/PRE-L2/next", headers={"X-CSRF-Token": other.csrf()})
    assert r.status_code == 200


def test_a_session_ends_on_the_server_after_its_hours_even_with_a_fresh_cookie_field(
    app, client, signed_in, clock
):
    _, thief, csrf_token = signed_in
    with thief.session_transaction() as s:  # a cookie that claims a later sign-in
        s["signed_in_at"] = int(clock.now().timestamp()) + 13 * 3600
    clock.advance(hours=13)
    assert not copy_works(thief, csrf_token)


def test_signing_out_ends_only_that_sign_in(app):
    """Signing in twice opens two sessions; signing out of one leaves the other."""
    first = Browserless(app.test_client())
    second = Browserless(app.test_client())
    for b in (first, second):
        assert b.sign_in("ani", PASSWORD).status_code == 303
        assert b.choose("PRE-L1").status_code == 303
    first.client.post("/console/logout", data={"csrf_token": first.csrf()})
    assert first.client.get("/console/").status_code == 303
    assert second.client.get("/console/").status_code == 200


def test_signing_in_again_ends_the_previous_sign_in(app, client, signed_in, kiosk, officer):
    _, thief, csrf_token = signed_in
    issue(client, kiosk)
    form = {"username": "ani", "password": PASSWORD, "csrf_token": csrf_token}
    assert client.post("/console/login", data=form).status_code == 303  # same browser, again
    assert not copy_works(thief, csrf_token)


def test_open_live_connections_of_ended_sessions_are_closed(app, client, signed_in, run_cli):
    from server.live import disconnect_revoked

    officer, thief, csrf_token = signed_in
    mine = socketio.test_client(app, flask_test_client=client)
    copied = socketio.test_client(app, flask_test_client=thief)
    assert mine.is_connected() and copied.is_connected()
    with app.app_context():
        assert disconnect_revoked(socketio) == 0  # both live
    assert run_cli("officer", "lock", "ani") == 0
    with app.app_context():  # the watcher's next round (every 15 s in a server)
        assert disconnect_revoked(socketio) == 2
    assert not mine.is_connected() and not copied.is_connected()
