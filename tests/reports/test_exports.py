"""The exports opened and read back (CSV, XLSX with openpyxl, PDF text with pypdf), and the
``sahaja-server report`` command, over the day of tests/reports/conftest.py."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sahaja import i18n
from server.cli import main
from server.reports.data import build_report, build_report_with_days
from server.reports.exports import to_csv, to_xlsx
from server.reports.pdf import to_pdf
from tests.reports.conftest import DAY, NEXT_DAY


def col(key: str, lang: str = "id") -> str:
    return i18n.t(f"reports.col_{key}", lang)


def report_of(app, first=DAY, last=DAY, site="PRE"):
    svc = app.extensions["sahaja"]
    return build_report(svc.db.read_engine, svc.config, first, last, site)


@pytest.fixture
def driven(driven_once):
    return driven_once


@pytest.fixture
def day_report(driven):
    return report_of(driven.app)


def test_csv_reads_back(day_report):
    text = to_csv(day_report, "id")
    assert text.startswith("\ufeff")  # Excel opens UTF-8 with the right letters
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    ktp = next(r for r in rows if r[col("name")] == "KTP")
    assert ktp[col("site")] == "PRE"
    assert ktp[col("group")] == "layanan"
    assert (ktp[col("issued")], ktp[col("served")], ktp[col("voided")]) == ("3", "2", "1")
    assert (ktp[col("wait_median")], ktp[col("wait_p90")]) == ("7.5", "9.5")
    # the estimate each ticket was given at issue is kept (migration 0010) and measured
    pre = next(site for site in day_report["sites"] if site["site"] == "PRE")
    figure = next(row for row in pre["services"] if row["service"] == "KTP")
    median = figure["estimate_error_minutes"]["median"]
    assert median is not None and float(ktp[col("estimate_median")]) == median
    kk = next(r for r in rows if r[col("name")] == "KK")
    assert kk[col("transferred")] == "1"
    total = next(r for r in rows if r[col("group")] == "jumlah")
    assert (total[col("issued")], total[col("no_show")], total[col("expired")]) == ("6", "1", "1")
    ani = next(r for r in rows if r[col("group")] == "petugas")
    assert (ani[col("name")], ani[col("served")]) == ("ani", "3")
    hours = {r[col("name")]: r[col("issued")] for r in rows if r[col("group")] == "kedatangan"}
    assert hours == {"08": "4", "09": "2"}


def test_csv_in_english(day_report):
    rows = list(csv.reader(io.StringIO(to_csv(day_report, "en").lstrip("\ufeff"))))
    assert rows[0][:4] == ["Service point", "Part", "Name", "Issued"]
    assert rows[1][:4] == ["PRE", "service", "KTP", "3"]


def test_xlsx_reads_back_with_openpyxl(day_report):
    book = load_workbook(io.BytesIO(to_xlsx(day_report, "id")))
    assert book.sheetnames == ["Per layanan", "Per loket", "Per petugas", "Kedatangan per jam"]
    services = list(book["Per layanan"].values)
    head = services[0]
    rows = {r[1]: dict(zip(head, r, strict=True)) for r in services[1:]}
    assert rows["KTP"][col("issued")] == 3
    assert rows["KTP"][col("service_median")] == 10.0
    assert rows["KTP"][col("service_p90")] == 11.6
    assert rows["KK"][col("transferred")] == 1
    assert rows["Jumlah"][col("issued")] == 6
    assert rows["KTP"][col("documents_same_day")] == 0  # finished, none marked ready yet
    counters = list(book["Per loket"].values)
    assert counters[1][:3] == ("PRE", "PRE-L1", 3)
    assert list(book["Per petugas"].values)[1][:3] == ("PRE", "ani", 3)
    arrivals = book["Kedatangan per jam"]
    assert list(arrivals.values)[1:] == [("PRE", "08:00", 4), ("PRE", "09:00", 2)]
    assert len(arrivals._charts) == 1  # the bar chart Excel draws


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_pdf_is_one_page_per_site_and_day(driven):
    svc = driven.app.extensions["sahaja"]
    _, days = build_report_with_days(svc.db.read_engine, svc.config, DAY, NEXT_DAY, "PRE")
    pages = pdf_pages(to_pdf(days, svc.config, "id", svc.clock.now()))
    assert len(pages) == 2
    first, second = pages
    assert "Laporan Harian Layanan" in first
    assert "Kantor Kecamatan Pare" in first
    assert "Senin, 30 November 2026" in first
    assert "Selasa, 1 Desember 2026" in second
    assert "KTP-el" in first and "Kartu Keluarga" in first
    assert "PRE-L1" in first and "ani" in first
    assert "Kedatangan per jam" in first
    # the KTP row: its name, then issued 3, served 2, no-show 0, voided 1 ... wait 7,5
    ktp = next(line for line in first.splitlines() if line.startswith("KTP-el"))
    assert ktp.split()[1:6] == ["3", "2", "0", "1", "0"]
    assert "7,5" in ktp and "9,5" in ktp
    assert "Tidak ada tiket" not in first
    english = pdf_pages(to_pdf(days[:1], svc.config, "en", svc.clock.now()))
    assert "Daily service report" in english[0] and "Monday, 30 November 2026" in english[0]


def test_pdf_of_every_site_of_a_day(driven):
    svc = driven.app.extensions["sahaja"]
    _, days = build_report_with_days(svc.db.read_engine, svc.config, DAY, DAY)
    pages = pdf_pages(to_pdf(days, svc.config, "id", svc.clock.now()))
    assert len(pages) == len(svc.config.sites)
    papar = next(page for page in pages if "(PPR)" in page)
    assert "Tidak ada tiket" in papar  # no ticket at Papar: its empty chart says so
    pare = next(page for page in pages if "(PRE)" in page)
    assert "Tidak ada tiket" not in pare


def run_cli(app, capsysbinary, *args: str) -> tuple[int, bytes, bytes]:
    url = app.config["DATABASE_URL"]
    code = main(["--database", url, "report", *args])
    out, err = capsysbinary.readouterr()
    return code, out, err


def test_cli_json_matches_the_report(driven, capsysbinary):
    code, out, _ = run_cli(
        driven.app, capsysbinary, "--from", "2026-11-30", "--to", "2026-11-30", "--site", "PRE"
    )
    assert code == 0
    assert json.loads(out) == report_of(driven.app)
    code, out, _ = run_cli(driven.app, capsysbinary, "--from", "2026-11-30", "--to", "2026-12-01")
    assert code == 0
    sites = {s["site"]: s for s in json.loads(out)["sites"]}
    assert len(sites) == 6 and sites["PRE"]["total"]["issued"] == 7


def test_cli_writes_each_format_to_a_file(driven, capsysbinary, tmp_path):
    day = ("--from", "2026-11-30", "--to", "2026-11-30", "--site", "PRE")
    for fmt in ("csv", "xlsx", "pdf"):
        out = tmp_path / f"report.{fmt}"
        code, _, _ = run_cli(driven.app, capsysbinary, *day, "--format", fmt, "--out", str(out))
        assert code == 0, fmt
    assert "KTP" in (tmp_path / "report.csv").read_text("utf-8-sig")
    book = load_workbook(tmp_path / "report.xlsx")
    assert list(book.active.values)[1][:3] == ("PRE", "KTP", 3)
    assert "Kantor Kecamatan Pare" in pdf_pages((tmp_path / "report.pdf").read_bytes())[0]


def test_cli_refuses_bad_input(driven, capsysbinary):
    code, _, err = run_cli(
        driven.app, capsysbinary, "--from", "2026-11-30", "--to", "2026-11-30", "--site", "XYZ"
    )
    assert code == 2 and b"unknown site XYZ" in err
    code, _, err = run_cli(driven.app, capsysbinary, "--from", "2026-12-01", "--to", "2026-11-30")
    assert code == 2 and b"before" in err
    with pytest.raises(SystemExit) as exit_:
        run_cli(driven.app, capsysbinary, "--from", "30/11/2026", "--to", "2026-11-30")
    assert exit_.value.code == 2
    assert b"not a date" in capsysbinary.readouterr().err
