"""The web console for counter staff: sign in, choose a counter, call citizens.

``init_app`` is called by ``server.app.create_app``. Settings (app config, or ``SAHAJA_``
environment variables): ``CONSOLE_FREE_FAILURES`` (5), ``CONSOLE_FIRST_LOCK_SECONDS`` (30),
``CONSOLE_MAX_LOCK_SECONDS`` (900), ``CONSOLE_FAILURE_DELAY`` (0.5 s),
``CONSOLE_SESSION_HOURS`` (12). See docs/console.md.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, redirect, url_for

from server.console.signin import LockPolicy, SignInGuard
from server.extensions import services

FLASK_DEFAULT_LIFETIME = timedelta(days=31)


def policy_from(config: dict) -> LockPolicy:
    default = LockPolicy()
    return LockPolicy(
        free_failures=int(config.get("CONSOLE_FREE_FAILURES", default.free_failures)),
        first_lock_seconds=float(
            config.get("CONSOLE_FIRST_LOCK_SECONDS", default.first_lock_seconds)
        ),
        max_lock_seconds=float(config.get("CONSOLE_MAX_LOCK_SECONDS", default.max_lock_seconds)),
        failure_delay=float(config.get("CONSOLE_FAILURE_DELAY", default.failure_delay)),
    )


def init_app(app: Flask) -> None:
    from server.console.views import bp

    svc = services(app)
    app.extensions["sahaja_console"] = SignInGuard(svc.db, svc.clock, policy_from(app.config))
    if app.permanent_session_lifetime == FLASK_DEFAULT_LIFETIME:
        # Flask refuses a session cookie signed longer ago than this, on every route (the
        # counter API included): a copied cookie stops working after a working day.
        hours = float(app.config.get("CONSOLE_SESSION_HOURS", 12))
        app.permanent_session_lifetime = timedelta(hours=hours)
    app.register_blueprint(bp)
    app.add_url_rule("/", "home", lambda: redirect(url_for("console.index"), 303))
