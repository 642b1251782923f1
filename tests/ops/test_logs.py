"""The log lines of a ticket's life, of devices, sign-ins and admin changes: readable text by
default, one JSON object per line on request, and never a NIK, password, token or the
ticket's private status code."""

from __future__ import annotations

import io
import json
import logging

import pytest

from sahaja import protocol as p
from server import logging_setup
from server.cli import main
from server.console.signin import LockPolicy, SignInGuard
from server.extensions import socketio
from tests.console.conftest import PASSWORD


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'ops.db'}"  # the lines do not depend on the database


class Lines:
    """Every line the process logs, through the real formatter and redaction filter."""

    def __init__(self, fmt: str) -> None:
        self.out = io.StringIO()
        self.handler = logging.StreamHandler(self.out)
        self.handler.setFormatter(logging_setup.formatter(fmt))
        self.handler.addFilter(logging_setup.Redact())

    def text(self) -> str:
        return self.out.getvalue()

    def json(self) -> list[dict]:
        return [json.loads(line) for line in self.text().splitlines()]

    def events(self) -> list[dict]:
        return [line for line in self.json() if "event" in line]


@pytest.fixture(params=["json"])
def lines(request):
    caught = Lines(request.param)
    root = logging.getLogger()
    root.addHandler(caught.handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield caught
    root.removeHandler(caught.handler)
    root.setLevel(old_level)


def act(client, headers, action: str) -> dict:
    r = client.post(f"{p.API_PREFIX}/counters/PRE-L1/{action}", headers=headers)
    assert r.status_code == 200, r.json
    return r.json


def test_a_tickets_life_is_one_json_line_per_step(client, make_token, lines):
    kiosk = {"Authorization": f"Bearer {make_token('kiosk')}"}
    counter = {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L1')}"}
    issued = []
    for request_id in ("r-1", "r-2"):
        r = client.post(
            f"{p.API_PREFIX}/sites/PRE/tickets",
            json={"service": "KTP", "priority": False, "request_id": request_id},
            headers=kiosk,
        )
        assert r.status_code == 201
        issued.append(r.json)
    act(client, counter, p.ACTION_NEXT)  # A001 called
    act(client, counter, p.ACTION_SKIP)  # A001 skipped
    act(client, counter, p.ACTION_NEXT)  # A002 called
    act(client, counter, p.ACTION_FINISH)  # A002 served

    steps = [(e["event"], e.get("number"), e.get("counter")) for e in lines.events() if "site" in e]
    assert steps == [
        ("ticket.issue", "A001", None),
        ("ticket.issue", "A002", None),
        ("ticket.call", "A001", "PRE-L1"),
        ("ticket.skip", "A001", "PRE-L1"),
        ("ticket.call", "A002", "PRE-L1"),
        ("ticket.finish", "A002", "PRE-L1"),
    ]
    first = lines.events()[0]
    assert first["site"] == "PRE" and first["service"] == "KTP"
    assert first["actor"].startswith("device:kiosk-")
    assert first["level"] == "INFO" and first["logger"] == logging_setup.EVENTS
    assert "time" in first
    skip = next(e for e in lines.events() if e["event"] == "ticket.skip")
    assert skip["detail"] == p.STATUS_WAITING  # skipped once: it waits to be called again
    everything = lines.text()
    for ticket in issued:  # the private code behind the QR never reaches the log
        assert ticket["status_code"] not in everything
    for headers in (kiosk, counter):
        assert headers["Authorization"].split()[1] not in everything


def test_a_refused_action_writes_no_line(client, make_token, lines):
    counter = {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L1')}"}
    r = client.post(f"{p.API_PREFIX}/counters/PRE-L1/{p.ACTION_SKIP}", headers=counter)
    assert r.status_code == 409  # nothing at the counter: rolled back, nothing logged
    assert [e for e in lines.events() if e["event"].startswith("ticket.")] == []


def test_device_connect_and_disconnect(app, make_token, lines):
    token = make_token("display")
    board = socketio.test_client(app, auth={"token": token})
    assert board.is_connected()
    board.disconnect()
    seen = [(e["event"], e["role"], e["device"]) for e in lines.events()]
    assert seen == [
        ("device.connected", "display", "display-0"),
        ("device.disconnected", "display", "display-0"),
    ]
    assert next(iter(lines.events()))["site"] == "PRE"
    assert token not in lines.text()


def test_sign_in_lines_name_accounts_but_never_what_was_typed_for_others(app, clock, lines):
    guard = SignInGuard(app.extensions["sahaja"].db, clock, LockPolicy(), sleep=lambda _s: None)
    from server.console.signin import Client

    guard.sign_in("ANI", "salah-sekali", Client("10.1.2.3"))
    guard.sign_in("rahasia-loket-1-typo", "x", Client("10.1.2.3"))  # a password as the name
    guard.sign_in("ani", PASSWORD, Client("10.1.2.3"))
    seen = [(e["event"], e.get("user"), e.get("address")) for e in lines.events()]
    assert seen == [
        ("officer.sign_in_failed", "ani", "10.1.2.3"),
        ("officer.sign_in_failed", None, "10.1.2.3"),
        ("officer.signed_in", "ani", "10.1.2.3"),
    ]
    text = lines.text()
    for secret in ("salah-sekali", "rahasia-loket-1-typo", PASSWORD):
        assert secret not in text


def test_admin_changes_from_the_command_line_in_json(app, monkeypatch, capsys):
    url = app.config["DATABASE_URL"]
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-baru\n"))
    cli = ["--database", url, "--log-format", "json"]
    assert main([*cli, "officer", "reset", "ANI", "--password-stdin"]) == 0
    assert main([*cli, "officer", "lock", "ani"]) == 0
    assert main([*cli, "device", "add", "kiosk-x", "--site", "PRE", "--role", "kiosk"]) == 0
    err = capsys.readouterr().err
    logged = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    seen = [(e["event"], e.get("detail")) for e in logged]
    assert seen == [  # the same kinds as the audit rows of these changes (/admin/audit)
        ("admin.user_reset", "ani"),
        ("admin.user_lock", "ani"),
        ("admin.device_add", "kiosk-x (kiosk)"),
    ]
    assert all(e["by"].startswith("system:") for e in logged)
    assert "kata-sandi-baru" not in err


def test_text_lines_read_as_sentences_and_secrets_are_blanked():
    caught = Lines("text")
    log = logging.getLogger(logging_setup.EVENTS)
    log.addHandler(caught.handler)
    try:
        logging_setup.event("ticket.call", site="PRE", number="A001", counter="PRE-L1")
        logging_setup.event("oops", site="PRE", nik="3506170101900001", password="x", token="t")
    finally:
        log.removeHandler(caught.handler)
    first, second = caught.text().splitlines()
    assert first.endswith("INFO sahaja.events ticket.call site=PRE number=A001 counter=PRE-L1")
    assert "3506170101900001" not in second and "password=x" not in second
    assert "nik=[redacted]" in second and "token=[redacted]" in second


def test_the_format_comes_from_the_option_then_the_environment(monkeypatch):
    monkeypatch.delenv(logging_setup.FORMAT_ENV, raising=False)
    assert logging_setup.chosen_format() == "text"
    monkeypatch.setenv(logging_setup.FORMAT_ENV, "JSON")
    assert logging_setup.chosen_format() == "json"
    assert logging_setup.chosen_format("text") == "text"
    with pytest.raises(ValueError, match="log format must be one of text, json"):
        logging_setup.chosen_format("xml")
