"""The /lokasi and /booking pages through Flask's test client (SQLite and PostgreSQL, Monday
30 November 2026 08:00 WIB): what each step of the form shows, the booking's own page with its
QR, cancelling, English, headers, and that the NIK never appears in an address."""

from __future__ import annotations

import re

from sahaja import i18n
from sahaja import protocol as p
from tests.booking.conftest import NIK_JAKARTA, NIK_MAN, NIK_WOMAN

PARE = "35.06.17"


def t(key: str, lang: str = "id", **params: object) -> str:
    return i18n.t(f"booking.{key}", lang, **params)


def html(r) -> str:
    return r.get_data(as_text=True)


def post_form(client, **fields):
    return client.post(p.BOOKING_PAGE_PREFIX, data=fields)


def make_booking(client, who=NIK_MAN) -> str:
    r = post_form(
        client,
        nik=who,
        kecamatan=PARE,
        service="KTP",
        date="2026-12-01",
        window="08:30-09:30",
        go="book",
    )
    assert r.status_code == 303, html(r)
    location = r.headers["Location"]
    assert who not in location
    match = re.search(r"/booking/([A-Z0-9]+)", location)
    assert match, location
    return match.group(1)


def test_lokasi_shows_the_service_point_of_a_kecamatan(client):
    r = client.get(p.LOKASI_PAGE)
    assert r.status_code == 200
    page = html(r)
    assert t("lokasi_title") in page and "Kayen Kidul" in page
    assert 'id="site"' not in page
    r = client.get(p.LOKASI_PAGE, query_string={"kecamatan": "35.06.18"})  # Kepung -> Pare
    page = html(r)
    assert r.status_code == 200
    assert "Kantor Kecamatan Pare" in page and "Kecamatan Pare, Kabupaten Kediri" in page
    assert "07.30–15.00" in page  # today's hours
    assert "KTP-el" in page and "Surat Pindah Datang" in page
    assert "/booking?kecamatan=35.06.18" in page
    assert client.get(p.LOKASI_PAGE, query_string={"kecamatan": "99"}).status_code == 404


def test_the_form_asks_step_by_step_and_suggests_the_kecamatan_of_the_nik(client):
    page = html(client.get(p.BOOKING_PAGE_PREFIX))
    assert t("booking_title") in page and 'name="nik"' in page and 'name="service"' not in page
    page = html(post_form(client, nik=NIK_MAN, go="next"))
    assert t("suggested", name="Pare") in page
    assert f'<option value="{PARE}" selected>' in page
    assert 'name="service"' in page and 'name="date"' not in page
    page = html(post_form(client, nik=NIK_MAN, kecamatan=PARE, service="KTP", go="next"))
    assert "Selasa, 1 Desember 2026" in page and "Sabtu" not in page
    page = html(
        post_form(client, nik=NIK_MAN, kecamatan=PARE, service="KTP", date="2026-12-01", go="n")
    )
    assert page.count('name="window"') == 6 and t("places", n=4) in page
    # someone registered in Jakarta, living in Pare: no suggestion, chooses Pare
    page = html(post_form(client, nik=NIK_JAKARTA, go="next"))
    assert "suggested" not in page


def test_an_invalid_nik_is_said_on_the_page(client):
    r = post_form(client, nik="3506173102900001", kecamatan=PARE, go="next")
    assert r.status_code == 422
    assert t("invalid_nik") in html(r)


def test_booking_then_its_page_shows_code_qr_and_cancels_with_the_nik(client):
    code = make_booking(client)
    r = client.get(f"/booking/{code}")
    page = html(r)
    assert r.status_code == 200
    assert f"{code[:3]}-{code[3:6]}-{code[6:]}" in page
    assert "<svg" in page and 'id="qr"' in page
    assert t("status_booked") in page and "Kantor Kecamatan Pare" in page
    assert "08.30–09.30" in page and t("arrive", time="08.00", end="09.30") in page
    assert NIK_MAN not in page
    wrong = client.post(f"/booking/{code}/cancel", data={"nik": NIK_WOMAN})
    assert wrong.status_code == 403 and t("wrong_nik") in html(wrong)
    ok = client.post(f"/booking/{code}/cancel", data={"nik": NIK_MAN})
    assert ok.status_code == 303 and NIK_MAN not in ok.headers["Location"]
    page = html(client.get(ok.headers["Location"]))
    assert t("cancelled_now") in page and t("status_cancelled") in page
    assert "<svg" not in page and 'id="cancel"' not in page


def test_a_second_booking_of_the_day_is_refused_on_the_page(client):
    make_booking(client)
    r = post_form(
        client,
        nik=NIK_MAN,
        kecamatan=PARE,
        service="KK",
        date="2026-12-01",
        window="09:30-10:30",
        go="book",
    )
    assert r.status_code == 409 and t("already_booked") in html(r)


def test_booking_without_a_window_asks_for_one(client):
    r = post_form(client, nik=NIK_MAN, kecamatan=PARE, service="KTP", date="2026-12-01", go="book")
    assert r.status_code == 409
    assert t("closed_window") in html(r)


def test_english_pages_and_codes_typed_in_the_find_box(client):
    code = make_booking(client)
    page = html(client.get(p.BOOKING_PAGE_PREFIX, query_string={"lang": "en"}))
    assert t("booking_title", "en") in page and '<html lang="en">' in page
    typed = f"{code[:3].lower()} {code[3:]}"
    r = client.get("/booking/find", query_string={"code": typed, "lang": "en"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/booking/{code}?lang=en")
    page = html(client.get(r.headers["Location"]))
    assert t("status_booked", "en") in page and "Tuesday, 1 December 2026" in page
    missing = client.get("/booking/ACD479HJK")
    assert missing.status_code == 404 and t("unknown") in html(missing)


def test_pages_have_a_strict_policy_and_are_not_cached(client):
    for path in (p.LOKASI_PAGE, p.BOOKING_PAGE_PREFIX):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "form-action 'self'" in csp
        assert "script-src" not in csp  # no script at all
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "<script" not in html(r)
        assert len(r.data) < 40_000  # light: one request, no images, no script


def test_the_pages_are_rate_limited_per_address_too(app, client):
    bookings = app.extensions["sahaja_booking"]
    bookings.reads.limit = type(bookings.reads.limit)(2, 600)
    bookings.writes.limit = type(bookings.writes.limit)(1, 600)
    code = make_booking(client)
    for _ in range(2):
        assert client.get(f"/booking/{code}").status_code == 200
    r = client.get(f"/booking/{code}")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    r = post_form(
        client,
        nik=NIK_WOMAN,
        kecamatan=PARE,
        service="KTP",
        date="2026-12-01",
        window="07:30-08:30",
        go="book",
    )
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert "Terlalu banyak permintaan" in html(r)
