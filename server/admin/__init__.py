"""The admin web (``/admin/``) for admins and heads of office (kepala): sites, services,
counters, holidays, staff, devices, the audit log. Access rules: ``server.admin.access``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.admin import access
    from server.admin.views import bp

    access.init_app(app)
    app.register_blueprint(bp)
