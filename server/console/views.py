"""The console's pages: sign in, choose a counter, the counter page, sign out.

Counter actions themselves go to the HTTP API (``/api/v1/counters/...``) with the session and
its CSRF token, the same endpoints a button box uses with its device token.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from sahaja import i18n
from server.admin.access import after_sign_in_target
from server.console import csrf
from server.console.page import (
    SHORTCUTS,
    choosable_sites,
    console_data,
    counter_services_text,
    may_work_at,
    protocol_script,
)
from server.console.password_checks import TooBusy
from server.console.sessions import EXTENSION, SESSION_KEY, OfficerSessions, officer_session_live
from server.console.signin import Client, SignInGuard, Throttled
from server.extensions import services

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
)
PUBLIC = frozenset({"console.login", "console.static", "console.protocol"})
# Files the page loads: served without touching the session.
SESSIONLESS = frozenset({"console.static", "console.protocol"})
# Session keys kept when signing in or out; everything else is dropped.
KEPT_ACROSS_SIGN_IN = ("lang",)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def language() -> str:
    """Indonesian unless the officer switched: the office's language, whatever the browser's."""
    return i18n.normalize_language(session.get("lang"))


# A long-lived cookie marking a browser an officer signed in from before: the account's
# guessing lock (strangers) does not apply to it; its own failures lock only it.
BROWSER_COOKIE = "sahaja_browser"


def guard() -> SignInGuard:
    return current_app.extensions["sahaja_console"]


def sessions() -> OfficerSessions:
    return current_app.extensions[EXTENSION]


def _fresh_session() -> None:
    """Drop everything but the language and issue a new CSRF token (no session fixation)."""
    kept = {k: session[k] for k in KEPT_ACROSS_SIGN_IN if k in session}
    session.clear()
    session.update(kept)
    csrf.renew(session)


def _expired() -> bool:
    """A sign-in lasts one working day at most (``CONSOLE_SESSION_HOURS``)."""
    hours = float(current_app.config.get("CONSOLE_SESSION_HOURS", 12))
    age = services().clock.now().timestamp() - float(session.get("signed_in_at") or 0)
    return age > hours * 3600


def _login_page(status: int = 200, message: str | None = None, username: str = ""):
    free = guard().policy.free_failures
    notice = i18n.t("console.signed_out", language()) if request.args.get("out") else None
    body = render_template(
        "console/login.html", message=message, notice=notice, username=username, free=free
    )
    return body, status


def _refused(message: str, status: int = 403):
    return render_template("console/refused.html", message=message), status


def _from_another_site():
    """A request a page of another site started: the browser left the SameSite=Strict cookie
    behind. Refuse a POST; continue a GET from our own origin (where the cookie is sent).
    The session is not touched: a fresh cookie here would sign the officer out."""
    if request.method != "GET":
        message = i18n.t("console.refused_cross_site", language())
        return render_template("console/refused.html", message=message), 403
    target = request.full_path.rstrip("?")
    return render_template("console/continue.html", target=target), 200


# --- every console request ----------------------------------------------------------------
@bp.before_request
def _before() -> Any:
    if request.endpoint in SESSIONLESS:
        return None
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return _from_another_site()
    chosen = request.args.get("lang")
    if chosen in i18n.LANGUAGES:
        session["lang"] = chosen
    csrf.ensure(session)
    if session.get("officer") and (_expired() or not officer_session_live(session)):
        _fresh_session()  # ended here or elsewhere (sign-out, password reset, account locked)
    if request.endpoint not in PUBLIC and not session.get("officer"):
        return redirect(url_for("console.login"), 303)
    if request.method == "POST" and not csrf.valid(session, request.form.get(csrf.FORM_FIELD)):
        if request.endpoint == "console.login":
            return _login_page(403, i18n.t("console.sign_in_expired", language()))
        return _refused(i18n.t("console.refused_csrf", language()))
    return None


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    lang = language()
    return {
        "t": i18n.translator(lang),
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "csrf_token": session.get(csrf.SESSION_KEY, ""),
        "officer": session.get("officer"),
    }


# --- the wire vocabulary for the page's script ----------------------------------------------
@bp.get("/protocol.js")
def protocol() -> Response:
    return Response(protocol_script(), mimetype="text/javascript")


# --- signing in and out -------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if session.get("officer"):
            return redirect(url_for("console.index"), 303)
        return _login_page()
    username = request.form.get("username", "")
    client = Client(request.remote_addr, request.cookies.get(BROWSER_COOKIE))
    try:
        officer = guard().sign_in(username, request.form.get("password", ""), client)
    except TooBusy as refused:
        return _too_many(refused, username)
    if officer is None:
        message = i18n.t("console.sign_in_failed", language(), free=guard().policy.free_failures)
        return _login_page(401, message, username.strip()[:64])
    sessions().revoke(session.get(SESSION_KEY))  # signing in again ends the previous sign-in
    target = after_sign_in_target(officer.role)  # an admin page that sent a manager here
    _fresh_session()
    session.update(
        officer=officer.username,
        role=officer.role,
        site=officer.site,
        signed_in_at=int(services().clock.now().timestamp()),
    )
    session[SESSION_KEY] = officer.session_token
    response = redirect(target or url_for("console.choose_counter"), 303)
    if officer.browser_token:
        response.set_cookie(
            BROWSER_COOKIE,
            officer.browser_token,
            max_age=int(guard().policy.trusted_browser_days * 86400),
            path=url_for("console.login"),
            httponly=True,
            samesite="Strict",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


def _too_many(refused: TooBusy, username: str) -> Response:
    """429 with Retry-After, before any password check: JSON for scripts, the sign-in page
    (same text) for a browser."""
    seconds = refused.retry_after
    code, key = ("too_many_attempts", "console.too_many_attempts")
    if not isinstance(refused, Throttled):
        code, key = ("busy", "console.sign_in_busy")
    message = i18n.t(key, language(), seconds=seconds)
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if best == "text/html":
        response = make_response(_login_page(429, message, username.strip()[:64]))
    else:
        response = make_response(jsonify({"error": code, "message": message}), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.post("/logout")
def logout():
    sessions().revoke(session.get(SESSION_KEY))  # a copy of the cookie ends with it
    _fresh_session()
    return redirect(url_for("console.login", out=1), 303)


# --- choosing a counter -------------------------------------------------------------------
@bp.route("/counter", methods=["GET", "POST"])
def choose_counter():
    svc = services()
    role, own_site = session.get("role"), session.get("site")
    message = None
    status = 200
    if request.method == "POST":
        wanted = request.form.get("counter", "")
        found = svc.config.counter(wanted)
        if found is not None and may_work_at(role, own_site, found[0].code):
            session["counter"] = found[1].id
            return redirect(url_for("console.index"), 303)
        message = i18n.t("console.counter_refused", language(), counter=wanted[:40])
        status = 403
    lang = language()
    sites = []
    for site in choosable_sites(svc.config, role, own_site):
        current = {c["id"]: c["current"] for c in svc.store.site_view(site.code)["counters"]}
        counters = [
            (c, counter_services_text(svc.config, c, lang), current.get(c.id))
            for c in site.counters
        ]
        sites.append((site, counters))
    page = render_template(
        "console/counter.html", sites=sites, message=message, chosen=session.get("counter")
    )
    return page, status


# --- the counter page ---------------------------------------------------------------------
@bp.get("/")
def index():
    svc = services()
    found = svc.config.counter(session.get("counter") or "")
    if found is None or not may_work_at(session.get("role"), session.get("site"), found[0].code):
        session.pop("counter", None)
        return redirect(url_for("console.choose_counter"), 303)
    site, counter = found
    lang = language()
    snapshot = svc.store.snapshot(site.code, counter.id)
    data = console_data(svc.config, site, counter, lang, csrf.ensure(session), snapshot)
    return render_template(
        "console/console.html",
        site=site,
        counter=counter,
        data=data,
        shortcuts=SHORTCUTS,
        services=data["services"],
        max_skips=svc.config.rules.max_skips,
    )


@bp.route("/<path:_rest>", methods=["GET", "POST"])
def anything_else(_rest: str):
    """Any other console address: the sign-in page when signed out (see ``_before``)."""
    return redirect(url_for("console.index"), 303)
