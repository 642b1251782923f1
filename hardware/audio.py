"""The board's sound: announcements played one after another through pygame.mixer.

One reserved mixer channel and one FIFO queue: an announcement starts only when the channel is
idle, or is queued behind the one playing (``Channel.queue`` holds one sound and starts it the
moment the current one ends), so calls never overlap, never cut each other off, and a burst is
spoken in order without dropping one (up to ``MAX_PENDING`` waiting). Each announcement is its
clips joined into one Sound, followed by a short silence so two calls do not run together.

The player is injected into the board; ``announce`` and ``pump`` belong to the main thread
(the one that owns pygame). Tests run it with SDL's ``disk`` audio driver.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402

log = logging.getLogger(__name__)

FREQUENCY = 22050  # the rate of the default espeak-ng pack: no resampling of speech
SAMPLE_BYTES = 2  # signed 16-bit
# Bounds that keep a board's memory flat for months. Each announcement holds its joined PCM
# (about 0.25 MB for 5-6 s of speech at 22050 Hz), so neither list may grow with the calls.
HISTORY = 20  # announcements kept after being handed to the mixer, without their sound
MAX_PENDING = 30  # announcements waiting to be said: about three minutes of speech; beyond
# that the oldest waiting one is dropped (a call said minutes late helps nobody)


@dataclass
class Announcement:
    clips: tuple[str, ...]
    sound: pygame.mixer.Sound | None  # None once said: the history keeps no sound data
    seconds: float
    enqueued_at: float
    handed_at: float | None = None  # when the mixer got it (played or queued on the channel)
    skipped: tuple[str, ...] = field(default=())  # clips the pack lacked


class MixerPlayer:
    """Plays announcements (lists of clip names) from a voice pack through pygame.mixer."""

    def __init__(
        self,
        clips: dict[str, Path],
        *,
        volume: float = 1.0,
        gap_seconds: float = 0.6,
        channels: int = 1,
        buffer: int = 512,
        on_handed: Callable[[Announcement], None] | None = None,
        history: int = HISTORY,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._files = dict(clips)
        self._volume = max(0.0, min(1.0, volume))
        self._gap_seconds = gap_seconds
        self._channels = channels
        self._buffer = buffer
        self._on_handed = on_handed
        self._raw: dict[str, bytes] = {}
        self._pending: deque[Announcement] = deque()
        self._max_pending = max(1, max_pending)
        self._on_channel: deque[Announcement] = deque()  # playing, then the one queued
        self._channel: pygame.mixer.Channel | None = None
        self._owns_mixer = False
        self.dropped = 0  # announcements dropped because MAX_PENDING were already waiting
        # the last ``history`` announcements handed to the mixer, oldest first
        self.history: deque[Announcement] = deque(maxlen=max(1, history))

    # --- life cycle ---------------------------------------------------------------------
    def open(self) -> None:
        """Start the mixer (unless already started) and decode every clip once."""
        if not pygame.mixer.get_init():
            pygame.mixer.init(FREQUENCY, -8 * SAMPLE_BYTES, self._channels, self._buffer)
            self._owns_mixer = True
        freq, size, channels = pygame.mixer.get_init()
        self._frame_bytes = abs(size) // 8 * channels
        self._frames_per_second = freq
        pygame.mixer.set_reserved(1)
        self._channel = pygame.mixer.Channel(0)
        self._channel.set_volume(self._volume)
        for name, path in self._files.items():
            try:
                self._raw[name] = pygame.mixer.Sound(str(path)).get_raw()
            except (pygame.error, FileNotFoundError) as exc:
                log.warning("clip %s (%s) unusable: %s", name, path, exc)

    def stop(self) -> None:
        """Silence now and forget what was waiting (shutting down; measuring latency)."""
        if self._channel is not None:
            self._channel.stop()
        self._pending.clear()
        self._finished(len(self._on_channel))

    def close(self) -> None:
        self.stop()
        if self._owns_mixer and pygame.mixer.get_init():
            pygame.mixer.quit()
        self._owns_mixer = False
        self._channel = None

    # --- main-thread API ----------------------------------------------------------------
    def announce(self, clips: Sequence[str]) -> Announcement:
        """Queue one announcement; it is spoken after every one queued before it."""
        if self._channel is None:
            raise RuntimeError("MixerPlayer.open() first")
        parts, skipped = [], []
        for name in clips:
            raw = self._raw.get(name)
            if raw is None:
                skipped.append(name)
            else:
                parts.append(raw)
        if skipped:
            log.warning("announcement without clips %s", ", ".join(skipped))
        gap = int(self._gap_seconds * self._frames_per_second) * self._frame_bytes
        data = b"".join(parts) + bytes(gap)
        sound = pygame.mixer.Sound(buffer=data)
        seconds = len(data) / self._frame_bytes / self._frames_per_second
        item = Announcement(tuple(clips), sound, seconds, time.perf_counter(), None, tuple(skipped))
        if len(self._pending) >= self._max_pending:
            late = self._pending.popleft()
            self.dropped += 1
            log.warning("%d announcements waiting: dropped %s", len(self._pending) + 1, late.clips)
        self._pending.append(item)
        self.pump()
        return item

    def pump(self) -> None:
        """Hand the next announcement to the mixer when the channel can take it; call often."""
        channel = self._channel
        if channel is None:
            return
        busy = channel.get_busy()
        if not busy:
            self._finished(len(self._on_channel))
        elif self._on_channel and channel.get_queue() is None and len(self._on_channel) > 1:
            self._finished(1)  # the queued one has started
        if not self._pending:
            return
        if not busy:
            item = self._pending.popleft()
            channel.play(item.sound)
        elif channel.get_queue() is None and len(self._on_channel) == 1:
            item = self._pending.popleft()
            channel.queue(item.sound)
        else:
            return
        item.handed_at = time.perf_counter()
        self._on_channel.append(item)
        self.history.append(item)
        if self._on_handed:
            self._on_handed(item)

    def _finished(self, n: int) -> None:
        """The first ``n`` announcements on the channel were said: let their sound go."""
        for _ in range(min(n, len(self._on_channel))):
            self._on_channel.popleft().sound = None

    @property
    def busy(self) -> bool:
        """Something is being said or waits to be said."""
        return bool(self._pending) or bool(self._channel and self._channel.get_busy())

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def loaded(self) -> int:
        """Clips decoded and ready to be said."""
        return len(self._raw)

    def set_volume(self, volume: float) -> None:
        self._volume = max(0.0, min(1.0, volume))
        if self._channel is not None:
            self._channel.set_volume(self._volume)
