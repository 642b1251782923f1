"""The board's loop: drain the network inbox, update state, speak, draw what changed.

Only this thread touches pygame. It sleeps in ``pygame.event.wait`` until the next thing that
must move on screen (running text, a blink, the clock's minute) or until the network worker
posts a wake-up event, so an idle board costs little CPU and a call is spoken at once.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

import pygame

from devicelink.health import software_version, uptime_seconds
from display import network
from display.announce import Announcer
from display.render import BoardRenderer
from display.state import BoardState, Call
from sahaja import protocol
from sahaja.protocol import HealthReport

log = logging.getLogger(__name__)

WAKE = pygame.event.custom_type()
SPOKEN_KEPT = 50  # announcements remembered by the loop; older ones are forgotten


class Player(Protocol):
    """What the board needs of a sound player (hardware.audio.MixerPlayer)."""

    def announce(self, clips: list[str]) -> object: ...
    def pump(self) -> None: ...


class Board:
    """State, renderer and player wired together; ``step`` is one frame, ``run`` the loop."""

    def __init__(
        self,
        state: BoardState,
        renderer: BoardRenderer,
        announcer: Announcer,
        player: Player | None,
        inbox: queue.Queue,
        *,
        fps: int = 30,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        voice_clips: int = 0,
    ) -> None:
        self.state = state
        self.renderer = renderer
        self.announcer = announcer
        self.player = player
        self.inbox = inbox
        self.fps = fps
        self.clock = clock
        self.wall = wall
        self.running = True
        self.voice_clips = voice_clips  # clips in the voice pack (health: all decoded?)
        self.voice_failures = 0  # announcements that lacked a clip
        self.frames = 0  # frames that repainted something (for the benchmark)
        # the last SPOKEN_KEPT announcements made, oldest first (tests, logs)
        self.spoken: deque[tuple[Call, list[str]]] = deque(maxlen=SPOKEN_KEPT)

    def handle(self, kind: str, payload: object) -> None:
        """Apply one message from the network worker; speak the calls it brings."""
        s, now = self.state, self.clock()
        calls: list[Call] = []
        if kind == protocol.SNAPSHOT:
            calls = s.apply_snapshot(payload, now, self.wall())
            self.renderer.set_running_text(s.running_text)
        elif kind == protocol.TICKET_CALLED:
            calls = s.apply_call(payload, now)
        elif kind == protocol.QUEUE_CHANGED:
            s.apply_queue(payload)
        elif kind == protocol.COUNTER_CHANGED:
            s.apply_counter(payload)
        elif kind == protocol.DAY_ROLLED:
            s.day_rolled()
        elif kind == network.CONNECTED:
            s.set_connected(True)
        elif kind == network.DISCONNECTED:
            s.set_connected(False)
        elif kind == network.OFFICE and isinstance(payload, dict):
            s.office_name = payload.get("name") or s.office_name
            s.set_timezone(payload.get("timezone"))
            s.version += 1
        elif kind == network.REFUSED:
            log.error("server refused the display token: %s", payload)
            s.set_refused(str(payload))
        for call in calls:
            self.speak(call)

    def health(self) -> HealthReport:
        """The board's health report (read from the reporter's thread: plain reads only)."""
        s, player = self.state, self.player
        if player is None:
            voice = "voice off"
        else:
            loaded = getattr(player, "loaded", "?")
            pending = getattr(player, "pending", 0)
            dropped = getattr(player, "dropped", 0)
            voice = f"voice {loaded} clips, {pending} waiting, {dropped} dropped"
        detail = f"{voice}; refused: {s.refused}" if s.refused else voice
        current = s.current
        return {
            "connected": bool(s.connected and s.synced),
            "printer": "unknown",  # a board has no printer
            "last_ticket": current.number if current else None,
            "detail": detail,
            "version": software_version(),
            "uptime_seconds": uptime_seconds(),
            "audio": "off" if player is None else "ok",
            "voice_pack": self.voice_pack_state(),
        }

    def voice_pack_state(self) -> str:
        """ "failed" when clips of the pack could not be decoded or an announcement lacked
        clips (numbers are then not called aloud in full); "none" without sound."""
        player = self.player
        if player is None:
            return "none"
        loaded = getattr(player, "loaded", None)
        if self.voice_failures or (
            self.voice_clips and loaded is not None and loaded < self.voice_clips
        ):
            return "failed"
        return "ok"

    def speak(self, call: Call) -> None:
        clips = self.announcer.compose(call.number, call.counter_number, call.kind)
        self.spoken.append((call, clips))
        if self.player is not None:
            said = self.player.announce(clips)
            if getattr(said, "skipped", ()):
                self.voice_failures += 1  # reported as a failed voice pack (health)

    def drain(self) -> int:
        """Everything the worker queued since the last frame, in arrival order."""
        n = 0
        while True:
            try:
                kind, payload = self.inbox.get_nowait()
            except queue.Empty:
                return n
            try:
                self.handle(kind, payload)
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("ignored malformed %s: %s", kind, exc)
            n += 1

    def step(self, surface: pygame.Surface) -> list[pygame.Rect]:
        """One frame without waiting: messages, sound, drawing of what changed."""
        self.drain()
        if self.player is not None:
            self.player.pump()
        return self.renderer.draw(surface, self.state, self.clock(), self.wall())

    def run(self, surface: pygame.Surface) -> None:
        """Until quit: sleep until something is due or arrives, then one frame."""
        frame = 1.0 / self.fps
        last = 0.0
        while self.running:
            due = self.renderer.next_change(self.state, self.clock(), self.wall(), self.fps)
            if self.player is not None and getattr(self.player, "busy", False):
                due = min(due, 0.05)  # keep chaining announcements promptly
            wait_ms = max(0, int(max(due, last + frame - self.clock()) * 1000))
            event = pygame.event.wait(min(wait_ms, 1000)) if wait_ms else pygame.event.poll()
            while event.type != pygame.NOEVENT:
                if event.type == pygame.QUIT or (
                    event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_q)
                ):
                    self.running = False
                elif event.type in (pygame.VIDEOEXPOSE, pygame.WINDOWRESTORED):
                    self.renderer.invalidate()
                event = pygame.event.poll()
            dirty = self.step(surface)
            last = self.clock()
            if dirty:
                self.frames += 1
                pygame.display.update(dirty)


def post_wake() -> None:
    """Called by the network thread: wakes the loop (SDL's event queue is thread-safe)."""
    # A full queue or a pygame shutting down: the next frame drains the inbox anyway.
    with contextlib.suppress(pygame.error):
        pygame.event.post(pygame.event.Event(WAKE))
