"""The admin web (``/admin/``) for admins and heads of office (kepala): sites, services,
counters, holidays, staff, devices, the audit log. Access rules: ``server.admin.access``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.admin import access, live_config
    from server.admin.views import bp
    from server.extensions import socketio

    access.init_app(app)
    live_config.init_app(app, socketio)
    app.register_blueprint(bp)
