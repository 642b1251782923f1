"""Reading a report's tickets: two SQL statements for a range of days and sites.

The tickets, and what their audit log says about them (first call, transfer, who finished),
folded per ticket in SQL (conditional aggregates over ``ix_action_site_day``): a month of six
sites is two scans of some 15,000 rows each. ``figures.py`` then counts them in one pass.

Two groups of ticket columns are written by other parts of the system and may be absent
from an older database: the estimate made at issue (``estimated_call_at``, migration 0010)
and the document stages (``document_ready_at``, migration 0009). They are looked up in the
live schema, and their figures are ``None`` when absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Float, case, cast, func, inspect, literal_column, null, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from sahaja import protocol as p
from sahaja.config import Config
from sahaja.core import actions
from server.models import Action, Ticket
from server.reports.figures import TicketFacts, days_between, group_by_site_day, site_figures

ESTIMATE_COLUMN = "estimated_call_at"
DOCUMENT_COLUMN = "document_ready_at"
OFFICER_ACTOR = "officer:"  # the audit actor of an officer ("device:<name>" for a box)


@dataclass(frozen=True)
class Columns:
    """Which optional ticket columns this database has."""

    estimates: bool
    documents: bool


def optional_columns(engine: Engine) -> Columns:
    names = {c["name"] for c in inspect(engine).get_columns(Ticket.__tablename__)}
    return Columns(estimates=ESTIMATE_COLUMN in names, documents=DOCUMENT_COLUMN in names)


class epoch(FunctionElement):
    """POSIX seconds of a stored UTC instant, computed by the database: a month of tickets
    is read as numbers, without a datetime built (and parsed, on SQLite) per value."""

    type = Float()
    inherit_cache = True
    name = "epoch"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element, compiler, **kw) -> str:
    """Stored as "YYYY-MM-DD HH:MM:SS.ffffff"; julianday's double is exact to about 0.1 ms,
    so the seconds are rounded to the millisecond (08:00:00 must not read 07:59:59.99997)."""
    stored = compiler.process(element.clauses, **kw)
    return f"round((julianday({stored}) - 2440587.5) * 86400.0, 3)"


@compiles(epoch)
def _epoch_default(element, compiler, **kw) -> str:  # PostgreSQL: timestamptz
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


def _optional(name: str, present: bool):
    """The ticket column ``name`` in POSIX seconds when the database has it, else NULL."""
    if not present:
        return cast(null(), Float()).label(name)
    bound = Ticket.__table__.c.get(name)  # in the model once its migration is merged
    if bound is None:
        bound = literal_column(f"{Ticket.__tablename__}.{name}")
    return epoch(bound).label(name)


def ticket_facts(
    engine: Engine, sites: Sequence[str], first: date, last: date, cols: Columns
) -> list[TicketFacts]:
    """Every ticket of ``sites`` issued from ``first`` to ``last`` (office-local days)."""
    in_range = (Action.site.in_(sites), Action.day >= first, Action.day <= last)
    # what the audit log says of each ticket: first call, moved at all, who finished it
    log = (
        select(
            Action.ticket_id,
            epoch(func.min(case((Action.kind == actions.LOG_CALL, Action.at)))),
            func.max(case((Action.kind == actions.LOG_TRANSFER, 1), else_=0)),
            func.min(case((Action.kind == actions.LOG_FINISH, Action.actor))),
        )
        .where(
            *in_range,
            Action.kind.in_((actions.LOG_CALL, actions.LOG_TRANSFER, actions.LOG_FINISH)),
        )
        .group_by(Action.ticket_id)
    )
    tickets = select(
        Ticket.id,
        Ticket.site,
        Ticket.day,
        Ticket.issued_service,
        Ticket.service,
        Ticket.status,
        epoch(Ticket.issued_at),
        Ticket.service_seconds,
        Ticket.counter_id,
        _optional(ESTIMATE_COLUMN, cols.estimates),
        _optional(DOCUMENT_COLUMN, cols.documents),
    ).where(Ticket.site.in_(sites), Ticket.day >= first, Ticket.day <= last)
    finished = p.STATUS_FINISHED
    skip = len(OFFICER_ACTOR)
    facts: list[TicketFacts] = []
    nothing = (None, 0, None)
    with engine.connect() as conn:
        # two scans joined here by ticket id: a join in SQL left PostgreSQL, on tables not
        # yet analysed, a nested loop over the grouped log (70 s for a month)
        logged = {
            tid: (called, moved, finisher) for tid, called, moved, finisher in conn.execute(log)
        }
        for row in conn.execute(tickets):
            tid, site, day, issued_svc, svc, status, issued, seconds, counter, estimate, ready = row
            called, moved, finisher = logged.get(tid, nothing)
            officer = None
            if status == finished and finisher and finisher.startswith(OFFICER_ACTOR):
                officer = finisher[skip:]
            facts.append(
                TicketFacts(
                    site,
                    day,
                    issued_svc,
                    svc,
                    status,
                    float(issued),
                    None if called is None else float(called),
                    seconds,
                    counter,
                    officer,
                    bool(moved),
                    None if estimate is None else float(estimate),
                    None if ready is None else float(ready),
                )
            )
    return facts


class UnknownSite(ValueError):
    pass


def chosen_sites(config: Config, site: str | None) -> list[str]:
    if site is None:
        return list(config.sites)
    if site not in config.sites:
        raise UnknownSite(site)
    return [site]


def build_report(
    engine: Engine, config: Config, first: date, last: date, site: str | None = None
) -> dict[str, Any]:
    """The report of issue 11 over ``first``..``last``: one entry per site, summed over the
    days. ``days`` (added) holds the same per site and day, for the printable PDF."""
    report, _ = build_report_with_days(engine, config, first, last, site, per_day=False)
    return report


def build_report_with_days(
    engine: Engine,
    config: Config,
    first: date,
    last: date,
    site: str | None = None,
    *,
    per_day: bool = True,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The range report, and (``per_day``) one site entry per site and day."""
    if last < first:
        raise ValueError("the range ends before it starts")
    codes = chosen_sites(config, site)
    cols = optional_columns(engine)
    facts = ticket_facts(engine, codes, first, last, cols)
    flags = {"estimates": cols.estimates, "documents": cols.documents}

    def entry(code: str, group: list[TicketFacts]) -> dict[str, Any]:
        s = config.sites[code]
        counters = [c.id for c in s.counters]
        return site_figures(code, group, config.tz, services=s.services, counters=counters, **flags)

    by_site: dict[str, list[TicketFacts]] = {code: [] for code in codes}
    for t in facts:
        by_site[t.site].append(t)
    report = {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "sites": [entry(code, by_site[code]) for code in codes],
    }
    days: list[dict[str, Any]] = []
    if per_day:
        groups = group_by_site_day(facts)
        for code in codes:
            for day in days_between(first, last):
                days.append({"day": day.isoformat()} | entry(code, groups.get((code, day), [])))
    return report, days
