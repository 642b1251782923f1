"""``/admin/reports``: a period and a site chosen, the figures as tables and a chart, and the
same report as CSV, XLSX or PDF. Access through ``server.admin.access``: an admin reads
every site, a kepala their own, anyone else is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, session, url_for

from sahaja import i18n
from sahaja import protocol as p
from server.admin import access
from server.admin.access import ADMIN, KEPALA, StaffUser, current_staff, require_staff
from server.console import csrf
from server.errors import ApiError, malformed
from server.extensions import services
from server.reports import chart
from server.reports.data import build_report, build_report_with_days
from server.reports.exports import CSV_TYPE, PDF_TYPE, XLSX_TYPE, to_csv, to_xlsx
from server.reports.figures import PERIODS, days_between, period_range
from server.reports.pdf import to_pdf
from server.reports.tables import FIGURES, PERSON_FIGURES, figure

bp = Blueprint(
    "reports",
    __name__,
    url_prefix="/admin/reports",
    template_folder="templates",
    static_folder="static",
)
access.protect(bp, sessionless={"reports.static"})
EXPORTS = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE, "pdf": PDF_TYPE}


def language() -> str:
    return access.language()


@dataclass(frozen=True)
class Choice:
    """What the request asks for: a period around a day, at one site or all (``None``)."""

    period: str
    day: date
    site: str | None

    @property
    def first_last(self) -> tuple[date, date]:
        return period_range(self.period, self.day)

    def args(self, **changes: Any) -> dict[str, str]:
        values = {"period": self.period, "date": self.day.isoformat(), "site": self.site or ""}
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v}


class BadChoice(Exception):
    def __init__(self, status: int, field: str, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.status, self.field, self.key, self.params = status, field, key, params


def choice(user: StaffUser) -> Choice:
    """The request's period, day and site, checked; a kepala always gets their own site."""
    svc = services()
    site = request.args.get("site") or None
    require_staff(ADMIN, KEPALA, site=site)  # 403 for another site's kepala
    if not user.is_admin:
        site = user.site
    if site is not None and site not in svc.config.sites:
        raise BadChoice(404, "site", "reports.unknown_site", site=site)
    period = request.args.get("period") or "day"
    if period not in PERIODS:
        raise BadChoice(400, "period", "reports.bad_period")
    raw = request.args.get("date")
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise BadChoice(400, "date", "reports.bad_date") from None
    else:
        day = svc.store.today()
    return Choice(period, day, site)


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    lang = language()
    return {
        "t": i18n.translator(lang),
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "csrf_token": session.get(csrf.SESSION_KEY, ""),
        "staff": current_staff(),
    }


def shown(value: float | int | None, lang: str) -> str:
    """A figure as the page prints it: a comma for decimals in Indonesian, a dash for none."""
    if value is None:
        return i18n.t("reports.not_recorded", lang)
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if lang == "id" else text
    return str(value)


def range_text(first: date, last: date, lang: str) -> str:
    if first == last:
        return i18n.format_date(first, lang)
    return i18n.t(
        "reports.range",
        lang,
        first=i18n.format_date(first, lang),
        last=i18n.format_date(last, lang),
    )


@bp.get("/")
def page():
    user = require_staff(ADMIN, KEPALA)
    lang = language()
    svc = services()
    try:
        chosen = choice(user)
    except BadChoice as exc:
        message = i18n.t(exc.key, lang, **exc.params)
        fallback = Choice("day", svc.store.today(), None if user.is_admin else user.site)
        return _render(user, fallback, None, message), exc.status
    first, last = chosen.first_last
    report = build_report(svc.db.read_engine, svc.config, first, last, chosen.site)
    return _render(user, chosen, report, None)


def _render(user: StaffUser, chosen: Choice, report: dict | None, error: str | None) -> str:
    svc = services()
    lang = language()
    first, last = chosen.first_last
    before = period_range(chosen.period, first.fromordinal(first.toordinal() - 1))[0]
    after = last.fromordinal(last.toordinal() + 1)
    charts = {}
    if report is not None:
        for site in report["sites"]:
            hours = site["arrivals_per_hour"]
            label = i18n.t("reports.arrivals_chart", lang, summary=chart.summary(hours))
            charts[site["site"]] = chart.arrivals_svg(
                hours, label, i18n.t("reports.col_hour", lang)
            )
    return render_template(
        "reports/report.html",
        report=report,
        error=error,
        chosen=chosen,
        first=first,
        last=last,
        days=len(days_between(first, last)),
        range_text=range_text(first, last, lang),
        previous_args=chosen.args(date=before.isoformat()),
        next_args=chosen.args(date=after.isoformat()),
        sites=[s for s in svc.config.sites.values() if user.manages(s.code)],
        site_names={code: s.name for code, s in svc.config.sites.items()},
        service_names={
            code: (s.name_en if lang == "en" and s.name_en else s.name)
            for code, s in svc.config.services.items()
        },
        periods=PERIODS,
        figures=FIGURES,
        person_figures=PERSON_FIGURES,
        figure=figure,
        shown=lambda v: shown(v, lang),
        charts=charts,
        downloads={fmt: url_for("reports.export", fmt=fmt, **chosen.args()) for fmt in EXPORTS},
    )


@bp.get("/export.<fmt>")
def export(fmt: str):
    """The chosen report as a file; a bad choice is a JSON 4xx naming the field."""
    user = require_staff(ADMIN, KEPALA)
    if fmt not in EXPORTS:
        raise ApiError(404, p.ERR_NOT_FOUND, "server.not_found")
    lang = language()
    try:
        chosen = choice(user)
    except BadChoice as exc:
        if exc.status == 404:
            raise ApiError(404, p.ERR_UNKNOWN_SITE, "server.unknown_site", **exc.params) from None
        raise malformed(exc.field, i18n.t(exc.key, lang)) from None
    svc = services()
    first, last = chosen.first_last
    if fmt == "pdf":
        _, days = build_report_with_days(svc.db.read_engine, svc.config, first, last, chosen.site)
        body = to_pdf(days, svc.config, lang, svc.clock.now())
    else:
        report = build_report(svc.db.read_engine, svc.config, first, last, chosen.site)
        body = to_csv(report, lang).encode("utf-8") if fmt == "csv" else to_xlsx(report, lang)
    name = f"laporan-{chosen.site or 'semua'}-{first.isoformat()}_{last.isoformat()}.{fmt}"
    response = Response(body, mimetype=EXPORTS[fmt].split(";")[0])
    if fmt == "csv":
        response.headers["Content-Type"] = CSV_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
