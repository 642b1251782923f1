"""Settings through the admin forms: a new config version, live in the process, audited;
form errors in Indonesian (English on request); changes that would break today's queue
refused with the reason, nothing written."""

from __future__ import annotations

from sqlalchemy import select

from server.admin.config_store import current_text, history
from server.extensions import socketio
from server.models import AdminChange
from tests.admin.conftest import text
from tests.admin.helpers import API, add_device, issue, site_form

PRE_HEAD = 'code = "PRE"\nname = "Kantor Kecamatan Pare"\n'


def config(app):
    return app.extensions["sahaja"].config


def test_a_new_quota_is_a_new_version_served_at_once(app, as_user):
    admin = as_user("ratna")
    r = admin.post("/admin/sites/PRE", site_form(app, "PRE", daily_quota="95"))
    assert r.status_code == 303
    assert config(app).sites["PRE"].daily_quota == 95
    site = app.test_client().get(f"{API}/sites/PRE").get_json()
    assert site["daily_quota"] == 95
    stored, version = current_text(app.extensions["sahaja"].db)
    assert version == 2 and "daily_quota = 95" in stored
    assert "# inferred split of 600/day" in stored  # the office's comments are kept
    versions = history(app.extensions["sahaja"].db)
    assert [v.version for v in versions] == [2, 1]
    assert versions[0].created_by == "officer:ratna"
    page = admin.client.get("/admin/sites/PRE").get_data(as_text=True)
    assert text("saved", version=2) in page


def test_a_kepala_changes_hours_breaks_cutoff_and_running_text_of_their_site(app, as_user):
    kepala = as_user("kepala-pre")
    form = site_form(
        app,
        "PRE",
        hours_sat="08:00-12:00",
        ticket_cutoff_minutes="30",
        running_text="Layanan KTP-el buka Sabtu",
        breaks="mon tue wed thu 12:00-12:30 Makan siang\nfri 11:00-13:00 Sholat Jumat",
        quota_KK="20",
    )
    assert kepala.post("/admin/sites/PRE", form).status_code == 303
    site = config(app).sites["PRE"]
    assert str(site.hours[5]) == "08:00-12:00"
    assert site.ticket_cutoff_minutes == 30
    assert site.running_text == "Layanan KTP-el buka Sabtu"
    assert site.service_quota == {"KK": 20}
    assert [(b.name, str(b)) for b in site.breaks] == [
        ("Makan siang", "12:00-12:30"),
        ("Sholat Jumat", "11:00-13:00"),
    ]
    with app.extensions["sahaja"].db.reading() as s:
        row = s.scalars(select(AdminChange)).one()
    assert (row.actor, row.site, row.kind) == ("officer:kepala-pre", "PRE", "config")


def test_form_errors_are_named_in_indonesian_or_english(app, as_user):
    admin = as_user("ratna")
    r = admin.post("/admin/sites/PRE", site_form(app, "PRE", hours_mon="7-15"))
    assert r.status_code == 422
    assert text("error_hours", day="mon", value="7-15") in r.get_data(as_text=True)
    r = admin.post("/admin/sites/PRE?lang=en", site_form(app, "PRE", daily_quota="banyak"))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "enter a whole number, 0 or more" in page
    assert config(app).sites["PRE"].daily_quota == 80  # nothing changed


def test_lowering_a_quota_below_todays_issued_count_is_refused(app, as_user):
    token = add_device(app, "kiosk-pre", "PRE", "kiosk")
    client = app.test_client()
    for _ in range(3):
        issue(client, token)
    admin = as_user("ratna")
    r = admin.post("/admin/sites/PRE", site_form(app, "PRE", daily_quota="2"))
    assert r.status_code == 409
    reason = text("refuse_quota_below_issued", site="PRE", quota=2, n=3)
    assert reason in r.get_data(as_text=True)
    assert config(app).sites["PRE"].daily_quota == 80
    assert current_text(app.extensions["sahaja"].db)[1] == 1
    # 3 is allowed: nobody loses a ticket they hold
    assert admin.post("/admin/sites/PRE", site_form(app, "PRE", daily_quota="3")).status_code == 303


def test_removing_a_service_with_waiting_tickets_or_a_serving_counter_is_refused(app, as_user):
    token = add_device(app, "kiosk-pre", "PRE", "kiosk")
    client = app.test_client()
    issue(client, token, service="AKL")
    admin = as_user("ratna")
    form = site_form(app, "PRE")
    del form["offer_AKL"]
    r = admin.post("/admin/sites/PRE", form)
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert text("refuse_service_open_tickets", service="AKL", site="PRE", n=1) in page
    # a counter box calls a ticket: its counter may not be removed while serving it, even
    # when another counter (L3, added now) serves the same services
    form = {"code": "L3", "name": "Loket 3", "serves_KTP": "1", "serves_KK": "1"}
    assert (
        admin.post(
            "/admin/sites/PRE/counters", {**form, "serves_SPK": "1", "serves_SPD": "1"}
        ).status_code
        == 303
    )
    issue(client, token, service="KTP")
    box = add_device(app, "box-pre-l1", "PRE", "counter", "L1")
    r = client.post(f"{API}/counters/PRE-L1/next", headers={"Authorization": f"Bearer {box}"})
    assert r.status_code == 200, r.get_json()
    svc = app.extensions["sahaja"]
    svc.accounts.revoke_device("box-pre-l1", svc.clock.now())
    r = admin.post("/admin/sites/PRE/counters/L1/remove")
    assert r.status_code == 409
    assert text("refuse_counter_serving", counter="PRE-L1") in r.get_data(as_text=True)
    assert config(app).sites["PRE"].counter("L1") is not None


def test_re_lettering_a_service_that_issued_numbers_today_is_refused(app, as_user):
    token = add_device(app, "kiosk-pre", "PRE", "kiosk")
    issue(app.test_client(), token)
    admin = as_user("ratna")
    s = config(app).services["KTP"]
    form = {
        "code": "KTP",
        "prefix": "X",
        "name": s.name,
        "name_en": s.name_en,
        "default_service_minutes": "8",
    }
    r = admin.post("/admin/services", form)
    assert r.status_code == 409
    assert text("refuse_prefix_used", service="KTP", old="A", new="X") in r.get_data(as_text=True)
    form["prefix"] = "A"
    form["name_en"] = "e-KTP"
    assert admin.post("/admin/services", form).status_code == 303
    assert config(app).services["KTP"].name_en == "e-KTP"


def test_counters_are_added_and_changed_on_the_site_page(app, as_user):
    kepala = as_user("kepala-pre")
    form = {"code": "L3", "name": "Loket 3", "serves_KTP": "1", "serves_AKL": "1"}
    assert kepala.post("/admin/sites/PRE/counters", form).status_code == 303
    counter = config(app).sites["PRE"].counter("L3")
    assert (counter.name, counter.services) == ("Loket 3", ("KTP", "AKL"))
    assert kepala.post("/admin/sites/PRE/counters/L3/remove").status_code == 303
    assert config(app).sites["PRE"].counter("L3") is None


def test_a_new_service_needs_a_free_letter(app, as_user):
    admin = as_user("ratna")
    form = {
        "new": "1",
        "code": "IKD",
        "prefix": "A",
        "name": "Identitas Kependudukan Digital",
        "name_en": "Digital ID",
        "default_service_minutes": "5",
    }
    r = admin.post("/admin/services", form)
    assert r.status_code == 409  # letter A belongs to KTP: the config's own check
    assert "duplicate prefix" in r.get_data(as_text=True)
    form["prefix"] = "G"
    assert admin.post("/admin/services", form).status_code == 303
    assert config(app).services["IKD"].prefix == "G"


def test_holidays_added_by_a_kepala_apply_to_their_site_only(app, as_user, clock):
    kepala = as_user("kepala-pre")
    today = clock.now().date().isoformat()
    r = kepala.post("/admin/holidays", {"date": today, "name": "Rapat kerja", "site_PRE": "1"})
    assert r.status_code == 303
    site = app.test_client().get(f"{API}/sites/PRE").get_json()
    assert site["open_now"] is False and site["closed_reason"]["kind"] == "holiday"
    assert app.test_client().get(f"{API}/sites/PPR").get_json()["open_now"] is True
    r = kepala.post("/admin/holidays/remove", {"date": today, "name": "Rapat kerja"})
    assert r.status_code == 303
    assert app.test_client().get(f"{API}/sites/PRE").get_json()["open_now"] is True


def test_a_connected_kiosk_and_board_get_the_change_at_once(app, as_user, clock):
    kiosk = socketio.test_client(app, auth={"token": add_device(app, "k", "PRE", "kiosk")})
    board = socketio.test_client(app, auth={"token": add_device(app, "b", "PRE", "display")})
    other = socketio.test_client(app, auth={"token": add_device(app, "k2", "PPR", "kiosk")})
    for c in (kiosk, board, other):
        c.get_received()
    admin = as_user("ratna")
    form = site_form(app, "PRE", daily_quota="60", running_text="Selamat datang di Pare")
    assert admin.post("/admin/sites/PRE", form).status_code == 303
    snaps = [m["args"][0] for m in kiosk.get_received() if m["name"] == "snapshot"]
    assert snaps and snaps[-1]["queue"]["remaining"] == 60  # quota 60, none issued
    snaps = [m["args"][0] for m in board.get_received() if m["name"] == "snapshot"]
    assert snaps and snaps[-1]["running_text"] == "Selamat datang di Pare"
    assert not [m for m in other.get_received() if m["name"] == "snapshot"]  # PPR unchanged
    # a closed day: the kiosk learns it cannot issue now
    today = clock.now().date().isoformat()
    r = admin.post("/admin/holidays", {"date": today, "name": "Cuti bersama", "site_PRE": "1"})
    assert r.status_code == 303
    snaps = [m["args"][0] for m in kiosk.get_received() if m["name"] == "snapshot"]
    assert snaps[-1]["open_now"] is False
    assert snaps[-1]["closed_reason"]["kind"] == "holiday"
    for c in (kiosk, board, other):
        c.disconnect()


def test_another_process_notices_a_new_version_on_its_next_request(app, db_path, clock):
    """Two apps on one database, as two server processes: the second serves the version the
    first saved, from its next request on (ADMIN_CONFIG_CHECK_SECONDS = 0 here)."""
    from server.admin.config_store import change_config
    from server.app import create_app

    other = create_app(
        {
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SECRET_KEY": "x",
            "TESTING": True,
            "ADMIN_CONFIG_CHECK_SECONDS": 0,
        },
        clock=clock,
    )
    try:
        assert other.test_client().get(f"{API}/sites/PRE").get_json()["daily_quota"] == 80
        change_config(
            app.extensions["sahaja"].db,
            lambda t: t.replace(f"{PRE_HEAD}daily_quota = 80", f"{PRE_HEAD}daily_quota = 81"),
            actor="cli:test",
            summary="PRE quota 81",
            now=clock.now(),
        )
        assert other.test_client().get(f"{API}/sites/PRE").get_json()["daily_quota"] == 81
    finally:
        other.extensions["sahaja"].db.dispose()
