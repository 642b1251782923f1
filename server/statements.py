"""The hot statements of the queue store, built once.

Constructing a SQLAlchemy statement costs more Python time than running a small indexed query
on SQLite (docs/benchmarks.md), so the statements every request runs are built here once, with
bind parameters, per database dialect.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, case, func, or_, select, update
from sqlalchemy import insert as insert_core
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import Compiled
from sqlalchemy.sql.expression import Executable

from sahaja import protocol as p
from sahaja.core.tickets import WaitingTicket
from server.models import Action, Booking, ServiceDay, SiteDay, Ticket, UTCDateTime


class Prepared:
    """A hot statement run on the DBAPI cursor of a SQLAlchemy connection, compiled once.

    ``Connection.execute`` of an already compiled (cached) statement still costs ~30 us of
    Python per call on top of SQLite's ~5 us (the cache lookup, an execution context, a
    result object): more than a ticket issue's whole SQL. ``run`` does what that machinery
    does for these plain statements and nothing more: it fills the statement's fixed
    values (``construct_params``), applies the dialect's bind processors (dates as SQLite
    text, ``UTCDateTime``...) and hands the SQL and values to the driver, in the
    connection's transaction. Rows come back as the driver gives them, so only columns
    the driver returns as-is (integers, text) may be read from them.

    A statement that needs more than that (Python-side column defaults to compute,
    expanding IN lists) is refused when compiled, and runs through SQLAlchemy instead.
    Inserts compile per set of value names, as SQLAlchemy does. It compiles for the dialect
    of the first connection it runs on: like ``Statements``, one belongs to one database."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[Any, tuple[Compiled, str, tuple[str, ...] | None, dict] | None] = {}

    def run(self, conn: Connection, values: dict[str, Any]) -> list[tuple]:
        """Execute with ``values`` in ``conn``'s transaction; the rows, if any."""
        keys = frozenset(values) if self._is_insert else None
        try:
            prepared = self._compiled[keys]
        except KeyError:
            prepared = self._compiled[keys] = self._compile(conn, keys)
        if prepared is None:  # not for the fast path: SQLAlchemy runs it
            return [tuple(row) for row in conn.execute(self.statement, values)]
        compiled, sql, order, processors = prepared
        params = compiled.construct_params(values)
        for name, process in processors.items():
            params[name] = process(params[name])
        args = params if order is None else tuple([params[name] for name in order])
        driver_error = conn.dialect.loaded_dbapi.Error
        dbapi_connection = conn.connection.dbapi_connection
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(sql, args)
            rows = cursor.fetchall() if cursor.description is not None else []
        except driver_error as exc:  # wrapped as SQLAlchemy wraps it (IntegrityError...)
            lost = conn.dialect.is_disconnect(exc, dbapi_connection, cursor)
            with suppress(driver_error):  # a broken connection: the first error is the one
                cursor.close()
            if lost:  # a lost server connection leaves the pool, as in SQLAlchemy's execute
                conn.invalidate(exc)
            wrapped = DBAPIError.instance(sql, args, exc, driver_error, connection_invalidated=lost)
            raise wrapped from exc
        cursor.close()
        return rows

    @property
    def _is_insert(self) -> bool:
        return getattr(self.statement, "is_insert", False)

    def _compile(self, conn: Connection, keys: frozenset[str] | None):
        compiled = self.statement.compile(
            dialect=conn.dialect, column_keys=sorted(keys) if keys is not None else None
        )
        if (
            getattr(compiled, "insert_prefetch", None)
            or getattr(compiled, "update_prefetch", None)
            or getattr(compiled, "post_compile_params", None)
            or getattr(compiled, "literal_execute_params", None)
        ):
            return None
        order = tuple(compiled.positiontup) if compiled.positional else None
        processors = dict(compiled._bind_processors)  # noqa: SLF001 (what execute applies)
        return compiled, str(compiled), order, processors


class Statements:
    """The hot statements, built once: constructing a SQLAlchemy statement costs more Python
    time than running a small indexed query on SQLite (see docs/benchmarks.md)."""

    def __init__(self, dialect: str) -> None:
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        site, day = bindparam("site"), bindparam("day")
        self.site_day_insert = (
            insert(SiteDay)
            .values(site=site, day=day, issued=0, call_count=0)
            .on_conflict_do_nothing()
            .returning(SiteDay.site)
        )
        self.site_days_before_lock = (
            select(SiteDay.day).where(SiteDay.site == site, SiteDay.day < day).with_for_update()
        )
        self.site_day_lock = (
            select(SiteDay.day, SiteDay.issued, SiteDay.call_count)
            .where(SiteDay.site == site, SiteDay.day == day)
            .with_for_update()
        )
        # places held for bookings of the day not checked in yet whose window is not over
        self.held_for_bookings = (
            select(Booking.service, func.count())
            .where(
                Booking.site == site,
                Booking.day == day,
                Booking.status == p.BOOKING_BOOKED,
                Booking.window_end > bindparam("now", type_=Booking.__table__.c.window_end.type),
            )
            .group_by(Booking.service)
        )
        service = bindparam("service")
        self.service_day_insert = (
            insert(ServiceDay)
            .values(site=site, day=day, service=service, last_seq=0, issued=0)
            .on_conflict_do_nothing()
        )
        self.service_day_bump = (
            insert(ServiceDay)
            .values(site=site, day=day, service=service, last_seq=1, issued=1)
            .on_conflict_do_update(
                index_elements=["site", "day", "service"],
                set_={
                    "last_seq": ServiceDay.__table__.c.last_seq + 1,
                    "issued": ServiceDay.__table__.c.issued + 1,
                },
            )
            .returning(ServiceDay.last_seq, ServiceDay.issued)
        )
        site_day = SiteDay.__table__
        this_day = (site_day.c.site == bindparam("b_site")) & (site_day.c.day == bindparam("b_day"))
        self.site_day_issued = (
            update(site_day).where(this_day).values(issued=site_day.c.issued + bindparam("delta"))
        )
        self.site_day_called = (
            update(site_day).where(this_day).values(call_count=site_day.c.call_count + 1)
        )
        self.ticket_insert = insert_core(Ticket.__table__).returning(Ticket.__table__.c.id)
        self.action_insert = insert_core(Action.__table__)
        ticket = Ticket.__table__
        self.ticket_estimate = (  # the estimate given at issue, kept for accuracy reports
            update(ticket)
            .where(ticket.c.id == bindparam("b_id"))
            .values(
                estimated_call_at=bindparam("b_at", type_=ticket.c.estimated_call_at.type),
                estimate_from=bindparam("b_from", type_=ticket.c.estimate_from.type),
                estimate_to=bindparam("b_to", type_=ticket.c.estimate_to.type),
            )
        )
        self.service_day_get = select(ServiceDay).where(
            ServiceDay.site == site, ServiceDay.day == day, ServiceDay.service == service
        )
        self.service_days_of_site = select(ServiceDay.service, ServiceDay.issued).where(
            ServiceDay.site == site, ServiceDay.day == day
        )
        self.waiting_by_service = (
            select(Ticket.service, func.count())
            .where(Ticket.site == site, Ticket.day == day, Ticket.status == p.STATUS_WAITING)
            .group_by(Ticket.service)
        )
        self.ticket_by_request = select(Ticket.id).where(
            Ticket.site == site, Ticket.day == day, Ticket.request_id == bindparam("request_id")
        )
        # The core's rules made fast: ``WaitingTicket.call_order`` as an ORDER BY (first_due)
        # and as a comparison (ahead_of), ``estimate.ahead_of`` as a COUNT. They must agree
        # with the core on random days: tests/server/test_rules_agree.py.
        same_service_waiting = select(func.count()).where(
            Ticket.site == site,
            Ticket.day == day,
            Ticket.status == p.STATUS_WAITING,
            Ticket.service == service,
        )
        candidate = _CANDIDATE_FIELDS
        waiting_at_site = (
            Ticket.site == site,
            Ticket.day == day,
            Ticket.status == p.STATUS_WAITING,
        )
        # ``WaitingTicket.ordered_by_issue``: a fresh walk-in, whose place is fixed
        by_issue = (Ticket.eligible_after_call.is_(None), Ticket.booked_to.is_(None))
        # the forecast's queue: the first ``n`` of a service in call order (the skipped and
        # booked ones come from ``apart``), so its cost does not grow past what a day can call
        self.waiting_first = (
            select(*candidate)
            .where(*waiting_at_site, Ticket.service == service, *by_issue)
            .order_by(Ticket.priority.desc(), Ticket.issued_at, Ticket.id)
            .limit(bindparam("n"))
        )
        # Every write of a site logs an action, so the newest action id of the day changes
        # whenever the queue does: the key of the cached forecast (server/store/views.py).
        # a service's last finished services at a site (the forecast's learned times): with
        # ``finished_at IS NOT NULL`` ix_ticket_finished skips the day's unfinished tickets
        self.service_seconds = (
            select(Ticket.service_seconds)
            .where(
                Ticket.site == site,
                Ticket.service == service,
                Ticket.status == p.STATUS_FINISHED,
                Ticket.finished_at.is_not(None),
                Ticket.service_seconds.is_not(None),
            )
            .order_by(Ticket.finished_at.desc())
            .limit(bindparam("n"))
        )
        self.site_version = select(func.max(Action.id)).where(
            Action.site == site, Action.day == day
        )
        # the tickets whose place depends on the call count or the clock: skipped ones and
        # checked-in bookings (``balancing.next_candidates`` reads them all; few)
        self.apart = select(*candidate).where(
            *waiting_at_site,
            or_(Ticket.eligible_after_call.is_not(None), Ticket.booked_to.is_not(None)),
        )
        self.skipped = self.apart  # the name the store's readers use
        self.first_due = (
            select(*candidate)
            .where(*waiting_at_site, Ticket.service == service, *by_issue)
            .order_by(Ticket.priority.desc(), Ticket.issued_at, Ticket.id)
            .limit(1)
        )
        # ``call_order(now)`` of every row, compared with the key of the ticket asked about
        now = bindparam("now", type_=UTCDateTime())
        in_lane = and_(Ticket.booked_from <= now, Ticket.booked_to > now)
        row_key = (
            case((Ticket.priority.is_(True), 0), else_=1),
            case((in_lane, 0), else_=1),
            case((in_lane, Ticket.booked_to), else_=Ticket.issued_at),
            Ticket.issued_at,
            Ticket.id,
        )
        its_key = (
            bindparam("k_priority"),
            bindparam("k_lane"),
            bindparam("k_time", type_=UTCDateTime()),
            bindparam("issued_at", type_=UTCDateTime()),
            bindparam("id"),
        )
        self.ahead_of = same_service_waiting.where(_before(row_key, its_key))
        self.fast = FastStatements(self)

    @staticmethod
    def ahead_params(ticket: Any, now: datetime) -> dict[str, Any]:
        """The binds of ``ahead_of`` for a ticket row: its key in the core's call order."""
        # a just-issued ticket may be a plain namespace without the optional columns
        core = WaitingTicket(*(getattr(ticket, c.key, None) for c in _CANDIDATE_FIELDS))
        not_priority, not_lane, lane_time, issued_at, ticket_id = core.call_order(now)
        return {
            "site": ticket.site,
            "day": ticket.day,
            "service": ticket.service,
            "now": now,
            "k_priority": int(not_priority),
            "k_lane": int(not_lane),
            "k_time": lane_time,
            "issued_at": issued_at,
            "id": ticket_id,
        }


class FastStatements:
    """The statements of a ticket issue (the busiest write: a kiosk's every press), run on
    the driver's cursor (``Prepared``): 9 statements, ~30 us of SQLAlchemy each saved."""

    def __init__(self, q: Statements) -> None:
        self.site_day_lock = Prepared(q.site_day_lock)
        self.ticket_by_request = Prepared(q.ticket_by_request)
        self.service_day_bump = Prepared(q.service_day_bump)
        self.held_for_bookings = Prepared(q.held_for_bookings)
        self.site_day_issued = Prepared(q.site_day_issued)
        self.ticket_insert = Prepared(q.ticket_insert)
        self.action_insert = Prepared(q.action_insert)
        self.ticket_estimate = Prepared(q.ticket_estimate)
        self.ahead_of = Prepared(q.ahead_of)


# the core's ticket type, field for field: ``WaitingTicket(*row)`` (the store's row->core map)
_CANDIDATE_FIELDS = (
    Ticket.id,
    Ticket.service,
    Ticket.priority,
    Ticket.issued_at,
    Ticket.eligible_after_call,
    Ticket.booked_from,
    Ticket.booked_to,
)


def _before(row: tuple, key: tuple) -> ColumnElement[bool]:
    """``row < key`` in lexicographic order, as SQL every dialect runs the same way."""
    first, value = row[0], key[0]
    if len(row) == 1:
        return first < value
    return or_(first < value, and_(first == value, _before(row[1:], key[1:])))
