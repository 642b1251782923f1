"""The office calendar through the API (SQLite and PostgreSQL): breaks, holidays, early kiosk."""

from __future__ import annotations

from datetime import datetime

import pytest

from sahaja import protocol as p
from sahaja.config import default_config_text
from tests.conftest import WIB

ISSUE = "/api/v1/sites/PRE/tickets"
NEXT = f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_NEXT}"


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WIB)


def issue(client, kiosk, **headers):
    return client.post(ISSUE, json={"service": "KTP"}, headers={**kiosk, **headers})


def test_next_is_refused_during_the_break_and_allowed_after(client, kiosk, counter1, clock):
    clock.set(at(2026, 11, 30, 11, 50))  # Monday; lunch 12:00-13:00 in kediri.toml
    issue(client, kiosk)
    issue(client, kiosk)
    first = client.post(NEXT, headers=counter1)
    assert first.status_code == 200 and first.json["current"]["number"] == "A001"
    clock.set(at(2026, 11, 30, 12, 10))
    r = client.post(NEXT, headers=counter1)
    assert r.status_code == 409 and r.json["error"] == p.ERR_ON_BREAK
    assert "13:00" in r.json["message"] and "Istirahat" in r.json["message"]
    en = client.post(NEXT, headers={**counter1, "Accept-Language": "en"})
    assert en.json["message"] == "Istirahat: counters cannot call the next number until 13:00."
    # nothing changed: A001 is still at the counter, and it can be recalled and finished
    view = client.get(f"{p.API_PREFIX}/counters/PRE-L1", headers=counter1).json
    assert view["current"]["number"] == "A001" and view["waiting"] == 1
    assert client.post(NEXT.replace("next", "recall"), headers=counter1).status_code == 200
    assert client.post(NEXT.replace("next", "finish"), headers=counter1).status_code == 200
    # the kiosk keeps issuing through the break (issue_during_breaks defaults to true)
    assert issue(client, kiosk).status_code == 201
    site = client.get("/api/v1/sites/PRE").json
    assert site["open_now"] is True and site["closed_reason"] is None
    assert site["on_break"] == {"name": "Istirahat", "start": "12:00", "end": "13:00"}
    assert site["breaks_today"] == [site["on_break"]]
    clock.set(at(2026, 11, 30, 13, 0))
    after = client.post(NEXT, headers=counter1)
    assert after.status_code == 200 and after.json["current"]["number"] == "A002"
    assert client.get("/api/v1/sites/PRE").json["on_break"] is None


def test_friday_prayers_hold_calls_from_eleven(client, kiosk, counter1, clock):
    clock.set(at(2026, 12, 4, 10, 55))  # Friday
    issue(client, kiosk)
    clock.set(at(2026, 12, 4, 11, 0))
    r = client.post(NEXT, headers=counter1)
    assert r.status_code == 409 and r.json["error"] == p.ERR_ON_BREAK
    assert "Sholat Jumat" in r.json["message"]


def test_a_configured_cuti_bersama_closes_issuing_with_its_name(app, client, kiosk, clock):
    clock.set(at(2027, 12, 24, 9, 0))  # Friday, "Cuti Bersama Natal" in kediri.toml
    r = issue(client, kiosk)
    assert r.status_code == 409 and r.json["error"] == p.ERR_CLOSED
    assert r.json["message"] == "Layanan tutup hari ini: Cuti Bersama Natal."
    site = client.get("/api/v1/sites/PRE").json
    assert site["open_now"] is False and site["hours_today"] is None
    assert site["closed_reason"] == {"kind": "holiday", "name": "Cuti Bersama Natal", "until": None}
    snapshot = app.extensions["sahaja"].store.snapshot("PRE")  # what a kiosk gets on connect
    assert snapshot["open_now"] is False and snapshot["closed_reason"] == site["closed_reason"]
    assert snapshot["breaks_today"] == [] and snapshot["hours_today"] is None


def test_a_2027_national_holiday_closes_issuing(client, kiosk, clock):
    clock.set(at(2027, 5, 20, 9, 0))  # Thursday, Hari Raya Waisak (from the holidays library)
    r = issue(client, kiosk, **{"Accept-Language": "en"})
    assert r.status_code == 409 and r.json["error"] == p.ERR_CLOSED
    assert r.json["message"] == "The office is closed today: Hari Raya Waisak."
    snapshot_reason = client.get("/api/v1/sites/PRE").json["closed_reason"]
    assert snapshot_reason["kind"] == p.CLOSED_HOLIDAY and snapshot_reason["name"] == (
        "Hari Raya Waisak"
    )
    clock.set(at(2027, 5, 21, 9, 0))  # the Friday after: open
    assert issue(client, kiosk).status_code == 201


class TestPareOpensItsKioskEarly:
    @pytest.fixture
    def office_config(self, tmp_path):
        """Kediri with Pare's kiosk opening at 06:30 and no issuing during its breaks."""
        text = default_config_text().replace(
            'code = "PRE"\n',
            'code = "PRE"\nkiosk_opens = "06:30"\nissue_during_breaks = false\n',
            1,
        )
        assert 'kiosk_opens = "06:30"' in text
        path = tmp_path / "office.toml"
        path.write_text(text, encoding="utf-8")
        return path

    def test_the_kiosk_opens_early_and_may_pause_for_breaks(self, client, kiosk, counter1, clock):
        clock.set(at(2026, 11, 30, 6, 29))
        r = issue(client, kiosk)
        assert r.status_code == 409 and r.json["error"] == p.ERR_CLOSED
        reason = client.get("/api/v1/sites/PRE").json["closed_reason"]
        assert reason == {"kind": "before_open", "name": None, "until": "06:30"}
        clock.set(at(2026, 11, 30, 6, 30))
        assert issue(client, kiosk).status_code == 201
        site = client.get("/api/v1/sites/PRE").json
        assert site["open_now"] is True and site["kiosk_opens"] == "06:30"
        clock.set(at(2026, 11, 30, 12, 30))
        r = issue(client, kiosk)
        assert r.status_code == 409 and r.json["error"] == p.ERR_CLOSED
        assert "13:00" in r.json["message"]
        assert client.get("/api/v1/sites/PRE").json["closed_reason"]["kind"] == p.CLOSED_BREAK
