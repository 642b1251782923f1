"""The web console for counter staff: sign in, choose a counter, call citizens.

``init_app`` is called by ``server.app.create_app``. Settings (app config, or ``SAHAJA_``
environment variables): ``CONSOLE_FREE_FAILURES`` (5), ``CONSOLE_FIRST_LOCK_SECONDS`` (30),
``CONSOLE_MAX_LOCK_SECONDS`` (900), ``CONSOLE_FAILURE_DELAY`` (0.5 s),
``CONSOLE_ADDRESS_ATTEMPTS`` (20) per ``CONSOLE_ADDRESS_WINDOW_SECONDS`` (600),
``CONSOLE_TRUSTED_BROWSER_DAYS`` (90), ``CONSOLE_HASH_CONCURRENCY`` (2),
``CONSOLE_HASH_QUEUE`` (32), ``CONSOLE_SESSION_HOURS`` (12). See docs/console.md.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, redirect, url_for

from server.console.password_checks import PasswordChecks
from server.console.sessions import EXTENSION, OfficerSessions
from server.console.signin import LockPolicy, SignInGuard
from server.extensions import services

FLASK_DEFAULT_LIFETIME = timedelta(days=31)


def policy_from(config: dict) -> LockPolicy:
    default = LockPolicy()

    def number(key: str, value: float) -> float:
        return float(config.get(f"CONSOLE_{key}", value))

    return LockPolicy(
        free_failures=int(number("FREE_FAILURES", default.free_failures)),
        first_lock_seconds=number("FIRST_LOCK_SECONDS", default.first_lock_seconds),
        max_lock_seconds=number("MAX_LOCK_SECONDS", default.max_lock_seconds),
        failure_delay=number("FAILURE_DELAY", default.failure_delay),
        address_attempts=int(number("ADDRESS_ATTEMPTS", default.address_attempts)),
        address_window_seconds=number("ADDRESS_WINDOW_SECONDS", default.address_window_seconds),
        trusted_browser_days=number("TRUSTED_BROWSER_DAYS", default.trusted_browser_days),
    )


def init_app(app: Flask) -> None:
    from server.console.views import bp

    svc = services(app)
    checks = PasswordChecks(
        concurrency=int(app.config.get("CONSOLE_HASH_CONCURRENCY", 2)),
        max_waiting=int(app.config.get("CONSOLE_HASH_QUEUE", 32)),
    )
    policy = policy_from(app.config)
    app.extensions["sahaja_console"] = SignInGuard(svc.db, svc.clock, policy, checks=checks)
    hours = float(app.config.get("CONSOLE_SESSION_HOURS", 12))
    app.extensions[EXTENSION] = OfficerSessions(svc.db, svc.clock, hours)
    if app.permanent_session_lifetime == FLASK_DEFAULT_LIFETIME:
        # Flask refuses a session cookie signed longer ago than this, on every route (the
        # counter API included): a copied cookie stops working after a working day.
        app.permanent_session_lifetime = timedelta(hours=hours)
    app.register_blueprint(bp)
    app.add_url_rule("/", "home", lambda: redirect(url_for("console.index"), 303))
