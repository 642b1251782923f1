"""``GET /metrics``: the office in Prometheus' text format (prometheus_client).

Two kinds of figures (docs/operations.md lists every one):

- **Counted by this process** as things happen: tickets issued, called, served and skipped
  (``*_total``, from the audit rows of committed transactions), the estimate error at each
  call, live connections by role, HTTP request latency. With several worker processes
  (``run --workers N``) they are summed across the workers through prometheus_client's
  multiprocess mode: ``sahaja-server run`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh
  folder before the workers start, so any worker's answer covers all of them.
- **Read from the database** at each scrape, so every process (and a restarted one) gives the
  same answer: today's tickets per site, service and status, the waiting queue per site and
  service, and whether each device has been heard from lately.

Access: from the machine itself (loopback, no proxy header) without anything; from elsewhere
only with ``Authorization: Bearer $SAHAJA_METRICS_TOKEN``; without that setting, only from
the machine.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from sahaja import protocol as p
from sahaja.core import actions
from server.errors import unauthorized
from server.extensions import services

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
TOKEN_SETTING = "METRICS_TOKEN"  # SAHAJA_METRICS_TOKEN
HEALTH_ENV = "SAHAJA_HEALTH_SECONDS"  # how often devices report (devicelink, default 30)
SILENT_REPORTS = 3  # a device not heard from for this many report periods is offline

TICKET = ("site", "service")
ISSUED = Counter("sahaja_tickets_issued", "Tickets issued", TICKET)
CALLED = Counter("sahaja_tickets_called", "Tickets called to a counter (not recalls)", TICKET)
SERVED = Counter("sahaja_tickets_served", "Tickets finished at a counter", TICKET)
SKIPPED = Counter("sahaja_tickets_skipped", "Called tickets skipped (absent)", TICKET)
ESTIMATE_ERROR = Histogram(
    "sahaja_estimate_error_seconds",
    "|called_at - estimated_call_at| at the call, for tickets that carry an estimate",
    TICKET,
    buckets=(60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200),
)
LIVE = Gauge(
    "sahaja_live_connections",
    "Socket.IO clients connected, by role (console: an officer's browser)",
    ["role"],
    multiprocess_mode="livesum",
)
LATENCY = Histogram(
    "sahaja_http_request_duration_seconds",
    "HTTP request time from routing to answer, by method and route",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
COUNTED: dict[str, Counter] = {
    actions.LOG_ISSUE: ISSUED,
    actions.LOG_CALL: CALLED,
    actions.LOG_FINISH: SERVED,
    actions.LOG_SKIP: SKIPPED,
}


def observe_audited(rows: list[Any]) -> None:
    """The store's audit observer: count committed issues, calls, finishes and skips, and the
    estimate's error at each call when the ticket carries one (``estimated_call_at``)."""
    for row in rows:
        counter = COUNTED.get(row.kind)
        if counter is None or row.service is None:
            continue
        counter.labels(row.site, row.service).inc()
        if row.kind == actions.LOG_CALL and row.estimated_call_at is not None:
            error = abs((row.at - row.estimated_call_at).total_seconds())
            ESTIMATE_ERROR.labels(row.site, row.service).observe(error)


def connected(role: str) -> None:
    LIVE.labels(role).inc()


def disconnected(role: str) -> None:
    LIVE.labels(role).dec()


class DatabaseCollector(Collector):
    """Figures read from the database at each scrape (the same from every process)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from server.models import Device, Ticket

        svc = services(self.app)
        now = svc.clock.now()
        today = svc.store.today(now)
        tickets = GaugeMetricFamily(
            "sahaja_tickets_today",
            "Today's tickets by site, service and status (the office's local day)",
            labels=["site", "service", "status"],
        )
        waiting = GaugeMetricFamily(
            "sahaja_waiting", "Tickets waiting now, by site and service", labels=list(TICKET)
        )
        online = GaugeMetricFamily(
            "sahaja_device_online",
            "1 if the device reported within the last few health periods, else 0",
            labels=["device", "site", "role"],
        )
        silent = timedelta(seconds=SILENT_REPORTS * float(os.environ.get(HEALTH_ENV) or 30))
        with svc.db.reading() as s:
            rows = s.execute(
                select(Ticket.site, Ticket.service, Ticket.status, func.count())
                .where(Ticket.day == today)
                .group_by(Ticket.site, Ticket.service, Ticket.status)
            ).all()
            devices = s.execute(
                select(Device.name, Device.site, Device.role, Device.last_seen_at).where(
                    Device.revoked_at.is_(None)
                )
            ).all()
        counts = {(site, service, status): n for site, service, status, n in rows}
        for site in svc.config.sites.values():
            for service in site.services:
                tickets_here = {st: counts.get((site.code, service, st), 0) for st in STATUSES}
                for status, n in tickets_here.items():
                    tickets.add_metric([site.code, service, status], n)
                waiting.add_metric([site.code, service], tickets_here[p.STATUS_WAITING])
        for name, site, role, seen in devices:
            up = seen is not None and now - seen <= silent
            online.add_metric([name, site, role], 1 if up else 0)
        yield tickets
        yield waiting
        yield online


STATUSES = (
    p.STATUS_WAITING,
    p.STATUS_CALLED,
    p.STATUS_FINISHED,
    p.STATUS_NO_SHOW,
    p.STATUS_VOIDED,
    p.STATUS_EXPIRED,
)


def process_registry() -> CollectorRegistry:
    """This process's figures, or every worker's when the multiprocess folder is set."""
    if not os.environ.get(MULTIPROC_ENV):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def allowed(token: str | None) -> bool:
    """Loopback without a proxy header, or the right bearer token."""
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False  # came through a reverse proxy: the loopback address is the proxy's
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics() -> Response:
    if not allowed(current_app.config.get(TOKEN_SETTING)):
        raise unauthorized()
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(current_app))
    body = generate_latest(process_registry()) + generate_latest(database)
    return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _answered(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is not None:
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        LATENCY.labels(request.method, rule).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    """Serve /metrics, time every request, and count the store's committed audit rows."""
    app.config.setdefault(TOKEN_SETTING, None)
    app.register_blueprint(bp)
    app.before_request(_started)
    app.after_request(_answered)
    services(app).store.base.observers.append(observe_audited)
