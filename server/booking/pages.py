"""The citizens' booking pages: ``/lokasi`` (service point by domicile), ``/booking`` (a form
that works without JavaScript: each "Lanjut" posts what is filled and the page adds the next
question), ``/booking/{code}`` (status, QR, cancel with the NIK).

Like the other citizens' pages: server-rendered, light, a strict CSP (forms post only here),
no cookie. The NIK only ever travels in a POST body, never in an address."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, redirect, render_template, request, url_for
from markupsafe import Markup

from sahaja import i18n
from sahaja import protocol as p
from sahaja.core import booking as rules
from server.booking import bookings
from server.booking.nik import suggested_kecamatan, valid_nik
from server.errors import ApiError
from server.extensions import services
from server.public.page import minute_text, service_name, site_page_view
from server.public.views import citizen_headers, page_context, style_hash
from server.throttle import RateLimited

bp = Blueprint("booking_pages", __name__, template_folder="templates")


@cache
def _css() -> str:
    public = resources.files("server.public").joinpath("public.css").read_text(encoding="utf-8")
    own = resources.files("server.booking").joinpath("booking.css").read_text(encoding="utf-8")
    return public + own


@cache
def content_security_policy() -> str:
    """As the other citizens' pages, but forms may post to this server; no script at all."""
    return (
        f"default-src 'none'; style-src {style_hash(_css())}; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def language() -> str:
    return i18n.normalize_language(request.values.get("lang"))


@bp.after_request
def _headers(response: Response) -> Response:
    citizen_headers(response, content_security_policy())
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return page_context(language(), _css())


# --- /lokasi -------------------------------------------------------------------------------
@bp.get(p.LOKASI_PAGE)
def lokasi():
    svc = services()
    lang = language()
    chosen = request.args.get("kecamatan", "")
    store = bookings().store
    found = next((k for k in svc.config.kecamatan if k.code == chosen), None)
    view = None
    if found is not None:
        site = svc.config.sites[found.site]
        view = site_page_view(svc.config, svc.store.site_view(site.code), svc.clock.now(), lang)
        view["address"] = site.address or site.name
        view["kecamatan"] = found.name
    status = 404 if chosen and found is None else 200
    return render_template(
        "booking/lokasi.html",
        kecamatan=store.kecamatan_list(),
        chosen=chosen,
        v=view,
    ), status


# --- /booking ------------------------------------------------------------------------------
def _form_state(form: dict[str, str], lang: str) -> dict[str, Any]:
    """What the booking form shows for what is filled in so far (each step adds a question)."""
    svc = services()
    store = bookings().store
    state: dict[str, Any] = {"f": form, "kecamatan": store.kecamatan_list(), "error": None}
    nik = form.get("nik", "")
    if nik:
        try:
            digits = valid_nik(nik)
        except ApiError as exc:
            state["error"] = i18n.t(exc.message_key, lang, **exc.params)
            digits = None
        suggestion = suggested_kecamatan(digits, svc.config) if digits else None
        if suggestion:
            name = next(k.name for k in svc.config.kecamatan if k.code == suggestion)
            state["suggested"] = i18n.t("booking.suggested", lang, name=name)
            if not form.get("kecamatan"):
                form["kecamatan"] = suggestion
    kec = next((k for k in svc.config.kecamatan if k.code == form.get("kecamatan")), None)
    if kec is None:
        return state
    site = svc.config.sites[kec.site]
    state["site"] = site
    state["site_line"] = i18n.t("booking.site_for", lang, site=site.name)
    state["services"] = [
        {"code": s, "name": service_name(svc.config, s, lang)} for s in site.services
    ]
    if form.get("service") not in site.services:
        return state
    days = store.days(site)
    state["days"] = [{"value": d.isoformat(), "name": i18n.format_date(d, lang)} for d in days]
    if form.get("date") not in {d.isoformat() for d in days}:
        return state
    windows = store.windows(site.code, form["service"], form["date"])
    state["windows"] = [
        {
            "value": w["window"],
            "label": _window_label(w["window"], lang),
            "left": w["remaining"],
            "places": i18n.t("booking.places", lang, n=w["remaining"])
            if w["remaining"] > 0
            else i18n.t("booking.full_short", lang),
        }
        for w in windows
    ]
    return state


def _window_label(label: str, lang: str) -> str:
    """'08:00-09:00' as '08.00–09.00' (Indonesian) / '08:00–09:00'."""
    start, _, end = label.partition("-")
    if lang == "id":
        start, end = start.replace(":", "."), end.replace(":", ".")
    return f"{start}–{end}"


FORM_FIELDS = ("nik", "kecamatan", "service", "date", "window")


@bp.get(p.BOOKING_PAGE_PREFIX)
def booking_form():
    lang = language()
    form = {k: request.args.get(k, "") for k in ("kecamatan", "service")}
    return render_template("booking/form.html", **_form_state(form, lang))


@bp.post(p.BOOKING_PAGE_PREFIX)
def booking_submit():
    lang = language()
    form = {k: request.form.get(k, "").strip()[:40] for k in FORM_FIELDS}
    state = _form_state(form, lang)
    if request.form.get("go") != "book" or state["error"]:
        return render_template("booking/form.html", **state), 422 if state["error"] else 200
    b = bookings()
    try:
        b.writes.check(request.remote_addr)
        outcome = b.store.create(**form)
    except RateLimited as exc:
        state["error"] = i18n.t("booking.too_many", lang, seconds=exc.retry_after)
        page = render_template("booking/form.html", **state)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    except ApiError as exc:
        state["error"] = i18n.t(exc.message_key, lang, **exc.params)
        if exc.code == p.ERR_MALFORMED:
            state["error"] = i18n.t("booking.pick_window", lang)
        state = {**_form_state(form, lang), "error": state["error"]}
        return render_template("booking/form.html", **state), exc.status
    code = outcome.body["code"]
    return redirect(url_for("booking_pages.booking_status", code=code, lang=lang), 303)


@bp.get(f"{p.BOOKING_PAGE_PREFIX}/find")
def booking_find():
    """The "already have a code?" box: to the code's own page."""
    lang = language()
    code = rules.normalize_code(request.args.get("code", "")) or "-"
    return redirect(url_for("booking_pages.booking_status", code=code, lang=lang), 303)


# --- /booking/{code} -----------------------------------------------------------------------
def qr_svg(text: str) -> Markup:
    """The code as an inline SVG QR (no image request, no script): what a scanner types."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return Markup(svg[svg.index("<svg") :])


def _status_view(body: dict[str, Any], lang: str) -> dict[str, Any]:
    svc = services()
    site = svc.config.sites.get(body["site"])
    start, _, end = body["window"].partition("-")
    h, m = (int(x) for x in start.split(":"))
    opens = h * 60 + m - int(rules.CHECKIN_EARLY.total_seconds() // 60)
    eh, em = (int(x) for x in end.split(":"))
    return {
        "code": rules.display_code(body["code"]),
        "raw_code": body["code"],
        "status": body["status"],
        "status_text": i18n.t(f"booking.status_{body['status']}", lang),
        "site": site.name if site else body["site"],
        "address": site.address if site else "",
        "service": service_name(svc.config, body["service"], lang),
        "date": i18n.format_date(date.fromisoformat(body["date"]), lang),
        "window": _window_label(body["window"], lang),
        "arrive": i18n.t(
            "booking.arrive",
            lang,
            time=minute_text(opens, lang),
            end=minute_text(eh * 60 + em, lang),
        ),
        "qr": qr_svg(body["code"]) if body["status"] == p.BOOKING_BOOKED else None,
    }


def _too_many(seconds: int, lang: str) -> tuple[str, int, dict[str, str]]:
    text = i18n.t("booking.too_many", lang, seconds=seconds)
    return text, 429, {"Retry-After": str(seconds), "Content-Type": "text/plain; charset=utf-8"}


def _missing() -> tuple[str, int]:
    return render_template(
        "public/missing.html", title_key="booking.unknown", text_key="booking.unknown_text"
    ), 404


@bp.get(f"{p.BOOKING_PAGE_PREFIX}/<code>")
def booking_status(code: str):
    lang = language()
    b = bookings()
    try:
        b.reads.check(request.remote_addr)
        body = b.store.get(code)
    except RateLimited as exc:
        return _too_many(exc.retry_after, lang)
    except ApiError:
        return _missing()
    done = request.args.get("cancelled") == "1"
    return render_template("booking/status.html", v=_status_view(body, lang), done=done)


@bp.post(f"{p.BOOKING_PAGE_PREFIX}/<code>/cancel")
def booking_cancel(code: str):
    lang = language()
    b = bookings()
    try:
        b.writes.check(request.remote_addr)
        body = b.store.cancel(code, request.form.get("nik", "")[:40])
    except RateLimited as exc:
        return _too_many(exc.retry_after, lang)
    except ApiError as exc:
        if exc.code == p.ERR_UNKNOWN_BOOKING:
            return _missing()
        body = b.store.get(code)
        error = i18n.t(exc.message_key, lang, **exc.params)
        view = _status_view(body, lang)
        return render_template("booking/status.html", v=view, error=error), exc.status
    target = url_for("booking_pages.booking_status", code=body["code"], lang=lang, cancelled=1)
    return redirect(target, 303)
