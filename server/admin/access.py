"""Who may use the admin pages: the signed-in staff user, and checks of role and site.

Staff sign in through the console (same cookie, server-side session and CSRF token). Roles:
``admin`` (every site), ``kepala`` (head of one site: its reports and settings) and
``petugas`` (counter staff: the console only). The stable API other admin pages build on:

- ``current_staff()``: the signed-in ``StaffUser`` or None (session live, not expired);
- ``require_staff(*roles, site=None)``: that user, or raise ``AccessDenied`` (401/403);
- ``@staff_required(*roles, site_arg="site")``: the same as a view decorator; the site comes
  from the view's URL argument or the request's ``site`` parameter when present;
- ``protect(bp)``: a blueprint's requests get the console's cross-site, CSRF and header rules.

A denied browser is sent to the sign-in page (401) or shown a refusal page (403); a script
asking for JSON gets ``{"error": "unauthorized"|"forbidden", "message": ...}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from sahaja import i18n
from sahaja import protocol as p
from server.console import csrf
from server.console.sessions import officer_session_live

ADMIN, KEPALA, PETUGAS = p.STAFF_ADMIN, p.STAFF_KEPALA, p.STAFF_PETUGAS
MANAGERS: tuple[str, ...] = (ADMIN, KEPALA)  # may open the admin pages at all
LEGACY_ROLES = {"officer": PETUGAS}  # the name before migration 0011
AFTER_SIGN_IN = "after_sign_in"  # session key: the admin page to return to after sign-in

F = TypeVar("F", bound=Callable[..., Any])


def normalize_role(role: str | None) -> str:
    """A stored or session role in today's words ("officer" was renamed "petugas")."""
    role = role or ""
    return LEGACY_ROLES.get(role, role)


@dataclass(frozen=True)
class StaffUser:
    username: str
    role: str
    site: str | None  # None for an admin of every site

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def manages(self, site: str) -> bool:
        """Settings and reports of ``site``: an admin any, a kepala their own."""
        return self.is_admin or (self.role == KEPALA and self.site == site)

    def works_at(self, site: str) -> bool:
        """The console at ``site``'s counters: an admin any, others their own site."""
        return self.is_admin or (self.role in (KEPALA, PETUGAS) and self.site == site)

    def managed_sites(self, sites: Iterable[str]) -> list[str]:
        return [s for s in sites if self.manages(s)]

    @property
    def actor(self) -> str:
        return f"officer:{self.username}"


class AccessDenied(Exception):
    """401 (not signed in) or 403 (wrong role or site)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def language() -> str:
    return i18n.normalize_language(session.get("lang"))


def _session_expired() -> bool:
    from server.extensions import services

    hours = float(current_app.config.get("CONSOLE_SESSION_HOURS", 12))
    age = services().clock.now().timestamp() - float(session.get("signed_in_at") or 0)
    return age > hours * 3600


def current_staff() -> StaffUser | None:
    """The signed-in staff user, if the sign-in is still live (not ended, reset, locked)."""
    username = session.get("officer")
    if not username or _session_expired() or not officer_session_live(session):
        return None
    return StaffUser(username, normalize_role(session.get("role")), session.get("site"))


def require_staff(*roles: str, site: str | None = None) -> StaffUser:
    """The signed-in user if their role is one of ``roles`` (default: admin or kepala) and,
    when ``site`` is given, they manage it; else ``AccessDenied``."""
    user = current_staff()
    if user is None:
        raise AccessDenied(401)
    if user.role not in (roles or MANAGERS):
        raise AccessDenied(403)
    if site is not None and not user.manages(site):
        raise AccessDenied(403)
    return user


def staff_required(*roles: str, site_arg: str = "site") -> Callable[[F], F]:
    """View decorator: ``require_staff(*roles, site=...)`` with the site taken from the view's
    URL argument ``site_arg`` or the request parameter of that name, when there is one."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            site = kwargs.get(site_arg) or request.values.get(site_arg) or None
            require_staff(*roles, site=site)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


# --- answers to a denied request ----------------------------------------------------------
def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def denied_response(exc: AccessDenied) -> Any:
    lang = language()
    if exc.status == 401:
        if _wants_json():
            body = {"error": p.ERR_UNAUTHORIZED, "message": i18n.t("server.unauthorized", lang)}
            return jsonify(body), 401
        if request.method == "GET":
            session[AFTER_SIGN_IN] = request.full_path.rstrip("?")
        return redirect(url_for("console.login"), 303)
    if _wants_json():
        body = {"error": p.ERR_FORBIDDEN, "message": i18n.t("admin.forbidden", lang)}
        return jsonify(body), 403
    page = render_template("admin/refused.html", message=i18n.t("admin.forbidden", lang))
    return page, 403


def after_sign_in_target(role: str | None) -> str | None:
    """Where the console's sign-in sends a manager who was sent there from an admin page."""
    target = session.get(AFTER_SIGN_IN)
    if normalize_role(role) not in MANAGERS or not isinstance(target, str):
        return None
    return target if target.startswith("/") and not target.startswith("//") else None


# --- a blueprint under the console's rules ------------------------------------------------
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def protect(bp: Blueprint, sessionless: Iterable[str] = ()) -> None:
    """Apply the console's rules to ``bp``: no state change started by another site, a CSRF
    token on every POST (form field ``csrf_token`` or header ``X-CSRF-Token``), strict headers.
    ``sessionless`` endpoints (static files) skip the checks."""
    skipped = frozenset(sessionless)

    @bp.before_request
    def _before() -> Any:
        if request.endpoint in skipped:
            return None
        chosen = request.args.get("lang")
        if chosen in i18n.LANGUAGES:
            session["lang"] = chosen
        if request.headers.get("Sec-Fetch-Site") == "cross-site" and request.method != "GET":
            raise AccessDenied(403)
        csrf.ensure(session)
        if request.method == "POST":
            sent = request.form.get(csrf.FORM_FIELD) or request.headers.get("X-CSRF-Token")
            if not csrf.valid(session, sent):
                if current_staff() is None:
                    raise AccessDenied(401)
                raise AccessDenied(403)
        return None

    @bp.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint not in skipped:
            response.headers["Cache-Control"] = "no-store"
        return response


def init_app(app: Flask) -> None:
    app.register_error_handler(AccessDenied, denied_response)
