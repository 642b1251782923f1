"""Where things go, computed from the screen size (800x480 up to 1920x1080), never fixed pixels.

The same ``Target`` list serves the painter (what to draw) and the loop (what a touch hits),
so a button can never be drawn in one place and pressed in another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pygame import Rect

from kiosk import booking_code
from kiosk import state as st
from sahaja.protocol import PRIORITY_CATEGORIES


@dataclass(frozen=True)
class Target:
    rect: Rect
    event: object | None  # what a touch sends; None = drawn but disabled
    kind: str  # service | priority | booking | group | cancel | language | dismiss | key |
    # backspace | submit
    key: str = ""  # service code / priority category


@dataclass(frozen=True)
class Frame:
    """The fixed bands of every screen."""

    header: Rect
    body: Rect
    margin: int


def frame(size: tuple[int, int]) -> Frame:
    w, h = size
    margin = max(8, round(min(w, h) * 0.025))
    header = Rect(0, 0, w, round(h * 0.15))
    body = Rect(margin, header.bottom + margin, w - 2 * margin, h - header.bottom - 2 * margin)
    return Frame(header, body, margin)


def language_button(size: tuple[int, int]) -> Rect:
    f = frame(size)
    bw, bh = round(size[0] * 0.17), round(f.header.height * 0.62)
    return Rect(size[0] - f.margin - bw, (f.header.height - bh) // 2, bw, bh)


def grid(area: Rect, count: int, columns: int, gap: int) -> list[Rect]:
    if count <= 0:
        return []
    rows = math.ceil(count / columns)
    cw = (area.width - gap * (columns - 1)) / columns
    ch = (area.height - gap * (rows - 1)) / rows
    out = []
    for i in range(count):
        r, c = divmod(i, columns)
        in_row = min(columns, count - r * columns)
        # centre a short last row
        offset = (columns - in_row) * (cw + gap) / 2
        out.append(
            Rect(
                round(area.x + offset + c * (cw + gap)),
                round(area.y + r * (ch + gap)),
                round(cw),
                round(ch),
            )
        )
    return out


def columns_for(count: int, size: tuple[int, int]) -> int:
    if count <= 2:
        return max(1, count)
    if count <= 4:
        return 2
    return 3 if size[0] / size[1] >= 1.2 else 2


def home_areas(size: tuple[int, int]) -> tuple[Rect, Rect, Rect]:
    """(title line, service grid, priority lane) inside the body."""
    f = frame(size)
    b = f.body
    title = Rect(b.x, b.y, b.width, round(b.height * 0.11))
    lane = Rect(b.x, b.bottom - round(b.height * 0.2), b.width, round(b.height * 0.2))
    services = Rect(
        b.x, title.bottom + f.margin // 2, b.width, lane.top - title.bottom - f.margin * 3 // 2
    )
    return title, services, lane


def home_lane(size: tuple[int, int]) -> tuple[Rect, Rect]:
    """The bottom band of Home split: (priority lane, "Sudah booking online?")."""
    _, _, lane = home_areas(size)
    gap = frame(size).margin
    left = round((lane.width - gap) * 0.6)
    return (
        Rect(lane.x, lane.y, left, lane.height),
        Rect(lane.x + left + gap, lane.y, lane.width - left - gap, lane.height),
    )


def checkin_areas(size: tuple[int, int]) -> tuple[Rect, Rect, Rect, Rect]:
    """(title line, the typed code, keypad, action row) of the check-in screen."""
    f = frame(size)
    b, gap = f.body, f.margin
    title = Rect(b.x, b.y, b.width, round(b.height * 0.17))  # a refusal takes two lines
    code = Rect(b.x, title.bottom + gap // 2, b.width, round(b.height * 0.14))
    actions = Rect(b.x, b.bottom - round(b.height * 0.17), b.width, round(b.height * 0.17))
    keypad = Rect(b.x, code.bottom + gap, b.width, actions.top - code.bottom - 2 * gap)
    return title, code, keypad, actions


def targets(state: st.KioskState, size: tuple[int, int]) -> list[Target]:
    out = [Target(language_button(size), st.ToggleLanguage(), "language")]
    screen = state.screen
    f = frame(size)
    if screen == st.Screen.HOME:
        title, area, lane = home_areas(size)
        codes = [s["code"] for s in state.services]
        rects = grid(area, len(codes), columns_for(len(codes), size), f.margin)
        for code, rect in zip(codes, rects, strict=True):
            event = st.PressService(code) if state.can_press(code) else None
            out.append(Target(rect, event, "service", code))
        if state.priority_group:
            out.append(Target(lane, st.Cancel() if not state.pending else None, "cancel"))
        else:
            priority, booking = home_lane(size)
            free = not state.pending
            out.append(Target(priority, st.OpenPriority() if free else None, "priority"))
            out.append(Target(booking, st.OpenCheckin() if free else None, "booking"))
    elif screen == st.Screen.PRIORITY:
        title, area, lane = home_areas(size)
        rects = grid(area, len(PRIORITY_CATEGORIES), 3, f.margin)
        for cat, rect in zip(PRIORITY_CATEGORIES, rects, strict=True):
            out.append(Target(rect, st.PickGroup(cat), "group", cat))
        out.append(Target(lane, st.Cancel(), "cancel"))
    elif screen == st.Screen.CHECKIN:
        out += checkin_targets(state, size)
    elif screen == st.Screen.TICKET:
        out.append(Target(f.body, st.Dismiss(), "dismiss"))
    return out


def checkin_targets(state: st.KioskState, size: tuple[int, int]) -> list[Target]:
    """The keypad (the code's alphabet and a backspace), then Cancel and Check in."""
    _, _, keypad, actions = checkin_areas(size)
    gap = frame(size).margin
    free = state.pending is None
    keys = booking_code.KEYS
    columns = 8 if size[0] / size[1] >= 1.2 else 6
    rects = grid(keypad, len(keys) + 1, columns, max(4, gap // 2))
    out = [
        Target(rect, st.TypeKey(key) if free else None, "key", key)
        for key, rect in zip(keys, rects, strict=False)
    ]
    out.append(Target(rects[-1], st.Backspace() if free else None, "backspace"))
    cancel_w = round((actions.width - gap) * 0.35)
    cancel = Rect(actions.x, actions.y, cancel_w, actions.height)
    submit = Rect(cancel.right + gap, actions.y, actions.width - cancel_w - gap, actions.height)
    ready = free and booking_code.normalize_code(state.code_typed) is not None
    out.append(Target(cancel, st.Cancel() if free else None, "cancel"))
    out.append(Target(submit, st.SubmitCode() if ready else None, "submit"))
    return out


def hit(targets_: list[Target], pos: tuple[int, int]) -> object | None:
    """The event of the topmost enabled target under ``pos`` (language button first)."""
    for t in targets_:
        if t.rect.collidepoint(pos):
            return t.event
    return None
