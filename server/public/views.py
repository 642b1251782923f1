"""Routes of the citizens' pages; texts and states come from ``server.public.page``."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from sahaja import i18n
from sahaja import protocol as p
from server.errors import ApiError
from server.extensions import services
from server.public.page import PollPolicy, site_page_view, status_view, ticket_day

bp = Blueprint(
    "public",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/public",
)
STATUS_CODE = re.compile(p.STATUS_CODE_PATTERN)
SITE_REFRESH_SECONDS = 60  # the service point's page reloads itself (no script there)
SITE_MAX_AGE = 15  # seconds a browser or proxy may keep a service point's page


@cache
def _css() -> str:
    return resources.files("server.public").joinpath("public.css").read_text(encoding="utf-8")


@cache
def _script_version() -> str:
    data = resources.files("server.public").joinpath("static/public.js").read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


@cache
def style_hash(css: str) -> str:
    """The CSP source of a page's one inline style (every citizens' page inlines its CSS)."""
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode() + "'"
    )


def content_security_policy() -> str:
    """Nothing from elsewhere; the one inline style is allowed by its hash, scripts only
    from this server (the status page's own file), fetches only to this server."""
    return (
        f"default-src 'none'; style-src {style_hash(_css())}; script-src 'self'; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def language() -> str:
    """Indonesian unless the citizen chose English with the page's link (no cookie kept)."""
    return i18n.normalize_language(request.args.get("lang"))


def poll_policy() -> PollPolicy:
    return PollPolicy(float(current_app.config.get("PUBLIC_POLL_SECONDS", 15)))


def citizen_headers(response: Response, csp: str) -> Response:
    """What every citizens' page sends: its policy, no framing, no sniffing, and no referrer
    (a status page's or a booking's address is its private code: never hand it on)."""
    response.headers["Content-Security-Policy"] = csp
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def page_context(lang: str, css: str) -> dict[str, Any]:
    """The names every citizens' template uses: texts, languages, the office, the style."""
    return {
        "t": i18n.translator(lang),
        "lang": lang,
        "other": "en" if lang == "id" else "id",
        "office": services().config.name,
        "css": Markup(css),
    }


@bp.after_request
def _headers(response: Response) -> Response:
    citizen_headers(response, content_security_policy())
    if request.endpoint == "public.static":
        if request.args.get("v"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    elif request.endpoint == "public.site_page" and response.status_code == 200:
        response.headers["Cache-Control"] = f"public, max-age={SITE_MAX_AGE}"
    else:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return page_context(language(), _css())


def _missing(title_key: str, text_key: str) -> tuple[str, int]:
    return render_template("public/missing.html", title_key=title_key, text_key=text_key), 404


def _ticket(code: str) -> dict[str, Any] | None:
    """Today's ticket behind ``code``, or one of an earlier day whose document is still on its
    way (received, in process, ready); None otherwise."""
    if not STATUS_CODE.fullmatch(code):
        return None
    svc = services()
    try:
        ticket = svc.store.ticket_by_code(code)
    except ApiError:
        return None
    expired = ticket["status"] == p.STATUS_EXPIRED
    earlier = ticket_day(ticket, svc.config.tz) != svc.store.today()
    if expired or (earlier and ticket.get("document_stage") not in p.OPEN_STAGES):
        return None
    return ticket


def _status_context(code: str, ticket: dict[str, Any]) -> dict[str, Any]:
    svc = services()
    lang = language()
    view = status_view(svc.config, ticket, svc.clock.now(), lang, poll_policy())
    return {
        "v": view,
        "page_url": url_for("public.status_page", code=code, lang=lang),
        "live_url": url_for("public.status_live", code=code, lang=lang),
    }


@bp.get(f"{p.STATUS_PAGE_PREFIX}/<code>")
def status_page(code: str):
    ticket = _ticket(code)
    if ticket is None:
        return _missing("public.missing_title", "public.missing_text")
    script = url_for("public.static", filename="public.js", v=_script_version())
    return render_template("public/status.html", script_url=script, **_status_context(code, ticket))


@bp.get(f"{p.STATUS_PAGE_PREFIX}/<code>/live")
def status_live(code: str):
    """The status section alone, for the page's script (the same rendering as the page)."""
    ticket = _ticket(code)
    if ticket is None:
        return _missing("public.missing_title", "public.missing_text")
    return render_template("public/_status.html", **_status_context(code, ticket))


@bp.get(f"{p.SITE_PAGE_PREFIX}/<site>")
def site_page(site: str):
    svc = services()
    if site not in svc.config.sites:
        return _missing("public.missing_site_title", "public.missing_site_text")
    view = site_page_view(svc.config, svc.store.site_view(site), svc.clock.now(), language())
    return render_template("public/site.html", v=view, refresh=SITE_REFRESH_SECONDS)
