"""Fonts for the pygame screens (kiosk, board): DejaVu when present, a bounded cache.

DejaVu Sans (Debian's fonts-dejavu-core) is clear at a distance and covers Indonesian; without
it pygame's bundled font stands in (scaled by ``fallback_scale``: it runs small). A screen
asks for many sizes while fitting text, so the cache keeps the ``limit`` most recently used
fonts and drops the rest. Needs pygame: imported only by the apps with a screen.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pygame

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
FONTS_KEPT = 64


class FontCache:
    def __init__(
        self, font_dir: Path = FONT_DIR, *, limit: int = FONTS_KEPT, fallback_scale: float = 1.0
    ) -> None:
        self._paths = {True: font_dir / BOLD, False: font_dir / REGULAR}
        self._limit = max(1, limit)
        self._fallback_scale = fallback_scale
        self._fonts: OrderedDict[tuple[bool, int], pygame.font.Font] = OrderedDict()

    def __len__(self) -> int:
        return len(self._fonts)

    def get(self, bold: bool, size: int) -> pygame.font.Font:
        key = (bold, max(6, int(size)))
        font = self._fonts.get(key)
        if font is not None:
            self._fonts.move_to_end(key)
            return font
        path = self._paths[bold]
        try:
            font = pygame.font.Font(str(path), key[1])
        except (FileNotFoundError, OSError):
            font = pygame.font.Font(None, round(key[1] * self._fallback_scale))
            font.set_bold(bold)
        self._fonts[key] = font
        if len(self._fonts) > self._limit:
            self._fonts.popitem(last=False)
        return font
