"""``/admin/reports`` through Flask's test client: who may read which site, what the tables
say, the downloads, and bad choices. (The page in Chromium: test_page_browser.py.)"""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sahaja import i18n
from sahaja import protocol as p
from tests.console.conftest import PASSWORD, Browserless, add_user
from tests.reports.conftest import DAY

PAGE = "/admin/reports/"
DAY_ARGS = {"period": "day", "date": DAY.isoformat()}


@pytest.fixture(scope="module")
def office(driven_once):
    app = driven_once.app
    add_user(app, "ratna", "admin", None)
    add_user(app, "kepala-pre", "kepala", "PRE")
    add_user(app, "kepala-ppr", "kepala", "PPR")
    return driven_once


def signed_in(office, user: str) -> Browserless:
    browser = Browserless(office.app.test_client())
    r = browser.sign_in(user, PASSWORD)
    assert r.status_code == 303, r.get_data(as_text=True)
    return browser


def cell(html: str, row: str, key: str) -> str:
    """The text of one figure: the row's ``data-service`` (or counter...), the column key."""
    match = re.search(rf'data-{row}.*?data-key="{key}">([^<]*)<', html, re.S)
    assert match, (row, key)
    return match.group(1)


def service_cell(html: str, service: str, key: str) -> str:
    return cell(html, f'service="{service}"', key)


def test_petugas_is_refused_and_strangers_sign_in_first(office):
    ani = signed_in(office, "ani")  # the petugas of PRE who served the scripted day
    r = ani.client.get(PAGE, query_string=DAY_ARGS)
    assert r.status_code == 403
    assert i18n.t("admin.forbidden", "id") in r.get_data(as_text=True)
    r = ani.client.get("/admin/reports/export.csv", query_string=DAY_ARGS)
    assert r.status_code == 403
    stranger = office.app.test_client()
    r = stranger.get(PAGE, query_string=DAY_ARGS)
    assert r.status_code == 303 and r.headers["Location"].endswith("/console/login")
    r = stranger.get("/admin/reports/export.csv", headers={"Accept": "application/json"})
    assert r.status_code == 401 and r.json["error"] == "unauthorized"


def test_kepala_reads_their_own_site_only(office):
    kepala = signed_in(office, "kepala-pre")
    html = kepala.client.get(PAGE, query_string=DAY_ARGS).get_data(as_text=True)
    assert 'id="site-PRE"' in html and 'id="site-PPR"' not in html
    assert 'value="PPR"' not in html  # not even offered
    assert service_cell(html, "KTP", "issued") == "3"
    r = kepala.client.get(PAGE, query_string={**DAY_ARGS, "site": "PPR"})
    assert r.status_code == 403
    r = kepala.client.get("/admin/reports/export.csv", query_string={**DAY_ARGS, "site": "PPR"})
    assert r.status_code == 403
    other = signed_in(office, "kepala-ppr")
    html = other.client.get(PAGE, query_string=DAY_ARGS).get_data(as_text=True)
    assert 'id="site-PPR"' in html and 'id="site-PRE"' not in html
    assert other.client.get(PAGE, query_string={**DAY_ARGS, "site": "PRE"}).status_code == 403


def test_admin_reads_every_site_and_the_figures(office):
    admin = signed_in(office, "ratna")
    html = admin.client.get(PAGE, query_string=DAY_ARGS).get_data(as_text=True)
    for code in office.app.extensions["sahaja"].config.sites:
        assert f'id="site-{code}"' in html
    assert 'id="overview"' in html
    html = admin.client.get(PAGE, query_string={**DAY_ARGS, "site": "PRE"}).get_data(as_text=True)
    assert "Senin, 30 November 2026" in html
    assert service_cell(html, "KTP", "voided") == "1"
    assert service_cell(html, "KTP", "wait_median") == "7,5"
    assert service_cell(html, "KK", "transferred") == "1"
    assert service_cell(html, "AKL", "no_show") == "1"
    assert service_cell(html, "total", "issued") == "6"
    # the estimate given at issue is measured (Indonesian decimal comma)
    assert re.fullmatch(r"\d+,\d", service_cell(html, "KTP", "estimate_median"))
    assert cell(html, 'counter="PRE-L1"', "served") == "3"
    assert cell(html, 'officer="ani"', "served") == "3"
    chart = re.search(r'<svg class="arrivals-chart".*?</svg>', html, re.S).group(0)
    assert chart.count("<rect") == 2  # 08 and 09
    assert 'aria-label="Grafik kedatangan per jam: 08: 4, 09: 2"' in chart
    english = admin.client.get(PAGE, query_string={**DAY_ARGS, "site": "PRE", "lang": "en"})
    assert "Monday, 30 November 2026" in english.get_data(as_text=True)
    assert "Service report" in english.get_data(as_text=True)
    admin.client.get(PAGE, query_string={"lang": "id"})


def test_week_and_month(office):
    admin = signed_in(office, "ratna")
    args = {"period": "week", "date": "2026-12-02", "site": "PRE"}
    html = admin.client.get(PAGE, query_string=args).get_data(as_text=True)
    assert "Senin, 30 November 2026 s.d. Minggu, 6 Desember 2026" in html
    assert service_cell(html, "total", "issued") == "7"  # and the next day's ticket
    args = {"period": "month", "date": "2026-12-02", "site": "PRE"}
    html = admin.client.get(PAGE, query_string=args).get_data(as_text=True)
    assert "Selasa, 1 Desember 2026 s.d. Kamis, 31 Desember 2026" in html
    assert service_cell(html, "total", "issued") == "1"


def test_downloads_read_back(office):
    kepala = signed_in(office, "kepala-pre")
    html = kepala.client.get(PAGE, query_string=DAY_ARGS).get_data(as_text=True)
    found = re.findall(r'href="(/admin/reports/export\.(\w+)[^"]*)"', html)
    links = {fmt: href.replace("&amp;", "&") for href, fmt in found}
    assert set(links) == {"csv", "xlsx", "pdf"}
    r = kepala.client.get(links["csv"])
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert 'filename="laporan-PRE-2026-11-30_2026-11-30.csv"' in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][:4] == ["PRE", "layanan", "KTP", "3"]
    r = kepala.client.get(links["xlsx"])
    book = load_workbook(io.BytesIO(r.data))
    assert list(book.active.values)[1][:3] == ("PRE", "KTP", 3)
    r = kepala.client.get(links["pdf"])
    assert r.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(r.data)).pages
    assert len(pages) == 1 and "Kantor Kecamatan Pare" in pages[0].extract_text()


def test_bad_choices_are_named(office):
    admin = signed_in(office, "ratna")
    r = admin.client.get(PAGE, query_string={"date": "30-11-2026"})
    assert r.status_code == 400
    assert i18n.t("reports.bad_date", "id") in r.get_data(as_text=True)
    r = admin.client.get(PAGE, query_string={"period": "year"})
    assert r.status_code == 400
    r = admin.client.get(PAGE, query_string={"site": "XYZ"})
    assert r.status_code == 404
    r = admin.client.get("/admin/reports/export.csv", query_string={"date": "kemarin"})
    assert r.status_code == 422
    assert r.json["error"] == p.ERR_MALFORMED
    assert "date" in r.json["message"]
    r = admin.client.get("/admin/reports/export.csv", query_string={"site": "XYZ"})
    assert r.status_code == 404 and r.json["error"] == "unknown_site"
    assert admin.client.get("/admin/reports/export.doc").status_code == 404
