"""Devices as the admin sees them: last seen, last health report, alerts (the rule is in
``sahaja.core.device_alerts``), and the QR a new device scans to learn its server and token."""

from __future__ import annotations

import io
import json
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import select

from sahaja.core.device_alerts import Alert, DeviceStatus, device_alerts
from server.database import Database
from server.models import Device

ENROL_URI = "sahaja-lekat://device"  # what the QR holds: ...?server=URL&token=T&name=N


def device_statuses(db: Database, sites: list[str] | None = None) -> list[DeviceStatus]:
    with db.reading() as s:
        query = select(Device).order_by(Device.site, Device.role, Device.name)
        if sites is not None:
            query = query.where(Device.site.in_(sites))
        return [
            DeviceStatus(
                d.name,
                d.site,
                d.role,
                d.last_seen_at,
                json.loads(d.state) if d.state else None,
                d.revoked_at is not None,
            )
            for d in s.scalars(query)
        ]


def site_alerts(db: Database, sites: list[str] | None, now: datetime) -> list[Alert]:
    return device_alerts(device_statuses(db, sites), now)


def enrol_uri(server_url: str, token: str, name: str) -> str:
    return (
        f"{ENROL_URI}?{urlencode({'server': server_url.rstrip('/'), 'token': token, 'name': name})}"
    )


def qr_svg(data: str) -> str:
    """An SVG QR code (qrcode's path image: no Pillow, no script, safe inline)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(data, image_factory=SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    text = out.getvalue().decode("utf-8")
    return text[text.index("<svg") :]
