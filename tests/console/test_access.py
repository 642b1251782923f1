"""Who may see and do what in the console, through Flask's test client and a hand-moved clock."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from server.models import Action
from tests.console.conftest import PASSWORD, add_user, text

API = "/api/v1"


def issue(client, kiosk_token: str, service: str = "KTP") -> dict:
    r = client.post(
        f"{API}/sites/PRE/tickets",
        json={"service": service, "request_id": str(uuid.uuid4())},
        headers={"Authorization": f"Bearer {kiosk_token}"},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


@pytest.fixture
def kiosk_token(app, clock):
    return app.extensions["sahaja"].accounts.add_device("kiosk", "PRE", "kiosk", None, clock.now())


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/console"),
        ("GET", "/console/"),
        ("GET", "/console/counter"),
        ("GET", "/console/settings/anything"),
        ("POST", "/console/counter"),
        ("POST", "/console/logout"),
    ],
)
def test_a_signed_out_browser_is_sent_to_the_sign_in_page(client, method, path):
    r = client.open(path, method=method, follow_redirects=True)
    assert r.status_code == 200
    assert r.request.path == "/console/login"
    page = r.get_data(as_text=True)
    assert 'id="sign-in"' in page
    assert "console-data" not in page


def test_sign_in_then_choose_a_counter_of_the_own_site(officer, client):
    r = officer.sign_in("ani")
    assert (r.status_code, r.headers["Location"]) == (303, "/console/counter")
    page = client.get("/console/counter").get_data(as_text=True)
    assert 'data-counter="PRE-L1"' in page and 'data-counter="PRE-L2"' in page
    assert "PPR-L1" not in page  # another site's counters are not offered
    r = officer.choose("PRE-L2")
    assert (r.status_code, r.headers["Location"]) == (303, "/console/")
    page = client.get("/console/").get_data(as_text=True)
    assert 'data-counter="PRE-L2"' in page


def test_an_officer_cannot_choose_a_counter_of_another_site(officer, client):
    officer.sign_in("ani")
    officer.choose("PRE-L1")
    r = officer.choose("PPR-L1")
    assert r.status_code == 403
    assert text("counter_refused", counter="PPR-L1") in r.get_data(as_text=True)
    r = officer.choose("NOPE-L9")
    assert r.status_code == 403
    with client.session_transaction() as s:
        assert s["counter"] == "PRE-L1"  # unchanged


def test_an_admin_may_work_at_any_site(app, officer, client):
    add_user(app, "kepala", "admin", None)
    officer.sign_in("kepala")
    page = client.get("/console/counter").get_data(as_text=True)
    assert 'data-counter="PPR-L1"' in page and 'data-counter="DKC-L3"' in page
    assert officer.choose("PPR-L1").status_code == 303


def test_the_wrong_password_and_an_unknown_name_get_the_same_answer(officer):
    wrong = officer.sign_in("ani", "bukan-sandinya")
    unknown = officer.sign_in("tidak-ada", "bukan-sandinya")
    assert wrong.status_code == unknown.status_code == 401
    message = text("sign_in_failed", free=5)
    for r in (wrong, unknown):
        page = r.get_data(as_text=True)
        assert message in page
    assert wrong.get_data(as_text=True).replace("ani", "") == unknown.get_data(
        as_text=True
    ).replace("tidak-ada", "")


def test_forms_without_the_csrf_token_are_refused(officer, client):
    officer.sign_in("ani")
    officer.choose("PRE-L1")
    for path, form in (("/console/logout", {}), ("/console/counter", {"counter": "PRE-L2"})):
        for token in (None, "forged"):
            data = dict(form, **({"csrf_token": token} if token else {}))
            r = client.post(path, data=data)
            assert r.status_code == 403, path
            assert text("refused_csrf") in r.get_data(as_text=True)
    with client.session_transaction() as s:
        assert (s["officer"], s["counter"]) == ("ani", "PRE-L1")  # nothing happened


def test_a_sign_in_form_without_its_token_is_refused(client):
    r = client.post("/console/login", data={"username": "ani", "password": PASSWORD})
    assert r.status_code == 403
    assert text("sign_in_expired") in r.get_data(as_text=True)
    with client.session_transaction() as s:
        assert "officer" not in s


def test_signing_in_starts_a_fresh_session(officer, client):
    planted_token = officer.token()
    with client.session_transaction() as s:  # what a planted cookie could have carried
        s["counter"] = "PPR-L1"
        s["lang"] = "en"
    form = {"username": "ani", "password": PASSWORD, "csrf_token": planted_token}
    assert client.post("/console/login", data=form).status_code == 303
    with client.session_transaction() as s:
        assert s["officer"] == "ani"
        assert "counter" not in s
        assert s["csrf"] != planted_token
        assert s["lang"] == "en"  # only the language is kept


def test_signing_out_ends_the_session(officer, client, kiosk_token):
    officer.sign_in("ani")
    officer.choose("PRE-L1")
    token = officer.csrf()
    r = client.post("/console/logout", data={"csrf_token": token})
    assert r.headers["Location"] == "/console/login?out=1"
    assert text("signed_out") in client.get(r.headers["Location"]).get_data(as_text=True)
    assert client.get("/console/").headers["Location"] == "/console/login"
    issue(client, kiosk_token)
    r = client.post(f"{API}/counters/PRE-L1/next", headers={"X-CSRF-Token": token})
    assert r.status_code == 401


def test_the_api_takes_the_session_only_with_its_csrf_header_and_counter(
    app, officer, client, kiosk_token
):
    officer.sign_in("ani")
    officer.choose("PRE-L1")
    ticket = issue(client, kiosk_token)
    assert client.post(f"{API}/counters/PRE-L1/next").status_code == 403
    bad = {"X-CSRF-Token": "forged"}
    assert client.post(f"{API}/counters/PRE-L1/next", headers=bad).status_code == 403
    good = {"X-CSRF-Token": officer.csrf()}
    assert client.post(f"{API}/counters/PRE-L2/next", headers=good).status_code == 403
    assert client.post(f"{API}/counters/PPR-L1/next", headers=good).status_code == 403
    r = client.post(f"{API}/counters/PRE-L1/next", headers=good)
    assert r.status_code == 200
    assert r.get_json()["current"]["number"] == ticket["number"]
    with app.extensions["sahaja"].db.reading() as s:
        calls = s.scalars(select(Action).where(Action.kind == "call")).all()
    assert [(a.actor, a.counter_id, a.detail) for a in calls] == [
        ("officer:ani", "PRE-L1", ticket["number"])
    ]
    assert all(a.at is not None for a in calls)


def test_a_sign_in_lasts_one_working_day(officer, client, clock):
    officer.sign_in("ani")
    officer.choose("PRE-L1")
    clock.advance(hours=11)
    assert client.get("/console/").status_code == 200
    clock.advance(hours=2)
    r = client.get("/console/")
    assert r.headers["Location"] == "/console/login"
    with client.session_transaction() as s:
        assert "officer" not in s and "counter" not in s


def test_the_console_is_indonesian_first_with_an_english_switch(officer, client):
    page = client.get("/console/login", headers={"Accept-Language": "en-US"})
    assert text("sign_in_title") in page.get_data(as_text=True)
    page = client.get("/console/login?lang=en").get_data(as_text=True)
    assert text("sign_in_title", "en") in page
    officer.sign_in("ani")
    officer.choose("PRE-L1")
    page = client.get("/console/").get_data(as_text=True)
    assert text("btn_next", "en") in page  # kept across sign-in
    assert "Electronic ID card (KTP-el)" in page
    page = client.get("/console/?lang=id").get_data(as_text=True)
    assert text("btn_next") in page and "KTP-el" in page


def test_cookies_and_headers(officer, client):
    r = client.get("/console/login")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Cache-Control"] == "no-store"


def test_a_request_started_by_another_site_touches_no_session(officer, client):
    officer.sign_in("ani")
    officer.choose("PRE-L1")
    cross = {"Sec-Fetch-Site": "cross-site"}
    r = client.post("/console/logout", data={"csrf_token": officer.csrf()}, headers=cross)
    assert r.status_code == 403
    assert text("refused_cross_site") in r.get_data(as_text=True)
    assert "Set-Cookie" not in r.headers
    r = client.get("/console/counter?lang=en", headers=cross)
    assert r.status_code == 200
    assert 'content="0; url=/console/counter?lang=en"' in r.get_data(as_text=True)
    assert "Set-Cookie" not in r.headers  # a new cookie would sign the officer out
    with client.session_transaction() as s:
        assert (s["officer"], s["counter"], s.get("lang")) == ("ani", "PRE-L1", None)
