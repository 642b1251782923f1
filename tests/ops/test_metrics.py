"""``GET /metrics``: the office's figures in Prometheus' format, for the machine itself or a
holder of the metrics token only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sahaja import protocol as p
from server import metrics
from server.extensions import socketio
from server.store.base import Audited


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'ops.db'}"


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    r = client.get("/metrics", **kwargs)
    assert r.status_code == 200, r.data
    assert r.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(r.get_data(as_text=True)):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def issue(client, kiosk, service: str, request_id: str) -> None:
    body = {"service": service, "priority": False, "request_id": request_id}
    r = client.post(f"{p.API_PREFIX}/sites/PRE/tickets", json=body, headers=kiosk)
    assert r.status_code == 201


def test_tickets_issued_called_served_and_waiting(client, make_token):
    kiosk = {"Authorization": f"Bearer {make_token('kiosk')}"}
    counter = {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L1')}"}
    before = scrape(client)
    for n in range(3):
        issue(client, kiosk, "KTP", f"k-{n}")
    issue(client, kiosk, "KK", "kk-0")
    assert client.post(f"{p.API_PREFIX}/counters/PRE-L1/next", headers=counter).status_code == 200
    assert client.post(f"{p.API_PREFIX}/counters/PRE-L1/finish", headers=counter).status_code == 200
    after = scrape(client)

    def grew(name: str, service: str) -> float:
        labels = {"site": "PRE", "service": service}
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("sahaja_tickets_issued_total", "KTP") == 3
    assert grew("sahaja_tickets_issued_total", "KK") == 1
    assert grew("sahaja_tickets_called_total", "KTP") == 1
    assert grew("sahaja_tickets_served_total", "KTP") == 1
    assert grew("sahaja_tickets_called_total", "KK") == 0
    # read from the database: the same from every process, and after a restart
    assert value(after, "sahaja_waiting", site="PRE", service="KTP") == 2
    assert value(after, "sahaja_waiting", site="PRE", service="KK") == 1
    assert value(after, "sahaja_waiting", site="PPR", service="KTP") == 0
    today = {"site": "PRE", "service": "KTP"}
    assert value(after, "sahaja_tickets_today", **today, status=p.STATUS_FINISHED) == 1
    assert value(after, "sahaja_tickets_today", **today, status=p.STATUS_WAITING) == 2
    # every request is timed, by route (never by the raw path, which holds codes)
    route = "/api/v1/sites/<site>/tickets"
    timed = value(after, "sahaja_http_request_duration_seconds_count", method="POST", route=route)
    assert (
        timed
        - value(before, "sahaja_http_request_duration_seconds_count", method="POST", route=route)
        == 4
    )


def test_live_connections_by_role_and_devices_online(app, client, make_token, clock):
    silent_token = make_token("kiosk")  # paired, never heard from
    board_token = make_token("display")
    before = scrape(client)
    board = socketio.test_client(app, auth={"token": board_token})
    assert board.is_connected()
    during = scrape(client)
    assert (
        value(during, "sahaja_live_connections", role="display")
        - value(before, "sahaja_live_connections", role="display")
        == 1
    )
    assert (
        value(during, "sahaja_device_online", device="display-1", site="PRE", role="display") == 1
    )
    assert value(during, "sahaja_device_online", device="kiosk-0", site="PRE", role="kiosk") == 0
    assert silent_token not in client.get("/metrics").get_data(as_text=True)
    board.disconnect()
    clock.advance(seconds=91)  # three health periods of 30 s without a word
    after = scrape(client)
    assert value(after, "sahaja_live_connections", role="display") == value(
        before, "sahaja_live_connections", role="display"
    )
    assert value(after, "sahaja_device_online", device="display-1", site="PRE", role="display") == 0


def test_the_estimate_error_is_observed_at_a_call_when_the_ticket_carries_one(client):
    now = client.application.extensions["sahaja"].clock.now()
    before = scrape(client)
    called = dict(kind="call", site="PRE", actor="device:x", at=now, number="A001")
    metrics.observe_audited(
        [
            Audited(**called, service="KTP", estimated_call_at=now - timedelta(minutes=7)),
            Audited(**called, service="KTP", estimated_call_at=now + timedelta(minutes=2)),
            Audited(**called, service="KTP", estimated_call_at=None),  # older ticket: none
            Audited(**{**called, "kind": "recall"}, service="KTP", estimated_call_at=now),
        ]
    )
    after = scrape(client)
    labels = {"site": "PRE", "service": "KTP"}

    def grew(name: str, **more: str) -> float:
        return value(after, name, **labels, **more) - value(before, name, **labels, **more)

    assert grew("sahaja_estimate_error_seconds_count") == 2
    assert grew("sahaja_estimate_error_seconds_sum") == 7 * 60 + 2 * 60
    assert grew("sahaja_estimate_error_seconds_bucket", le="300.0") == 1  # the 2-minute miss
    assert grew("sahaja_estimate_error_seconds_bucket", le="600.0") == 2


def test_only_the_machine_itself_or_a_token_holder_may_read(app, client):
    elsewhere = {"environ_base": {"REMOTE_ADDR": "10.0.0.7"}}
    r = client.get("/metrics", **elsewhere)
    assert r.status_code == 401
    assert r.json["error"] == p.ERR_UNAUTHORIZED
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 401  # through a proxy on this machine: not local
    app.config["METRICS_TOKEN"] = "rahasia-prometheus"
    assert (
        client.get("/metrics", headers={"Authorization": "Bearer salah"}, **elsewhere).status_code
        == 401
    )
    token = {"Authorization": "Bearer rahasia-prometheus"}
    assert scrape(client, headers=token, **elsewhere)
