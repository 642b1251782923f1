"""The printable report (fpdf2): one A4 landscape page per site and day.

Each page: the office and site, the day, the figures per service with the site's total, the
counters and officers, and a bar chart of arrivals per hour. DejaVu Sans (Debian's
fonts-dejavu-core) when present, for every letter and the dash; else the PDF core font.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF

from sahaja import i18n
from sahaja.config import Config
from server.reports.tables import FIGURES, PERSON_FIGURES, figure

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FAMILY = "DejaVu"
MARGIN = 10.0
INK = (30, 30, 30)
BAR = (46, 111, 64)  # the console's green
HEAD_FILL = (232, 240, 234)


def _font(pdf: FPDF) -> str:
    if all((FONT_DIR / name).exists() for name in FONT_FILES.values()):
        for style, name in FONT_FILES.items():
            pdf.add_font(FAMILY, style, str(FONT_DIR / name))
        return FAMILY
    return "helvetica"


def _shown(value: float | int | None, lang: str) -> str:
    if value is None:
        return i18n.t("reports.not_recorded", lang)
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if lang == "id" else text
    return str(value)


def to_pdf(days: list[dict[str, Any]], config: Config, lang: str, printed_at: datetime) -> bytes:
    """``days``: the per-site-and-day entries of ``build_report_with_days``."""

    def t(key: str, **params: object) -> str:
        return i18n.t(f"reports.{key}", lang, **params)

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(t("pdf_heading"))
    pdf.set_creator("Sahaja Lekat")
    family = _font(pdf)
    grid = Grid(family)
    local = printed_at.astimezone(config.tz)
    printed = f"{i18n.format_date(local.date(), lang)} {i18n.format_time(local, lang)}"
    for number, entry in enumerate(days, start=1):
        pdf.add_page()
        _page(pdf, family, grid, entry, config, lang, t)
        pdf.set_font(family, "", 7)
        pdf.set_xy(MARGIN, pdf.h - MARGIN - 4)
        footer = f"{t('pdf_printed', time=printed)} · {t('pdf_page', page=number)}"
        pdf.cell(pdf.epw, 4, footer, align="R")
    return bytes(pdf.output())


class Grid:
    """Tables drawn cell by cell: one line per figure, headings wrapped once per document
    (fpdf2's ``table()`` lays out every cell as a paragraph: 30 s for a month's 180 pages)."""

    LINE = 3.4

    def __init__(self, family: str) -> None:
        self.family = family
        self._lines: dict[tuple[str, float], list[str]] = {}

    def lines(self, pdf: FPDF, text: str, width: float) -> list[str]:
        key = (text, width)
        if key not in self._lines:
            self._lines[key] = pdf.multi_cell(width, self.LINE, text, dry_run=True, output="LINES")
        return self._lines[key]

    def paragraph(self, pdf: FPDF, text: str, width: float) -> None:
        """Text wrapped to ``width`` (once per document), from the current position."""
        x = pdf.get_x()
        for line in self.lines(pdf, text, width):
            pdf.set_x(x)
            pdf.cell(width, 3, line, new_x="LMARGIN", new_y="NEXT")

    def draw(
        self,
        pdf: FPDF,
        widths: tuple[float, ...],
        head: list[str],
        rows: list[list[str]],
        footer: list[str] | None = None,
    ) -> None:
        x0 = pdf.l_margin
        pdf.set_font(self.family, "B", 6)
        wrapped = [self.lines(pdf, text, w - 1.6) for text, w in zip(head, widths, strict=True)]
        height = max(len(w) for w in wrapped) * self.LINE + 1.6
        y = pdf.get_y()
        pdf.set_fill_color(*HEAD_FILL)
        pdf.set_draw_color(150, 150, 150)
        x = x0
        for lines, w in zip(wrapped, widths, strict=True):
            pdf.rect(x, y, w, height, style="DF")
            for n, line in enumerate(lines):
                pdf.set_xy(x + 0.8, y + 0.8 + n * self.LINE)
                pdf.cell(w - 1.6, self.LINE, line, align="L" if x == x0 else "R")
            x += w
        y += height
        for style, row in [("", r) for r in rows] + ([("B", footer)] if footer else []):
            pdf.set_font(self.family, style, 7)
            x = x0
            for n, (text, w) in enumerate(zip(row, widths, strict=True)):
                pdf.set_xy(x, y)
                pdf.cell(w, self.LINE + 1.2, text, border=1, align="L" if n == 0 else "R")
                x += w
            y += self.LINE + 1.2
        pdf.set_xy(x0, y)


def _page(
    pdf: FPDF, family: str, grid: Grid, entry: dict[str, Any], config: Config, lang, t
) -> None:
    site = config.sites[entry["site"]]
    day = date.fromisoformat(entry["day"])
    pdf.set_text_color(*INK)
    pdf.set_font(family, "", 9)
    pdf.cell(pdf.epw, 5, config.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 15)
    pdf.cell(pdf.epw, 8, f"{t('pdf_heading')} — {site.name} ({site.code})")
    pdf.ln(8)
    pdf.set_font(family, "", 11)
    pdf.cell(pdf.epw, 6, i18n.format_date(day, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    pdf.set_font(family, "B", 10)
    pdf.cell(pdf.epw, 6, t("services"), new_x="LMARGIN", new_y="NEXT")
    widths = (30, *([19] * 6), *([18] * 6), 24)
    rows = []
    for service in entry["services"]:
        code = service["service"]
        known = config.services.get(code)
        rows.append(
            [known.name if known else code, *(_shown(figure(service, k), lang) for k in FIGURES)]
        )
    total = [t("total"), *(_shown(figure(entry["total"], k), lang) for k in FIGURES)]
    head = [t(f"col_{key}") for key in ("service", *FIGURES)]
    grid.draw(pdf, widths, head, rows, footer=total)
    pdf.ln(4)
    top = pdf.get_y()
    half = pdf.epw / 2 - 4
    for title, key, people in (
        (t("counters"), "counter", entry["counters"]),
        (t("officers"), "officer", entry["officers"]),
    ):
        pdf.set_font(family, "B", 10)
        pdf.cell(half, 6, title, new_x="LMARGIN", new_y="NEXT")
        head = [t(f"col_{col}") for col in (key, *PERSON_FIGURES)]
        body = [
            [str(person[key]), *(_shown(figure(person, col), lang) for col in PERSON_FIGURES)]
            for person in people
        ]
        grid.draw(pdf, (40, 20, 25, 25), head, body)
        pdf.ln(3)
    if entry["officers"]:
        pdf.set_font(family, "", 6.5)
        grid.paragraph(pdf, t("officers_note"), 110)
    _chart(pdf, family, entry["arrivals_per_hour"], MARGIN + half + 8, top, half, 80, t)
    pdf.set_font(family, "", 6.5)
    pdf.set_xy(MARGIN, pdf.h - MARGIN - 9)
    grid.paragraph(pdf, f"{t('intro')} {t('not_recorded_note')}", pdf.epw)


def _chart(pdf: FPDF, family: str, hours: list[dict[str, int]], x, y, width, height, t) -> None:
    """Bars of tickets issued per hour, each labelled with its count and hour."""
    pdf.set_font(family, "B", 10)
    pdf.set_xy(x, y)
    pdf.cell(width, 6, t("arrivals"))
    if not hours:
        pdf.set_font(family, "", 8)
        pdf.set_xy(x, y + 8)
        pdf.cell(width, 5, t("no_tickets"))
        return
    top, bottom = y + 12, y + height - 6
    most = max(h["issued"] for h in hours) or 1
    slot = width / len(hours)
    bar = slot * 0.7
    pdf.set_draw_color(*INK)
    pdf.line(x, bottom, x + width, bottom)
    pdf.set_font(family, "", 7)
    for i, h in enumerate(hours):
        left = x + i * slot + (slot - bar) / 2
        tall = (bottom - top) * h["issued"] / most
        if tall > 0:
            pdf.set_fill_color(*BAR)
            pdf.rect(left, bottom - tall, bar, tall, style="F")
        pdf.set_xy(left - 2, bottom - tall - 4)
        pdf.cell(bar + 4, 4, str(h["issued"]), align="C")
        pdf.set_xy(left - 2, bottom + 0.5)
        pdf.cell(bar + 4, 4, f"{h['hour']:02d}", align="C")
    pdf.set_xy(x, bottom + 4.5)
    pdf.cell(width, 4, t("col_hour"), align="C")
