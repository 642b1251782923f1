"""Roles against every admin route: anonymous -> sign-in (or 401 JSON), petugas -> 403,
kepala -> their own site only, admin -> everything. Routes are discovered from the app, so a
new admin page is covered the day it is added."""

from __future__ import annotations

import pytest

from tests.admin.conftest import PASSWORD, USERS, text

# office-wide settings: admins only
OFFICE_WIDE = {
    "admin.services_page",
    "admin.service_save",
    "admin.service_remove",
    "admin.history",
    "admin.history_version",
}


def admin_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) of every admin route, with URL arguments filled in."""
    fill = {"site": "PRE", "name": "kiosk-pre", "username": "ani", "code": "KTP", "version": "1"}
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint == "admin.static":
            continue
        path = rule.build({k: fill[k] for k in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, path))
    return out


def pytest_generate_tests(metafunc):
    if "route" in metafunc.fixturenames:
        import tempfile

        from server.app import create_app

        with tempfile.TemporaryDirectory() as tmp:
            from server.database import Database
            from server.setup import init_database
            from tests.conftest import MONDAY_0800

            url = f"sqlite:///{tmp}/routes.db"
            db = Database.connect(url)
            init_database(db, None, MONDAY_0800)
            db.dispose()
            app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
            routes = admin_routes(app)
            app.extensions["sahaja"].db.dispose()
        metafunc.parametrize("route", routes, ids=[f"{m} {p}" for _, m, p in routes])


def test_every_admin_route_sends_a_signed_out_browser_to_sign_in(app, route):
    _, method, path = route
    client = app.test_client()
    r = client.open(path, method=method)
    if method == "GET":
        assert r.status_code == 303
        assert r.headers["Location"] == "/console/login"
    else:  # no session, so no CSRF token: refused before anything changes
        assert r.status_code in (303, 401)


def test_every_admin_route_answers_a_script_with_401_json(app, route):
    _, method, path = route
    client = app.test_client()
    r = client.open(path, method=method, headers={"Accept": "application/json"})
    assert r.status_code == 401
    assert r.get_json()["error"] == "unauthorized"


def test_every_admin_route_refuses_counter_staff(as_user, route):
    _, method, path = route
    petugas = as_user("ani")
    r = petugas.client.get(path) if method == "GET" else petugas.post(path, {})
    assert r.status_code == 403
    assert text("forbidden") in r.get_data(as_text=True)


def test_every_admin_route_opens_for_an_admin(as_user, route):
    _, method, path = route
    admin = as_user("ratna")
    if method == "GET":
        r = admin.client.get(path)
        assert r.status_code == 200, r.get_data(as_text=True)[:500]
    else:  # an empty form: let in, then answered by the page (done, or the form's error)
        r = admin.post(path, {})
        assert r.status_code in (201, 303, 404, 409, 422), r.get_data(as_text=True)[:500]


def test_a_kepala_sees_only_their_own_site(as_user, route):
    endpoint, method, path = route
    kepala = as_user("kepala-ppr")  # head of Papar; the routes are filled with PRE
    if endpoint in OFFICE_WIDE or "/PRE" in path or "site=PRE" in path:
        r = kepala.client.get(path) if method == "GET" else kepala.post(path, {})
        assert r.status_code == 403
    elif method == "GET":
        r = kepala.client.get(path)
        assert r.status_code == 200
        assert "Kantor Kecamatan Pare" not in r.get_data(as_text=True)


def test_a_kepala_opens_their_own_site(as_user, app):
    kepala = as_user("kepala-pre")
    r = kepala.client.get("/admin/")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Kantor Kecamatan Pare" in page and "Kantor Kecamatan Papar" not in page


def test_a_kepala_cannot_open_the_office_wide_pages(as_user):
    kepala = as_user("kepala-pre")
    assert kepala.client.get("/admin/services").status_code == 403
    assert kepala.client.get("/admin/history").status_code == 403


def test_sign_in_returns_a_manager_to_the_admin_page_asked_for(browser):
    r = browser.client.get("/admin/audit?day=2026-11-30")
    assert r.headers["Location"] == "/console/login"
    r = browser.sign_in("ratna")
    assert (r.status_code, r.headers["Location"]) == (303, "/admin/audit?day=2026-11-30")


def test_counter_staff_go_to_the_console_after_sign_in_whatever_they_asked_for(browser):
    browser.client.get("/admin/")
    r = browser.sign_in("ani")
    assert r.headers["Location"] == "/console/counter"


def test_a_post_without_the_csrf_token_is_refused(as_user):
    admin = as_user("ratna")
    r = admin.client.post("/admin/sites/PRE", data={"daily_quota": "1"})
    assert r.status_code == 403


def test_a_signed_out_session_loses_admin_access(as_user):
    admin = as_user("ratna")
    assert admin.client.get("/admin/").status_code == 200
    admin.post("/console/logout")
    assert admin.client.get("/admin/").status_code == 303


def test_a_locked_account_loses_admin_access_at_once(as_user, app, clock):
    admin = as_user("kepala-pre")
    app.extensions["sahaja"].accounts.set_locked("kepala-pre", True, clock.now())
    assert admin.client.get("/admin/").status_code == 303


@pytest.mark.parametrize(("name", "role_site"), USERS.items())
def test_roles_are_stored_in_todays_words(app, name, role_site):
    from sqlalchemy import select

    from server.models import User

    with app.extensions["sahaja"].db.reading() as s:
        user = s.scalars(select(User).where(User.username == name)).one()
    assert (user.role, user.site) == role_site
    assert PASSWORD  # the fixture's password signs them in (see as_user)


def test_migration_0011_renames_officer_to_petugas(tmp_path):
    from alembic import command
    from sqlalchemy import text as sql

    from server.database import Database
    from server.migrate import alembic_config, upgrade

    db = Database.connect(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = alembic_config(db.write_engine)
    with db.write_engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0006")
        connection.execute(
            sql(
                "INSERT INTO user_account (username, password_hash, role, site, created_at, "
                "failed_logins) VALUES ('budi', 'x', 'officer', 'PRE', '2026-11-30', 0)"
            )
        )
    upgrade(db.write_engine)
    with db.write_engine.connect() as connection:
        role = connection.execute(sql("SELECT role FROM user_account")).scalar_one()
    db.dispose()
    assert role == "petugas"


def test_the_old_role_name_is_still_accepted_when_adding(app, clock):
    accounts = app.extensions["sahaja"].accounts
    accounts.add_user("lama", PASSWORD, "officer", "PRE", clock.now())
    from sqlalchemy import select

    from server.models import User

    with app.extensions["sahaja"].db.reading() as s:
        assert s.scalars(select(User.role).where(User.username == "lama")).one() == "petugas"
