"""The percentile method and the periods, and the optional figures (estimates at issue,
documents finished the same day) once their columns exist in the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from server.reports.data import build_report, optional_columns
from server.reports.figures import percentile, period_range, spread
from tests.reports.conftest import DAY


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1, 2, 3, 4], 0.5, 2.5),
        ([1, 2, 3, 4], 0.9, 3.7),
        ([4, 1, 3, 2], 0.9, 3.7),  # order does not matter
        ([7], 0.9, 7),
        ([0, 10], 0.0, 0),
        ([0, 10], 1.0, 10),
        ([5, 5, 10, 10], 0.9, 10),
    ],
)
def test_percentile_interpolates_between_closest_ranks(values, q, expected):
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_and_outside_the_range():
    assert percentile([], 0.5) is None
    assert spread([]) == {"median": None, "p90": None}
    with pytest.raises(ValueError):
        percentile([1], 1.5)


def test_spread_rounds_to_a_tenth():
    assert spread([1.0, 2.0, 2.04]) == {"median": 2.0, "p90": 2.0}


def test_periods():
    wed = date(2026, 12, 2)
    assert period_range("day", wed) == (wed, wed)
    assert period_range("week", wed) == (date(2026, 11, 30), date(2026, 12, 6))
    assert period_range("month", wed) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_range("month", date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
    with pytest.raises(ValueError):
        period_range("year", wed)


OPTIONAL = ("estimated_call_at", "document_ready_at")


def ticket_columns(engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("ticket")}


def add_optional_columns(engine) -> None:
    """What migrations 0009 (documents) and 0010 (estimates) add to the ticket table, unless
    this database already has them (once those branches are merged)."""
    kind = "TIMESTAMP WITH TIME ZONE" if engine.dialect.name == "postgresql" else "DATETIME"
    present = ticket_columns(engine)
    with engine.begin() as conn:
        for name in OPTIONAL:
            if name not in present:
                conn.execute(text(f"ALTER TABLE ticket ADD COLUMN {name} {kind}"))


def drop_optional_columns(engine) -> None:
    """A database from before migrations 0009 and 0010 (the day is driven already)."""
    present = ticket_columns(engine)
    with engine.begin() as conn:
        for name in OPTIONAL:
            if name in present:
                conn.execute(text(f"ALTER TABLE ticket DROP COLUMN {name}"))


def test_estimates_and_documents_are_null_without_their_columns(driven):
    svc = driven.app.extensions["sahaja"]
    engine = svc.db.write_engine
    drop_optional_columns(engine)
    cols = optional_columns(engine)
    assert (cols.estimates, cols.documents) == (False, False)
    [pre] = build_report(engine, svc.config, DAY, DAY, "PRE")["sites"]
    assert pre["total"]["estimate_error_minutes"] is None
    assert pre["total"]["documents_same_day"] is None
    assert all(row["estimate_error_minutes"] is None for row in pre["services"])
    assert pre["total"]["issued"] == 6  # the rest is unchanged


def stamp(engine, value: datetime) -> str | datetime:
    if engine.dialect.name == "sqlite":  # as UTCDateTime stores it
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value


def test_estimate_error_and_documents_when_their_columns_exist(driven):
    svc = driven.app.extensions["sahaja"]
    engine = svc.db.write_engine
    add_optional_columns(engine)
    cols = optional_columns(engine)
    assert (cols.estimates, cols.documents) == (True, True)
    with engine.begin() as conn:
        rows = conn.execute(
            text("SELECT id, number, issued_at FROM ticket WHERE day = :d"), {"d": DAY}
        ).all()
        ids = {r.number: r.id for r in rows}
        first_calls = {  # from the scripted day
            "A001": datetime(2026, 11, 30, 1, 10, tzinfo=UTC),
            "A002": datetime(2026, 11, 30, 1, 20, tzinfo=UTC),
            "B001": datetime(2026, 11, 30, 1, 40, tzinfo=UTC),
            "C001": datetime(2026, 11, 30, 2, 10, tzinfo=UTC),
        }
        errors = {"A001": 4, "A002": -6, "B001": 2, "C001": 0}  # minutes early or late
        for number, call in first_calls.items():
            estimate = call - timedelta(minutes=errors[number])
            conn.execute(
                text("UPDATE ticket SET estimated_call_at = :e WHERE id = :i"),
                {"e": stamp(engine, estimate), "i": ids[number]},
            )
        # D001 was never called: its estimate is not judged
        conn.execute(
            text("UPDATE ticket SET estimated_call_at = :e WHERE id = :i"),
            {"e": stamp(engine, first_calls["A001"]), "i": ids["D001"]},
        )
        # A001's document ready the same evening (23:30 WIB), A002's after midnight (WIB)
        ready = {
            "A001": datetime(2026, 11, 30, 16, 30, tzinfo=UTC),
            "A002": datetime(2026, 11, 30, 17, 30, tzinfo=UTC),
        }
        for number, at in ready.items():
            conn.execute(
                text("UPDATE ticket SET document_ready_at = :r WHERE id = :i"),
                {"r": stamp(engine, at), "i": ids[number]},
            )
    report = build_report(engine, svc.config, DAY, DAY, "PRE")
    [pre] = report["sites"]
    services = {row["service"]: row for row in pre["services"]}
    assert services["KTP"]["estimate_error_minutes"] == {"median": 5.0, "p90": 5.8, "count": 2}
    assert services["AKM"]["estimate_error_minutes"] == {"median": None, "p90": None, "count": 0}
    # errors 0, 2, 4, 6 minutes
    assert pre["total"]["estimate_error_minutes"] == {"median": 3.0, "p90": 5.4, "count": 4}
    assert services["KTP"]["documents_same_day"] == 1
    assert pre["total"]["documents_same_day"] == 1
    assert services["KK"]["documents_same_day"] == 0
