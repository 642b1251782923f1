"""The citizens' pages through Flask's test client with a hand-moved clock (SQLite and
PostgreSQL): what a ticket's status page and a service point's page say in every state, the
404 pages, headers, and that no page shows another ticket's status code."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from sahaja import i18n
from sahaja import protocol as p
from sahaja.config import ConfigError, load_config, parse_config
from server.public.page import PollPolicy, site_page_view, status_view
from tests.conftest import WIB

ISSUE = f"{p.API_PREFIX}/sites/PRE/tickets"
L1 = f"{p.API_PREFIX}/counters/PRE-L1/"


def t(key: str, lang: str = "id", **params: object) -> str:
    return i18n.t(f"public.{key}", lang, **params)


def issue(client, kiosk, service: str = "KTP") -> dict:
    r = client.post(ISSUE, json={"service": service}, headers=kiosk)
    assert r.status_code == 201, r.json
    return r.json


def act(client, headers, action: str) -> dict:
    r = client.post(L1 + action, headers=headers)
    assert r.status_code == 200, r.json
    return r.json


def page(client, ticket: dict, suffix: str = "", **query: str):
    return client.get(f"/t/{ticket['status_code']}{suffix}", query_string=query)


def body(r) -> str:
    return r.get_data(as_text=True)


def state_of(html: str) -> str:
    match = re.search(r'data-state="([a-z_]+)"', html)
    assert match, html
    return match.group(1)


def test_waiting_page_shows_number_service_site_place_and_estimate(client, kiosk):
    issue(client, kiosk)
    mine = issue(client, kiosk)
    r = page(client, mine)
    html = body(r)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert '<html lang="id">' in html
    assert mine["number"] in html and "KTP-el" in html and "Kantor Kecamatan Pare" in html
    assert t("ahead", n=1) in html
    start, end = (datetime.fromisoformat(mine[k]) for k in ("estimate_from", "estimate_to"))
    assert end > start  # the estimator's window, as the kiosk got it
    window = f"{start.astimezone(WIB):%H.%M}–{end.astimezone(WIB):%H.%M} WIB"
    assert t("window", window=window) in html  # "Perkiraan dipanggil 08.04–08.12 WIB"
    assert state_of(html) == "waiting"
    # without a script the page refreshes itself; with one, the script does
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in html
    assert re.search(r'<script src="/static/public/public\.js\?v=[0-9a-f]{12}" defer>', html)
    english = body(page(client, mine, lang="en"))
    assert '<html lang="en">' in english and t("ahead", "en", n=1) in english
    assert "Electronic ID card (KTP-el)" in english


def test_headers_forbid_framing_caching_referrers_and_anything_from_elsewhere(client, kiosk):
    mine = issue(client, kiosk)
    r = page(client, mine)
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    style = re.search(r"<style>(.*?)</style>", body(r), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp  # the inline style is the one allowed
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "http://" not in body(r) and "https://" not in body(r)  # nothing third-party
    with client.get(re.search(r'src="([^"]+)"', body(r)).group(1)) as script:
        assert script.status_code == 200 and "immutable" in script.headers["Cache-Control"]
    site = client.get("/s/PRE")
    assert site.headers["Cache-Control"] == "public, max-age=15"


def test_called_skipped_and_no_show_as_the_counter_acts(client, kiosk, counter1, app):
    mine = issue(client, kiosk)
    issue(client, kiosk, "KK")
    act(client, counter1, p.ACTION_NEXT)
    html = body(page(client, mine))
    assert state_of(html) == "called"
    assert t("state_called", counter="Loket 1") in html  # "Silakan menuju Loket 1"
    live = body(page(client, mine, "/live"))
    assert live.startswith('<section id="status"') and t("state_called", counter="Loket 1") in live
    act(client, counter1, p.ACTION_SKIP)
    html = body(page(client, mine))
    assert state_of(html) == "skipped" and t("state_skipped") in html
    rules = app.extensions["sahaja"].config.rules
    for _ in range(rules.max_skips):  # called again when due, skipped again: a no-show
        while act(client, counter1, p.ACTION_NEXT)["current"]["number"] != mine["number"]:
            pass
        act(client, counter1, p.ACTION_SKIP)
    html = body(page(client, mine))
    assert state_of(html) == "no_show" and t("state_no_show") in html
    assert "http-equiv" not in html  # a final state: nothing more to wait for


def test_finished_page_checks_slowly_until_the_document_is_collected(client, kiosk, counter1):
    mine = issue(client, kiosk)
    act(client, counter1, p.ACTION_NEXT)
    act(client, counter1, p.ACTION_FINISH)
    html = body(page(client, mine))
    assert state_of(html) == "finished" and t("state_finished") in html
    assert 'data-poll="60"' in html  # the document is on its way: a quarter of the base rate
    url = f"{p.API_PREFIX}/sites/PRE/documents/{mine['id']}"
    for stage in (p.STAGE_READY, p.STAGE_COLLECTED):
        assert client.post(url, json={"stage": stage}, headers=counter1).status_code == 200
    assert 'data-poll="0"' in body(page(client, mine))  # collected: nothing more to wait for


def test_after_closing_a_waiting_number_reads_day_closed(app, client, kiosk, clock):
    mine = issue(client, kiosk)  # Monday 08:00; Pare closes at 15:00
    clock.advance(hours=7, minutes=5)
    html = body(page(client, mine))
    assert state_of(html) == "closed" and t("state_closed") in html


def test_unknown_code_and_a_ticket_of_an_earlier_day_are_a_404_page(client, kiosk, clock):
    mine = issue(client, kiosk)
    for r in (client.get("/t/no-such-code"), client.get("/t/bad%20code"), client.get("/t/x/live")):
        assert r.status_code == 404 and r.mimetype == "text/html"
        assert t("missing_title") in body(r) and '<html lang="id">' in body(r)
    clock.advance(days=1)
    r = page(client, mine)
    assert r.status_code == 404 and t("missing_text") in body(r)
    assert client.get(f"{p.API_PREFIX}/tickets/no-such-code").is_json  # the API stays JSON


def test_site_page_shows_waiting_quota_hours_and_what_is_served(client, kiosk, counter1):
    issue(client, kiosk)
    issue(client, kiosk)
    issue(client, kiosk, "KK")
    act(client, counter1, p.ACTION_NEXT)
    r = client.get("/s/PRE")
    html = body(r)
    assert r.status_code == 200 and "Kantor Kecamatan Pare" in html
    assert re.search(r'id="service-KTP"><td>KTP-el</td><td class="n waiting">1<', html)
    assert re.search(r'id="service-KK"><td>Kartu Keluarga</td><td class="n waiting">1<', html)
    assert t("hours_today", hours="07.30–15.00 WIB") in html
    assert t("remaining_total", n=77) in html
    assert "<dt>Loket 1</dt><dd>A001</dd>" in html
    assert '<meta http-equiv="refresh" content="60">' in html
    assert "Family card" in body(client.get("/s/PRE?lang=en"))
    missing = client.get("/s/NOPE")
    assert missing.status_code == 404 and t("missing_site_title") in body(missing)


def test_no_page_shows_the_status_code_of_another_ticket(client, kiosk, counter1):
    tickets = [issue(client, kiosk, s) for s in ("KTP", "KK", "KTP", "AKL")]
    act(client, counter1, p.ACTION_NEXT)
    act(client, counter1, p.ACTION_SKIP)
    act(client, counter1, p.ACTION_NEXT)
    codes = {x["status_code"] for x in tickets}
    for site in load_config().sites:
        for lang in i18n.LANGUAGES:
            html = body(client.get(f"/s/{site}", query_string={"lang": lang}))
            assert not [c for c in codes if c in html]
    for mine in tickets:
        for suffix in ("", "/live"):
            html = body(page(client, mine, suffix))
            assert not [c for c in codes - {mine["status_code"]} if c in html]


# --- the views without a server ------------------------------------------------------------
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=WIB)


def waiting_ticket(**extra: object) -> dict:
    ticket = {
        "id": 1,
        "number": "A012",
        "service": "KTP",
        "site": "PRE",
        "priority": False,
        "priority_category": None,
        "status": p.STATUS_WAITING,
        "issued_at": NOW.isoformat(),
        "ahead": 4,
        "estimated_call_at": (NOW + timedelta(minutes=50)).isoformat(),
        "counter": None,
        "called_at": None,
    }
    return {**ticket, **extra}


def test_the_estimators_window_wins_over_the_point_estimate():
    ticket = waiting_ticket(
        estimate_from=datetime(2026, 11, 30, 9, 40, tzinfo=WIB).isoformat(),
        estimate_to=datetime(2026, 11, 30, 3, 5, tzinfo=UTC).isoformat(),  # 10.05 WIB
    )
    view = status_view(load_config(), ticket, NOW, "id", PollPolicy())
    assert view["estimate"] == "Perkiraan dipanggil 09.40–10.05 WIB"
    english = status_view(load_config(), ticket, NOW, "en", PollPolicy())
    assert english["estimate"] == "Expected call 09:40–10:05 WIB"
    point = status_view(load_config(), waiting_ticket(), NOW, "id", PollPolicy())
    assert point["estimate"] == "Perkiraan dipanggil sekitar 09.50 WIB"
    assert i18n.t("public.maybe_not_today") not in point["lines"]
    late = status_view(load_config(), waiting_ticket(estimate_today=False), NOW, "id", PollPolicy())
    assert i18n.t("public.maybe_not_today") in late["lines"]


@pytest.mark.parametrize(
    ("state", "ahead", "seconds"),
    [("waiting", 2, 15), ("waiting", 30, 30), ("called", None, 15), ("closed", None, 60)]
    + [(final, None, 0) for final in ("finished", "no_show", "voided")],
)
def test_poll_policy(state, ahead, seconds):
    assert PollPolicy(15).seconds(state, ahead) == seconds


def test_site_view_says_the_expected_wait_when_the_estimator_gives_one():
    config = load_config()
    services = [
        {"code": "KTP", "waiting": 6, "remaining": 10, "estimated_wait_minutes": 24.6},
        {"code": "KK", "waiting": 0, "remaining": 0, "estimated_wait_minutes": 0},
        {"code": "AKL", "waiting": 0, "remaining": 3},
    ]
    site = {"code": "PRE", "open_now": True, "remaining": 13, "services": services}
    rows = site_page_view(config, site, NOW, "id")["services"]
    assert [r["wait"] for r in rows] == ["± 25 menit", "langsung", "—"]
    assert [r["left"] for r in rows] == ["10", "habis", "3"]


def test_public_url_is_an_http_address_and_reaches_kiosks(client):
    base = load_config()
    assert base.public_url is None
    text = 'public_url = "https://antrian.example.go.id/"\n'
    shown = parse_config(text + _without_header(), source="t")
    assert shown.public_url == "https://antrian.example.go.id"
    for bad in ("antrian.example.go.id", "ftp://x.example", "https://x.example/?a=1", "https://"):
        with pytest.raises(ConfigError, match="public_url"):
            parse_config(f'public_url = "{bad}"\n' + _without_header(), source="t")
    assert client.get(f"{p.API_PREFIX}/sites").json["office"]["public_url"] is None
    assert p.status_page_url("https://a.example/", "XyZ") == "https://a.example/t/XyZ"


def _without_header() -> str:
    from sahaja.config import default_config_text

    return default_config_text()
