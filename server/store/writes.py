"""The queue's write operations, each one site transaction around the pure core's rules.

Each operation runs in ``site_transaction`` (the site's day row locked, the day rolled over
on its first write) and returns the events to emit once the transaction has committed;
nothing is announced that was not stored. The rules themselves are in ``sahaja.core``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sahaja import protocol as p
from sahaja.config import Counter, Site
from sahaja.core import actions, admission, balancing, calendar, lifecycle
from sahaja.core.tickets import WaitingTicket, format_number, parse_number
from server.errors import ApiError, not_found, refused
from server.models import Action, CounterState, Ticket
from server.payloads import call_payload, ticket_payload
from server.store.base import Emission, Outcome, SiteTx, StoreBase, apply, counts_changed
from server.store.views import QueueViews


def new_status_code() -> str:
    """The private code behind a ticket's QR: 96 random bits, URL-safe."""
    return secrets.token_urlsafe(12)


class QueueWrites:
    def __init__(self, base: StoreBase, views: QueueViews, make_code: Callable[[], str]) -> None:
        self.base = base
        self.views = views
        self.config = base.config
        self.tz = base.tz
        self.q = base.q
        self.make_code = make_code

    def roll_over(self) -> list[Emission]:
        """Called at local midnight: opens the new day at every site (idempotent)."""
        events: list[Emission] = []
        for site in self.config.sites.values():
            with self.base.site_transaction(site) as tx:
                pass
            events += tx.events
        for site in self.config.sites.values():
            events.append(counts_changed(site))
        return events

    # --- issuing and voiding -------------------------------------------------------------
    def issue(
        self,
        site_code: str,
        service: str,
        *,
        priority: bool,
        category: str | None,
        request_id: str,
        actor: str,
        issuer: int | None = None,
        columns: Mapping[str, Any] | None = None,
        then: Callable[[SiteTx, int], None] | None = None,
    ) -> Outcome:
        """A new ticket; ``issuer`` is the kiosk's device id (the only one that may void it).
        ``columns`` adds values to the new row and ``then(tx, ticket_id)`` runs in the same
        transaction after the insert (a booking's check-in: server/store/bookings.py)."""
        site = self.base.site(site_code)
        if service not in site.services:
            raise not_found(p.ERR_UNKNOWN_SERVICE, "server.unknown_service", service=service)
        try:
            with self.base.site_transaction(site) as tx:
                conn = tx.session.connection()
                fast = self.q.fast  # the statements on the driver's cursor (Prepared)
                existing = fast.ticket_by_request.run(
                    conn, {"site": site.code, "day": tx.day, "request_id": request_id}
                )
                if existing:
                    ticket = tx.session.get(Ticket, existing[0][0])
                    body = self.views.ticket_body(tx.session, ticket, tx.now, private=True)
                    return Outcome(body, created=False)
                # Take the next number first (one statement); a refusal below rolls it back.
                params = {"site": site.code, "day": tx.day, "service": service}
                [(seq, svc_issued)] = fast.service_day_bump.run(conn, params)
                held = dict(
                    fast.held_for_bookings.run(
                        conn, {"site": site.code, "day": tx.day, "now": tx.now}
                    )
                )
                booked_to = (columns or {}).get("booked_to")
                own_hold = booked_to is not None and booked_to > tx.now  # a check-in in time
                counts = admission.DayCounts(
                    tx.issued,
                    svc_issued - 1,
                    seq - 1,
                    admission.held_for_booking(sum(held.values()), own_hold),
                    admission.held_for_booking(held.get(service, 0), own_hold),
                )
                holidays = self.base.holidays[site.code]
                refusal = admission.check_issue(site, service, counts, tx.now, self.tz, holidays)
                if refusal is not None:
                    raise refused(refusal)
                fast.site_day_issued.run(conn, {"b_site": site.code, "b_day": tx.day, "delta": 1})
                values = {
                    "site": site.code,
                    "day": tx.day,
                    "service": service,
                    "issued_service": service,
                    "seq": seq,
                    "number": format_number(self.config.services[service].prefix, seq),
                    "priority": priority,
                    "priority_category": category if priority else None,
                    "status": p.STATUS_WAITING,
                    "request_id": request_id,
                    "status_code": self.make_code(),
                    "issued_at": tx.now,
                    "issued_by": actor,
                    "issuer_device_id": issuer,
                    "skips": 0,
                    "recalls": 0,
                    **(columns or {}),
                }
                [(ticket_id,)] = fast.ticket_insert.run(conn, values)
                if then is not None:
                    then(tx, ticket_id)
                # the answer is built from what was inserted, without an ORM object
                ticket = SimpleNamespace(id=ticket_id, called_at=None, counter_id=None, **values)
                log = {"at": tx.now, "site": site.code, "day": tx.day, "kind": actions.LOG_ISSUE}
                log |= {"actor": actor, "counter_id": None, "ticket_id": ticket_id}
                fast.action_insert.run(conn, {**log, "detail": ticket.number})
                tx.note(actions.LOG_ISSUE, actor, None, ticket, ticket.number)
                # the estimate the citizen is given is kept with the ticket, so reports can
                # measure how close it came
                eta = self.views.estimate(tx.session, site, ticket, tx.now, issued=True)
                estimate = {"b_id": ticket_id, "b_at": eta.at, "b_from": eta.earliest}
                fast.ticket_estimate.run(conn, {**estimate, "b_to": eta.latest})
                # ``QueueViews.ahead``, on the cursor
                [(ahead,)] = fast.ahead_of.run(conn, self.q.ahead_params(ticket, tx.now))
                body = dict(ticket_payload(ticket, self.tz, ahead, eta))
                tx.events.append(counts_changed(site))
        except IntegrityError as exc:
            # Only a number collision can get here (issues of a site are serialised, so two
            # equal request_ids cannot race): a service's prefix was changed mid-day.
            raise ApiError(
                409, p.ERR_NUMBERS_EXHAUSTED, "server.numbers_exhausted", service=service
            ) from exc
        return Outcome(body, created=True, events=tx.events)

    def void(self, ticket_id: int, site_code: str, reason: str, actor: str, device: int) -> Outcome:
        """A ticket the kiosk ``device`` could not print: its number is never reused, its
        quota returns. The rule (who, until when) is ``lifecycle.void_refusal``."""
        site = self.base.site(site_code)
        with self.base.site_transaction(site) as tx:
            ticket = tx.session.get(Ticket, ticket_id)
            if ticket is None or ticket.site != site.code:
                raise not_found(p.ERR_UNKNOWN_TICKET, "server.unknown_ticket")
            ever_called = tx.session.scalar(
                select(Action.id)
                .where(Action.ticket_id == ticket.id, Action.kind.in_(actions.CALLED_LOGS))
                .limit(1)
            )
            facts = lifecycle.VoidFacts(
                ticket.number,
                ticket.status,
                ticket.issuer_device_id,
                ticket.issued_at,
                ever_called is not None,
            )
            refusal = lifecycle.void_refusal(facts, device, tx.now, self.config.rules)
            if refusal is not None:
                raise refused(refusal)
            if ticket.status != p.STATUS_VOIDED:  # else a retry: answer as before
                apply(ticket, lifecycle.voided(reason))
                if ticket.day == tx.day:
                    self._return_quota(tx, ticket)
                tx.log(actions.LOG_VOID, actor, None, ticket.id, reason[:200])
                tx.events.append(counts_changed(site))
            body = self.views.ticket_body(tx.session, ticket, tx.now, private=True)
        return Outcome(body, events=tx.events)

    def _return_quota(self, tx: SiteTx, ticket: Ticket) -> None:
        params = {"b_site": tx.site.code, "b_day": tx.day, "delta": -1}
        tx.session.execute(self.q.site_day_issued, params)
        params = {"site": tx.site.code, "day": tx.day, "service": ticket.issued_service}
        tx.session.execute(self.q.service_day_insert, params)
        tx.session.scalars(self.q.service_day_get, params).one().issued -= 1

    # --- counter actions on the current ticket ---------------------------------------------
    def counter_action(
        self, counter_id: str, action: str, actor: str, service: str | None = None
    ) -> Outcome:
        site, counter = self.base.counter(counter_id)
        rule = actions.rule(action)
        if rule is None or action not in p.CURRENT_TICKET_ACTIONS:
            raise not_found(p.ERR_NOT_FOUND, "server.not_found")
        if action == p.ACTION_TRANSFER:
            refusal = lifecycle.transfer_refusal(site, self.config.services, service)
            if refusal is not None:
                raise refused(refusal)
        with self.base.site_transaction(site) as tx:
            state = tx.session.get(CounterState, counter.id)
            if state is None:
                state = CounterState(counter_id=counter.id)
                tx.session.add(state)
            current = self.views.current(tx.session, state, tx.day)
            on_break = calendar.break_at(site, tx.now, self.tz) if rule.calls_next else None
            refusal = actions.refusal(action, current is not None, on_break)
            if refusal is not None:
                raise refused(refusal)
            state.last_action_at = tx.now
            if rule.finishes_current and current is not None:
                apply(current, lifecycle.finished(current.called_at, tx.now))
                tx.log(actions.LOG_FINISH, actor, counter.id, current.id)
                current = None
            call: Action | None = None  # the audit row of an announced call
            if rule.calls_next:
                current, call = self._call_next(tx, counter, actor, rule.announces)
            elif action == p.ACTION_RECALL:
                apply(current, lifecycle.recalled(current.recalls))
                kind = actions.LOG_OF_CALL_KIND[rule.announces]
                call = tx.log(kind, actor, counter.id, current.id, current.number)
            elif action == p.ACTION_SKIP:
                rules = self.config.rules
                change = lifecycle.skipped(current.skips, tx.call_count, counter.id, tx.now, rules)
                apply(current, change)
                tx.log(actions.LOG_SKIP, actor, counter.id, current.id, current.status)
                current = None
            elif action == p.ACTION_TRANSFER:
                detail = f"{current.service}->{service}"
                apply(current, lifecycle.transferred(service or ""))
                tx.log(actions.LOG_TRANSFER, actor, counter.id, current.id, detail)
                current = None
            state.current_ticket_id = current.id if current is not None else None
            body = self.views.counter_body(tx.session, site, counter, current, tx.now)
            if call is not None and current is not None:
                tx.session.flush()  # the call's id identifies the announcement to the boards
                payload = call_payload(current, site, counter, call, self.tz)
                tx.events.append(Emission(p.TICKET_CALLED, payload, (p.site_room(site.code),)))
            if rule.changes_counter:
                rooms = (p.site_room(site.code), p.counter_room(counter.id))
                if call is not None and current is not None:
                    # One frame per call for the site's hundreds of clients: they take the
                    # counter's new ticket from ``ticket_called`` (p.COUNTER_CALL_KINDS); its
                    # own devices and console still get ``counter_changed`` (with ``waiting``).
                    rooms = (p.counter_room(counter.id),)
                tx.events.append(Emission(p.COUNTER_CHANGED, body, rooms))
                tx.events.append(counts_changed(site))
        return Outcome(body, events=tx.events)

    def _call_next(
        self, tx: SiteTx, counter: Counter, actor: str, announces: str
    ) -> tuple[Ticket | None, Action | None]:
        candidates = self.next_candidates(tx.session, tx.site, tx.day, counter.services)
        chosen = balancing.pick_next(candidates, counter.services, tx.call_count, tx.now)
        if chosen is None:
            return None, None
        ticket = tx.session.get(Ticket, chosen.id)
        apply(ticket, lifecycle.called(counter.id, tx.now))
        tx.session.execute(self.q.site_day_called, {"b_site": tx.site.code, "b_day": tx.day})
        kind = actions.LOG_OF_CALL_KIND[announces]
        return ticket, tx.log(kind, actor, counter.id, ticket.id, ticket.number)

    def next_candidates(
        self, session: Session, site: Site, day: date, services: tuple[str, ...]
    ) -> list[WaitingTicket]:
        """``balancing.next_candidates`` read in SQL as light rows: every skipped ticket
        (few), and one short index scan per service (ix_ticket_call_order) for the first of
        the others. The ORDER BY mirrors ``WaitingTicket.call_order``; the core still makes
        the choice (tests/server/test_rules_agree.py checks both on random days)."""
        conn = session.connection()
        params = {"site": site.code, "day": day}
        rows = [r for r in conn.execute(self.q.skipped, params) if r.service in services]
        for service in dict.fromkeys(services):
            rows += conn.execute(self.q.first_due, {**params, "service": service}).all()
        return [WaitingTicket(*row) for row in rows]

    # --- actions on any of today's tickets, by number ------------------------------------
    def reprint(self, counter_id: str, number: str, actor: str) -> Outcome:
        site, counter = self.base.counter(counter_id)
        with self.base.site_transaction(site) as tx:
            ticket = self._todays_ticket(tx, number)
            tx.log(actions.LOG_REPRINT, actor, counter.id, ticket.id)
            # The kiosk prints the QR again, so the event carries the status code (see
            # docs/decisions.md); the officer's answer does not.
            printed = self.views.ticket_body(tx.session, ticket, tx.now, private=True)
            shown = self.views.ticket_body(tx.session, ticket, tx.now, private=False)
        payload = {"site": site.code, "ticket": printed, "requested_by": actor}
        tx.events.append(Emission(p.REPRINT_REQUESTED, payload, (p.kiosk_room(site.code),)))
        return Outcome({"ticket": shown}, events=tx.events)

    def _todays_ticket(self, tx: SiteTx, number: str) -> Ticket:
        wanted = parse_number(number)
        ticket = None
        if wanted is not None:
            ticket = tx.session.scalars(
                select(Ticket).where(
                    Ticket.site == tx.site.code, Ticket.day == tx.day, Ticket.number == wanted
                )
            ).one_or_none()
        if ticket is None or ticket.status == p.STATUS_VOIDED:
            raise not_found(p.ERR_UNKNOWN_TICKET, "server.unknown_ticket")
        return ticket
