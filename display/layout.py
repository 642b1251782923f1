"""Where each part of the board goes, computed from the screen size alone.

Sizes are fractions of the height (text) and width (columns), so 1920x1080, 1366x768 and
1280x720 get the same picture. Everything sits inside the action-safe area (SMPTE RP 2046-1:
3.5 % in from each edge), because many TVs crop the edges of the picture (overscan). The
current call takes most of the height: the number's digits stand at least a quarter of the
screen and the counter's number nearly as much, so both read from about 15 m on a 43-inch
panel (docs/display.md has the measured sizes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    margin: int
    safe: pygame.Rect  # the action-safe area: nothing is drawn outside it but the background
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


SAFE_INSET = 0.035  # of each dimension, on each side (SMPTE RP 2046-1 action-safe area)


def compute_layout(width: int, height: int) -> Layout:
    m = max(8, height // 72)
    safe = pygame.Rect(0, 0, width, height).inflate(
        -2 * math.ceil(width * SAFE_INSET), -2 * math.ceil(height * SAFE_INSET)
    )
    header_h = round(height * 0.07)
    ticker_h = round(height * 0.05)
    services_h = round(height * 0.065)
    tiles_h = round(height * 0.085)
    header = pygame.Rect(safe.x, safe.y, safe.width, header_h)
    ticker = pygame.Rect(safe.x, safe.bottom - ticker_h, safe.width, ticker_h)
    services = pygame.Rect(safe.x, ticker.top - m - services_h, safe.width, services_h)
    tiles = pygame.Rect(safe.x, services.top - m - tiles_h, safe.width, tiles_h)
    body_top = header.bottom + m
    body_h = tiles.top - m - body_top
    current_w = round((safe.width - m) * 0.64)
    current = pygame.Rect(safe.x, body_top, current_w, body_h)
    recent = pygame.Rect(current.right + m, body_top, safe.right - current.right - m, body_h)
    clock_w = round(safe.width * 0.3)
    clock = pygame.Rect(safe.right - clock_w, safe.y, clock_w, header_h)
    indicator_w = round(safe.width * 0.18)
    indicator = pygame.Rect(clock.left - indicator_w - m, safe.y, indicator_w, header_h)
    title = pygame.Rect(safe.x, safe.y, indicator.left - m - safe.x, header_h)
    return Layout(
        width,
        height,
        m,
        safe,
        header,
        title,
        clock,
        indicator,
        current,
        recent,
        tiles,
        services,
        ticker,
    )
