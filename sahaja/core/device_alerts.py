"""Which devices need someone's attention: offline for more than a minute, a kiosk's paper
out or near its end (or its printer gone), a board whose voice pack or sound failed.

The server passes each device's last health report and when it was last seen; the admin
devices page and the console banner of the site show the alerts this returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

OFFLINE_AFTER = timedelta(minutes=1)

ALERT_OFFLINE = "offline"  # not seen for more than OFFLINE_AFTER (or never seen)
ALERT_DISCONNECTED = "disconnected"  # reports come, but its live link is down
ALERT_PAPER_OUT = "paper_out"
ALERT_PAPER_LOW = "paper_low"
ALERT_PRINTER_OFFLINE = "printer_offline"
ALERT_VOICE_FAILED = "voice_failed"
ALERT_AUDIO_FAILED = "audio_failed"
ALERT_KINDS: tuple[str, ...] = (
    ALERT_OFFLINE,
    ALERT_DISCONNECTED,
    ALERT_PAPER_OUT,
    ALERT_PAPER_LOW,
    ALERT_PRINTER_OFFLINE,
    ALERT_VOICE_FAILED,
    ALERT_AUDIO_FAILED,
)
SEVERE: frozenset[str] = frozenset(
    {ALERT_OFFLINE, ALERT_PAPER_OUT, ALERT_PRINTER_OFFLINE, ALERT_VOICE_FAILED}
)


@dataclass(frozen=True)
class DeviceStatus:
    name: str
    site: str
    role: str  # kiosk | display | counter
    last_seen_at: datetime | None
    state: Mapping[str, Any] | None  # the last health report
    revoked: bool = False


@dataclass(frozen=True)
class Alert:
    device: str
    site: str
    kind: str  # one of ALERT_KINDS

    @property
    def severe(self) -> bool:
        return self.kind in SEVERE


def is_offline(device: DeviceStatus, now: datetime, after: timedelta = OFFLINE_AFTER) -> bool:
    return device.last_seen_at is None or now - device.last_seen_at > after


def device_alerts(
    devices: Iterable[DeviceStatus], now: datetime, offline_after: timedelta = OFFLINE_AFTER
) -> list[Alert]:
    out: list[Alert] = []
    for d in devices:
        if d.revoked:
            continue
        if is_offline(d, now, offline_after):
            out.append(Alert(d.name, d.site, ALERT_OFFLINE))
            continue  # its last report is old news
        state = d.state or {}
        if state.get("connected") is False:
            out.append(Alert(d.name, d.site, ALERT_DISCONNECTED))
        printer = state.get("printer")
        if d.role == "kiosk" and printer == "out":
            out.append(Alert(d.name, d.site, ALERT_PAPER_OUT))
        elif d.role == "kiosk" and printer == "near_end":
            out.append(Alert(d.name, d.site, ALERT_PAPER_LOW))
        elif d.role == "kiosk" and printer == "offline":
            out.append(Alert(d.name, d.site, ALERT_PRINTER_OFFLINE))
        if state.get("voice_pack") == "failed":
            out.append(Alert(d.name, d.site, ALERT_VOICE_FAILED))
        if state.get("audio") == "failed":
            out.append(Alert(d.name, d.site, ALERT_AUDIO_FAILED))
    out.sort(key=lambda a: (not a.severe, a.site, a.device))
    return out
