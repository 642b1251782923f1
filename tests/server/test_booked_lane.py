"""A checked-in booking against the walk-ins, through the real endpoints: booked on the
day before, checked in at the kiosk, called by a counter's "next" after the priority lane
and before the walk-ins of its service while its span lasts; late, by its check-in time."""

from __future__ import annotations

from datetime import datetime

from sahaja import protocol as p
from tests.booking.conftest import NIK_MAN, NIK_WOMAN
from tests.conftest import WIB

API = p.API_PREFIX


def at(hhmm: str, day: int = 1) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 12, day, h, m, tzinfo=WIB)


def book(client, nik: str, window: str) -> str:
    body = {
        "nik": nik,
        "kecamatan": "35.06.17",  # Pare: served at PRE
        "service": "KTP",
        "date": "2026-12-01",
        "window": window,
    }
    r = client.post(f"{API}/bookings", json=body)
    assert r.status_code == 201, r.json
    assert r.json["site"] == "PRE"
    return r.json["code"]


def test_booked_tickets_go_after_priority_and_before_walk_ins_until_their_window_ends(
    client, clock, kiosk, counter1
):
    first = book(client, NIK_MAN, "08:30-09:30")  # on Monday, for Tuesday
    second = book(client, NIK_WOMAN, "08:30-09:30")

    def issue(priority: bool = False) -> dict:
        body = {"service": "KTP", "priority": priority}
        if priority:
            body["priority_category"] = p.PRIORITY_CATEGORIES[0]
        r = client.post(f"{API}/sites/PRE/tickets", json=body, headers=kiosk)
        assert r.status_code == 201, r.json
        return r.json

    def check_in(code: str, request_id: str) -> dict:
        body = {"code": code, "request_id": request_id}
        r = client.post(f"{API}/sites/PRE/checkins", json=body, headers=kiosk)
        assert r.status_code == 201, r.json
        assert r.json[p.TICKET_BOOKING_KEY] == code
        return r.json

    def call() -> str:
        r = client.post(f"{API}/counters/PRE-L1/{p.ACTION_NEXT}", headers=counter1)
        return r.json["current"]["number"]

    def ahead(ticket: dict) -> int:
        return client.get(f"{API}/tickets/{ticket['status_code']}").json["ahead"]

    clock.set(at("07:40"))
    w1 = issue()
    clock.set(at("07:50"))
    w2 = issue()
    clock.set(at("08:05"))  # the lane opens 30 minutes before the window
    b1 = check_in(first, "kiosk-a")
    assert b1["ahead"] == 0  # before both walk-ins at once
    clock.set(at("08:06"))
    prio = issue(priority=True)
    assert ahead(b1) == 1 and ahead(w1) == 2
    # the forecast runs the same order forward: the booking is expected before the walk-ins
    expected = {
        t["number"]: client.get(f"{API}/tickets/{t['status_code']}").json["estimated_call_at"]
        for t in (prio, b1, w1, w2)
    }
    times = [datetime.fromisoformat(expected[t["number"]]) for t in (prio, b1, w1, w2)]
    assert times == sorted(times) and times[1] < times[2], expected
    assert [call(), call(), call()] == [prio["number"], b1["number"], w1["number"]]

    clock.set(at("08:10"))
    b2 = check_in(second, "kiosk-b")
    assert ahead(w2) == 1 and ahead(b2) == 0
    clock.set(at("09:30"))  # the window's end: late, in line by its check-in time (08:10)
    assert ahead(w2) == 0 and ahead(b2) == 1
    assert [call(), call()] == [w2["number"], b2["number"]]
