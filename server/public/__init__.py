"""The citizens' pages: a ticket's status page (``/t/{status_code}``, behind the ticket's QR)
and a service point's page (``/s/{site}``). No sign-in, no cookie, nothing personal.

Setting (app config, or ``SAHAJA_PUBLIC_POLL_SECONDS``): seconds between a status page's
checks while a number waits near the front or is called (default 15). See README.md
("The citizens' pages") and docs/decisions.md ("Citizen pages").
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.public.views import bp

    app.register_blueprint(bp)
