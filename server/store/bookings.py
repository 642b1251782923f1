"""Online bookings and their check-in at the kiosk, around the rules of
``sahaja.core.booking`` (docs/booking.md).

A booking is made, cancelled and checked in inside its site's write transaction
(``site_transaction``), so parallel bookings of the last places of a window are serialised
and never exceed its quota. One active booking per NIK and day holds across sites by a
partial unique index. The NIK is only ever held here as its HMAC (``server.booking.nik``).
A check-in issues the ticket through the ordinary issue path (``QueueWrites.issue``) with the
booking's columns, and marks the booking in the same transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from sahaja import protocol as p
from sahaja.config import Kecamatan, Site
from sahaja.core import booking as rules
from sahaja.core.calendar import local_day
from server.booking.nik import nik_hash, valid_nik
from server.errors import ApiError, conflict, malformed, not_found, refused
from server.models import Booking, Ticket
from server.store.base import Outcome, SiteTx, StoreBase
from server.store.views import QueueViews
from server.store.writes import QueueWrites


def unknown_booking() -> ApiError:
    return not_found(p.ERR_UNKNOWN_BOOKING, "booking.unknown")


def parse_day(text: str | None, field_name: str = "date") -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        raise malformed(field_name, "expected a date YYYY-MM-DD") from None


class BookingStore:
    def __init__(
        self,
        base: StoreBase,
        views: QueueViews,
        writes: QueueWrites,
        secret: str,
        randbelow: Callable[[int], int] = secrets.randbelow,
    ) -> None:
        self.base = base
        self.views = views
        self.writes = writes
        self.config = base.config
        self.rules = base.config.booking
        self.tz = base.tz
        self.db = base.db
        self.secret = secret
        self.randbelow = randbelow

    # --- lookups ---------------------------------------------------------------------------
    def kecamatan(self, code: str) -> Kecamatan:
        found = next((k for k in self.config.kecamatan if k.code == code), None)
        if found is None:
            raise not_found(p.ERR_UNKNOWN_KECAMATAN, "booking.unknown_kecamatan", code=code)
        return found

    def kecamatan_list(self) -> list[dict[str, str]]:
        """Every kecamatan of the office with its service point (GET /api/v1/kecamatan)."""
        return [
            {
                "code": k.code,
                "name": k.name,
                "site": k.site,
                "site_name": self.config.sites[k.site].name,
            }
            for k in self.config.kecamatan
        ]

    def service_of(self, site: Site, service: str) -> str:
        if service not in site.services:
            raise not_found(p.ERR_UNKNOWN_SERVICE, "server.unknown_service", service=service)
        return service

    def days(self, site: Site, now: datetime | None = None) -> list[date]:
        """The days that can be booked at ``site`` now."""
        now = now or self.base.clock.now()
        return rules.bookable_days(site, now, self.tz, self.rules, self.base.holidays[site.code])

    # --- windows -----------------------------------------------------------------------------
    def _places(self, session: Any, site: Site, service: str, day: date) -> list[Any]:
        windows = rules.windows_of_day(site, day, self.rules, self.base.holidays[site.code])
        active = (
            Booking.site == site.code,
            Booking.day == day,
            Booking.status.in_(p.BOOKING_ACTIVE),
        )
        by_start = session.execute(
            select(Booking.window_start, func.count())
            .where(*active, Booking.service == service)
            .group_by(Booking.window_start)
        ).all()
        booked = {self._minute(start): n for start, n in by_start}
        site_booked = session.scalar(select(func.count()).select_from(Booking).where(*active))
        return rules.remaining_places(site, service, windows, self.rules, booked, site_booked or 0)

    def _minute(self, instant: datetime) -> int:
        local = instant.astimezone(self.tz)
        return local.hour * 60 + local.minute

    def windows(self, site_code: str, service: str, day_text: str | None) -> list[dict[str, Any]]:
        """GET /api/v1/sites/{site}/booking-windows: the windows of a bookable day that have
        not started, with the places left; an empty list on a day that cannot be booked."""
        site = self.base.site(site_code)
        self.service_of(site, service)
        day = parse_day(day_text)
        now = self.base.clock.now()
        if day not in self.days(site, now):
            return []
        with self.db.reading() as session:
            places = self._places(session, site, service, day)
        return [
            {"window": w.window.label, "remaining": w.remaining}
            for w in places
            if w.window.instants(day, self.tz)[0] > now
        ]

    # --- booking, reading, cancelling ------------------------------------------------------
    def body(self, b: Booking, today: date | None = None) -> dict[str, Any]:
        """A booking as the API shows it; one still ``booked`` after its day shows expired."""
        status = b.status
        if today is not None and rules.expires(status, b.day, today):
            status = p.BOOKING_EXPIRED
        start = b.window_start.astimezone(self.tz)
        end = b.window_end.astimezone(self.tz)
        return {
            "code": b.code,
            "site": b.site,
            "service": b.service,
            "date": b.day.isoformat(),
            "window": f"{start:%H:%M}-{end:%H:%M}",
            "status": status,
        }

    def create(self, nik: str, kecamatan: str, service: str, date: str, window: str) -> Outcome:
        """POST /api/v1/bookings."""
        digits = valid_nik(nik)
        site = self.config.sites[self.kecamatan(kecamatan).site]
        self.service_of(site, service)
        day = parse_day(date)
        hashed = nik_hash(digits, self.secret)
        try:
            with self.base.site_transaction(site) as tx:
                places = self._places(tx.session, site, service, day)
                found = next((w for w in places if w.window.label == window), None)
                refusal = rules.booking_refusal(
                    site,
                    day,
                    found.window if found else None,
                    tx.now,
                    self.tz,
                    self.rules,
                    self.base.holidays[site.code],
                    found.remaining if found else 0,
                )
                if refusal is not None:
                    raise refused(refusal)
                self._one_per_day(tx, hashed, day)
                start, end = found.window.instants(day, self.tz)
                booking = Booking(
                    code=self._fresh_code(tx),
                    site=site.code,
                    service=service,
                    kecamatan=kecamatan,
                    day=day,
                    window_start=start,
                    window_end=end,
                    nik_hash=hashed,
                    status=p.BOOKING_BOOKED,
                    created_at=tx.now,
                )
                tx.session.add(booking)
                tx.session.flush()
                body = self.body(booking)
        except IntegrityError:  # the same NIK booked the same day at another site meanwhile
            raise conflict(p.ERR_ALREADY_BOOKED, "booking.already_booked") from None
        return Outcome(body, created=True)

    def _one_per_day(self, tx: SiteTx, hashed: str, day: date) -> None:
        other = tx.session.scalar(
            select(Booking.id).where(
                Booking.nik_hash == hashed,
                Booking.day == day,
                Booking.status.in_(p.BOOKING_ACTIVE),
            )
        )
        if other is not None:
            raise conflict(p.ERR_ALREADY_BOOKED, "booking.already_booked")

    def _fresh_code(self, tx: SiteTx) -> str:
        while True:  # a repeat is ~1 in 10^12 per booking; look anyway
            code = rules.new_code(self.randbelow)
            if tx.session.scalar(select(Booking.id).where(Booking.code == code)) is None:
                return code

    def _find(self, session: Any, code: str) -> Booking:
        normal = rules.normalize_code(code)
        if normal is None:
            raise unknown_booking()
        found = session.scalars(select(Booking).where(Booking.code == normal)).one_or_none()
        if found is None:
            raise unknown_booking()
        return found

    def get(self, code: str) -> dict[str, Any]:
        """GET /api/v1/bookings/{code}."""
        with self.db.reading() as session:
            return self.body(self._find(session, code), self.base.today())

    def cancel(self, code: str, nik: str) -> dict[str, Any]:
        """POST /api/v1/bookings/{code}/cancel: only with the booking's NIK (403 otherwise).
        Cancelling again answers as before; a used or expired booking cannot be cancelled."""
        with self.db.reading() as session:
            site = self.config.sites[self._find(session, code).site]
        with self.base.site_transaction(site) as tx:
            booking = self._find(tx.session, code)
            try:
                hashed = nik_hash(valid_nik(nik), self.secret)
            except ApiError:
                hashed = ""
            if not secrets.compare_digest(hashed, booking.nik_hash):
                raise ApiError(403, p.ERR_WRONG_NIK, "booking.wrong_nik")
            if booking.status != p.BOOKING_CANCELLED:
                if rules.expires(booking.status, booking.day, tx.day):
                    raise refused(rules.status_refusal(p.BOOKING_EXPIRED))
                refusal = rules.status_refusal(booking.status)
                if refusal is not None:
                    raise refused(refusal)
                booking.status = p.BOOKING_CANCELLED
                booking.cancelled_at = tx.now
            return self.body(booking, tx.day)

    # --- check-in at the kiosk ---------------------------------------------------------------
    def checkin(
        self, site_code: str, code: str, request_id: str, actor: str, issuer: int | None
    ) -> Outcome:
        """POST /api/v1/sites/{site}/checkins: a ticket for the booking (201), issued like any
        ticket with ``booking_code`` and the booked span set; the same ``request_id`` again
        answers that ticket (200)."""
        kiosk_site = self.base.site(site_code)
        with self.db.reading() as session:
            booking = self._find(session, code)
            if booking.status == p.BOOKING_CHECKED_IN and booking.ticket_id is not None:
                ticket = session.get(Ticket, booking.ticket_id)
                if ticket is not None and ticket.request_id == request_id:
                    body = self.views.ticket_body(
                        session, ticket, self.base.clock.now(), private=True
                    )
                    return Outcome({**body, p.TICKET_BOOKING_KEY: booking.code})
            self._refuse_checkin(booking, kiosk_site, self.base.clock.now())
            booking_id, normal = booking.id, booking.code
            span = rules.booked_span(booking.window_start, booking.window_end)

        def mark(tx: SiteTx, ticket_id: int) -> None:
            row = tx.session.get(Booking, booking_id, populate_existing=True)
            self._refuse_checkin(row, kiosk_site, tx.now)  # again, under the site's lock
            row.status = p.BOOKING_CHECKED_IN
            row.checked_in_at = tx.now
            row.ticket_id = ticket_id

        outcome = self.writes.issue(
            kiosk_site.code,
            booking.service,
            priority=False,
            category=None,
            request_id=request_id,
            actor=actor,
            issuer=issuer,
            columns={"booking_code": normal, "booked_from": span[0], "booked_to": span[1]},
            then=mark,
        )
        outcome.body = {**outcome.body, p.TICKET_BOOKING_KEY: normal}
        return outcome

    def _refuse_checkin(self, booking: Booking, kiosk_site: Site, now: datetime) -> None:
        facts = rules.BookingFacts(
            booking.status, booking.site, booking.day, booking.window_start, booking.window_end
        )
        right = self.config.sites.get(booking.site)
        name = right.name if right else booking.site
        refusal = rules.checkin_refusal(facts, kiosk_site.code, name, now, self.tz)
        if refusal is not None:
            raise refused(refusal)

    # --- the end of the day ------------------------------------------------------------------
    def expire(self, now: datetime | None = None) -> int:
        """Bookings not checked in by the end of their day expire (run at local midnight);
        places of a past day free nothing. Returns how many expired."""
        now = now or self.base.clock.now()
        today = local_day(now, self.tz)
        with self.db.writing() as session:
            return session.execute(
                update(Booking)
                .where(Booking.status == p.BOOKING_BOOKED, Booking.day < today)
                .values(status=p.BOOKING_EXPIRED, expired_at=now)
            ).rowcount
