"""The kiosk's rules, event by event, without pygame or threads."""

from __future__ import annotations

from kiosk import messages as m
from kiosk import state as st

SERVICES = [
    {"code": "KTP", "name": "KTP-el", "prefix": "A", "issued": 3, "remaining": 5, "waiting": 2},
    {
        "code": "KK",
        "name": "Kartu Keluarga",
        "prefix": "B",
        "issued": 9,
        "remaining": 0,
        "waiting": 4,
    },
]
SNAPSHOT = {
    "site": "PRE",
    "site_name": "Kantor Kecamatan Pare",
    "open_now": True,
    "hours_today": "07:30-15:00",
    "queue": {"site": "PRE", "services": SERVICES},
}
TICKET = {
    "id": 41,
    "number": "A004",
    "service": "KTP",
    "site": "PRE",
    "priority": False,
    "priority_category": None,
    "status_code": "abc",
    "issued_at": "2026-11-30T08:00+07:00",
    "ahead": 2,
    "estimated_call_at": None,
}


def ready() -> st.KioskState:
    s = st.KioskState(public_url="http://srv")
    s.handle(m.Connection(True), 0)
    s.handle(m.Snapshot(SNAPSHOT), 0)
    return s


def kinds(commands):
    return [type(c).__name__ for c in commands]


def test_offline_until_snapshot_then_home():
    s = st.KioskState()
    assert s.screen == st.Screen.OFFLINE
    s.handle(m.Connection(True), 0)
    assert s.screen == st.Screen.OFFLINE
    s.handle(m.Snapshot(SNAPSHOT), 0)
    assert s.screen == st.Screen.HOME
    s.handle(m.Connection(False), 1)
    assert s.screen == st.Screen.OFFLINE


def test_issue_flow_checks_printer_then_issues_then_prints():
    s = ready()
    out = s.handle(st.PressService("KTP"), 1)
    assert kinds(out) == ["CheckPrinter"]
    request_id = s.pending.request_id
    assert s.handle(st.PressService("KTP"), 1) == []  # one request at a time
    out = s.handle(m.PrinterStatus("ok", "issue"), 1.1)
    issue = [c for c in out if isinstance(c, m.IssueTicket)]
    assert issue == [m.IssueTicket(request_id, "PRE", "KTP", False, None)]
    out = s.handle(m.TicketIssued(request_id, TICKET), 1.2)
    assert s.screen == st.Screen.TICKET
    (job,) = out
    assert job.status_url == "http://srv/t/abc" and job.service_name == "KTP-el"
    s.handle(m.Printed(TICKET), 1.5)
    assert s.ticket_printed
    s.handle(st.Tick(), 1.5 + st.TICKET_SHOWN_SECONDS + 0.1)
    assert s.screen == st.Screen.HOME
    assert s.last_ticket == "A004"


def test_an_answer_for_another_request_is_ignored():
    s = ready()
    s.handle(st.PressService("KTP"), 1)
    s.handle(m.PrinterStatus("unknown", "issue"), 1)
    assert s.handle(m.TicketIssued("someone-else", TICKET), 1) == []
    assert s.screen == st.Screen.HOME and s.pending is not None


def test_paper_out_or_offline_issues_nothing():
    for status, fault in (("out", "paper_out"), ("offline", "offline")):
        s = ready()
        s.handle(st.PressService("KTP"), 1)
        out = s.handle(m.PrinterStatus(status, "issue"), 1)
        assert not any(isinstance(c, m.IssueTicket) for c in out)
        assert s.screen == st.Screen.FAULT and s.fault == fault and s.fault_number is None
        assert any(isinstance(c, m.SendHealth) and c.printer == status for c in out)
        # the fault screen keeps asking the printer, and leaves once it is fine
        assert m.CheckPrinter("recover") in s.handle(st.Tick(), 1 + st.RECOVER_EVERY + 0.1)
        s.handle(m.PrinterStatus("ok", "recover"), 5)
        assert s.screen == st.Screen.HOME


def test_near_end_warns_but_issues():
    s = ready()
    s.handle(st.PressService("KTP"), 1)
    out = s.handle(m.PrinterStatus("near_end", "issue"), 1)
    assert any(isinstance(c, m.IssueTicket) for c in out)
    assert s.printer == "near_end"


def test_print_failure_voids_and_shows_the_fault():
    s = ready()
    s.handle(st.PressService("KTP"), 1)
    s.handle(m.PrinterStatus("ok", "issue"), 1)
    s.handle(m.TicketIssued(s.pending.request_id, TICKET), 1)
    out = s.handle(m.PrintError(TICKET, "print_failed", "EPIPE"), 2)
    assert m.VoidTicket(41, "A004") in out
    assert s.screen == st.Screen.FAULT and s.fault_number == "A004"


def test_refusals():
    s = ready()
    s.handle(st.PressService("KTP"), 1)
    rid = s.pending.request_id
    s.handle(m.PrinterStatus("ok", "issue"), 1)
    out = s.handle(m.IssueRejected(rid, "quota_exhausted"), 1)
    assert s.screen == st.Screen.HOME and s.message == "error_quota"
    assert m.RefreshSite("PRE") in out
    s.handle(st.Tick(), 1 + st.MESSAGE_SECONDS + 1)
    assert s.message is None

    s.handle(st.PressService("KTP"), 10)
    s.handle(m.PrinterStatus("ok", "issue"), 10)
    s.handle(m.IssueRejected(s.pending.request_id, "closed"), 10)
    assert s.screen == st.Screen.CLOSED

    s = ready()
    s.handle(st.PressService("KTP"), 1)
    s.handle(m.PrinterStatus("ok", "issue"), 1)
    s.handle(m.IssueRejected(s.pending.request_id, "unauthorized"), 1)
    assert s.screen == st.Screen.OFFLINE and s.auth_error == "unauthorized"


def test_unreachable_server_shows_offline_until_it_answers():
    s = ready()
    s.handle(st.PressService("KTP"), 1)
    s.handle(m.PrinterStatus("ok", "issue"), 1)
    s.handle(m.IssueUnreachable(s.pending.request_id), 3)
    assert s.screen == st.Screen.OFFLINE and s.pending is None
    s.handle(m.Reachability(True), 4)
    assert s.screen == st.Screen.HOME


def test_exhausted_service_cannot_be_pressed():
    s = ready()
    assert s.handle(st.PressService("KK"), 1) == []
    assert s.pending is None
    s.handle(m.QueueChanged({"site": "PRE", "services": [dict(SERVICES[1], remaining=2)]}), 2)
    assert s.can_press("KK")


def test_priority_lane():
    s = ready()
    s.handle(st.OpenPriority(), 1)
    assert s.screen == st.Screen.PRIORITY
    s.handle(st.PickGroup("lansia"), 1)
    assert s.screen == st.Screen.HOME and s.priority_group == "lansia"
    s.handle(st.PressService("KTP"), 1)
    out = s.handle(m.PrinterStatus("ok", "issue"), 1)
    (issue,) = [c for c in out if isinstance(c, m.IssueTicket)]
    assert issue.priority and issue.priority_category == "lansia"
    s2 = ready()
    s2.handle(st.OpenPriority(), 1)
    s2.handle(st.Cancel(), 1)
    assert s2.screen == st.Screen.HOME and s2.priority_group is None


def test_reprint_request_prints_without_leaving_the_screen():
    s = ready()
    out = s.handle(m.ReprintRequested({"site": "PRE", "ticket": TICKET, "requested_by": "x"}), 1)
    (job,) = out
    assert isinstance(job, m.PrintTicket) and job.reprint and job.ticket["number"] == "A004"
    assert s.screen == st.Screen.HOME
    s.handle(m.PrintError(TICKET, "paper_out", reprint=True), 2)
    assert s.screen == st.Screen.HOME  # a failed reprint voids nothing
    assert s.printer == "out"


def test_closed_site_shows_hours():
    s = st.KioskState()
    s.handle(m.Snapshot(dict(SNAPSHOT, open_now=False)), 0)
    assert s.screen == st.Screen.CLOSED
    assert s.handle(st.PressService("KTP"), 1) == []


def test_version_moves_only_on_visible_change():
    s = ready()
    v = s.version
    s.handle(st.Tick(), 2)
    assert s.version == v
    s.handle(st.ToggleLanguage(), 2)
    assert s.version == v + 1 and s.lang == "en"


def test_health_report_every_half_minute():
    s = ready()
    first = [c for c in s.handle(st.Tick(), 100) if isinstance(c, m.SendHealth)]
    assert first == [m.SendHealth(True, "unknown", None, None)]
    assert not [c for c in s.handle(st.Tick(), 110) if isinstance(c, m.SendHealth)]
    assert [c for c in s.handle(st.Tick(), 131) if isinstance(c, m.SendHealth)]
