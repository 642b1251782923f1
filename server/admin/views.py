"""The admin pages (``/admin/``): server-rendered forms, every route behind ``access``.

A settings form becomes an edit of the office's TOML (``editing``), saved as a new config
version (``config_store``) that applies live in every process (``live_config``). A form error
or a change that would break today's queue re-renders the page with the reason (422/409).
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from sahaja import i18n
from sahaja import protocol as p
from sahaja.config import WEEKDAYS, ConfigError
from sahaja.core.calendar import local_day
from sahaja.core.device_alerts import is_offline
from server.accounts import AccountError
from server.admin import access, config_store, editing
from server.admin.access import ADMIN, KEPALA, PETUGAS, StaffUser, current_staff, staff_required
from server.admin.audit import audit_rows
from server.admin.devices import device_statuses, enrol_uri, qr_svg, site_alerts
from server.admin.live_config import live_config
from server.console import csrf
from server.extensions import services
from server.models import User

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
    if user is None:  # every view is behind staff_required; this is a second lock
        raise access.AccessDenied(401)
    return user


def lang() -> str:
    return access.language()


def managed_sites(user: StaffUser) -> list[str]:
    return user.managed_sites(services().config.sites)


def require_site(user: StaffUser, site: str) -> None:
    if site not in services().config.sites:
        abort(404)
    if not user.manages(site):
        raise access.AccessDenied(403)


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    language = lang()
    return {
        "t": i18n.translator(language),
        "lang": language,
        "languages": i18n.LANGUAGES,
        "csrf_token": session.get(csrf.SESSION_KEY, ""),
        "staff": current_staff(),
        "weekdays": WEEKDAYS,
        "config": services().config,
        "local_time": _local_time,
    }


def _local_time(moment) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(services().config.tz)
    return f"{local.date().isoformat()} {i18n.format_time(local, lang(), seconds=True)}"


# --- saving a config change -----------------------------------------------------------------
def save(edit, summary: str, site: str | None = None) -> str | None:
    """Apply ``edit`` as a new config version; None when saved, else the reason shown."""
    svc = services()
    user = staff()
    try:
        saved = config_store.change_config(
            svc.db,
            edit,
            actor=user.actor,
            summary=summary,
            now=svc.clock.now(),
            site=site,
        )
    except editing.FormError as exc:
        return i18n.t(exc.key, lang(), **exc.params)
    except config_store.ConfigRefused as exc:
        return exc.message(lang())
    except ConfigError as exc:
        return i18n.t("admin.error_config", lang(), detail=str(exc))
    if saved.changed:
        live_config().apply(saved.config, saved.version)
        flash(i18n.t("admin.saved", lang(), version=saved.version), "ok")
    else:
        flash(i18n.t("admin.unchanged", lang()), "ok")
    return None


def form_error(exc: editing.FormError) -> str:
    return i18n.t(exc.key, lang(), **exc.params)


# --- overview -------------------------------------------------------------------------------
@bp.get("/")
@staff_required(ADMIN, KEPALA)
def index():
    svc = services()
    user = staff()
    codes = managed_sites(user)
    views = {v["code"]: v for v in svc.store.sites_view() if v["code"] in codes}
    alerts = site_alerts(svc.db, codes, svc.clock.now())
    sites = [svc.config.sites[c] for c in codes]
    return render_template("admin/index.html", sites=sites, views=views, alerts=alerts)


@bp.get("/sites")
@staff_required(ADMIN, KEPALA)
def sites():
    user = staff()
    return render_template(
        "admin/sites.html", sites=[services().config.sites[c] for c in managed_sites(user)]
    )


# --- one site: settings and counters --------------------------------------------------------
def _site_page(site: str, error: str | None = None, status: int = 200, form=None):
    config = services().config
    s = config.sites[site]
    return (
        render_template(
            "admin/site.html",
            site=s,
            error=error,
            form=form,
            breaks_text=editing.breaks_text(s),
            hours={WEEKDAYS[d]: str(h) for d, h in s.hours.items()},
        ),
        status,
    )


@bp.route("/sites/<site>", methods=["GET", "POST"])
@staff_required(ADMIN, KEPALA)
def site(site: str):
    user = staff()
    require_site(user, site)
    if request.method == "GET":
        return _site_page(site)
    try:
        edit = editing.edit_site(services().config, site, request.form)
    except editing.FormError as exc:
        return _site_page(site, form_error(exc), 422, request.form)
    error = save(edit, f"settings of site {site}", site)
    if error:
        return _site_page(site, error, 409, request.form)
    return redirect(url_for("admin.site", site=site), 303)


@bp.post("/sites/<site>/counters")
@staff_required(ADMIN, KEPALA)
def counter_save(site: str):
    require_site(staff(), site)
    try:
        edit = editing.edit_counter(services().config, site, request.form)
    except editing.FormError as exc:
        return _site_page(site, form_error(exc), 422)
    code = request.form.get("code", "")
    error = save(edit, f"counter {site}-{code} saved", site)
    if error:
        return _site_page(site, error, 409)
    return redirect(url_for("admin.site", site=site) + "#counters", 303)


@bp.post("/sites/<site>/counters/<code>/remove")
@staff_required(ADMIN, KEPALA)
def counter_remove(site: str, code: str):
    require_site(staff(), site)
    error = save(editing.remove_counter(site, code), f"counter {site}-{code} removed", site)
    if error:
        return _site_page(site, error, 409)
    return redirect(url_for("admin.site", site=site) + "#counters", 303)


# --- services (office-wide: admins only) ----------------------------------------------------
def _services_page(error: str | None = None, status: int = 200):
    return render_template("admin/services.html", error=error), status


@bp.get("/services")
@staff_required(ADMIN)
def services_page():
    return _services_page()


@bp.post("/services")
@staff_required(ADMIN)
def service_save():
    new = request.form.get("new") == "1"
    try:
        edit = editing.edit_service(services().config, request.form, new=new)
    except editing.FormError as exc:
        return _services_page(form_error(exc), 422)
    code = request.form.get("code", "")
    error = save(edit, f"service {code} {'added' if new else 'changed'}")
    if error:
        return _services_page(error, 409)
    return redirect(url_for("admin.services_page"), 303)


@bp.post("/services/<code>/remove")
@staff_required(ADMIN)
def service_remove(code: str):
    error = save(editing.remove_service(code), f"service {code} removed")
    if error:
        return _services_page(error, 409)
    return redirect(url_for("admin.services_page"), 303)


# --- holidays -------------------------------------------------------------------------------
def _holidays_page(error: str | None = None, status: int = 200):
    user = staff()
    codes = managed_sites(user)
    shown = [
        h
        for h in services().config.holidays
        if user.is_admin or (h.sites and set(h.sites) <= set(codes))
    ]
    office_wide = [h for h in services().config.holidays if not h.sites]
    return (
        render_template(
            "admin/holidays.html",
            holidays=sorted(shown, key=lambda h: h.day),
            office_wide=[] if user.is_admin else office_wide,
            site_codes=codes,
            error=error,
        ),
        status,
    )


@bp.get("/holidays")
@staff_required(ADMIN, KEPALA)
def holidays():
    return _holidays_page()


@bp.post("/holidays")
@staff_required(ADMIN, KEPALA)
def holiday_add():
    user = staff()
    codes = managed_sites(user)
    if not user.is_admin and not any(request.form.get(f"site_{c}") for c in codes):
        return _holidays_page(i18n.t("admin.error_holiday_site", lang()), 422)
    try:
        edit = editing.add_holiday(services().config, request.form, codes)
    except editing.FormError as exc:
        return _holidays_page(form_error(exc), 422)
    site = codes[0] if not user.is_admin else None
    error = save(edit, f"holiday {request.form.get('date', '')} added", site)
    if error:
        return _holidays_page(error, 409)
    return redirect(url_for("admin.holidays"), 303)


@bp.post("/holidays/remove")
@staff_required(ADMIN, KEPALA)
def holiday_remove():
    user = staff()
    try:
        day = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        return _holidays_page(i18n.t("admin.error_date", lang(), value=""), 422)
    name = request.form.get("name", "")
    found = [h for h in services().config.holidays if h.day == day and h.name == name]
    if not found:
        return _holidays_page(i18n.t("admin.error_unknown_holiday", lang()), 404)
    if not user.is_admin and not (
        found[0].sites and set(found[0].sites) <= set(managed_sites(user))
    ):
        raise access.AccessDenied(403)
    site = None if user.is_admin else user.site
    error = save(editing.remove_holiday(day, name), f"holiday {day} removed", site)
    if error:
        return _holidays_page(error, 409)
    return redirect(url_for("admin.holidays"), 303)


# --- staff ------------------------------------------------------------------------------------
def _users(user: StaffUser) -> list[User]:
    with services().db.reading() as s:
        query = select(User).order_by(User.site, User.role, User.username)
        if not user.is_admin:
            query = query.where(User.site == user.site)
        rows = list(s.scalars(query))
        s.expunge_all()
        return rows


def _staff_page(error: str | None = None, status: int = 200):
    user = staff()
    roles = [ADMIN, KEPALA, PETUGAS] if user.is_admin else [PETUGAS]
    return (
        render_template(
            "admin/staff.html",
            users=_users(user),
            roles=roles,
            site_codes=managed_sites(user),
            error=error,
            now=services().clock.now(),
        ),
        status,
    )


def _may_manage_user(user: StaffUser, target: User) -> bool:
    if user.is_admin:
        return True
    return access.normalize_role(target.role) == PETUGAS and target.site == user.site


def _target(username: str) -> User:
    with services().db.reading() as s:
        found = s.scalars(select(User).where(User.username == username)).first()
        if found is None:
            abort(404)
        s.expunge(found)
        return found


def _audit(kind: str, detail: str, site: str | None) -> None:
    svc = services()
    with svc.db.writing() as s:
        config_store.record_change(
            s,
            actor=staff().actor,
            kind=kind,
            detail=detail,
            now=svc.clock.now(),
            tz=svc.config.tz,
            site=site,
        )


@bp.get("/staff")
@staff_required(ADMIN, KEPALA)
def staff_page():
    return _staff_page()


@bp.post("/staff")
@staff_required(ADMIN, KEPALA)
def staff_add():
    user = staff()
    svc = services()
    role = request.form.get("role", PETUGAS)
    site = request.form.get("site") or None
    if role == ADMIN:
        site = None
    if not user.is_admin and (role != PETUGAS or site != user.site):
        raise access.AccessDenied(403)
    username = " ".join(request.form.get("username", "").split())
    password = request.form.get("password", "")
    if len(password) < 8:
        return _staff_page(i18n.t("admin.error_password", lang()), 422)
    try:
        svc.accounts.add_user(username, password, role, site, svc.clock.now())
    except AccountError as exc:
        return _staff_page(i18n.t("admin.error_user", lang(), detail=str(exc)), 422)
    _audit("user_add", f"{username} ({role}{' ' + site if site else ''})", site)
    flash(i18n.t("admin.user_added", lang(), user=username), "ok")
    return redirect(url_for("admin.staff_page"), 303)


@bp.post("/staff/<username>/reset")
@staff_required(ADMIN, KEPALA)
def staff_reset(username: str):
    user = staff()
    target = _target(username)
    if not _may_manage_user(user, target):
        raise access.AccessDenied(403)
    password = request.form.get("password", "")
    if len(password) < 8:
        return _staff_page(i18n.t("admin.error_password", lang()), 422)
    services().accounts.reset_password(username, password, services().clock.now())
    _audit("user_reset", username, target.site)
    flash(i18n.t("admin.user_reset", lang(), user=username), "ok")
    return redirect(url_for("admin.staff_page"), 303)


@bp.post("/staff/<username>/lock")
@staff_required(ADMIN, KEPALA)
def staff_lock(username: str):
    user = staff()
    target = _target(username)
    if not _may_manage_user(user, target) or username == user.username:
        raise access.AccessDenied(403)
    locked = request.form.get("locked") == "1"
    services().accounts.set_locked(username, locked, services().clock.now())
    _audit("user_lock" if locked else "user_unlock", username, target.site)
    key = "admin.user_locked" if locked else "admin.user_unlocked"
    flash(i18n.t(key, lang(), user=username), "ok")
    return redirect(url_for("admin.staff_page"), 303)


# --- devices ----------------------------------------------------------------------------------
def _devices_page(error: str | None = None, status: int = 200, new_device=None):
    svc = services()
    codes = managed_sites(staff())
    now = svc.clock.now()
    devices = device_statuses(svc.db, codes)
    return (
        render_template(
            "admin/devices.html",
            devices=devices,
            offline={d.name for d in devices if is_offline(d, now)},
            alerts=site_alerts(svc.db, codes, now),
            site_codes=codes,
            roles=p.ROLES,
            error=error,
            new_device=new_device,
        ),
        status,
    )


@bp.get("/devices")
@staff_required(ADMIN, KEPALA)
def devices():
    return _devices_page()


@bp.post("/devices")
@staff_required(ADMIN, KEPALA)
def device_add():
    svc = services()
    site = request.form.get("site", "")
    require_site(staff(), site)
    name = " ".join(request.form.get("name", "").split())
    role = request.form.get("role", "")
    counter = request.form.get("counter") or None
    if not name:
        return _devices_page(i18n.t("admin.error_required", lang(), field="nama / name"), 422)
    try:
        token = svc.accounts.add_device(name, site, role, counter, svc.clock.now())
    except AccountError as exc:
        return _devices_page(i18n.t("admin.error_device", lang(), detail=str(exc)), 422)
    _audit("device_add", f"{name} ({role})", site)
    server_url = request.host_url.rstrip("/")
    uri = enrol_uri(server_url, token, name)
    new_device = {"name": name, "token": token, "server": server_url, "qr": qr_svg(uri)}
    return _devices_page(new_device=new_device, status=201)


@bp.post("/devices/<name>/revoke")
@staff_required(ADMIN, KEPALA)
def device_revoke(name: str):
    svc = services()
    found = [d for d in device_statuses(svc.db) if d.name == name]
    if not found:
        abort(404)
    require_site(staff(), found[0].site)
    svc.accounts.revoke_device(name, svc.clock.now())
    _audit("device_revoke", name, found[0].site)
    flash(i18n.t("admin.device_revoked", lang(), device=name), "ok")
    return redirect(url_for("admin.devices"), 303)


# --- audit ------------------------------------------------------------------------------------
@bp.get("/audit")
@staff_required(ADMIN, KEPALA)
def audit():
    svc = services()
    user = staff()
    codes = managed_sites(user)
    today = local_day(svc.clock.now(), svc.config.tz)
    try:
        day = date.fromisoformat(request.args.get("day") or today.isoformat())
    except ValueError:
        day = today
    site = request.args.get("site") or None
    if site is not None and site not in codes:
        raise access.AccessDenied(403)
    officer = (request.args.get("officer") or "").strip() or None
    chosen = [site] if site else (None if user.is_admin else codes)
    rows = audit_rows(svc.db, day, chosen, officer, include_office_wide=user.is_admin)
    return render_template(
        "admin/audit.html",
        rows=rows,
        day=day,
        site=site,
        officer=officer or "",
        site_codes=codes,
    )


# --- config history (admins) ------------------------------------------------------------------
@bp.get("/history")
@staff_required(ADMIN)
def history():
    rows = config_store.history(services().db)
    return render_template("admin/history.html", rows=rows)


@bp.get("/history/<int:version>")
@staff_required(ADMIN)
def history_version(version: int):
    db = services().db
    text = config_store.version_text(db, version)
    if text is None:
        abort(404)
    before = config_store.version_text(db, version - 1) or ""
    diff = "\n".join(
        difflib.unified_diff(
            before.splitlines(),
            text.splitlines(),
            f"v{version - 1}",
            f"v{version}",
            lineterm="",
        )
    )
    return render_template("admin/version.html", version=version, text=text, diff=diff)
