"""The issue path's shortcuts agree with what they replace: ``statements.Prepared`` with
SQLAlchemy's own execution, the gevent worker's one-write answer with Gunicorn's two."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import IntegrityError

from server.database import Database
from server.setup import init_database
from server.statements import Prepared, Statements

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@pytest.fixture
def db(db_url, clock):
    db = Database.connect(db_url)
    init_database(db, None, clock.now())
    yield db
    db.dispose()


def test_prepared_gives_what_sqlalchemy_gives(db):
    q = Statements(db.dialect)
    site = {"site": "PRE", "day": DAY}
    with db.writing() as session:
        conn = session.connection()
        conn.execute(q.site_day_insert, site)
        fast = Prepared(q.service_day_bump)
        assert fast.run(conn, {**site, "service": "KTP"}) == [(1, 1)]
        assert fast.run(conn, {**site, "service": "KTP"}) == [(2, 2)]
        assert [tuple(r) for r in conn.execute(q.service_day_bump, {**site, "service": "KTP"})] == [
            (3, 3)
        ]
        values = {
            **site,
            "service": "KTP",
            "issued_service": "KTP",
            "seq": 4,
            "number": "A004",
            "priority": False,
            "priority_category": None,
            "status": "waiting",
            "request_id": "r-1",
            "status_code": "code-1",
            "issued_at": NOW,
            "issued_by": "kiosk:1",
            "issuer_device_id": None,
            "skips": 0,
            "recalls": 0,
        }
        [(ticket_id,)] = Prepared(q.ticket_insert).run(conn, values)
        by_request = {**site, "request_id": "r-1"}
        assert Prepared(q.ticket_by_request).run(conn, by_request) == [(ticket_id,)]
        assert conn.execute(q.ticket_by_request, by_request).scalar() == ticket_id
        # dates and aware datetimes are stored as SQLAlchemy stores them: it reads them back
        row = conn.execute(q.first_due, {**site, "service": "KTP"}).one()
        assert (row.id, row.issued_at) == (ticket_id, NOW)
        later = {**values, "seq": 5, "number": "A005", "request_id": "r-2", "status_code": "c2"}
        later["issued_at"] = NOW + timedelta(minutes=1)
        [(second,)] = Prepared(q.ticket_insert).run(conn, later)
        mine = SimpleNamespace(**row._asdict(), site="PRE", day=DAY)
        mine.id, mine.issued_at = second, later["issued_at"]
        ahead = q.ahead_params(mine, NOW)
        assert Prepared(q.ahead_of).run(conn, ahead) == [(1,)]
        assert conn.execute(q.ahead_of, ahead).scalar() == 1
        with pytest.raises(IntegrityError):  # as SQLAlchemy would raise it: writes.issue's 409
            Prepared(q.ticket_insert).run(conn, {**later, "status_code": "c3"})


def test_prepared_leaves_python_defaults_to_sqlalchemy(db):
    """An insert that omits columns with Python-side defaults runs through SQLAlchemy."""
    q = Statements(db.dialect)
    with db.writing() as session:
        conn = session.connection()
        conn.execute(q.site_day_insert, {"site": "PRE", "day": DAY})
        values = {
            "site": "PRE",
            "day": DAY,
            "service": "KTP",
            "issued_service": "KTP",
            "seq": 1,
            "number": "A001",
            "request_id": "r",
            "status_code": "c",
            "issued_at": NOW,
            "issued_by": "kiosk:1",
        }  # no priority, status, skips, recalls: their defaults come from the model
        fast = Prepared(q.ticket_insert)
        [(ticket_id,)] = fast.run(conn, values)
        assert fast._compiled[frozenset(values)] is None  # refused for the fast path
        status = conn.execute(q.first_due, {"site": "PRE", "day": DAY, "service": "KTP"}).one()
        assert status.id == ticket_id


class FakeSocket:
    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.writes.append(bytes(data))


class FakeRequest:
    version = (1, 1)
    method = "POST"

    def should_close(self) -> bool:
        return False


def answer(response_class, body: bytes, headers: list[tuple[str, str]]) -> FakeSocket:
    from gunicorn.config import Config

    sock = FakeSocket()
    resp = response_class(FakeRequest(), sock, Config())
    resp.start_response("201 CREATED", headers)
    resp.write(body)
    resp.close()
    return sock


def test_one_write_answer_is_gunicorns_two_writes_joined(monkeypatch):
    pytest.importorskip("gevent")
    from gunicorn import util
    from gunicorn.http.wsgi import Response

    from server.gevent_worker import OneWriteResponse

    monkeypatch.setattr(util, "http_date", lambda *a: "Thu, 03 Dec 2026 08:00:00 GMT")
    body = b'{"number":"A001"}'
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    stock = answer(Response, body, headers)
    ours = answer(OneWriteResponse, body, headers)
    assert len(stock.writes) == 2 and len(ours.writes) == 1
    assert ours.writes[0] == b"".join(stock.writes)
    # without a Content-Length (a stream): Gunicorn's own path, unchanged
    streamed = answer(OneWriteResponse, body, [("Content-Type", "text/plain")])
    assert b"".join(streamed.writes) == b"".join(
        answer(Response, body, [("Content-Type", "text/plain")]).writes
    )
    assert len(streamed.writes) > 1


@pytest.mark.parametrize("verbose", [False, True])
def test_access_lines_are_built_only_when_written(verbose, monkeypatch):
    """Gunicorn builds a request's access-log atoms only when the line will be written."""
    import logging.config

    from gunicorn.config import Config

    from server.logging_setup import gunicorn_logconfig, gunicorn_logger_class

    cfg = Config()
    cfg.set("logconfig_dict", gunicorn_logconfig(access=verbose))
    cfg.set("accesslog", "-" if verbose else None)
    logger = gunicorn_logger_class()(cfg)
    built: list[int] = []
    written: list[logging.LogRecord] = []
    monkeypatch.setattr(logger, "atoms", lambda *a: built.append(1) or {})
    monkeypatch.setattr(logger.access_log, "handle", written.append)
    logger.access(None, None, {}, timedelta(milliseconds=3))
    assert (len(built), len(written)) == ((1, 1) if verbose else (0, 0))
    logging.config.dictConfig({"version": 1, "incremental": True})  # leave logging as it was
