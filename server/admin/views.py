"""The admin pages (``/admin/``): server-rendered forms, every route behind ``access``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, session

from sahaja import i18n
from server.admin import access
from server.admin.access import ADMIN, KEPALA, StaffUser, current_staff, staff_required
from server.console import csrf
from server.extensions import services

bp = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
)
access.protect(bp, sessionless={"admin.static"})


def staff() -> StaffUser:
    user = current_staff()
    assert user is not None  # every view is behind staff_required
    return user


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    lang = access.language()
    return {
        "t": i18n.translator(lang),
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "csrf_token": session.get(csrf.SESSION_KEY, ""),
        "staff": current_staff(),
    }


@bp.get("/")
@staff_required(ADMIN, KEPALA)
def index():
    user = staff()
    sites = [s for s in services().config.sites.values() if user.manages(s.code)]
    return render_template("admin/index.html", sites=sites)


@bp.get("/sites")
@staff_required(ADMIN, KEPALA)
def sites():
    return index()


@bp.route("/sites/<site>", methods=["GET", "POST"])
@staff_required(ADMIN, KEPALA)
def site(site: str):
    return index()


@bp.get("/services")
@staff_required(ADMIN)
def services_page():
    return index()


@bp.get("/holidays")
@staff_required(ADMIN, KEPALA)
def holidays():
    return index()


@bp.get("/staff")
@staff_required(ADMIN, KEPALA)
def staff_page():
    return index()


@bp.get("/devices")
@staff_required(ADMIN, KEPALA)
def devices():
    return index()


@bp.get("/audit")
@staff_required(ADMIN, KEPALA)
def audit():
    return index()


@bp.get("/history")
@staff_required(ADMIN)
def history():
    return index()
