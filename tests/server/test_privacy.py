"""The code behind a citizen's QR is private to that citizen: no public view, no counter view
and no event sent to a room (boards and counters are semi-public) contains a status code.
Only the answer to the issuing kiosk and GET /api/v1/tickets/{status_code} itself show it."""

from __future__ import annotations

import itertools
import json
import re

from sahaja import protocol as p
from server.extensions import socketio
from tests.console.conftest import Browserless, add_user

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def post(client, path, headers, **body):
    r = client.post(f"{p.API_PREFIX}{path}", json=body, headers=headers)
    assert r.status_code in (200, 201), (path, r.json)
    return r.json


def a_busy_day(client, kiosk, counter1, counter2, clock):
    """Tickets in every state at PRE: waiting, called at both counters, recalled, skipped,
    transferred, finished, called back for its document, voided. Returns the issue answers."""
    tickets = []
    for service in ("KTP", "KK", "AKL", "KTP", "KK", "SPD", "KTP"):
        tickets.append(post(client, "/sites/PRE/tickets", kiosk, service=service))
        clock.advance(seconds=20)
    post(client, f"/tickets/{tickets[-1]['id']}/void", kiosk)
    l1, l2 = "/counters/PRE-L1/", "/counters/PRE-L2/"
    post(client, l1 + p.ACTION_NEXT, counter1)
    post(client, l1 + p.ACTION_NEXT, counter1)
    post(client, l1 + p.ACTION_FINISH, counter1)
    post(client, l1 + p.ACTION_READY, counter1, number=tickets[0]["number"])
    post(client, l1 + p.ACTION_NEXT, counter1)
    post(client, l1 + p.ACTION_RECALL, counter1)
    post(client, l1 + p.ACTION_SKIP, counter1)
    post(client, l1 + p.ACTION_NEXT, counter1)
    post(client, l1 + p.ACTION_TRANSFER, counter1, service="AKM")
    post(client, l1 + p.ACTION_REPRINT, counter1, number=tickets[1]["number"])
    post(client, l1 + p.ACTION_NEXT, counter1)
    post(client, l2 + p.ACTION_NEXT, counter2)
    return tickets


def every_get_url(app, config, codes):
    """Every GET route of the API with every value of its parameters."""
    values = {
        "site": list(config.sites),
        "counter": [c.id for s in config.sites.values() for c in s.counters],
        "status_code": sorted(codes) + ["not-a-code"],
        "code": ["ACD479HJK"],  # a booking code (GET /api/v1/bookings/{code})
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(p.API_PREFIX) or "GET" not in rule.methods:
            continue
        names = PARAM.findall(rule.rule)
        assert set(names) <= set(values), f"add values for {rule.rule} to this test"
        for combo in itertools.product(*(values[n] for n in names)):
            url = rule.rule
            for value in combo:
                url = PARAM.sub(value, url, count=1)
            yield url, dict(zip(names, combo, strict=True))


def leaked(text: str, codes: set[str], allowed: str | None = None) -> set[str]:
    return {c for c in codes if c != allowed and c in text}


def test_no_public_view_and_no_room_event_shows_a_status_code(
    app, client, kiosk, counter1, counter2, make_token, clock
):
    config = app.extensions["sahaja"].config
    board = socketio.test_client(app, auth={"token": make_token("display", "PRE")})
    counter_live = socketio.test_client(app, auth={"token": make_token("counter", "PRE", "L1")})
    tickets = a_busy_day(client, kiosk, counter1, counter2, clock)
    codes = {t["status_code"] for t in tickets}
    assert len(codes) == len(tickets)

    checked = 0
    for url, params in every_get_url(app, config, codes):
        for headers in ({}, counter1, counter2):
            text = client.get(url, headers=headers).get_data(as_text=True)
            assert not leaked(text, codes, params.get("status_code")), url
            checked += 1
    assert checked > 20

    for live in (board, counter_live):
        live.emit(p.REQUEST_SNAPSHOT)
        received = live.get_received()
        assert {m["name"] for m in received} >= {
            p.SNAPSHOT,
            p.TICKET_CALLED,
            p.COUNTER_CHANGED,
            p.QUEUE_CHANGED,
        }
        for message in received:
            if message["name"] == p.REPRINT_REQUESTED:
                continue  # the kiosk prints the QR again: test_reprint_code_reaches_... below
            text = json.dumps(message["args"])
            assert not leaked(text, codes), message["name"]

    # the staff console's pages (the counter page embeds a snapshot)
    add_user(app, "ani", "officer", "PRE")
    officer = Browserless(client)
    officer.sign_in("ani")
    officer.choose("PRE-L1")
    for page in ("/console/counter", "/console/"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert not leaked(response.get_data(as_text=True), codes), page


def test_only_the_issuing_kiosk_and_the_status_page_see_the_code(client, kiosk, counter1):
    ticket = post(client, "/sites/PRE/tickets", kiosk, service="KTP")
    code = ticket["status_code"]
    own = client.get(f"{p.API_PREFIX}/tickets/{code}").json
    assert own["status_code"] == code and own["number"] == ticket["number"]
    called = post(client, "/counters/PRE-L1/" + p.ACTION_NEXT, counter1)
    assert called["current"]["number"] == ticket["number"]
    assert "status_code" not in called["current"]
    shown = post(client, "/counters/PRE-L1/" + p.ACTION_REPRINT, counter1, number="A001")
    assert "status_code" not in shown["ticket"]


def test_reprint_code_reaches_only_kiosks(app, client, kiosk, counter1, make_token):
    board = socketio.test_client(app, auth={"token": make_token("display", "PRE")})
    kiosk_token = kiosk["Authorization"].removeprefix("Bearer ")
    kiosk_socket = socketio.test_client(app, auth={"token": kiosk_token})
    ticket = post(client, "/sites/PRE/tickets", kiosk, service="KTP")
    post(client, "/counters/PRE-L1/" + p.ACTION_REPRINT, counter1, number=ticket["number"])
    assert ticket["status_code"] not in json.dumps(board.get_received())
    reprints = [m for m in kiosk_socket.get_received() if m["name"] == p.REPRINT_REQUESTED]
    assert [m["args"][0]["ticket"]["status_code"] for m in reprints] == [ticket["status_code"]]
