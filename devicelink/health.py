"""Health reports: ``POST /api/v1/devices/me/health`` now and then, so "last seen" means alive.

Every device reports ``connected`` (its live link is up), ``printer`` (a kiosk's printer
state; ``unknown`` for devices without one), ``last_ticket`` and a short ``detail`` (the
board's voice, the box's counter). ``HealthReporter`` sends the report a callable builds, on
its own thread, every ``every`` seconds and whenever ``poke`` is called.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any

import requests

from devicelink.http import TIMEOUT, api_url, device_session
from sahaja.protocol import HealthReport

log = logging.getLogger(__name__)

HEALTH_PATH = "/devices/me/health"
STARTED = time.monotonic()  # when this device program started (for ``uptime_seconds``)


def software_version() -> str:
    """The installed Sahaja Lekat version, as every health report carries it."""
    try:
        return metadata.version("sahaja-lekat")
    except metadata.PackageNotFoundError:
        return "unknown"


def uptime_seconds(now: float | None = None) -> float:
    return round((time.monotonic() if now is None else now) - STARTED, 1)


DETAIL_MAX = 200  # the server keeps this many characters of ``detail``


def post_health(
    session: requests.Session,
    server_url: str,
    report: Mapping[str, Any],
    timeout: tuple[float, float] = TIMEOUT,
) -> requests.Response:
    """One report; raises ``requests.RequestException`` when the server cannot be reached."""
    body = dict(report)
    if body.get("detail"):
        body["detail"] = str(body["detail"])[:DETAIL_MAX]
    return session.post(api_url(server_url, HEALTH_PATH), json=body, timeout=timeout)


class HealthReporter:
    def __init__(
        self,
        server_url: str,
        token: str,
        report: Callable[[], HealthReport],
        *,
        every: float = 30.0,
        name: str = "health",
    ) -> None:
        self.server_url = server_url
        self.every = every
        self._report = report
        self._session = device_session(token)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._name = name
        self.sent = 0  # reports the server accepted
        self.last_status: int | None = None  # HTTP status of the last report; None: no answer

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._session.close()

    def poke(self) -> None:
        """Report now (a state change worth telling) instead of at the next period."""
        self._wake.set()

    def send(self) -> int | None:
        """Build and send one report; the HTTP status, or None when there was no answer."""
        try:
            report = self._report()
            response = post_health(self._session, self.server_url, report)
        except requests.RequestException as exc:
            log.info("health report not sent: %s", exc)
            self.last_status = None
            return None
        self.last_status = response.status_code
        if response.ok:
            self.sent += 1
        else:
            log.warning("health report refused: %s %s", response.status_code, response.text[:200])
        return response.status_code

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.send()
            except Exception:  # a bug in a report must not stop the reports for good
                log.exception("health report failed")
            self._wake.wait(self.every)
            self._wake.clear()
