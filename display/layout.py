"""Where each part of the board goes, computed from the screen size alone.

Sizes are fractions of the height (text) and width (columns), so 1920x1080, 1366x768 and
1280x720 get the same picture; the current number takes about a quarter of the height, which
keeps it readable from the back of a waiting room.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    margin: int
    header: pygame.Rect
    title: pygame.Rect  # office and site name
    clock: pygame.Rect  # time and date
    indicator: pygame.Rect  # connection state, between title and clock
    current: pygame.Rect
    recent: pygame.Rect
    tiles: pygame.Rect
    services: pygame.Rect
    ticker: pygame.Rect

    def tile_rects(self, count: int) -> list[pygame.Rect]:
        """One tile per counter, in up to two rows."""
        if count <= 0:
            return []
        rows = 1 if count <= 6 else 2
        per_row = -(-count // rows)
        gap = self.margin
        h = (self.tiles.height - gap * (rows - 1)) // rows
        w = (self.tiles.width - gap * (per_row - 1)) // per_row
        out = []
        for i in range(count):
            r, c = divmod(i, per_row)
            out.append(
                pygame.Rect(self.tiles.x + c * (w + gap), self.tiles.y + r * (h + gap), w, h)
            )
        return out


def compute_layout(width: int, height: int) -> Layout:
    m = max(8, height // 54)
    header_h = round(height * 0.11)
    ticker_h = round(height * 0.07)
    services_h = round(height * 0.1)
    tiles_h = round(height * 0.15)
    header = pygame.Rect(0, 0, width, header_h)
    ticker = pygame.Rect(0, height - ticker_h, width, ticker_h)
    services = pygame.Rect(m, ticker.top - m - services_h, width - 2 * m, services_h)
    tiles = pygame.Rect(m, services.top - m - tiles_h, width - 2 * m, tiles_h)
    body_top = header.bottom + m
    body_h = tiles.top - m - body_top
    current_w = round((width - 3 * m) * 0.6)
    current = pygame.Rect(m, body_top, current_w, body_h)
    recent = pygame.Rect(current.right + m, body_top, width - current.right - 2 * m, body_h)
    clock_w = round(width * 0.3)
    clock = pygame.Rect(width - m - clock_w, 0, clock_w, header_h)
    indicator_w = round(width * 0.18)
    indicator = pygame.Rect(clock.left - indicator_w - m, 0, indicator_w, header_h)
    title = pygame.Rect(m, 0, indicator.left - 2 * m, header_h)
    return Layout(
        width, height, m, header, title, clock, indicator, current, recent, tiles, services, ticker
    )
