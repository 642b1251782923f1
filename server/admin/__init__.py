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

    @app.context_processor
    def _device_alerts() -> dict:
        return {"site_device_alerts": site_device_alerts}


def site_device_alerts(site: str) -> list:
    """The device alerts of ``site``, for the banner of the console (server/console)."""
    from server.admin.devices import site_alerts
    from server.extensions import services

    svc = services()
    return site_alerts(svc.db, [site], svc.clock.now())
