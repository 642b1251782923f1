"""Contract drift schemathesis found (issue 8 §7), pinned as plain tests on both backends."""

from __future__ import annotations

import pytest

ISSUE = "/api/v1/sites/PRE/tickets"


def test_405_names_the_allowed_methods(client):
    r = client.delete("/api/v1/sites/PRE/tickets")
    assert r.status_code == 405 and r.json["error"] == "method_not_allowed"
    assert r.headers["Allow"] == "OPTIONS, POST"
    r = client.put("/api/v1/health")
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize(
    "body",
    [
        {"service": None},
        {"service": "KTP", "priority": None},
        {"service": "KTP", "request_id": None},
    ],
)
def test_a_null_the_document_forbids_is_422(client, kiosk, body):
    r = client.post(ISSUE, json=body, headers=kiosk)
    assert (r.status_code, r.json["error"]) == (422, "malformed_request")


def test_nulls_the_document_allows_are_taken(client, kiosk, counter1):
    body = {"service": "KTP", "priority_category": None, "request_id": "k-1"}
    r = client.post(ISSUE, json=body, headers=kiosk)  # what the kiosk sends for a regular ticket
    assert r.status_code == 201 and r.json["priority"] is False
    health = {"connected": True, "printer": "ok", "last_ticket": None, "detail": None}
    assert client.post("/api/v1/devices/me/health", json=health, headers=kiosk).status_code == 200
    for action, body in (("next", {"service": None}), ("reprint", {"number": None})):
        r = client.post(f"/api/v1/counters/PRE-L1/{action}", json=body, headers=counter1)
        assert r.status_code == 422, action


def test_an_empty_request_id_is_refused_not_a_new_ticket_each_time(client, kiosk):
    for _ in range(2):
        r = client.post(ISSUE, json={"service": "KTP", "request_id": ""}, headers=kiosk)
        assert (r.status_code, r.json["error"]) == (422, "malformed_request")
    assert client.get("/api/v1/sites/PRE").json["services"][0]["issued"] == 0


@pytest.mark.parametrize("digits", ["１２", "٣", "1２"])
def test_non_ascii_digits_are_not_ticket_ids(client, kiosk, digits):
    issued = client.post(ISSUE, json={"service": "KTP"}, headers=kiosk).json
    r = client.post(f"/api/v1/tickets/{digits}/void", json={}, headers=kiosk)
    assert (r.status_code, r.json["error"]) == (404, "not_found")
    assert client.get(f"/api/v1/tickets/{issued['status_code']}").json["status"] == "waiting"
