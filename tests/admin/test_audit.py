"""The audit page: admin changes and counter actions, who, when and what, filtered by day,
site and officer; a kepala reads their own site only."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.admin.helpers import API, add_device, issue, site_form


def rows(page: str) -> list[tuple[str, str]]:
    """(kind, actor) of each row of the audit table."""
    return re.findall(r'<tr data-kind="([^"]+)" data-actor="([^"]+)">', page)


def work_a_counter(app, as_user, officer: str, counter: str) -> None:
    staff = as_user(officer)
    token = staff.token("/console/counter")
    staff.client.post("/console/counter", data={"counter": counter, "csrf_token": token})
    with staff.client.session_transaction() as s:
        csrf = s["csrf"]
    r = staff.client.post(f"{API}/counters/{counter}/next", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.get_json()


def test_the_audit_page_lists_admin_changes_and_counter_actions_with_filters(app, as_user, clock):
    kiosk = add_device(app, "kiosk-pre", "PRE", "kiosk")
    ppr_kiosk = add_device(app, "kiosk-ppr", "PPR", "kiosk")
    client = app.test_client()
    issue(client, kiosk)
    issue(client, ppr_kiosk, site="PPR")
    work_a_counter(app, as_user, "ani", "PRE-L1")  # petugas at Pare
    work_a_counter(app, as_user, "ratna", "PPR-L1")  # the admin works a counter at Papar
    admin = as_user("ratna")
    assert (
        admin.post("/admin/sites/PRE", site_form(app, "PRE", daily_quota="70")).status_code == 303
    )

    page = admin.client.get("/admin/audit").get_data(as_text=True)
    found = rows(page)
    assert ("config", "officer:ratna") in found
    assert ("call", "officer:ani") in found and ("call", "officer:ratna") in found
    assert ("issue", "device:kiosk-pre") in found
    assert "v2: settings of site PRE" in page

    only_ani = rows(admin.client.get("/admin/audit?officer=ani").get_data(as_text=True))
    assert only_ani and {actor for _, actor in only_ani} == {"officer:ani"}

    at_ppr = rows(admin.client.get("/admin/audit?site=PPR").get_data(as_text=True))
    assert ("call", "officer:ratna") in at_ppr
    assert ("issue", "device:kiosk-ppr") in at_ppr
    assert ("call", "officer:ani") not in at_ppr and ("config", "officer:ratna") not in at_ppr

    yesterday = (clock.now() - timedelta(days=1)).date().isoformat()
    assert rows(admin.client.get(f"/admin/audit?day={yesterday}").get_data(as_text=True)) == []

    kepala = as_user("kepala-pre")
    seen = rows(kepala.client.get("/admin/audit").get_data(as_text=True))
    assert ("call", "officer:ani") in seen
    assert ("call", "officer:ratna") not in seen  # Papar is not theirs
    assert kepala.client.get("/admin/audit?site=PPR").status_code == 403


def test_staff_changes_are_audited(app, as_user):
    kepala = as_user("kepala-pre")
    form = {"username": "budi", "password": "rahasia-budi-1", "role": "petugas", "site": "PRE"}
    assert kepala.post("/admin/staff", form).status_code == 303
    assert kepala.post("/admin/staff/budi/reset", {"password": "rahasia-baru-2"}).status_code == 303
    assert kepala.post("/admin/staff/budi/lock", {"locked": "1"}).status_code == 303
    # a kepala adds counter staff of their own site only, and manages no admin
    assert (
        kepala.post("/admin/staff", {**form, "username": "x", "role": "kepala"}).status_code == 403
    )
    assert kepala.post("/admin/staff", {**form, "username": "y", "site": "PPR"}).status_code == 403
    assert kepala.post("/admin/staff/ratna/lock", {"locked": "1"}).status_code == 403
    page = kepala.client.get("/admin/audit").get_data(as_text=True)
    kinds = [k for k, actor in rows(page) if actor == "officer:kepala-pre"]
    assert kinds == ["user_lock", "user_reset", "user_add"]
    # the locked officer cannot sign in any more
    from tests.admin.conftest import Staff

    r = Staff(app.test_client()).sign_in("budi", "rahasia-baru-2")
    assert r.status_code == 401
