"""A report as CSV and XLSX (openpyxl); the printable PDF is ``pdf.py``."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from sahaja import i18n
from server.reports.tables import (
    FIGURES,
    FLAT_HEAD,
    PERSON_FIGURES,
    figure,
    flat_rows,
    header,
)

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


def to_csv(report: dict[str, Any], lang: str) -> str:
    """One table: a row per service, total, counter, officer and hour of each site. UTF-8
    with a byte-order mark so that Excel opens it with the right letters."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(FLAT_HEAD, lang))
    for row in flat_rows(report, lang):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def to_xlsx(report: dict[str, Any], lang: str) -> bytes:
    """A sheet per kind of table (services with each site's total, counters, officers,
    arrivals per hour with a bar chart), each with the site in its first column."""

    def t(key: str, **params: object) -> str:
        return i18n.t(f"reports.{key}", lang, **params)

    book = Workbook()
    services = book.active
    services.title = t("services")
    services.append(header(("site", "service", *FIGURES), lang))
    counters = book.create_sheet(t("counters"))
    counters.append(header(("site", "counter", *PERSON_FIGURES), lang))
    officers = book.create_sheet(t("officers"))
    officers.append(header(("site", "officer", *PERSON_FIGURES), lang))
    arrivals = book.create_sheet(t("arrivals"))
    arrivals.append(header(("site", "hour", "issued"), lang))
    for site in report["sites"]:
        code = site["site"]
        for row in site["services"]:
            services.append([code, row["service"], *(figure(row, k) for k in FIGURES)])
        services.append([code, t("total"), *(figure(site["total"], k) for k in FIGURES)])
        for row in site["counters"]:
            counters.append([code, row["counter"], *(figure(row, k) for k in PERSON_FIGURES)])
        for row in site["officers"]:
            officers.append([code, row["officer"], *(figure(row, k) for k in PERSON_FIGURES)])
        for hour in site["arrivals_per_hour"]:
            arrivals.append([code, f"{hour['hour']:02d}:00", hour["issued"]])
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 40)
    if arrivals.max_row > 1:
        chart = BarChart()
        chart.title = t("arrivals")
        chart.y_axis.title = t("col_issued")
        chart.x_axis.title = t("col_hour")
        data = Reference(arrivals, min_col=3, min_row=1, max_row=arrivals.max_row)
        labels = Reference(arrivals, min_col=2, min_row=2, max_row=arrivals.max_row)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(labels)
        chart.legend = None
        arrivals.add_chart(chart, "E2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
