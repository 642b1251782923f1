"""Draws a BoardState onto a surface, region by region, only where something changed.

Each region has a key (the values it shows); a region is repainted when its key moves, and
``draw`` returns the dirty rectangles for ``pygame.display.update``. What was drawn where is
kept in ``placed`` so tests can check both the state shown and the pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pygame

from devicelink.fonts import FONT_DIR, FontCache
from display.announce import DOCUMENT_READY, RECALL
from display.layout import Layout, compute_layout
from display.state import BoardState
from sahaja import i18n

BG = (8, 30, 62)
PANEL = (17, 52, 96)
PANEL_EDGE = (44, 92, 150)
TEXT = (245, 247, 250)
MUTED = (170, 190, 215)
ACCENT = (255, 210, 63)  # the called number
HIGHLIGHT = (255, 210, 63)  # panel colour while a new call blinks
ON_HIGHLIGHT = (8, 30, 62)
PRIORITY = (230, 57, 70)
OK = (46, 204, 113)
ALERT = (230, 57, 70)
TICKER_BG = (255, 210, 63)
TICKER_TEXT = (8, 30, 62)


@dataclass(frozen=True)
class Placed:
    """A text drawn on the board: where, how, and on what background."""

    text: str
    rect: pygame.Rect
    font: pygame.font.Font
    color: tuple[int, int, int]
    background: tuple[int, int, int]
    tight: bool = False


def text_image(
    font: pygame.font.Font,
    text: str,
    color: tuple[int, int, int],
    background: tuple[int, int, int],
    tight: bool = False,
) -> pygame.Surface:
    """Rendered text; ``tight`` crops to the glyphs so a huge number sits where it is meant."""
    image = font.render(text, True, color, background)
    if tight:
        bounds = font.render(text, True, color).get_bounding_rect()
        if bounds.width and bounds.height:
            image = image.subsurface(bounds).copy()
    return image


class Fonts(FontCache):
    """The shared font cache, plus fitting a text into a width."""

    def fit(self, text: str, bold: bool, size: int, max_width: int) -> pygame.font.Font:
        """The largest font not above ``size`` in which ``text`` fits ``max_width``."""
        return self.get(bold, self.fit_size(text, bold, size, max_width))

    def fit_size(self, text: str, bold: bool, size: int, max_width: int) -> int:
        while self.get(bold, size).size(text)[0] > max_width and size > 8:
            size = int(size * 0.92)
        return size


class BoardRenderer:
    def __init__(
        self,
        size: tuple[int, int],
        *,
        language: str = "id",
        font_dir: Path = FONT_DIR,
        running_text: str | None = None,
        ticker_speed: int = 120,
    ) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self.lang = language
        self.fonts = Fonts(font_dir)
        self.layout: Layout = compute_layout(*size)
        self.placed: dict[str, Placed] = {}
        self._keys: dict[str, object] = {}
        self.default_running_text = (
            running_text if running_text is not None else self.t("running_text")
        )
        self.running_text = self.default_running_text
        self._ticker_speed = ticker_speed * self.layout.height / 1080
        self._ticker_surface: pygame.Surface | None = None
        self._regions: dict[str, tuple[Callable, Callable]] = {
            "title": (self._title_key, self._paint_title),
            "clock": (self._clock_key, self._paint_clock),
            "indicator": (self._indicator_key, self._paint_indicator),
            "current": (self._current_key, self._paint_current),
            "recent": (self._recent_key, self._paint_recent),
            "tiles": (self._tiles_key, self._paint_tiles),
            "services": (self._services_key, self._paint_services),
            "ticker": (self._ticker_key, self._paint_ticker),
        }

    def t(self, key: str, **params: object) -> str:
        return i18n.t(f"display.{key}", self.lang, **params)

    def invalidate(self) -> None:
        """Repaint everything on the next draw (after a resize or a lost surface)."""
        self._keys.clear()

    # --- the frame ---------------------------------------------------------------------
    def draw(
        self, surface: pygame.Surface, state: BoardState, now: float, wall: datetime
    ) -> list[pygame.Rect]:
        """Repaint the regions whose shown values changed; return their rectangles."""
        if not self._keys:
            surface.fill(BG)
        dirty = []
        ctx = _Frame(state, now, wall)
        for name, (key_of, paint) in self._regions.items():
            key = key_of(ctx)
            if name in self._keys and self._keys[name] == key:
                continue
            self._keys[name] = key
            rect = getattr(self.layout, name)
            for k in [k for k in self.placed if k.split(".")[0] == name]:
                del self.placed[k]
            surface.set_clip(rect)
            paint(surface, rect, ctx)
            surface.set_clip(None)
            dirty.append(rect)
        return dirty

    def next_change(self, state: BoardState, now: float, wall: datetime, fps: int) -> float:
        """Seconds until the picture must change by itself (ticker, blink, clock minute)."""
        waits = [60.0 - wall.second - wall.microsecond / 1e6]
        if self.running_text:
            waits.append(1.0 / fps)
        if state.highlighted(now):
            waits.append(min(0.5 - (now % 0.5), state.highlight_until - now))
        return max(0.0, min(waits))

    # --- regions -----------------------------------------------------------------------
    def _put(
        self,
        surface: pygame.Surface,
        name: str,
        text: str,
        font: pygame.font.Font,
        color: tuple[int, int, int],
        background: tuple[int, int, int],
        tight: bool = False,
        **anchor: object,
    ) -> pygame.Rect:
        image = text_image(font, text, color, background, tight)
        rect = image.get_rect(**anchor)
        surface.blit(image, rect)
        self.placed[name] = Placed(text, rect, font, color, background, tight)
        return rect

    def _title_key(self, f: _Frame) -> object:
        s = f.state
        return (s.office_name, s.site_name, s.open_now, s.hours_today)

    def _paint_title(self, surface: pygame.Surface, rect: pygame.Rect, f: _Frame) -> None:
        surface.fill(BG, rect)
        h = self.layout.height
        s = f.state
        site = s.site_name or " "
        font = self.fonts.fit(site, True, h // 17, rect.width)
        r = self._put(
            surface,
            "title.site",
            site,
            font,
            TEXT,
            BG,
            tight=True,
            bottomleft=(rect.x, rect.bottom - h // 45),
        )
        office = s.office_name or " "
        font = self.fonts.fit(office, False, h // 36, rect.width)
        self._put(
            surface,
            "title.office",
            office,
            font,
            MUTED,
            BG,
            tight=True,
            bottomleft=(rect.x, r.top - h // 60),
        )

    def _clock_key(self, f: _Frame) -> object:
        local = f.local_time()
        return (local.date(), local.hour, local.minute)

    def _paint_clock(self, surface: pygame.Surface, rect: pygame.Rect, f: _Frame) -> None:
        surface.fill(BG, rect)
        h = self.layout.height
        local = f.local_time()
        time_text = i18n.format_time(local, self.lang)
        date_text = i18n.format_date(local.date(), self.lang)
        font = self.fonts.fit(date_text, False, h // 36, rect.width)
        r = self._put(
            surface,
            "clock.date",
            date_text,
            font,
            MUTED,
            BG,
            tight=True,
            bottomright=(rect.right, rect.bottom - h // 45),
        )
        font = self.fonts.fit(time_text, True, h // 17, rect.width)
        self._put(
            surface,
            "clock.time",
            time_text,
            font,
            TEXT,
            BG,
            tight=True,
            bottomright=(rect.right, r.top - h // 60),
        )

    def _indicator_key(self, f: _Frame) -> object:
        return (f.state.connected, f.state.synced, f.state.refused)

    def _paint_indicator(self, surface: pygame.Surface, rect: pygame.Rect, f: _Frame) -> None:
        surface.fill(BG, rect)
        s = f.state
        if s.connected and s.synced:
            radius = max(4, self.layout.height // 160)  # a small green dot: all is well
            pygame.draw.circle(surface, OK, (rect.right - radius * 2, rect.centery), radius)
            return
        if s.refused:
            text = self.t("refused")
        else:
            text = self.t("offline") if not s.connected else self.t("connecting")
        font = self.fonts.fit(text, True, self.layout.height // 40, rect.width)
        box = pygame.Rect((0, 0), font.size(text)).inflate(self.layout.margin, self.layout.margin)
        box.midright = (rect.right, rect.centery)
        pygame.draw.rect(surface, ALERT, box, border_radius=self.layout.margin // 2)
        self._put(surface, "indicator.text", text, font, TEXT, ALERT, center=box.center)

    def _current_key(self, f: _Frame) -> object:
        c = f.state.current
        phase = int(f.now * 2) % 2 if f.state.highlighted(f.now) else -1
        data = (c.number, c.counter_number, c.priority, c.kind, c.key) if c else None
        s = f.state
        offline = None if c else (s.connected, s.refused)  # said in the panel only when empty
        return (data, phase, s.open_now, s.hours_today, offline)

    def _paint_current(self, surface: pygame.Surface, rect: pygame.Rect, f: _Frame) -> None:
        s = f.state
        h = self.layout.height
        m = self.layout.margin
        lit = s.highlighted(f.now) and int(f.now * 2) % 2 == 0
        bg = HIGHLIGHT if lit else PANEL
        fg = ON_HIGHLIGHT if lit else TEXT
        number_color = ON_HIGHLIGHT if lit else ACCENT
        surface.fill(BG, rect)
        pygame.draw.rect(surface, bg, rect, border_radius=h // 60)
        pygame.draw.rect(surface, PANEL_EDGE, rect, width=max(2, h // 360), border_radius=h // 60)
        inner = rect.inflate(-2 * m, -2 * m)
        label = self.t("now_calling")
        font = self.fonts.fit(label, True, h // 20, inner.width)
        top = self._put(
            surface,
            "current.label",
            label,
            font,
            fg,
            bg,
            tight=True,
            midtop=(inner.centerx, inner.y),
        ).bottom
        call = s.current
        if call is None:
            text = self.t("closed") if s.open_now is False else self.t("no_call_yet")
            font = self.fonts.fit(text, True, h // 14, inner.width)
            below = self._put(surface, "current.empty", text, font, MUTED, bg, center=rect.center)
            if s.refused or not s.connected:  # the offline screen: say why, and that it retries
                text = self.t("refused") if s.refused else self.t("offline_retrying")
                font = self.fonts.fit(text, True, h // 24, inner.width)
                self._put(
                    surface,
                    "current.offline",
                    text,
                    font,
                    TEXT,
                    bg,
                    midtop=(rect.centerx, below.bottom + m),
                )
            return
        bottom = inner.bottom
        badges = []
        if call.priority:
            badges.append(self.t("priority"))
        if call.kind == RECALL:
            badges.append(self.t("recall"))
        elif call.kind == DOCUMENT_READY:
            badges.append(self.t("document_ready"))
        if badges:
            text = "  ·  ".join(badges)
            font = self.fonts.fit(text, True, h // 26, inner.width - 2 * m)
            box = pygame.Rect((0, 0), font.size(text)).inflate(2 * m, m // 2)
            box.midbottom = (inner.centerx, bottom)
            color = PRIORITY if call.priority else PANEL_EDGE
            pygame.draw.rect(surface, color, box, border_radius=h // 90)
            self._put(surface, "current.badge", text, font, TEXT, color, center=box.center)
            bottom = box.top - m
        counter = self.t("counter", number=call.counter_number)
        font = self.fonts.fit(counter, True, h // 11, inner.width)
        bottom = self._put(
            surface,
            "current.counter",
            counter,
            font,
            fg,
            bg,
            tight=True,
            midbottom=(inner.centerx, bottom),
        ).top
        # digits are about 0.73 of the font size tall: fill the space left, up to 27 % of h
        size = min(int(h * 0.3), int((bottom - top - 2 * m) / 0.75))
        font = self.fonts.fit(call.number, True, size, inner.width)
        self._put(
            surface,
            "current.number",
            call.number,
            font,
            number_color,
            bg,
            tight=True,
            center=(inner.centerx, (top + bottom) // 2),
        )

    def _recent_key(self, f: _Frame) -> object:
        return tuple((c.number, c.counter_number, c.priority) for c in f.state.recent)

    def _paint_recent(self, surface: pygame.Surface, rect: pygame.Rect, f: _Frame) -> None:
        h = self.layout.height
        m = self.layout.margin
        surface.fill(BG, rect)
        pygame.draw.rect(surface, PANEL, rect, border_radius=h // 60)
        title = self.t("last_calls")
        font = self.fonts.fit(title, True, h // 30, rect.width - 2 * m)
        top = (
            self._put(
                surface,
                "recent.title",
                title,
                font,
                MUTED,
                PANEL,
                midtop=(rect.centerx, rect.y + m),
            ).bottom
            + m // 2
        )
        limit = max(1, len(f.state.recent))
        row_h = min((rect.bottom - m - top) // max(limit, 5), h // 10)
        for i, call in enumerate(f.state.recent):
            row = pygame.Rect(rect.x + m, top + i * row_h, rect.width - 2 * m, row_h)
            if row.bottom > rect.bottom:
                break
            if i % 2 == 0:
                pygame.draw.rect(surface, BG, row, border_radius=h // 120)
            bg = BG if i % 2 == 0 else PANEL
            font = self.fonts.get(True, int(row_h * 0.62))
            color = PRIORITY if call.priority else ACCENT
            self._put(
                surface,
                f"recent.{i}.number",
                call.number,
                font,
                color,
                bg,
                midleft=(row.x + m, row.centery),
            )
            text = self.t("counter_short", number=call.counter_number)
            font = self.fonts.fit(text, False, int(row_h * 0.5), row.width // 2)
            self._put(
                surface,
                f"recent.{i}.counter",
                text,
                font,
                TEXT,
                bg,
                midright=(row.right - m, row.centery),
            )

    def _tiles_key(self, f: _Frame) -> object:
        return tuple((t.id, t.number, t.current, t.priority) for t in f.state.counters.values())

    def _paint_tiles(self, surface: pygame.Surface, rect: pygame.Rect, f: _Frame) -> None:
        h = self.layout.height
        surface.fill(BG, rect)
        tiles = list(f.state.counters.values())
        for tile, box in zip(tiles, self.layout.tile_rects(len(tiles)), strict=True):
            pygame.draw.rect(surface, PANEL, box, border_radius=h // 90)
            edge = PRIORITY if tile.priority else PANEL_EDGE
            pygame.draw.rect(surface, edge, box, width=max(2, h // 270), border_radius=h // 90)
            name = self.t("counter", number=tile.number)
            font = self.fonts.fit(name, True, int(box.height * 0.24), box.width - h // 50)
            top = self._put(
                surface,
                f"tiles.{tile.id}.name",
                name,
                font,
                MUTED,
                PANEL,
                midtop=(box.centerx, box.y + box.height // 12),
            ).bottom
            text = tile.current or self.t("tile_idle")
            font = self.fonts.fit(text, True, int(box.height * 0.5), box.width - h // 50)
            self._put(
                surface,
                f"tiles.{tile.id}.current",
                text,
                font,
                ACCENT if tile.current else MUTED,
                PANEL,
                center=(box.centerx, (top + box.bottom) // 2),
            )

    def _services_key(self, f: _Frame) -> object:
        return (tuple((s.code, s.name, s.prefix, s.waiting) for s in f.state.services),)

    def _paint_services(self, surface: pygame.Surface, rect: pygame.Rect, f: _Frame) -> None:
        h = self.layout.height
        m = self.layout.margin
        surface.fill(BG, rect)
        label = self.t("waiting")
        font = self.fonts.get(True, int(rect.height * 0.3))
        x = (
            self._put(
                surface, "services.label", label, font, MUTED, BG, midleft=(rect.x, rect.centery)
            ).right
            + m
        )
        services = f.state.services
        if not services:
            return
        w = (rect.right - x - m * (len(services) - 1)) // len(services)
        names = [f"{svc.prefix} · {svc.name}" if svc.prefix else svc.name for svc in services]
        size = min(self.fonts.fit_size(n, False, int(rect.height * 0.26), w - m) for n in names)
        name_font = self.fonts.get(False, size)  # one size for all: the longest name decides
        count_font = self.fonts.get(True, int(rect.height * 0.48))
        for i, (svc, name) in enumerate(zip(services, names, strict=True)):
            box = pygame.Rect(x + i * (w + m), rect.y, w, rect.height)
            pygame.draw.rect(surface, PANEL, box, border_radius=h // 120)
            top = self._put(
                surface,
                f"services.{svc.code}.name",
                name,
                name_font,
                MUTED,
                PANEL,
                tight=True,
                midtop=(box.centerx, box.y + rect.height // 10),
            ).bottom
            self._put(
                surface,
                f"services.{svc.code}",
                str(svc.waiting),
                count_font,
                ACCENT if svc.waiting else TEXT,
                PANEL,
                tight=True,
                center=(box.centerx, (top + box.bottom) // 2),
            )

    def set_running_text(self, text: str | None) -> None:
        """The office's running text from the server (None: this board's default)."""
        wanted = text or self.default_running_text
        if wanted != self.running_text:
            self.running_text = wanted
            self._ticker_surface = None

    def _ticker_key(self, f: _Frame) -> object:
        return int(self._ticker_x(f.now)) if self.running_text else None

    def _ticker_x(self, now: float) -> float:
        image = self._ticker_image()
        span = image.get_width() + self.layout.ticker.width
        return self.layout.ticker.right - (now * self._ticker_speed) % span

    def _ticker_image(self) -> pygame.Surface:
        if self._ticker_surface is None:
            font = self.fonts.get(True, int(self.layout.ticker.height * 0.55))
            self._ticker_surface = font.render(self.running_text, True, TICKER_TEXT, TICKER_BG)
        return self._ticker_surface

    def _paint_ticker(self, surface: pygame.Surface, rect: pygame.Rect, f: _Frame) -> None:
        surface.fill(TICKER_BG, rect)
        if not self.running_text:
            return
        image = self._ticker_image()
        surface.blit(image, image.get_rect(midleft=(int(self._ticker_x(f.now)), rect.centery)))


@dataclass(frozen=True)
class _Frame:
    state: BoardState
    now: float  # monotonic seconds
    wall: datetime  # this machine's clock, aware

    def local_time(self) -> datetime:
        # before the first snapshot: this machine's own zone
        return self.state.server_now(self.wall).astimezone(self.state.zone)
