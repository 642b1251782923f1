"""Socket.IO through Flask-SocketIO's test client: auth, rooms, snapshot, events after commit."""

from __future__ import annotations

import pytest

from sahaja import protocol as p
from server.extensions import socketio


def connect(app, token):
    return socketio.test_client(app, auth={"token": token})


def names(received):
    return [m["name"] for m in received]


def by_name(received, name):
    return [m["args"][0] for m in received if m["name"] == name]


def test_bad_or_missing_token_is_refused(app):
    assert not socketio.test_client(app, auth={"token": "forged"}).is_connected()
    assert not socketio.test_client(app).is_connected()


def test_snapshot_on_connect_and_events_reach_only_the_right_rooms(app, client, make_token):
    kiosk_token = make_token("kiosk", "PRE")
    display = connect(app, make_token("display", "PRE"))
    other_site = connect(app, make_token("display", "PPR"))
    counter = connect(app, make_token("counter", "PRE", "L1"))
    c_headers = {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L1')}"}

    snap = by_name(display.get_received(), p.SNAPSHOT)
    assert len(snap) == 1 and snap[0]["site"] == "PRE" and snap[0]["counter"] is None
    assert snap[0]["timezone"] == "Asia/Jakarta"
    assert [c["id"] for c in snap[0]["counters"]] == ["PRE-L1", "PRE-L2"]
    assert by_name(counter.get_received(), p.SNAPSHOT)[0]["counter"] == "PRE-L1"
    other_site.get_received()

    r = client.post(
        "/api/v1/sites/PRE/tickets",
        json={"service": "KK"},
        headers={"Authorization": f"Bearer {kiosk_token}"},
    )
    assert r.status_code == 201
    q = by_name(display.get_received(), p.QUEUE_CHANGED)
    assert len(q) == 1
    kk = next(s for s in q[0]["services"] if s["code"] == "KK")
    assert (kk["issued"], kk["waiting"], kk["remaining"]) == (1, 1, 79)

    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=c_headers)
    got = display.get_received()
    call = by_name(got, p.TICKET_CALLED)
    assert len(call) == 1
    call_id = call[0]["call_id"]
    assert isinstance(call_id, int)
    assert [{k: v for k, v in c.items() if k != "call_id"} for c in call] == [
        {
            "kind": p.CALL_KIND_CALL,
            "site": "PRE",
            "counter": "PRE-L1",
            "counter_name": "Loket 1",
            "counter_number": 1,
            "ticket_id": r.json["id"],
            "number": "B001",
            "service": "KK",
            "priority": False,
            "recall": False,
            "called_at": "2026-11-30T08:00:00+07:00",
        }
    ]
    # one frame per call for the site's clients: the call says what the counter now serves
    assert by_name(got, p.COUNTER_CHANGED) == [] and call[0]["kind"] in p.COUNTER_CALL_KINDS
    counter_got = counter.get_received()
    assert by_name(counter_got, p.COUNTER_CHANGED)[0]["current"]["number"] == "B001"
    assert len(by_name(counter_got, p.COUNTER_CHANGED)) == 1  # one copy despite two rooms

    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_RECALL}", headers=c_headers)
    recall = by_name(display.get_received(), p.TICKET_CALLED)
    assert recall[0]["recall"] is True and recall[0]["number"] == "B001"
    assert recall[0]["kind"] == p.CALL_KIND_RECALL and recall[0]["call_id"] > call_id
    assert other_site.get_received() == []

    # a reconnecting board sees the call in its snapshot's recent calls
    again = connect(app, make_token("display", "PRE"))
    snap = by_name(again.get_received(), p.SNAPSHOT)[0]
    assert [c["number"] for c in snap["recent_calls"]] == ["B001", "B001"]
    assert [c["call_id"] for c in snap["recent_calls"]] == [recall[0]["call_id"], call_id]
    assert snap["recent_calls"][0]["recall"] is True
    assert snap["counters"][0]["current"]["number"] == "B001"


def test_reprint_reaches_the_sites_kiosks(app, client, make_token):
    kiosk_token = make_token("kiosk", "PRE")
    kiosk = connect(app, kiosk_token)
    kiosk.get_received()
    client.post(
        "/api/v1/sites/PRE/tickets",
        json={"service": "KTP"},
        headers={"Authorization": f"Bearer {kiosk_token}"},
    )
    c = {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L2')}"}
    assert (
        client.post(
            f"{p.API_PREFIX}/counters/PRE-L2/{p.ACTION_REPRINT}", json={"number": "A001"}, headers=c
        ).status_code
        == 200
    )
    reprint = by_name(kiosk.get_received(), p.REPRINT_REQUESTED)
    assert reprint[0]["ticket"]["number"] == "A001"
    assert reprint[0]["requested_by"].startswith("device:counter-")


def test_request_snapshot_answers_again(app, make_token):
    display = connect(app, make_token("display", "WTS"))
    display.get_received()
    display.emit(p.REQUEST_SNAPSHOT)
    snap = by_name(display.get_received(), p.SNAPSHOT)
    assert snap and snap[0]["site"] == "WTS"


@pytest.mark.parametrize("event", p.SERVER_EVENTS)
def test_protocol_event_names_are_distinct_strings(event):
    assert isinstance(event, str) and p.SERVER_EVENTS.count(event) == 1


def test_document_ready_calls_a_finished_ticket_back(app, client, make_token):
    kiosk = {"Authorization": f"Bearer {make_token('kiosk', 'PRE')}"}
    c = {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L1')}"}
    client.post("/api/v1/sites/PRE/tickets", json={"service": "KTP"}, headers=kiosk)
    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=c)
    early = client.post(
        f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_READY}", json={"number": "A001"}, headers=c
    )
    assert (early.status_code, early.json["error"]) == (409, p.ERR_TICKET_NOT_READY)
    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_FINISH}", headers=c)
    board = connect(app, make_token("display", "PRE"))
    board.get_received()
    r = client.post(
        f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_READY}", json={"number": "A001"}, headers=c
    )
    assert r.status_code == 200 and r.json["call"]["kind"] == p.CALL_KIND_DOCUMENT_READY
    calls = by_name(board.get_received(), p.TICKET_CALLED)
    assert [(x["number"], x["kind"], x["recall"]) for x in calls] == [
        ("A001", p.CALL_KIND_DOCUMENT_READY, False)
    ]
    missing = client.post(
        f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_READY}", json={"number": "A404"}, headers=c
    )
    assert missing.status_code == 404


def test_a_revoked_device_is_cut_off(app, client, clock):
    from server.live import disconnect_revoked

    accounts = app.extensions["sahaja"].accounts
    token = accounts.add_device("board-rev", "PRE", "display", None, clock.now())
    keep = connect(app, accounts.add_device("board-keep", "PRE", "display", None, clock.now()))
    board = connect(app, token)
    assert board.is_connected()
    with app.app_context():
        assert disconnect_revoked(socketio) == 0
        accounts.revoke_device("board-rev", clock.now())
        assert disconnect_revoked(socketio) == 1
    assert not board.is_connected() and keep.is_connected()
    assert not socketio.test_client(app, auth={"token": token}).is_connected()


def test_a_call_is_one_frame_for_the_site_and_a_finish_still_reaches_the_site(
    app, client, make_token
):
    """The site's boards and consoles get one ``ticket_called`` per call (no separate
    ``counter_changed``); a change that calls no one (finish, skip) reaches them as before."""
    kiosk = {"Authorization": f"Bearer {make_token('kiosk', 'PRE')}"}
    c_headers = {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L1')}"}
    board = connect(app, make_token("display", "PRE"))
    other_counter = connect(app, make_token("counter", "PRE", "L2"))
    own = connect(app, make_token("counter", "PRE", "L1"))
    client.post("/api/v1/sites/PRE/tickets", json={"service": "KK"}, headers=kiosk)
    for live in (board, other_counter, own):
        live.get_received()

    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}", headers=c_headers)
    for live in (board, other_counter):
        got = live.get_received()
        # (queue counts: sent at once here; a serving process sends them once per burst)
        assert [n for n in names(got) if n != p.QUEUE_CHANGED] == [p.TICKET_CALLED]
        assert (got[0]["args"][0]["counter"], got[0]["args"][0]["number"]) == ("PRE-L1", "B001")
    own_got = own.get_received()
    own_names = sorted(n for n in names(own_got) if n != p.QUEUE_CHANGED)
    assert own_names == sorted([p.TICKET_CALLED, p.COUNTER_CHANGED])
    assert by_name(own_got, p.COUNTER_CHANGED)[0]["waiting"] == 0

    client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_FINISH}", headers=c_headers)
    for live in (board, other_counter, own):
        changed = by_name(live.get_received(), p.COUNTER_CHANGED)
        assert [(c["counter"], c["current"]) for c in changed] == [("PRE-L1", None)]
