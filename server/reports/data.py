"""Reading a report's tickets: one SQL statement for a range of days and sites.

The tickets and what their audit log says about them (first call, transfer, who finished)
come back in one statement: the action rows are folded per ticket in SQL (conditional
aggregates over ``ix_action_site_day``), so a month of six sites is a few tens of thousands
of rows read once. ``figures.py`` then counts them in one pass.

Two groups of ticket columns are written by other parts of the system and may be absent
from an older database: the estimate made at issue (``estimated_call_at``, migration 0010)
and the document stages (``document_ready_at``, migration 0009). They are looked up in the
live schema, and their figures are ``None`` when absent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, inspect, literal, literal_column, select, type_coerce
from sqlalchemy.engine import Engine

from sahaja import protocol as p
from sahaja.config import Config
from sahaja.core import actions
from server.models import Action, Ticket, UTCDateTime
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


def _optional(name: str, present: bool):
    """The ticket column ``name`` when the database has it, else a NULL of its type."""
    if present:
        bound = Ticket.__table__.c.get(name)  # in the model once its migration is merged
        if bound is None:
            bound = literal_column(f"{Ticket.__tablename__}.{name}", UTCDateTime())
        return bound.label(name)
    return type_coerce(literal(None), UTCDateTime()).label(name)


def ticket_facts(
    engine: Engine, sites: Sequence[str], first: date, last: date, cols: Columns
) -> Iterator[TicketFacts]:
    """Every ticket of ``sites`` issued from ``first`` to ``last`` (office-local days)."""
    in_range = (Action.site.in_(sites), Action.day >= first, Action.day <= last)
    log = (
        select(
            Action.ticket_id.label("ticket_id"),
            func.min(case((Action.kind == actions.LOG_CALL, Action.at))).label("first_call"),
            func.max(case((Action.kind == actions.LOG_TRANSFER, 1), else_=0)).label("moved"),
            func.min(case((Action.kind == actions.LOG_FINISH, Action.actor))).label("finisher"),
        )
        .where(
            *in_range,
            Action.kind.in_((actions.LOG_CALL, actions.LOG_TRANSFER, actions.LOG_FINISH)),
        )
        .group_by(Action.ticket_id)
        .subquery()
    )
    stmt = (
        select(
            Ticket.site,
            Ticket.day,
            Ticket.issued_service,
            Ticket.service,
            Ticket.status,
            Ticket.issued_at,
            type_coerce(log.c.first_call, UTCDateTime()).label("first_call"),
            Ticket.service_seconds,
            Ticket.counter_id,
            log.c.finisher,
            log.c.moved,
            _optional(ESTIMATE_COLUMN, cols.estimates),
            _optional(DOCUMENT_COLUMN, cols.documents),
        )
        .select_from(Ticket)
        .outerjoin(log, log.c.ticket_id == Ticket.id)
        .where(Ticket.site.in_(sites), Ticket.day >= first, Ticket.day <= last)
    )
    with engine.connect() as conn:
        for row in conn.execute(stmt):
            finisher = row.finisher
            officer = None
            if finisher and finisher.startswith(OFFICER_ACTOR):
                officer = finisher[len(OFFICER_ACTOR) :]
            yield TicketFacts(
                site=row.site,
                day=row.day,
                issued_service=row.issued_service,
                service=row.service,
                status=row.status,
                issued_at=row.issued_at,
                first_call_at=row.first_call,
                service_seconds=row.service_seconds,
                counter=row.counter_id,
                finished_by=officer if row.status == p.STATUS_FINISHED else None,
                transferred=bool(row.moved),
                estimated_call_at=row.estimated_call_at,
                document_ready_at=row.document_ready_at,
            )


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
    facts = list(ticket_facts(engine, codes, first, last, cols))
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
