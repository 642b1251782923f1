"""Document tracking through the real API on SQLite and PostgreSQL: stages, the pickup call on
the boards, the audit log, refusals, the list of a site, and the same-day figure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sahaja import protocol as p
from server.models import Action
from server.store.documents import SameDay, same_day_documents
from tests.server.test_live_events import by_name, connect

API = p.API_PREFIX
ISSUE = f"{API}/sites/PRE/tickets"


def served(client, kiosk, counter, service: str = "KTP") -> dict:
    """A ticket issued, called and finished at PRE-L1 (``counter``: its device's headers)."""
    ticket = client.post(ISSUE, json={"service": service}, headers=kiosk).json
    name = "PRE-L1"
    assert client.post(f"{API}/counters/{name}/next", headers=counter).status_code == 200
    assert client.post(f"{API}/counters/{name}/finish", headers=counter).status_code == 200
    return ticket


def move(client, headers, ticket_id: int, stage: str, reason=None, site: str = "PRE"):
    body = {"stage": stage} if reason is None else {"stage": stage, "reason": reason}
    return client.post(f"{API}/sites/{site}/documents/{ticket_id}", json=body, headers=headers)


def audit(app, ticket_id: int) -> list[tuple[str, str | None, str | None]]:
    with app.extensions["sahaja"].db.reading() as s:
        rows = s.execute(
            select(Action.kind, Action.detail, Action.actor)
            .where(Action.ticket_id == ticket_id, Action.kind.in_(["document", "ready"]))
            .order_by(Action.id)
        ).all()
    return [(r.kind, r.detail, r.actor) for r in rows]


def test_the_stages_from_finish_to_collected_with_the_pickup_call(
    app, client, kiosk, counter1, make_token
):
    ticket = served(client, kiosk, counter1)
    tid = ticket["id"]
    status = client.get(f"{API}/tickets/{ticket['status_code']}").json
    assert status["document_stage"] == p.STAGE_RECEIVED and status["document_stage_at"]

    listed = client.get(f"{API}/sites/PRE/documents", headers=counter1).json
    assert listed["counts"][p.STAGE_RECEIVED] == 1
    (doc,) = listed["documents"]
    assert (doc["number"], doc["stage"], doc["counter"]) == ("A001", "received", "PRE-L1")
    assert set(doc["next_stages"]) == {"processing", "ready", "rejected"}

    r = move(client, counter1, tid, p.STAGE_PROCESSING)
    assert r.status_code == 200 and r.json["document"]["stage"] == "processing"
    assert r.json["call"] is None

    board = connect(app, make_token("display", "PRE"))
    board.get_received()
    box2 = {"Authorization": f"Bearer {make_token('counter', 'PRE', 'L2')}"}
    r = move(client, box2, tid, p.STAGE_READY)  # another counter of the site makes it ready
    assert r.status_code == 200 and r.json["document"]["ready_at"]
    call = r.json["call"]
    assert (call["kind"], call["number"], call["counter"]) == ("document_ready", "A001", "PRE-L2")
    calls = by_name(board.get_received(), p.TICKET_CALLED)
    assert [(c["number"], c["kind"], c["counter_name"]) for c in calls] == [
        ("A001", p.CALL_KIND_DOCUMENT_READY, "Loket 2")
    ]
    snapshot = app.extensions["sahaja"].store.snapshot("PRE")
    assert snapshot["recent_calls"][0]["kind"] == p.CALL_KIND_DOCUMENT_READY

    again = move(client, box2, tid, p.STAGE_READY)  # a retry after a lost answer
    assert again.status_code == 200 and again.json["call"] is None
    assert by_name(board.get_received(), p.TICKET_CALLED) == []

    r = move(client, counter1, tid, p.STAGE_COLLECTED)
    assert r.status_code == 200 and r.json["document"]["next_stages"] == []
    assert client.get(f"{API}/tickets/{ticket['status_code']}").json["document_stage"] == (
        "collected"
    )
    assert audit(app, tid) == [
        ("document", "processing", "device:counter-1"),
        ("document", "ready", "device:counter-3"),  # (display-2 is the board)
        ("ready", None, "device:counter-3"),
        ("document", "collected", "device:counter-1"),
    ]


def test_refusals_name_the_problem(app, client, kiosk, counter1, make_token):
    done = served(client, kiosk, counter1)
    waiting = client.post(ISSUE, json={"service": "KK"}, headers=kiosk).json
    not_yet = move(client, counter1, waiting["id"], p.STAGE_PROCESSING)
    assert (not_yet.status_code, not_yet.json["error"]) == (409, p.ERR_TICKET_NOT_READY)

    r = move(client, counter1, done["id"], p.STAGE_COLLECTED)  # not ready yet
    assert (r.status_code, r.json["error"]) == (409, p.ERR_STAGE_NOT_ALLOWED)
    assert "A001" in r.json["message"]
    for reason in (None, "   "):
        r = move(client, counter1, done["id"], p.STAGE_REJECTED, reason)
        assert (r.status_code, r.json["error"]) == (422, p.ERR_REASON_REQUIRED)
    r = move(client, counter1, done["id"], p.STAGE_REJECTED, "NIK 3506171508900001 beda")
    assert (r.status_code, r.json["error"]) == (422, p.ERR_REASON_PERSONAL)
    r = move(client, counter1, done["id"], "lost")
    assert (r.status_code, r.json["error"]) == (422, p.ERR_MALFORMED)
    r = move(client, counter1, 999_999, p.STAGE_PROCESSING)
    assert (r.status_code, r.json["error"]) == (404, p.ERR_UNKNOWN_TICKET)
    r = move(client, counter1, done["id"], p.STAGE_PROCESSING, site="XYZ")
    assert (r.status_code, r.json["error"]) == (404, p.ERR_UNKNOWN_SITE)

    # another site's counter, a kiosk, a board, nobody: refused, nothing changed
    other = {"Authorization": f"Bearer {make_token('counter', 'PPR', 'L1')}"}
    r = move(client, other, done["id"], p.STAGE_PROCESSING, site="PPR")
    assert (r.status_code, r.json["error"]) == (404, p.ERR_UNKNOWN_TICKET)  # not of PPR
    assert move(client, other, done["id"], p.STAGE_PROCESSING).status_code == 403
    assert move(client, kiosk, done["id"], p.STAGE_PROCESSING).status_code == 403
    board = {"Authorization": f"Bearer {make_token('display', 'PRE')}"}
    assert client.get(f"{API}/sites/PRE/documents", headers=board).status_code == 403
    assert move(client, {}, done["id"], p.STAGE_PROCESSING).status_code == 401
    assert client.get(f"{API}/sites/PRE/documents").status_code == 401

    r = move(client, counter1, done["id"], p.STAGE_REJECTED, " Akta  belum\nlegalisir ")
    assert r.status_code == 200
    assert r.json["document"]["reject_reason"] == "Akta belum legalisir"
    r = move(client, counter1, done["id"], p.STAGE_READY)  # rejected is final
    assert (r.status_code, r.json["error"]) == (409, p.ERR_STAGE_NOT_ALLOWED)
    pickup = client.post(f"{API}/counters/PRE-L1/ready", json={"number": "A001"}, headers=counter1)
    assert (pickup.status_code, pickup.json["error"]) == (409, p.ERR_STAGE_NOT_ALLOWED)
    assert audit(app, done["id"]) == [
        ("document", "rejected: Akta belum legalisir", "device:counter-1")
    ]
    assert client.get(f"{API}/sites/PRE/documents?stage=rejected", headers=counter1).json[
        "counts"
    ] == {"received": 0, "processing": 0, "ready": 0, "collected": 0, "rejected": 1}
    r = client.get(f"{API}/sites/PRE/documents?stage=nope", headers=counter1)
    assert (r.status_code, r.json["error"]) == (422, p.ERR_MALFORMED)


def test_the_counters_ready_call_without_a_number_takes_its_last_finished_ticket(
    app, client, kiosk, counter1
):
    none_yet = client.post(f"{API}/counters/PRE-L1/ready", json={}, headers=counter1)
    assert (none_yet.status_code, none_yet.json["error"]) == (404, p.ERR_UNKNOWN_TICKET)
    served(client, kiosk, counter1)
    second = served(client, kiosk, counter1)
    r = client.post(f"{API}/counters/PRE-L1/ready", headers=counter1)
    assert r.status_code == 200
    assert (r.json["ticket"]["number"], r.json["call"]["kind"]) == (
        second["number"],
        p.CALL_KIND_DOCUMENT_READY,
    )
    assert r.json["ticket"]["document_stage"] == p.STAGE_READY
    again = client.post(f"{API}/counters/PRE-L1/ready", headers=counter1)  # call it again
    assert again.status_code == 200 and again.json["call"]["call_id"] > r.json["call"]["call_id"]
    assert [k for k, _, _ in audit(app, second["id"])] == ["document", "ready", "ready"]


def test_the_list_keeps_yesterdays_open_documents_and_drops_closed_ones(
    app, client, kiosk, counter1, clock
):
    open_one = served(client, kiosk, counter1)
    closed = served(client, kiosk, counter1)
    move(client, counter1, closed["id"], p.STAGE_READY)
    move(client, counter1, closed["id"], p.STAGE_COLLECTED)
    clock.advance(days=1)
    listed = client.get(f"{API}/sites/PRE/documents", headers=counter1).json
    assert [d["ticket_id"] for d in listed["documents"]] == [open_one["id"]]
    assert listed["documents"][0]["day"] == "2026-11-30" and listed["day"] == "2026-12-01"
    # ready the next day: it may still be moved, it leaves the list once collected
    assert move(client, counter1, open_one["id"], p.STAGE_READY).status_code == 200
    move(client, counter1, open_one["id"], p.STAGE_COLLECTED)
    listed = client.get(f"{API}/sites/PRE/documents", headers=counter1).json
    assert [d["stage"] for d in listed["documents"]] == ["collected"]  # moved today


def test_same_day_documents_per_service(app, client, kiosk, counter1, clock):
    same = served(client, kiosk, counter1, "KTP")
    later = served(client, kiosk, counter1, "KTP")
    rejected = served(client, kiosk, counter1, "KK")
    served(client, kiosk, counter1, "KK")  # still received
    move(client, counter1, same["id"], p.STAGE_READY)
    move(client, counter1, rejected["id"], p.STAGE_REJECTED, "Berkas kurang")
    clock.advance(days=1)
    move(client, counter1, later["id"], p.STAGE_READY)
    svc = app.extensions["sahaja"]
    day = clock.now().date() - timedelta(days=1)
    with svc.db.reading() as session:
        figures = same_day_documents(session, "PRE", day, day, svc.config.tz)
        assert same_day_documents(session, "PPR", day, day, "Asia/Jakarta") == {}
        assert (
            same_day_documents(
                session, "PRE", day + timedelta(1), day + timedelta(1), svc.config.tz
            )
            == {}
        )
    assert figures == {
        "KK": SameDay(finished=2, ready_same_day=0, ready_later=0, rejected=1, open=1),
        "KTP": SameDay(finished=2, ready_same_day=1, ready_later=1, rejected=0, open=0),
    }


@pytest.mark.parametrize("stage", [p.STAGE_PROCESSING, p.STAGE_READY])
def test_two_counters_moving_one_document_at_once_are_serialised(
    app, client, kiosk, counter1, counter2, stage
):
    import threading

    done = served(client, kiosk, counter1)
    answers: list[int] = []
    start = threading.Barrier(2)

    def press(headers) -> None:
        local = app.test_client()
        start.wait()
        answers.append(move(local, headers, done["id"], stage).status_code)

    threads = [threading.Thread(target=press, args=(h,)) for h in (counter1, counter2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert answers == [200, 200]
    kinds = [k for k, _, _ in audit(app, done["id"])]
    assert kinds == (["document"] if stage == p.STAGE_PROCESSING else ["document", "ready"])


def status_page(client, ticket: dict, lang: str = "id") -> str:
    r = client.get(f"/t/{ticket['status_code']}", query_string={"lang": lang})
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def test_the_status_page_shows_the_stage_where_to_collect_and_why_rejected(
    client, kiosk, counter1, clock
):
    from sahaja import i18n

    def d(key: str, lang: str = "id", **params: object) -> str:
        return i18n.t(f"documents.{key}", lang, **params)

    mine = served(client, kiosk, counter1)
    html = status_page(client, mine)
    assert 'data-stage="received"' in html and d("public_received") in html
    assert d("public_wait") in html and d("public_where") not in html
    move(client, counter1, mine["id"], p.STAGE_PROCESSING)
    assert d("stage_processing", "en") in status_page(client, mine, "en")
    clock.advance(days=1)  # ready the next day: the page of yesterday's ticket still answers
    move(client, counter1, mine["id"], p.STAGE_READY)
    html = status_page(client, mine)
    assert d("public_ready") in html and d("public_bring") in html
    assert f"{d('public_where')}: <strong>Kantor Kecamatan Pare</strong>" in html
    move(client, counter1, mine["id"], p.STAGE_COLLECTED)
    assert client.get(f"/t/{mine['status_code']}").status_code == 404  # yesterday's, done

    other = served(client, kiosk, counter1, "KK")
    move(client, counter1, other["id"], p.STAGE_REJECTED, "Surat pengantar RT belum ada")
    html = status_page(client, other)
    assert d("public_rejected") in html
    assert d("public_reason", reason="Surat pengantar RT belum ada") in html
    assert d("public_rejected_hint", site="Kantor Kecamatan Pare") in html
    assert 'data-poll="0"' in html
    # the reason is for the holder and the staff: no public view carries it
    listed = client.get(f"{API}/sites/PRE/documents", headers=counter1).json
    assert listed["documents"][0]["reject_reason"] == "Surat pengantar RT belum ada"
    for public in (f"{API}/sites/PRE", f"{API}/sites", "/s/PRE"):
        assert "pengantar" not in client.get(public).get_data(as_text=True)


def test_0009_receives_the_documents_of_tickets_finished_before_it(db_url):
    from alembic import command
    from sqlalchemy import text

    from server.database import Database
    from tests.server.test_setup import at_revision, old_ticket

    db = Database.connect(db_url)
    with at_revision(db, "0006") as (conn, cfg):
        for n in (1, 2):
            old_ticket(conn, n)
        conn.execute(
            text(
                "update ticket set status = 'finished', finished_at = '2026-11-27 02:00:00'"
                " where number = 'A001'"
            )
        )
        command.upgrade(cfg, "0009")
        rows = conn.execute(
            text(
                "select number, document_stage, document_stage_at is not null from ticket"
                " order by number"
            )
        )
        assert [tuple(r) for r in rows] == [("A001", "received", True), ("A002", None, False)]
        command.downgrade(cfg, "0006")
        assert conn.execute(text("select count(*) from ticket")).scalar() == 2
    db.dispose()
