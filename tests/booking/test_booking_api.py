"""The booking API on SQLite and PostgreSQL with a hand-moved clock (Monday 30 November 2026,
08:00 WIB): kecamatan, windows, booking, status, cancel, one per NIK, quotas, check-in at the
kiosk, expiry at midnight, rate limits, and that the NIK is stored and logged nowhere."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import select, text

from sahaja import protocol as p
from server.midnight import roll_over_once
from server.models import Booking, Ticket
from tests.booking.conftest import NIK_JAKARTA, NIK_MAN, NIK_WOMAN, nik
from tests.conftest import WIB

API = p.API_PREFIX
TUESDAY = "2026-12-01"
PARE = "35.06.17"
PAPAR = "35.06.14"
WAIT = 60.0


def book(client, who=NIK_MAN, kec=PARE, service="KTP", day=TUESDAY, window="08:30-09:30"):
    body = {"nik": who, "kecamatan": kec, "service": service, "date": day, "window": window}
    return client.post(f"{API}/bookings", json=body)


def booked(client, **kw) -> dict:
    r = book(client, **kw)
    assert r.status_code == 201, r.json
    return r.json


def windows(client, site="PRE", service="KTP", day=TUESDAY):
    return client.get(
        f"{API}/sites/{site}/booking-windows", query_string={"service": service, "date": day}
    )


def checkin(client, kiosk, code, request_id="req-1", site="PRE"):
    return client.post(
        f"{API}/sites/{site}/checkins", json={"code": code, "request_id": request_id}, headers=kiosk
    )


def at(clock, day: str, hh: int, mm: int = 0) -> None:
    y, m, d = (int(x) for x in day.split("-"))
    clock.set(datetime(y, m, d, hh, mm, tzinfo=WIB))


# --- section 1: where do I go ---------------------------------------------------------------
def test_kecamatan_lists_all_26_with_their_service_point(client):
    r = client.get(f"{API}/kecamatan")
    assert r.status_code == 200
    rows = {k["code"]: k for k in r.json}
    assert len(rows) == 26
    assert rows[PARE] == {
        "code": PARE,
        "name": "Pare",
        "site": "PRE",
        "site_name": "Kantor Kecamatan Pare",
    }
    assert rows["35.06.01"]["site"] == "BNY"


# --- windows --------------------------------------------------------------------------------
def test_windows_of_an_open_day_with_places_and_none_on_a_closed_day(client):
    r = windows(client)
    assert r.status_code == 200
    assert [w["window"] for w in r.json] == [
        "07:30-08:30",
        "08:30-09:30",
        "09:30-10:30",
        "10:30-11:30",
        "11:30-12:00",
        "13:00-14:00",
    ]
    assert {w["remaining"] for w in r.json} == {4}
    assert windows(client, day="2026-12-05").json == []  # Saturday
    assert windows(client, day="2026-11-30").json == []  # today: not bookable
    assert windows(client, day="2026-12-25").json == []  # Christmas, a national holiday
    assert windows(client, day="2027-03-10").json == []  # beyond the horizon


def test_windows_refuse_unknown_site_service_and_bad_date(client):
    assert windows(client, site="XXX").json["error"] == p.ERR_UNKNOWN_SITE
    assert windows(client, service="NOPE").json["error"] == p.ERR_UNKNOWN_SERVICE
    r = windows(client, day="tomorrow")
    assert (r.status_code, r.json["error"]) == (422, p.ERR_MALFORMED)


# --- booking, status, cancel ---------------------------------------------------------------
def test_a_booking_answers_its_code_and_the_service_point_of_the_kecamatan(client):
    r = book(client, kec=PAPAR)
    assert r.status_code == 201
    body = r.json
    assert set(body) == {"code", "site", "service", "date", "window", "status"}
    assert body["site"] == "PPR" and body["status"] == p.BOOKING_BOOKED
    assert body["date"] == TUESDAY and body["window"] == "08:30-09:30"
    assert len(body["code"]) == p.BOOKING_CODE_LENGTH
    assert set(body["code"]) <= set(p.BOOKING_CODE_ALPHABET)
    got = client.get(f"{API}/bookings/{body['code']}")
    assert got.status_code == 200 and got.json == body
    # typed with dashes and in lower case, the same booking
    typed = body["code"].lower()
    assert client.get(f"{API}/bookings/{typed[:3]}-{typed[3:]}").json == body
    assert windows(client, site="PPR").json[1]["remaining"] == 3


def test_booking_errors_name_the_problem(client):
    cases = [
        (dict(who="3506173102900001"), 422, p.ERR_INVALID_NIK),
        (dict(kec="35.06.99"), 404, p.ERR_UNKNOWN_KECAMATAN),
        (dict(service="NOPE"), 404, p.ERR_UNKNOWN_SERVICE),
        (dict(day="2026-12-05"), 409, p.ERR_CLOSED),
        (dict(day="2026-12-25"), 409, p.ERR_CLOSED),
        (dict(window="12:00-13:00"), 409, p.ERR_CLOSED),
        (dict(day="2026-11-30", window="13:00-14:00"), 409, p.ERR_CLOSED),
        (dict(day="1 Dec"), 422, p.ERR_MALFORMED),
    ]
    for kw, status, code in cases:
        r = book(client, **kw)
        assert (r.status_code, r.json["error"]) == (status, code), kw
        assert r.json["message"]
    r = client.post(f"{API}/bookings", json={"nik": NIK_MAN})
    assert (r.status_code, r.json["error"]) == (422, p.ERR_MALFORMED)


def test_a_nik_registered_elsewhere_can_book_where_it_lives_now(client):
    assert booked(client, who=NIK_JAKARTA, kec=PARE)["site"] == "PRE"


def test_one_active_booking_per_nik_and_day_across_sites_and_again_after_cancel(client):
    first = booked(client)
    r = book(client, kec=PAPAR, service="KK", window="09:30-10:30")
    assert (r.status_code, r.json["error"]) == (409, p.ERR_ALREADY_BOOKED)
    booked(client, day="2026-12-02")  # another day is fine
    cancel = client.post(f"{API}/bookings/{first['code']}/cancel", json={"nik": NIK_MAN})
    assert cancel.status_code == 200 and cancel.json["status"] == p.BOOKING_CANCELLED
    assert booked(client, kec=PAPAR)["site"] == "PPR"


def test_cancel_needs_the_bookings_nik_frees_the_place_and_repeats_harmlessly(client):
    mine = booked(client)
    url = f"{API}/bookings/{mine['code']}/cancel"
    wrong = client.post(url, json={"nik": NIK_WOMAN})
    assert (wrong.status_code, wrong.json["error"]) == (403, p.ERR_WRONG_NIK)
    garbage = client.post(url, json={"nik": "123"})
    assert garbage.status_code == 403
    assert client.get(f"{API}/bookings/{mine['code']}").json["status"] == p.BOOKING_BOOKED
    assert windows(client).json[1]["remaining"] == 3
    ok = client.post(url, json={"nik": NIK_MAN})
    assert ok.status_code == 200 and ok.json["status"] == p.BOOKING_CANCELLED
    assert windows(client).json[1]["remaining"] == 4
    again = client.post(url, json={"nik": NIK_MAN})
    assert again.status_code == 200 and again.json["status"] == p.BOOKING_CANCELLED


def test_unknown_and_malformed_codes_are_404(client):
    for code in ("ACD479HJK", "nope", "0" * 9):
        r = client.get(f"{API}/bookings/{code}")
        assert (r.status_code, r.json["error"]) == (404, p.ERR_UNKNOWN_BOOKING)
    r = client.post(f"{API}/bookings/ACD479HJK/cancel", json={"nik": NIK_MAN})
    assert r.status_code == 404


def test_a_full_window_refuses_and_the_others_stay_open(client):
    for n in range(4):
        booked(client, who=nik(n + 1))
    r = book(client, who=nik(9))
    assert (r.status_code, r.json["error"]) == (409, p.ERR_BOOKING_FULL)
    places = {w["window"]: w["remaining"] for w in windows(client).json}
    assert places["08:30-09:30"] == 0 and places["09:30-10:30"] == 4


def test_the_site_day_cap_bounds_all_services_together(client, booking_store):
    # 30 % of Pare's 80 a day = 24 bookings, whatever the services
    n = 0
    for service in ("KTP", "KK", "AKL", "AKM", "SPK", "SPD"):
        for window in ("07:30-08:30", "08:30-09:30"):
            for _ in range(2):
                n += 1  # through the store: the address's rate limit is not the point here
                booking_store.create(nik(n), PARE, service, TUESDAY, window)
    assert n == 24
    r = book(client, who=nik(99), service="KTP", window="13:00-14:00")
    assert (r.status_code, r.json["error"]) == (409, p.ERR_BOOKING_FULL)
    assert {w["remaining"] for w in windows(client, service="AKL").json} == {0}


def test_sixteen_threads_booking_the_last_places_never_exceed_the_quota(app, booking_store):
    """Two places left in the window, 16 different people at once: exactly two get one."""
    for n in range(2):
        booking_store.create(nik(n + 1), PARE, "KTP", TUESDAY, "08:30-09:30")
    barrier = threading.Barrier(16, timeout=WAIT)

    def attempt(i: int):
        barrier.wait()
        try:
            return booking_store.create(nik(100 + i), PARE, "KTP", TUESDAY, "08:30-09:30").body
        except Exception as exc:  # noqa: BLE001 - returned for the test to inspect
            return exc

    with ThreadPoolExecutor(16) as pool:
        results = [f.result(timeout=WAIT) for f in [pool.submit(attempt, i) for i in range(16)]]
    made = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if not isinstance(r, dict)]
    assert len(made) == 2
    assert {getattr(r, "code", None) for r in refused} == {p.ERR_BOOKING_FULL}
    with app.extensions["sahaja"].db.reading() as s:
        active = s.scalars(
            select(Booking).where(
                Booking.day == datetime(2026, 12, 1).date(), Booking.site == "PRE"
            )
        ).all()
    assert len(active) == 4  # the quota of the window


def test_sixteen_threads_of_one_nik_get_one_booking(app, booking_store):
    """The same person on 16 devices at once, at two service points: one booking."""
    barrier = threading.Barrier(16, timeout=WAIT)

    def attempt(i: int):
        barrier.wait()
        kec = PARE if i % 2 else PAPAR
        window = ["07:30-08:30", "08:30-09:30", "09:30-10:30"][i % 3]
        try:
            return booking_store.create(NIK_MAN, kec, "KTP", TUESDAY, window).body
        except Exception as exc:  # noqa: BLE001
            return exc

    with ThreadPoolExecutor(16) as pool:
        results = [f.result(timeout=WAIT) for f in [pool.submit(attempt, i) for i in range(16)]]
    assert sum(isinstance(r, dict) for r in results) == 1
    errors = {getattr(r, "code", None) for r in results if not isinstance(r, dict)}
    assert errors == {p.ERR_ALREADY_BOOKED}


# --- check-in -------------------------------------------------------------------------------
def test_checkin_issues_a_ticket_with_the_booking_and_its_span(app, client, kiosk, clock):
    code = booked(client)["code"]
    at(clock, TUESDAY, 8, 0)  # window 08:30-09:30: check-in opens at 08:00
    r = checkin(client, kiosk, code)
    assert r.status_code == 201, r.json
    ticket = r.json
    assert ticket[p.TICKET_BOOKING_KEY] == code
    assert ticket["service"] == "KTP" and ticket["number"] == "A001"
    assert ticket["status_code"]  # printed like any ticket, with its QR
    with app.extensions["sahaja"].db.reading() as s:
        row = s.get(Ticket, ticket["id"])
        assert row.booking_code == code
        assert row.booked_from == datetime(2026, 12, 1, 8, 0, tzinfo=WIB)
        assert row.booked_to == datetime(2026, 12, 1, 9, 30, tzinfo=WIB)
        b = s.scalars(select(Booking).where(Booking.code == code)).one()
        assert b.status == p.BOOKING_CHECKED_IN and b.ticket_id == ticket["id"]
    assert client.get(f"{API}/bookings/{code}").json["status"] == p.BOOKING_CHECKED_IN
    # it counts against the day's quota now
    site = client.get(f"{API}/sites/PRE").json
    assert site["remaining"] == 79


def test_checkin_again_with_the_same_request_id_answers_the_same_ticket(client, kiosk, clock):
    code = booked(client)["code"]
    at(clock, TUESDAY, 8, 45)
    first = checkin(client, kiosk, code, "req-a")
    again = checkin(client, kiosk, code, "req-a")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"] and again.json["booking"] == code
    used = checkin(client, kiosk, code, "req-b")
    assert (used.status_code, used.json["error"]) == (409, p.ERR_BOOKING_USED)
    assert client.get(f"{API}/sites/PRE").json["remaining"] == 79  # one ticket only


def test_checkin_at_the_wrong_site_names_the_right_one(client, make_token, clock):
    code = booked(client)["code"]
    at(clock, TUESDAY, 8, 30)
    papar = {"Authorization": f"Bearer {make_token('kiosk', 'PPR')}"}
    r = checkin(client, papar, code, site="PPR")
    assert (r.status_code, r.json["error"]) == (409, p.ERR_WRONG_SITE)
    assert "Kantor Kecamatan Pare" in r.json["message"]


def test_checkin_too_early_then_late_joins_the_queue(client, kiosk, clock):
    code = booked(client)["code"]
    at(clock, TUESDAY, 7, 59)
    r = checkin(client, kiosk, code)
    assert (r.status_code, r.json["error"]) == (409, p.ERR_TOO_EARLY)
    assert "08:00" in r.json["message"]
    at(clock, "2026-11-30", 9, 0)  # the day before, during its window's hour
    assert checkin(client, kiosk, code, "r2").json["error"] == p.ERR_TOO_EARLY
    at(clock, TUESDAY, 11, 0)  # late: still a ticket (the ordinary queue)
    assert checkin(client, kiosk, code, "r3").status_code == 201


def test_checkin_of_cancelled_and_unknown_codes_and_auth(client, kiosk, clock, make_token):
    code = booked(client)["code"]
    client.post(f"{API}/bookings/{code}/cancel", json={"nik": NIK_MAN})
    at(clock, TUESDAY, 8, 30)
    r = checkin(client, kiosk, code)
    assert (r.status_code, r.json["error"]) == (409, p.ERR_BOOKING_CANCELLED)
    assert checkin(client, kiosk, "ACD479HJK").json["error"] == p.ERR_UNKNOWN_BOOKING
    assert checkin(client, {}, code).status_code == 401
    counter = {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L1')}"}
    assert checkin(client, counter, code).status_code == 403
    assert checkin(client, kiosk, code, site="PPR").status_code == 403  # not its own site


# --- the end of the day ---------------------------------------------------------------------
def test_unused_bookings_expire_at_midnight_and_cannot_be_checked_in(app, client, kiosk, clock):
    mine = booked(client)["code"]
    used = booked(client, who=NIK_WOMAN)["code"]
    at(clock, TUESDAY, 8, 30)
    assert checkin(client, kiosk, used).status_code == 201
    at(clock, "2026-12-02", 0, 0)
    assert client.get(f"{API}/bookings/{mine}").json["status"] == p.BOOKING_EXPIRED  # at once
    assert roll_over_once(app)
    with app.extensions["sahaja"].db.reading() as s:
        rows = {b.code: b for b in s.scalars(select(Booking))}
    assert rows[mine].status == p.BOOKING_EXPIRED and rows[mine].expired_at is not None
    assert rows[used].status == p.BOOKING_CHECKED_IN
    at(clock, "2026-12-02", 8, 30)
    r = checkin(client, kiosk, mine)
    assert (r.status_code, r.json["error"]) == (409, p.ERR_BOOKING_EXPIRED)
    r = client.post(f"{API}/bookings/{mine}/cancel", json={"nik": NIK_MAN})
    assert (r.status_code, r.json["error"]) == (409, p.ERR_BOOKING_EXPIRED)


# --- abuse and privacy ----------------------------------------------------------------------
def test_booking_endpoints_are_rate_limited_per_address(app, client):
    bookings = app.extensions["sahaja_booking"]
    bookings.writes.limit = type(bookings.writes.limit)(3, 600)
    bookings.reads.limit = type(bookings.reads.limit)(5, 600)
    for n in range(3):
        assert book(client, who=nik(n + 1)).status_code == 201
    r = book(client, who=nik(9))
    assert (r.status_code, r.json["error"]) == (429, p.ERR_TOO_MANY_REQUESTS)
    assert 0 < int(r.headers["Retry-After"]) <= 600
    assert str(int(r.headers["Retry-After"])) in r.json["message"]
    other = app.test_client()
    r = other.post(
        f"{API}/bookings",
        json={
            "nik": nik(9),
            "kecamatan": PARE,
            "service": "KTP",
            "date": TUESDAY,
            "window": "07:30-08:30",
        },
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert r.status_code == 201  # another address has its own count
    for _ in range(5):
        assert client.get(f"{API}/bookings/ACD479HJK").status_code == 404
    r = client.get(f"{API}/bookings/ACD479HJK")
    assert r.status_code == 429


def test_the_nik_is_stored_and_logged_nowhere_in_clear(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    code = booked(client)["code"]
    client.post(f"{API}/bookings/{code}/cancel", json={"nik": NIK_WOMAN})  # a wrong one too
    assert NIK_MAN not in caplog.text and NIK_WOMAN not in caplog.text
    db = app.extensions["sahaja"].db
    with db.reading() as s:
        for table in ("booking", "action", "ticket", "signin_throttle"):
            for row in s.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
                dump = " ".join(str(v) for v in row)
                assert NIK_MAN not in dump and NIK_WOMAN not in dump, table
                assert "15059" not in dump  # not even the birth date digits


def test_next_free_day_after_a_weekend(client, clock):
    at(clock, "2026-12-04", 10, 0)  # Friday
    r = windows(client, day="2026-12-07")  # Monday
    assert r.status_code == 200 and len(r.json) == 6
    assert windows(client, day="2026-12-05").json == []


def test_the_throttle_prunes_only_its_own_stale_rows(app, clock):
    from server.models import SignInThrottle
    from server.throttle import PRUNE_EVERY, AddressThrottle, Limit

    svc = app.extensions["sahaja"]
    mine = AddressThrottle(svc.db, clock, Limit(10_000, 60), prefix="test:")
    other = AddressThrottle(svc.db, clock, Limit(10_000, 60), prefix="keep:")
    mine.check("10.0.0.1")
    other.check("10.0.0.1")
    clock.set(clock.now() + timedelta(minutes=5))  # both rows are stale now
    for n in range(PRUNE_EVERY):
        mine.check(f"10.1.{n // 250}.{n % 250}")
    with svc.db.reading() as s:
        keys = set(s.scalars(select(SignInThrottle.address)))
    assert "keep:10.0.0.1" in keys and "test:10.0.0.1" not in keys


def test_walk_ins_leave_the_places_held_for_bookings_until_their_window_ends(client, kiosk, clock):
    # Pare takes 80 a day; three KTP bookings for 09:30-10:30 hold three of them
    codes = [booked(client, who=nik(i), window="09:30-10:30")["code"] for i in (1, 2, 3)]
    at(clock, TUESDAY, 8, 0)
    site = client.get(f"{API}/sites/PRE").json
    ktp = next(s for s in site["services"] if s["code"] == "KTP")
    assert (site["remaining"], ktp["held"], ktp["remaining"]) == (77, 3, 77)

    def walk_in(i: int):
        body = {"service": ("KK", "AKL")[i % 2], "request_id": f"walk-{i}"}
        return client.post(f"{API}/sites/PRE/tickets", json=body, headers=kiosk)

    assert all(walk_in(i).status_code == 201 for i in range(77))
    refused = walk_in(77)
    assert (refused.status_code, refused.json["error"]) == (409, p.ERR_QUOTA_EXHAUSTED)
    # the booked citizens still get the places held for them
    at(clock, TUESDAY, 9, 10)
    assert checkin(client, kiosk, codes[0], request_id="in-0").status_code == 201
    assert walk_in(78).status_code == 409  # checking in freed nothing for walk-ins
    # once the window is over, the places of those who did not come are free again
    at(clock, TUESDAY, 10, 31)
    assert client.get(f"{API}/sites/PRE").json["remaining"] == 2
    assert walk_in(79).status_code == 201
    # and a late booked citizen joins like anyone while places remain
    assert checkin(client, kiosk, codes[1], request_id="in-1").status_code == 201
    assert walk_in(80).status_code == 409
