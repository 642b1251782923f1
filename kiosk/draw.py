"""Paints one kiosk screen from the state; knows colours and type, not rules.

Text is sized to fit its box (the screen size decides, not fixed points) and rendered surfaces
are cached by value, so an unchanged label costs nothing on the next frame. ``drawn`` keeps the
texts of the last frame: tests and the screenshot script read what the citizen saw.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, tzinfo

import pygame
from pygame import Rect

from devicelink.fonts import FontCache
from kiosk import booking_code
from kiosk import layout as lay
from kiosk import state as st
from sahaja import i18n, protocol

BG = (244, 246, 248)
INK = (20, 30, 45)
MUTED = (90, 100, 115)
HEADER = (11, 61, 145)
WHITE = (255, 255, 255)
SERVICE = (21, 101, 192)
DISABLED = (176, 183, 191)
DISABLED_INK = (70, 76, 84)
PRIORITY = (230, 81, 0)
PRIORITY_DARK = (170, 55, 0)
FAULT = (183, 28, 28)
OFFLINE = (55, 65, 80)
CLOSED = (11, 61, 145)
WARN = (255, 193, 7)
OK_GREEN = (46, 125, 50)
BOOKING = (0, 105, 92)  # the online booking's colour: neither a service nor priority


RENDERED_KEPT = 64  # rendered labels kept: every label of a screen, not every ticket number


class Labels:
    """Rendered texts by value, at most ``limit`` kept (a label costs nothing on the next frame;
    ticket numbers and times, which change with every ticket, do not pile up)."""

    def __init__(self, limit: int = RENDERED_KEPT) -> None:
        self.fonts = FontCache(fallback_scale=1.3)  # pygame's bundled font runs small
        self._limit = limit
        self._images: OrderedDict[tuple, pygame.Surface] = OrderedDict()

    def __len__(self) -> int:
        return len(self._images)

    def render(
        self, text: str, bold: bool, size: int, color: tuple[int, int, int]
    ) -> pygame.Surface:
        key = (text, bold, size, color)
        image = self._images.get(key)
        if image is None:
            image = self.fonts.get(bold, size).render(text, True, color)
            self._images[key] = image
            if len(self._images) > self._limit:
                self._images.popitem(last=False)
        else:
            self._images.move_to_end(key)
        return image

    def fit_size(self, text: str, bold: bool, box: tuple[int, int]) -> int:
        size = max(8, int(box[1] * 0.8))
        width = self.fonts.get(bold, size).size(text)[0]
        if width > box[0]:
            size = max(8, int(size * box[0] / width))
        return size


class Painter:
    def __init__(self, surface: pygame.Surface) -> None:
        self.surface = surface
        self.labels = Labels()
        self.tz: tzinfo | None = None  # the office's zone (KioskState.zone); None: this machine's
        self.drawn: list[str] = []

    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    # --- primitives ---------------------------------------------------------------------

    def text(self, text: str, box: Rect, color=INK, *, bold=False, align="center") -> Rect:
        size = self.labels.fit_size(text, bold, box.size)
        img = self.labels.render(text, bold, size, color)
        r = img.get_rect()
        r.centery = box.centery
        if align == "left":
            r.left = box.left
        elif align == "right":
            r.right = box.right
        else:
            r.centerx = box.centerx
        self.surface.blit(img, r)
        self.drawn.append(text)
        return r

    def lines(self, items: list[tuple[str, bool, tuple]], box: Rect, weights: list[float]) -> None:
        total = sum(weights)
        y = box.y
        for (text, bold, color), weight in zip(items, weights, strict=True):
            h = round(box.height * weight / total)
            if text:
                self.text(text, Rect(box.x, y, box.width, h), color, bold=bold)
            y += h

    def button(self, rect: Rect, color, radius_scale=0.08) -> None:
        radius = max(4, round(min(rect.size) * radius_scale))
        shadow = rect.move(0, max(2, rect.height // 40))
        pygame.draw.rect(
            self.surface, tuple(max(0, c - 40) for c in color), shadow, border_radius=radius
        )
        pygame.draw.rect(self.surface, color, rect, border_radius=radius)

    # --- screens ------------------------------------------------------------------------

    def paint(self, state: st.KioskState, wall: datetime) -> list[lay.Target]:
        self.drawn = []
        self.tz = state.zone
        targets = lay.targets(state, self.size)
        screen = state.screen
        background = {
            st.Screen.FAULT: FAULT,
            st.Screen.OFFLINE: OFFLINE,
            st.Screen.CLOSED: CLOSED,
        }.get(screen, BG)
        self.surface.fill(background)
        self._header(state, wall)
        getattr(self, f"_{screen}")(state, targets)
        return targets

    def _header(self, state: st.KioskState, wall: datetime) -> None:
        f = lay.frame(self.size)
        lang = state.lang
        pygame.draw.rect(self.surface, HEADER, f.header)
        lb = lay.language_button(self.size)
        m = f.margin
        left = Rect(m, 0, round(self.size[0] * 0.5), f.header.height)
        name = state.site_name or i18n.t("kiosk.choose_service", lang)
        self.text(
            name,
            Rect(left.x, left.y + m // 2, left.width, left.height * 0.55),
            WHITE,
            bold=True,
            align="left",
        )
        local = wall.astimezone(self.tz)
        when = i18n.format_date(local.date(), lang)
        self.text(
            when,
            Rect(left.x, left.y + left.height * 0.55, left.width, left.height * 0.38),
            WHITE,
            align="left",
        )
        clock = Rect(left.right + m, 0, lb.left - left.right - 2 * m, f.header.height)
        self.text(
            i18n.format_time(local, lang), clock.inflate(0, -m), WHITE, bold=True, align="right"
        )
        pygame.draw.rect(self.surface, WHITE, lb, border_radius=lb.height // 2)
        self.text(
            i18n.t("kiosk.language_switch", lang),
            lb.inflate(-lb.width * 0.12, -lb.height * 0.3),
            HEADER,
            bold=True,
        )

    def _home(self, state: st.KioskState, targets: list[lay.Target]) -> None:
        lang = state.lang
        title, _, lane = lay.home_areas(self.size)
        priority = state.priority_group is not None
        if state.message:
            pygame.draw.rect(self.surface, WARN, title, border_radius=title.height // 4)
            self.text(
                i18n.t(f"kiosk.{state.message}", lang),
                title.inflate(-20, -title.height * 0.2),
                INK,
                bold=True,
            )
        elif priority:
            group = i18n.t(f"common.priority_{state.priority_group}", lang)
            pygame.draw.rect(self.surface, PRIORITY, title, border_radius=title.height // 4)
            self.text(
                i18n.t("kiosk.priority_banner", lang, group=group),
                title.inflate(-20, -title.height * 0.2),
                WHITE,
                bold=True,
            )
        elif state.printer == "near_end":
            self.text(
                f"{i18n.t('kiosk.choose_service', lang)}  ·  "
                f"{i18n.t('kiosk.paper_near_end', lang)}",
                title,
                INK,
                bold=True,
            )
        else:
            self.text(i18n.t("kiosk.choose_service", lang), title, INK, bold=True)
        for t in targets:
            if t.kind == "service":
                self._service_button(state, t, priority)
            elif t.kind == "priority":
                self.button(t.rect, PRIORITY)
                inner = t.rect.inflate(-t.rect.width * 0.06, -t.rect.height * 0.12)
                self.lines(
                    [
                        ("★ " + i18n.t("kiosk.priority_lane", lang) + " ★", True, WHITE),
                        (i18n.t("kiosk.priority_lane_hint", lang), False, WHITE),
                    ],
                    inner,
                    [0.58, 0.42],
                )
            elif t.kind == "booking":
                self.button(t.rect, BOOKING if t.event is not None else DISABLED)
                inner = t.rect.inflate(-t.rect.width * 0.08, -t.rect.height * 0.12)
                self.lines(
                    [
                        (i18n.t("kiosk.booking_button", lang), True, WHITE),
                        (i18n.t("kiosk.booking_button_hint", lang), False, WHITE),
                    ],
                    inner,
                    [0.58, 0.42],
                )
            elif t.kind == "cancel":
                self.button(t.rect, DISABLED if t.event is None else OFFLINE)
                self.text(
                    i18n.t("kiosk.cancel", lang),
                    t.rect.inflate(0, -t.rect.height * 0.4),
                    WHITE,
                    bold=True,
                )
        if state.pending:
            self._busy(lang)

    def _checkin(self, state: st.KioskState, targets: list[lay.Target]) -> None:
        """The booking code on a keypad; a scanner's code arrives here too."""
        lang = state.lang
        title, code, _, _ = lay.checkin_areas(self.size)
        if state.message:
            pygame.draw.rect(self.surface, WARN, title, border_radius=title.height // 4)
            inner = title.inflate(-20, -title.height * 0.12)
            text = i18n.t(f"kiosk.{state.message}", lang)
            if state.message_detail:
                self.lines(
                    [(text, True, INK), (state.message_detail, False, INK)], inner, [0.55, 0.45]
                )
            else:
                self.text(text, inner.inflate(0, -inner.height * 0.2), INK, bold=True)
        else:
            self.text(i18n.t("kiosk.checkin_title", lang), title, INK, bold=True)
        pygame.draw.rect(self.surface, WHITE, code, border_radius=code.height // 5)
        pygame.draw.rect(self.surface, BOOKING, code, width=3, border_radius=code.height // 5)
        typed = state.code_typed.ljust(booking_code.MAX_TYPED, "_")
        self.text(
            booking_code.display_code(typed), code.inflate(-code.width * 0.2, -code.height * 0.25)
        )
        for t in targets:
            if t.kind == "key":
                self.button(t.rect, SERVICE if t.event is not None else DISABLED, 0.15)
                self.text(t.key, t.rect.inflate(-t.rect.width * 0.3, -t.rect.height * 0.3), WHITE)
            elif t.kind == "backspace":
                self.button(t.rect, OFFLINE if t.event is not None else DISABLED, 0.15)
                label = i18n.t("kiosk.checkin_backspace", lang)
                self.text(label, t.rect.inflate(-t.rect.width * 0.15, -t.rect.height * 0.5), WHITE)
            elif t.kind == "cancel":
                self.button(t.rect, OFFLINE if t.event is not None else DISABLED)
                label = i18n.t("kiosk.cancel", lang)
                self.text(label, t.rect.inflate(0, -t.rect.height * 0.4), WHITE, bold=True)
            elif t.kind == "submit":
                self.button(t.rect, OK_GREEN if t.event is not None else DISABLED)
                label = i18n.t("kiosk.checkin_submit", lang)
                ink = WHITE if t.event is not None else DISABLED_INK
                self.text(label, t.rect.inflate(0, -t.rect.height * 0.4), ink, bold=True)
        if state.pending:
            self._busy(lang)

    def _service_button(self, state: st.KioskState, t: lay.Target, priority: bool) -> None:
        lang = state.lang
        svc = state.service(t.key) or {}
        enabled = t.event is not None or (state.pending is not None and svc.get("remaining") != 0)
        color = (PRIORITY if priority else SERVICE) if enabled else DISABLED
        ink = WHITE if enabled else DISABLED_INK
        self.button(t.rect, color)
        inner = t.rect.inflate(-t.rect.width * 0.08, -t.rect.height * 0.14)
        name = svc.get("name") or t.key
        if lang == "en" and svc.get("name_en"):
            name = svc["name_en"]
        if svc.get("remaining") == 0:
            detail = i18n.t("kiosk.quota_exhausted", lang)
        elif svc.get("remaining") is None:
            detail = i18n.t("kiosk.no_quota_limit", lang)
        else:
            detail = i18n.t("kiosk.remaining", lang, n=svc["remaining"])
        waiting = i18n.t("kiosk.waiting", lang, n=svc.get("waiting", 0))
        lines = [(name, True, ink), (detail, svc.get("remaining") == 0, ink), (waiting, False, ink)]
        wait = svc.get("estimated_wait_minutes")
        if wait is None:
            self.lines(lines, inner, [0.46, 0.27, 0.27])
            return
        minutes = round(wait)
        estimate = (
            i18n.t("kiosk.wait_estimate", lang, n=minutes)
            if minutes > 0
            else i18n.t("kiosk.wait_none", lang)
        )
        self.lines([*lines, (estimate, False, ink)], inner, [0.4, 0.2, 0.2, 0.2])

    def _busy(self, lang: str) -> None:
        shade = pygame.Surface(self.size, pygame.SRCALPHA)
        shade.fill((0, 0, 0, 110))
        self.surface.blit(shade, (0, 0))
        w, h = self.size
        box = Rect(0, 0, round(w * 0.5), round(h * 0.2))
        box.center = (w // 2, h // 2)
        pygame.draw.rect(self.surface, WHITE, box, border_radius=box.height // 5)
        self.text(
            i18n.t("kiosk.please_wait", lang),
            box.inflate(-box.width * 0.1, -box.height * 0.4),
            INK,
            bold=True,
        )

    def _priority(self, state: st.KioskState, targets: list[lay.Target]) -> None:
        lang = state.lang
        title, _, _ = lay.home_areas(self.size)
        self.text(i18n.t("kiosk.priority_choose_group", lang), title, INK, bold=True)
        for t in targets:
            if t.kind == "group":
                self.button(t.rect, PRIORITY)
                self.text(
                    i18n.t(f"common.priority_{t.key}", lang),
                    t.rect.inflate(-t.rect.width * 0.1, -t.rect.height * 0.5),
                    WHITE,
                    bold=True,
                )
            elif t.kind == "cancel":
                self.button(t.rect, OFFLINE)
                self.text(
                    i18n.t("kiosk.cancel", lang),
                    t.rect.inflate(0, -t.rect.height * 0.4),
                    WHITE,
                    bold=True,
                )

    def _ticket(self, state: st.KioskState, targets: list[lay.Target]) -> None:
        lang = state.lang
        ticket = state.ticket or {}
        body = lay.frame(self.size).body
        svc = state.service(ticket.get("service", "")) or {}
        name = (
            (svc.get("name_en") if lang == "en" else None)
            or svc.get("name")
            or ticket.get("service", "")
        )
        if ticket.get("priority"):
            group = ticket.get("priority_category")
            mark = i18n.t("common.priority", lang)
            if group:
                mark += " · " + i18n.t(f"common.priority_{group}", lang)
            name = f"{name}  ({mark})"
        details = []
        if ticket.get(protocol.TICKET_BOOKING_KEY):
            code = booking_code.display_code(ticket[protocol.TICKET_BOOKING_KEY])
            details.append(i18n.t("kiosk.ticket_booking", lang, code=code))
        if ticket.get("ahead") is not None:
            details.append(i18n.t("kiosk.ahead", lang, n=ticket["ahead"]))
        bounds = protocol.estimate_bounds(ticket)
        if bounds is not None:
            start, end = (datetime.fromisoformat(b).astimezone(self.tz) for b in bounds)
            window = i18n.format_window(start, end, lang)
            details.append(i18n.t("kiosk.eta", lang, time=window))
        take = "kiosk.take_ticket" if state.ticket_printed else "kiosk.printing"
        number_color = PRIORITY_DARK if ticket.get("priority") else HEADER
        self.lines(
            [
                (i18n.t("kiosk.your_number", lang), False, MUTED),
                (ticket.get("number", ""), True, number_color),
                (name, True, INK),
                ("   ·   ".join(details), False, INK),
                (i18n.t(take, lang), True, OK_GREEN if state.ticket_printed else MUTED),
                (
                    i18n.t("kiosk.touch_to_return", lang) if state.ticket_printed else "",
                    False,
                    MUTED,
                ),
            ],
            body,
            [0.09, 0.42, 0.11, 0.1, 0.14, 0.07],
        )
        if state.printer == "near_end":
            self.text(
                i18n.t("kiosk.paper_near_end", lang),
                Rect(
                    body.x, body.bottom - body.height * 0.05, body.width * 0.3, body.height * 0.05
                ),
                PRIORITY_DARK,
                align="left",
            )

    def _message_screen(self, lines: list[tuple[str, bool]]) -> None:
        body = lay.frame(self.size).body.inflate(-self.size[0] * 0.06, -self.size[1] * 0.06)
        weights = [0.34 if bold else 0.2 for _, bold in lines]
        self.lines([(text, bold, WHITE) for text, bold in lines], body, weights)

    def _closed(self, state: st.KioskState, targets: list[lay.Target]) -> None:
        self._message_screen(closed_lines(state))

    def _offline(self, state: st.KioskState, targets: list[lay.Target]) -> None:
        lang = state.lang
        if state.auth_error:
            self._message_screen([(i18n.t("kiosk.error_auth", lang), True)])
            return
        self._message_screen(
            [
                (i18n.t("kiosk.offline_title", lang), True),
                (i18n.t("kiosk.offline_retrying", lang), False),
                (i18n.t("kiosk.offline_ask_staff", lang), False),
            ]
        )

    def _fault(self, state: st.KioskState, targets: list[lay.Target]) -> None:
        lang = state.lang
        key = {"paper_out": "fault_paper_out", "offline": "fault_offline"}.get(
            state.fault or "", "fault_print_failed"
        )
        lines = [(i18n.t(f"kiosk.{key}", lang), True)]
        if state.fault_number:
            lines.append((i18n.t("kiosk.fault_voided", lang, number=state.fault_number), False))
        lines.append((i18n.t("kiosk.fault_retrying", lang), False))
        self._message_screen(lines)


def closed_lines(state: st.KioskState) -> list[tuple[str, bool]]:
    """The closed screen's lines (text, bold): why the kiosk is not issuing, and when to come."""
    lang = state.lang
    reason = state.closed_reason or {}
    kind, name, until = reason.get("kind"), reason.get("name"), reason.get("until")
    if kind == protocol.CLOSED_HOLIDAY and name:
        return [
            (i18n.t("kiosk.closed_holiday_title", lang), True),
            (name, False),
            (i18n.t("kiosk.closed_holiday_come_back", lang), False),
        ]
    if kind == protocol.CLOSED_BREAK and until:
        return [
            (i18n.t("kiosk.closed_title", lang), True),
            (i18n.t("kiosk.closed_break", lang, name=name or "", time=_time(until, lang)), False),
        ]
    if kind == protocol.CLOSED_BEFORE_OPEN and until:
        return [
            (i18n.t("kiosk.closed_title", lang), True),
            (i18n.t("kiosk.closed_opens_at", lang, time=_time(until, lang)), False),
        ]
    hours = (
        i18n.t("kiosk.closed_hours", lang, hours=_hours(state.hours_today, lang))
        if state.hours_today
        else i18n.t("kiosk.closed_today", lang)
    )
    return [
        (i18n.t("kiosk.closed_title", lang), True),
        (hours, False),
        (i18n.t("kiosk.closed_come_back", lang), False),
    ]


def _time(hhmm: str, lang: str) -> str:
    """'13:00' -> '13.00' in Indonesian."""
    return hhmm.replace(":", ".") if lang == "id" else hhmm


def _hours(hours: str, lang: str) -> str:
    """'07:30-15:00' -> '07.30–15.00' in Indonesian."""
    sep = "." if lang == "id" else ":"
    return hours.replace(":", sep).replace("-", "–")
