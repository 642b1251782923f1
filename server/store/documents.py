"""Documents of finished tickets: moving their stage, listing a site's, and the same-day figure.

A move runs in the site's write transaction (``StoreBase.site_transaction``), so two officers
moving one document at once are serialised: the second sees the first's stage and is refused
(or, for the same stage, changes nothing). The rules are ``sahaja.core.documents``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from sahaja import protocol as p
from sahaja.config import Counter, Site
from sahaja.core import actions, documents, lifecycle
from sahaja.core.tickets import parse_number
from server.errors import not_found, refused
from server.models import Action, Ticket
from server.payloads import call_payload, iso, public_ticket_payload
from server.store.base import Emission, Outcome, SiteTx, StoreBase, apply

LOG_DOCUMENT = "document"  # audit-log kind of a stage change; detail: the new stage (+ reason)
LIST_LIMIT = 500  # documents a site's list shows at most (a site finishes fewer in a day)


@dataclass(frozen=True)
class SameDay:
    """Documents of one site and service over a date range."""

    finished: int  # tickets finished (each has a document)
    ready_same_day: int  # ready on the ticket's own local day ("satu hari jadi")
    ready_later: int  # ready on a later day
    rejected: int
    open: int  # still received or in process


def same_day_documents(
    session: Session, site: str, first_day: date, last_day: date, tz: ZoneInfo | str
) -> dict[str, SameDay]:
    """Per service (the one the ticket was finished under) of ``site``, tickets of the local
    days ``first_day``..``last_day``: how many documents were ready the same day
    (``documents.ready_same_day``: ``document_ready_at``'s office-local day is the ticket's).

    One indexed read of four columns per finished ticket; each day's UTC bounds are worked
    out once (``documents.day_bounds``), so a ticket costs one comparison.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    rows = session.connection().execute(
        select(Ticket.service, Ticket.day, Ticket.document_stage, Ticket.document_ready_at).where(
            Ticket.site == site,
            Ticket.day >= first_day,
            Ticket.day <= last_day,
            Ticket.status == p.STATUS_FINISHED,
        )
    )
    bounds: dict[date, tuple[datetime, datetime]] = {}
    counts: dict[str, list[int]] = {}
    for service, day, stage, ready_at in rows:
        row = counts.setdefault(service, [0, 0, 0, 0, 0])
        row[0] += 1
        if ready_at is not None:
            start, end = bounds.get(day) or bounds.setdefault(day, documents.day_bounds(day, zone))
            row[1 if start <= ready_at < end else 2] += 1
        elif stage == p.STAGE_REJECTED:
            row[3] += 1
        else:
            row[4] += 1
    return {service: SameDay(*row) for service, row in sorted(counts.items())}


class DocumentStore:
    def __init__(self, base: StoreBase) -> None:
        self.base = base
        self.config = base.config
        self.tz = base.tz

    # --- moving a stage ---------------------------------------------------------------------
    def set_stage(
        self,
        site_code: str,
        ticket_id: int,
        target: str,
        actor: str,
        counter_id: str | None,
        reason: str | None = None,
    ) -> Outcome:
        """Move a document of ``site_code`` to ``target``; "ready" calls it on the boards at
        ``counter_id`` (the actor's counter), else at the counter that served it."""
        site = self.base.site(site_code)
        with self.base.site_transaction(site) as tx:
            ticket = tx.session.get(Ticket, ticket_id)
            if ticket is None or ticket.site != site.code or ticket.status == p.STATUS_VOIDED:
                raise not_found(p.ERR_UNKNOWN_TICKET, "server.unknown_ticket")
            status, stage = ticket.status, ticket.document_stage
            refusal = documents.move_refusal(ticket.number, status, stage, target, reason)
            if refusal is not None:
                raise refused(refusal)
            call = None
            if not documents.is_repeat(status, stage, target):  # else a retry: as before
                apply(ticket, documents.moved(target, tx.now, reason))
                detail = target
                if target == p.STAGE_REJECTED:
                    detail = f"{target}: {ticket.document_reject_reason}"[:200]
                tx.log(LOG_DOCUMENT, actor, counter_id, ticket.id, detail)
                if documents.announces(target):
                    call = self._pickup_call(tx, ticket, actor, counter_id)
            body = {"document": self.document_body(ticket), "call": call}
        return Outcome(body, events=tx.events)

    def _pickup_call(
        self, tx: SiteTx, ticket: Ticket, actor: str, counter_id: str | None
    ) -> p.CallPayload | None:
        """The document-ready call (``CALL_KIND_DOCUMENT_READY``) on the site's boards."""
        counter = self._counter_of(tx.site, counter_id) or self._counter_of(
            tx.site, ticket.counter_id
        )
        if counter is None:
            return None  # nowhere to send the citizen: the stage is set, nothing announced
        return self.announce(tx, ticket, counter, actor)

    def announce(self, tx: SiteTx, ticket: Ticket, counter: Counter, actor: str) -> p.CallPayload:
        kind = actions.LOG_OF_CALL_KIND[actions.RULES[p.ACTION_READY].announces]
        action = tx.log(kind, actor, counter.id, ticket.id)
        tx.session.flush()  # the call's id identifies the announcement to the boards
        call = call_payload(ticket, tx.site, counter, action, self.tz)
        tx.events.append(Emission(p.TICKET_CALLED, call, (p.site_room(tx.site.code),)))
        return call

    @staticmethod
    def _counter_of(site: Site, counter_id: str | None) -> Counter | None:
        if not counter_id:
            return None
        return next((c for c in site.counters if c.id == counter_id), None)

    # --- reading ------------------------------------------------------------------------------
    def site_documents(self, site_code: str, stage: str | None = None) -> dict[str, Any]:
        """Today's documents of a site: those of today's tickets, those moved today, and those
        of earlier days still open (received, in process, ready and not collected)."""
        site = self.base.site(site_code)
        with self.base.db.reading() as session:
            now = self.base.clock.now()
            day = self.base.today(now)
            midnight = datetime.combine(day, time(0), self.tz)
            wanted = or_(
                Ticket.day == day,
                Ticket.document_stage.in_(p.OPEN_STAGES),
                Ticket.document_stage_at >= midnight,
            )
            query = select(Ticket).where(
                Ticket.site == site.code,
                Ticket.document_stage.is_not(None),
                and_(Ticket.day <= day, Ticket.day > day - timedelta(days=366)),
                wanted,
            )
            if stage is not None:
                query = query.where(Ticket.document_stage == stage)
            tickets = session.scalars(
                query.order_by(
                    Ticket.day.desc(), Ticket.finished_at.desc(), Ticket.id.desc()
                ).limit(LIST_LIMIT)
            ).all()
            counts = dict.fromkeys(p.DOCUMENT_STAGES, 0)
            for ticket in tickets:
                counts[documents.stage_of(ticket.status, ticket.document_stage) or ""] += 1
            return {
                "site": site.code,
                "day": day.isoformat(),
                "counts": {s: counts[s] for s in p.DOCUMENT_STAGES},
                "documents": [self.document_body(t) for t in tickets],
            }

    def document_body(self, ticket: Ticket) -> p.DocumentPayload:
        stage = documents.stage_of(ticket.status, ticket.document_stage) or p.STAGE_RECEIVED
        return {
            "ticket_id": ticket.id,
            "number": ticket.number,
            "service": ticket.service,
            "site": ticket.site,
            "day": ticket.day.isoformat(),
            "stage": stage,
            "stage_at": iso(ticket.document_stage_at, self.tz),
            "ready_at": iso(ticket.document_ready_at, self.tz),
            "reject_reason": ticket.document_reject_reason,
            "counter": ticket.counter_id,
            "next_stages": list(documents.next_stages(ticket.status, ticket.document_stage)),
        }

    # --- the pickup call of a counter ----------------------------------------------------
    def call_for_pickup(self, counter_id: str, number: str | None, actor: str) -> Outcome:
        """``POST /counters/{counter}/ready``: call a finished ticket of today back to collect
        its document, and mark the document ready if it was not yet; without a number, the
        ticket this counter finished last today (the button box's long press)."""
        site, counter = self.base.counter(counter_id)
        with self.base.site_transaction(site) as tx:
            if number is None:
                ticket = self.last_finished(tx, counter.id)
            else:
                ticket = self.todays_ticket(tx, number)
            if ticket is None:
                raise not_found(p.ERR_UNKNOWN_TICKET, "server.unknown_ticket")
            refusal = lifecycle.ready_refusal(ticket.number, ticket.status, ticket.document_stage)
            if refusal is not None:
                raise refused(refusal)
            if not documents.is_repeat(ticket.status, ticket.document_stage, p.STAGE_READY):
                apply(ticket, documents.moved(p.STAGE_READY, tx.now))
                tx.log(LOG_DOCUMENT, actor, counter.id, ticket.id, p.STAGE_READY)
            call = self.announce(tx, ticket, counter, actor)
            shown = dict(public_ticket_payload(ticket, self.tz))
        return Outcome({"ticket": shown, "call": call}, events=tx.events)

    @staticmethod
    def todays_ticket(tx: SiteTx, number: str) -> Ticket | None:
        wanted = parse_number(number)
        if wanted is None:
            return None
        ticket = tx.session.scalars(
            select(Ticket).where(
                Ticket.site == tx.site.code, Ticket.day == tx.day, Ticket.number == wanted
            )
        ).one_or_none()
        return None if ticket is None or ticket.status == p.STATUS_VOIDED else ticket

    def last_finished(self, tx: SiteTx, counter_id: str) -> Ticket | None:
        """The ticket finished last at a counter today (the button box's "ready" press)."""
        ticket_id = tx.session.scalar(
            select(Action.ticket_id)
            .where(
                Action.site == tx.site.code,
                Action.day == tx.day,
                Action.kind == actions.LOG_FINISH,
                Action.counter_id == counter_id,
            )
            .order_by(Action.id.desc())
            .limit(1)
        )
        return tx.session.get(Ticket, ticket_id) if ticket_id is not None else None
