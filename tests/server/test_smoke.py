def test_issue_and_call(client, kiosk, counter1):
    r = client.post(
        "/api/v1/sites/PRE/tickets", json={"service": "KTP", "request_id": "r1"}, headers=kiosk
    )
    assert r.status_code == 201, r.json
    assert r.json["number"] == "A001"
    r = client.post("/api/v1/counters/PRE-L1/next", headers=counter1)
    assert r.status_code == 200, r.json
    assert r.json["current"]["number"] == "A001"
