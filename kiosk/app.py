"""The kiosk's loop: touches in, worker results drained, a frame drawn only when it changed.

Only this thread touches pygame. The network and printer workers get commands from the state
machine and answer through ``results``, drained once per frame; the loop never waits on them.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import time
from datetime import UTC, datetime

import pygame

from devicelink.systemd import SystemdNotifier
from hardware.printer import TicketPrinter
from kiosk import layout as lay
from kiosk import messages as m
from kiosk import state as st
from kiosk.draw import Painter
from kiosk.printer_worker import PrinterWorker
from kiosk.server_link import ServerLink
from kiosk.settings import KioskSettings

log = logging.getLogger(__name__)


class KioskApp:
    def __init__(
        self,
        settings: KioskSettings,
        printer: TicketPrinter,
        *,
        link: ServerLink | None = None,
    ) -> None:
        self.settings = settings
        self.results: queue.Queue = queue.Queue()
        self.state = st.KioskState(
            lang=settings.lang,
            public_url=settings.public_url or "",
            server_url=settings.server_url,
            health_every=settings.health_seconds,
        )
        self.link = link or ServerLink(settings.server_url, settings.token, self.results)
        self.link.results = self.results
        self.printer = PrinterWorker(printer, self.results)
        self.running = False
        self.surface: pygame.Surface | None = None
        self.painter: Painter | None = None
        self.targets: list[lay.Target] = []
        self.frames = 0  # frames painted, for tests and the benchmark
        self.last_touch: float | None = None
        self._painted: tuple[int, int] | None = None  # (state version, wall minute)
        self._early: list[object] = []  # results that woke the loop before the frame ended

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption("Sahaja Lekat")
        if self.settings.fullscreen:
            self.surface = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
            pygame.mouse.set_visible(False)
        else:
            self.surface = pygame.display.set_mode(self.settings.size)
        self.painter = Painter(self.surface)
        self.printer.start()
        self.link.start()
        self.running = True

    def stop(self) -> None:
        self.running = False
        self.link.stop()
        self.printer.stop()
        pygame.display.quit()

    def run(self) -> None:
        self.start()
        watchdog = SystemdNotifier()  # under systemd: restarted if this loop stops turning
        watchdog.ready()
        try:
            while self.running:
                self.step()
                watchdog.alive()
        finally:
            watchdog.stopping()
            self.stop()

    # --- one frame ----------------------------------------------------------------------

    def step(self) -> None:
        now = time.monotonic()
        for event in pygame.event.get():
            self._input(event, now)
        while self._early:
            self.apply(self._early.pop(0), now)
        while True:
            try:
                result = self.results.get_nowait()
            except queue.Empty:
                break
            self.apply(result, now)
        self.apply(st.Tick(), now)
        self._paint()
        self._idle(now)

    def _idle(self, frame_start: float) -> None:
        """Sleep out the frame, but wake at once when a worker answers.

        The issuing flow hops printer -> server -> printer through the queue; waiting a full
        frame per hop would add ~100 ms at 30 fps between a touch and the number.
        """
        budget = frame_start + 1.0 / self.settings.fps - time.monotonic()
        if budget <= 0:
            return
        with contextlib.suppress(queue.Empty):
            self._early.append(self.results.get(timeout=budget))

    def apply(self, event: object, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for command in self.state.handle(event, now):
            if isinstance(command, m.PRINTER_COMMANDS):
                self.printer.submit(command)
            elif isinstance(command, m.NETWORK_COMMANDS):
                self.link.submit(command)

    def _input(self, event: pygame.event.Event, now: float) -> None:
        pos: tuple[int, int] | None = None
        quit_key = event.type == pygame.KEYDOWN and event.key == pygame.K_q
        if event.type == pygame.QUIT or (quit_key and event.mod & pygame.KMOD_CTRL):
            self.running = False
        elif event.type == pygame.KEYDOWN:
            self._key(event, now)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            if not getattr(event, "touch", False):  # SDL also sends touches as mouse events
                pos = event.pos
        elif event.type == pygame.FINGERDOWN and self.surface is not None:
            w, h = self.surface.get_size()
            pos = (round(event.x * w), round(event.y * h))
        if pos is None:
            return
        action = lay.hit(self.targets, pos)
        if action is not None:
            self.last_touch = now
            self.apply(action, now)

    def _key(self, event: pygame.event.Event, now: float) -> None:
        """A USB barcode scanner is a keyboard: its characters, then Enter. The kiosk has
        no other keyboard, so every typed character is taken as scanner input."""
        if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.apply(st.ScanEnd(), now)
        elif event.unicode and event.unicode.isprintable() and not event.mod & pygame.KMOD_CTRL:
            self.apply(st.ScanText(event.unicode), now)

    def _paint(self) -> None:
        if self.painter is None:
            return
        wall = datetime.now(UTC)
        key = (self.state.version, wall.minute)
        if key == self._painted:
            return
        self.targets = self.painter.paint(self.state, wall)
        pygame.display.flip()
        self._painted = key
        self.frames += 1
