"""HTTP API v1 through Flask's test client, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from sahaja import protocol as p
from tests.conftest import WIB

ISSUE = "/api/v1/sites/PRE/tickets"


def issue(client, kiosk, service="KTP", request_id=None, **extra):
    body = {"service": service, **extra}
    if request_id:
        body["request_id"] = request_id
    return client.post(ISSUE, json=body, headers=kiosk)


def test_health_and_openapi(client):
    assert client.get("/api/v1/health").json == {"status": "ok"}
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/sites/{site}/tickets" in spec["paths"]


def test_every_route_is_documented_in_openapi(app, client):
    spec = client.get("/api/v1/openapi.json").json
    documented = {path for path in spec["paths"]}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        if "{action}" in path:
            for action in p.COUNTER_ACTIONS:
                assert path.replace("{action}", action) in documented, action
        else:
            assert path in documented, path


def test_issue_numbers_per_service_and_fields(client, kiosk):
    a1 = issue(client, kiosk, "KTP")
    a2 = issue(client, kiosk, "KTP")
    b1 = issue(client, kiosk, "KK")
    assert [r.status_code for r in (a1, a2, b1)] == [201, 201, 201]
    assert [a1.json["number"], a2.json["number"], b1.json["number"]] == ["A001", "A002", "B001"]
    t = a2.json
    assert set(t) >= {
        "id",
        "number",
        "service",
        "site",
        "priority",
        "status",
        "issued_at",
        "ahead",
        "estimated_call_at",
        "status_code",
    }
    assert (t["site"], t["service"], t["status"], t["priority"]) == ("PRE", "KTP", "waiting", False)
    assert t["ahead"] == 1
    assert t["issued_at"] == "2026-11-30T08:00:00+07:00"
    # nobody has opened a counter yet: one ticket ahead, default 8 minutes for KTP
    assert t["estimated_call_at"] == "2026-11-30T08:08:00+07:00"
    assert len(t["status_code"]) >= 16


def test_same_request_id_returns_the_same_ticket(client, kiosk):
    first = issue(client, kiosk, request_id="kiosk-1-0001")
    again = issue(client, kiosk, request_id="kiosk-1-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"] and again.json["number"] == "A001"
    assert issue(client, kiosk, request_id="kiosk-1-0002").json["number"] == "A002"
    site = client.get("/api/v1/sites/PRE").json
    ktp = next(s for s in site["services"] if s["code"] == "KTP")
    assert (ktp["issued"], ktp["waiting"], ktp["remaining"]) == (2, 2, 78)


def test_closed_on_weekend_and_after_cutoff(client, kiosk, clock):
    clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=WIB))  # Saturday
    r = issue(client, kiosk)
    assert r.status_code == 409 and r.json["error"] == p.ERR_CLOSED
    assert "tutup" in r.json["message"]
    clock.set(datetime(2026, 11, 30, 14, 5, tzinfo=WIB))  # Monday after the 14:00 cutoff
    r = issue(client, kiosk, headers=None) if False else issue(client, kiosk)
    assert r.status_code == 409 and r.json["error"] == p.ERR_CLOSED
    assert "14:00" in r.json["message"]
    r = client.post(ISSUE, json={"service": "KTP"}, headers={**kiosk, "Accept-Language": "en"})
    assert r.json["message"] == "Ticket issuing has closed for today (cutoff 14:00)."


def test_errors_are_json_4xx(client, kiosk, make_token):
    cases = [
        (
            client.post("/api/v1/sites/XXX/tickets", json={"service": "KTP"}, headers=kiosk),
            404,
            p.ERR_UNKNOWN_SITE,
        ),
        (issue(client, kiosk, "PASPOR"), 404, p.ERR_UNKNOWN_SERVICE),
        (
            client.post(
                ISSUE, data="{not json", headers={**kiosk, "Content-Type": "application/json"}
            ),
            422,
            p.ERR_MALFORMED,
        ),
        (client.post(ISSUE, json=["KTP"], headers=kiosk), 422, p.ERR_MALFORMED),
        (client.post(ISSUE, json={}, headers=kiosk), 422, p.ERR_MALFORMED),
        (client.post(ISSUE, json={"service": 7}, headers=kiosk), 422, p.ERR_MALFORMED),
        (issue(client, kiosk, priority="yes"), 422, p.ERR_MALFORMED),
        (issue(client, kiosk, priority_category="vip"), 422, p.ERR_MALFORMED),
        (issue(client, kiosk, request_id="x" * 65), 422, p.ERR_MALFORMED),
        (client.post(ISSUE, json={"service": "KTP"}), 401, p.ERR_UNAUTHORIZED),
        (
            client.post(ISSUE, json={"service": "KTP"}, headers={"Authorization": "Bearer forged"}),
            401,
            p.ERR_UNAUTHORIZED,
        ),
        (
            client.post(ISSUE, json={"service": "KTP"}, headers={"Authorization": "Basic abc"}),
            401,
            p.ERR_UNAUTHORIZED,
        ),
        (
            client.post("/api/v1/sites/PPR/tickets", json={"service": "KTP"}, headers=kiosk),
            403,
            p.ERR_FORBIDDEN,
        ),
        (
            client.post(
                ISSUE,
                json={"service": "KTP"},
                headers={"Authorization": f"Bearer {make_token('display')}"},
            ),
            403,
            p.ERR_FORBIDDEN,
        ),
        (client.get("/api/v1/nowhere"), 404, p.ERR_NOT_FOUND),
        (client.delete("/api/v1/health"), 405, p.ERR_METHOD_NOT_ALLOWED),
        (client.get("/api/v1/tickets/doesnotexist"), 404, p.ERR_UNKNOWN_TICKET),
        (
            client.post(f"{p.API_PREFIX}/counters/PRE-L9/{p.ACTION_NEXT}", headers=kiosk),
            404,
            p.ERR_UNKNOWN_COUNTER,
        ),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (code, response.json)
        assert response.json["error"] == code
        assert response.json["message"]
    # the malformed-field message names the field
    r = client.post(ISSUE, json={"service": 7}, headers=kiosk)
    assert "service" in r.json["message"]


def test_revoked_token_is_refused(app, client, clock):
    accounts = app.extensions["sahaja"].accounts
    token = accounts.add_device("k-rev", "PRE", "kiosk", None, clock.now())
    headers = {"Authorization": f"Bearer {token}"}
    assert issue(client, headers).status_code == 201
    accounts.revoke_device("k-rev", clock.now())
    assert issue(client, headers).status_code == 401


def test_counter_token_only_works_for_its_counter(client, kiosk, counter1):
    issue(client, kiosk)
    assert (
        client.post(f"{p.API_PREFIX}/counters/PRE-L2/{p.ACTION_NEXT}", headers=counter1).status_code
        == 403
    )
    assert (
        client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=kiosk).status_code
        == 403
    )
    assert client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}").status_code == 401


def test_priority_is_called_first_and_keeps_its_service_number(client, kiosk, counter1, clock):
    issue(client, kiosk, "KTP")
    clock.advance(minutes=1)
    prio = issue(client, kiosk, "KTP", priority=True, priority_category="lansia")
    assert prio.json["number"] == "A002" and prio.json["priority"] is True
    assert prio.json["priority_category"] == "lansia" and prio.json["ahead"] == 0
    r = client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=counter1)
    assert r.json["current"]["number"] == "A002"


def test_next_finishes_current_and_balances_across_counters(
    client, kiosk, counter1, counter2, clock
):
    for service in ("AKL", "KTP", "KK"):
        issue(client, kiosk, service)
        clock.advance(minutes=1)
    # L1 serves KTP KK SPK SPD; L2 serves AKL AKM KK SPK SPD
    r1 = client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=counter1).json
    r2 = client.post(f"{p.API_PREFIX}/counters/PRE-L2/{p.ACTION_NEXT}", headers=counter2).json
    assert r1["current"]["number"] == "A001"
    assert r2["current"]["number"] == "C001"
    r1 = client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=counter1).json
    assert r1["current"]["number"] == "B001"
    r2 = client.post(f"{p.API_PREFIX}/counters/PRE-L2/{p.ACTION_NEXT}", headers=counter2).json
    assert r2["current"] is None
    # the first ticket was finished by the second "next"
    view = client.get("/api/v1/counters/PRE-L1", headers=counter1).json
    assert view["current"]["number"] == "B001" and view["waiting"] == 0


def test_recall_skip_noshow_transfer_finish(client, kiosk, counter1, counter2, clock):
    issue(client, kiosk, "KTP")  # A001
    for _ in range(4):
        clock.advance(seconds=30)
        issue(client, kiosk, "KK")  # B001..B004

    def call():
        return client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=counter1).json

    assert call()["current"]["number"] == "A001"
    recall = client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_RECALL}", headers=counter1)
    assert recall.json["current"]["number"] == "A001"
    skip = client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_SKIP}", headers=counter1)
    assert skip.json["current"] is None
    # A001 comes back after 3 other calls
    assert [call()["current"]["number"] for _ in range(3)] == ["B001", "B002", "B003"]
    assert call()["current"]["number"] == "A001"
    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_SKIP}", headers=counter1)
    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=counter1)  # B004
    # nothing else waits: the skipped ticket is called rather than idling
    assert call()["current"]["number"] == "A001"
    client.post(
        f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_SKIP}", headers=counter1
    )  # third skip: no-show
    assert call()["current"] is None
    # transfer: same number, back in the queue for the new service at its original place
    issue(client, kiosk, "KTP")  # A002
    assert call()["current"]["number"] == "A002"
    r = client.post(
        f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_TRANSFER}",
        json={"service": "AKL"},
        headers=counter1,
    )
    assert r.status_code == 200 and r.json["current"] is None
    r = client.post(f"{p.API_PREFIX}/counters/PRE-L2/{p.ACTION_NEXT}", headers=counter2).json
    assert (r["current"]["number"], r["current"]["service"]) == ("A002", "AKL")
    fin = client.post(f"{p.API_PREFIX}/counters/PRE-L2/{p.ACTION_FINISH}", headers=counter2)
    assert fin.json["current"] is None
    # actions without a current ticket
    for action in (p.ACTION_RECALL, p.ACTION_SKIP, p.ACTION_FINISH):
        r = client.post(f"{p.API_PREFIX}/counters/PRE-L2/{action}", headers=counter2)
        assert (r.status_code, r.json["error"]) == (409, p.ERR_NO_CURRENT_TICKET)
    r = client.post(
        f"{p.API_PREFIX}/counters/PRE-L2/{p.ACTION_TRANSFER}", json={}, headers=counter2
    )
    assert r.status_code == 422


def test_transfer_to_unknown_service(client, kiosk, counter1):
    issue(client, kiosk, "KTP")
    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=counter1)
    r = client.post(
        f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_TRANSFER}",
        json={"service": "XX"},
        headers=counter1,
    )
    assert (r.status_code, r.json["error"]) == (404, p.ERR_UNKNOWN_SERVICE)


def test_public_status_reports_ahead_and_the_forecast_window(client, kiosk, counter1, clock):
    codes = [issue(client, kiosk, "KTP").json["status_code"] for _ in range(5)]
    nxt = f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}"
    client.post(nxt, headers=counter1)  # A001 called
    for minutes in (4, 2):  # A001 took 4 minutes, A002 2
        clock.advance(minutes=minutes)
        client.post(nxt, headers=counter1)
    clock.advance(minutes=3)  # A003 took 3
    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_FINISH}", headers=counter1)
    first = client.get(f"/api/v1/tickets/{codes[0]}").json
    assert first["status"] == p.STATUS_FINISHED and first["ahead"] is None
    assert first["estimate_from"] is None and first["estimate_to"] is None
    last = client.get(f"/api/v1/tickets/{codes[4]}").json
    assert last["status"] == p.STATUS_WAITING and last["ahead"] == 1
    now = clock.now()
    # learned mean 3 minutes; L1 (the only KTP counter) is free: A004 now, A005 after it
    expected = (now + timedelta(minutes=3)).astimezone(WIB)
    assert last["estimated_call_at"] == expected.isoformat(timespec="seconds")
    start, end = (datetime.fromisoformat(last[k]) for k in ("estimate_from", "estimate_to"))
    assert start < expected < end
    assert last["estimate_today"] is True


def test_void_returns_quota_and_never_reuses_the_number(client, kiosk, counter1, make_token):
    t = issue(client, kiosk).json
    other = {"Authorization": f"Bearer {make_token('kiosk', 'PPR')}"}
    assert client.post(f"/api/v1/tickets/{t['id']}/void", json={}, headers=other).status_code == 404
    r = client.post(
        f"/api/v1/tickets/{t['id']}/void", json={"reason": "print_failed"}, headers=kiosk
    )
    assert r.status_code == 200 and r.json["status"] == p.STATUS_VOIDED
    site = client.get("/api/v1/sites/PRE").json
    assert site["issued"] == 0 and site["remaining"] == 80
    assert issue(client, kiosk).json["number"] == "A002"
    assert (
        client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=counter1).json[
            "current"
        ]["number"]
        == "A002"
    )
    r = client.post("/api/v1/tickets/99999/void", json={}, headers=kiosk)
    assert r.status_code == 404
    called = client.post(f"/api/v1/tickets/{t['id'] + 1}/void", json={}, headers=kiosk)
    assert (called.status_code, called.json["error"]) == (409, p.ERR_TICKET_NOT_VOIDABLE)


def test_reprint_finds_todays_ticket(client, kiosk, counter1):
    issue(client, kiosk, "KK")
    r = client.post(
        f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_REPRINT}",
        json={"number": "b001"},
        headers=counter1,
    )
    assert r.status_code == 200 and r.json["ticket"]["number"] == "B001"
    r = client.post(
        f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_REPRINT}",
        json={"number": "B002"},
        headers=counter1,
    )
    assert r.status_code == 404


def test_device_health_is_kept(app, client, kiosk):
    r = client.post(
        "/api/v1/devices/me/health",
        json={"printer": "near_end", "last_ticket": "A001"},
        headers=kiosk,
    )
    assert r.status_code == 200
    devices = app.extensions["sahaja"].accounts.list_devices()
    kiosk_dev = next(d for d in devices if d["role"] == "kiosk")
    assert kiosk_dev["state"]["printer"] == "near_end" and kiosk_dev["last_seen_at"]
    r = client.post("/api/v1/devices/me/health", json={"printer": "smoking"}, headers=kiosk)
    assert r.status_code == 422 and "printer" in r.json["message"]


def test_sites_lists_every_site_with_services_and_counters(client):
    body = client.get("/api/v1/sites").json
    assert body["office"]["ticket"]["header"][1] == "KABUPATEN KEDIRI"
    assert [s["code"] for s in body["sites"]] == ["DKC", "PRE", "PPR", "NGD", "BNY", "WTS"]
    pre = body["sites"][1]
    assert pre["open_now"] is True and pre["hours_today"] == "07:30-15:00"
    assert pre["timezone"] == body["office"]["timezone"] == "Asia/Jakarta"
    assert client.get("/api/v1/sites/PRE").json["timezone"] == "Asia/Jakarta"
    assert [c["id"] for c in pre["counters"]] == ["PRE-L1", "PRE-L2"]
    assert {s["code"]: s["remaining"] for s in pre["services"]}["KTP"] == 80


def test_hostile_input_is_a_4xx_never_a_500(client, kiosk, counter1):
    deep = "[" * 30000 + "]" * 30000
    cases = [
        client.post(ISSUE, data=deep, headers={**kiosk, "Content-Type": "application/json"}),
        client.post(ISSUE, json={"service": "KTP", "request_id": "\ud800"}, headers=kiosk),
        client.post(ISSUE, json={"service": "KTP", "request_id": "a\x00b"}, headers=kiosk),
        client.post(ISSUE, json={"service": "KTP\x00"}, headers=kiosk),
        client.post("/api/v1/tickets/99999999999999999999/void", json={}, headers=kiosk),
        client.post("/api/v1/tickets/2147483648/void", json={}, headers=kiosk),
        client.get("/api/v1/tickets/ab%00cd"),
        client.post(
            f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_REPRINT}",
            json={"number": "\udfff"},
            headers=counter1,
        ),
        client.post(
            f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_REPRINT}",
            json={"number": "A0\x001"},
            headers=counter1,
        ),
        client.post(ISSUE, data=b"\xff\xfe", headers={**kiosk, "Content-Type": "application/json"}),
        client.post(
            ISSUE, data="x" * 70_000, headers={**kiosk, "Content-Type": "application/json"}
        ),
    ]
    for r in cases:
        assert 400 <= r.status_code < 500, (r.status_code, r.data[:200])
        assert r.json["error"] and r.json["message"]


def test_a_ticket_once_called_cannot_be_voided_even_after_a_transfer(client, kiosk, counter1):
    t = issue(client, kiosk, "KTP").json
    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=counter1)
    client.post(
        f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_TRANSFER}",
        json={"service": "KK"},
        headers=counter1,
    )
    r = client.post(f"/api/v1/tickets/{t['id']}/void", json={}, headers=kiosk)
    assert (r.status_code, r.json["error"]) == (409, p.ERR_TICKET_NOT_VOIDABLE)
    assert client.get("/api/v1/sites/PRE").json["issued"] == 1


def test_request_ids_are_scoped_to_the_day(client, kiosk, clock):
    first = issue(client, kiosk, request_id="kiosk-1-0001").json
    clock.advance(days=1)
    again = issue(client, kiosk, request_id="kiosk-1-0001")
    assert again.status_code == 201 and again.json["id"] != first["id"]
    assert again.json["number"] == "A001"


def test_a_kiosk_voids_only_what_it_issued_and_only_shortly_after(client, kiosk, make_token, clock):
    t = issue(client, kiosk).json
    void = f"/api/v1/tickets/{t['id']}/void"
    neighbour = {"Authorization": f"Bearer {make_token('kiosk', 'PRE')}"}
    r = client.post(void, json={}, headers=neighbour)
    assert (r.status_code, r.json["error"]) == (403, p.ERR_NOT_TICKET_ISSUER)
    assert t["number"] in r.json["message"]
    counter = {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L1')}"}
    assert client.post(void, json={}, headers=counter).status_code == 403  # not a kiosk
    clock.advance(minutes=5)
    ok = client.post(void, json={}, headers=kiosk)
    assert (ok.status_code, ok.json["status"]) == (200, p.STATUS_VOIDED)
    again = client.post(void, json={}, headers=kiosk)  # a retry after a lost answer
    assert (again.status_code, again.json["status"]) == (200, p.STATUS_VOIDED)
    assert client.get("/api/v1/sites/PRE").json["issued"] == 0
    late = issue(client, kiosk).json
    clock.advance(minutes=5, seconds=1)
    r = client.post(f"/api/v1/tickets/{late['id']}/void", json={}, headers=kiosk)
    assert (r.status_code, r.json["error"]) == (409, p.ERR_VOID_WINDOW_PASSED)
    r = client.post(
        f"/api/v1/tickets/{late['id']}/void", json={}, headers={**kiosk, "Accept-Language": "en"}
    )
    assert (
        r.json["message"]
        == f"Ticket {late['number']} can only be voided within 5 minutes of issuing."
    )
    assert client.get("/api/v1/sites/PRE").json["issued"] == 1


def test_site_view_gives_the_wait_for_a_ticket_taken_now(client, kiosk, clock):
    for _ in range(2):
        issue(client, kiosk, "KTP")
    services = {s["code"]: s for s in client.get(f"{p.API_PREFIX}/sites/PRE").json["services"]}
    # only Loket 1 serves KTP, nobody has acted yet: two tickets of the default 8 minutes
    assert services["KTP"]["estimated_wait_minutes"] == 16
    start, end = (
        datetime.fromisoformat(services["KTP"][k]) for k in ("estimate_from", "estimate_to")
    )
    assert start < clock.now() + timedelta(minutes=16) < end
    assert services["AKL"]["estimated_wait_minutes"] == 0  # Loket 2 is free
