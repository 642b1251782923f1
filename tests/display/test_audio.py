"""Playback through pygame.mixer with SDL's disk audio driver: what really went out."""

from __future__ import annotations

import array
import math
import os
import queue
import time
import wave
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pygame
import pytest

from display.announce import Announcer
from display.app import Board
from display.render import BoardRenderer
from display.state import BoardState
from display.voicepack import VoicePack
from hardware.audio import MixerPlayer
from tests.display import payloads

RATE = 22050
AMPLITUDE = 10000
TONES = {"a": 440.0, "b": 660.0, "c": 990.0}


def _tone_pack(folder: Path, seconds: float = 0.3) -> dict[str, Path]:
    """Clips that are pure tones, so the output shows which clip played when."""
    clips = {}
    for name, freq in TONES.items():
        path = folder / f"{name}.wav"
        n = int(RATE * seconds)
        data = array.array(
            "h", (int(AMPLITUDE * math.sin(2 * math.pi * freq * i / RATE)) for i in range(n))
        )
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(data.tobytes())
        clips[name] = path
    return clips


def _samples(path: Path) -> array.array:
    out = array.array("h")
    with wave.open(str(path), "rb") as w:
        out.frombytes(w.readframes(w.getnframes()))
    return out


@pytest.fixture
def disk_output(tmp_path: Path) -> Iterator[Path]:
    """Route the mixer to a file; the file holds every sample SDL played."""
    out = tmp_path / "played.raw"
    os.environ["SDL_DISKAUDIOFILE"] = str(out)
    yield out
    if pygame.mixer.get_init():
        pygame.mixer.quit()
    os.environ["SDL_DISKAUDIOFILE"] = os.devnull


def _play_out(player: MixerPlayer) -> None:
    """Pump as the board's loop would, until everything was said, then close the device."""
    deadline = time.monotonic() + 60
    while player.busy and time.monotonic() < deadline:
        player.pump()
        time.sleep(0.005)
    # SDL's disk driver writes at the pace of a real device and may trail the mixer on a busy
    # machine: keep the device open until the last announcement has had its full length.
    if player.history:  # they play back to back from the first hand-over
        end = player.history[0].handed_at + sum(h.seconds for h in player.history)
        time.sleep(max(0.0, end - time.perf_counter()))
    time.sleep(0.3)
    player.close()


def _read_raw(path: Path) -> array.array:
    data = array.array("h")
    data.frombytes(path.read_bytes())
    return data


def _runs(data: array.array, window: int = 110) -> list[tuple[int, int]]:
    """(start, end) sample ranges of sound, split wherever 5 ms or more are silent."""
    runs: list[tuple[int, int]] = []
    start = None
    for i in range(0, len(data), window):
        loud = max((abs(s) for s in data[i : i + window]), default=0) > 0
        if loud and start is None:
            start = i
        elif not loud and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(data)))
    return runs


def test_burst_is_played_in_order_one_at_a_time(tmp_path: Path, disk_output: Path) -> None:
    clips = _tone_pack(tmp_path)
    player = MixerPlayer(clips, gap_seconds=0.25)
    player.open()
    assert pygame.mixer.get_init() == (RATE, -16, 1)
    burst = [["a", "b"], ["c"], ["b", "a"]]
    items = [player.announce(b) for b in burst]
    _play_out(player)

    assert [h.clips for h in player.history] == [tuple(b) for b in burst]
    assert all(i.handed_at is not None for i in items)
    out = _read_raw(disk_output)
    runs = _runs(out)
    assert len(runs) == 3, runs  # three announcements, apart: none overlapped another
    tone = {k: _samples(p) for k, p in clips.items()}
    for (start, _), words in zip(runs, burst, strict=True):
        expected = array.array("h")
        for w in words:
            expected.extend(tone[w])
        # bit for bit what the clips hold, in order: nothing cut, mixed or dropped
        first = next(i for i in range(start, start + 110) if out[i] != 0)
        lead = first - next(i for i in range(len(expected)) if expected[i] != 0)
        assert out[lead : lead + len(expected)] == expected
    gaps = [b[0] - a[1] for a, b in zip(runs, runs[1:], strict=False)]
    assert all(g >= int(0.25 * RATE) - 220 for g in gaps), gaps


def test_recall_is_spoken_again_and_missing_clips_are_skipped(
    tmp_path: Path, disk_output: Path
) -> None:
    player = MixerPlayer(_tone_pack(tmp_path, seconds=0.1), gap_seconds=0.1)
    player.open()
    player.announce(["a", "nope"])
    second = player.announce(["a", "nope"])
    _play_out(player)
    assert len(player.history) == 2 and second.skipped == ("nope",)
    assert len(_runs(_read_raw(disk_output))) == 2


@pytest.mark.slow  # over a few seconds
def test_board_speaks_a_burst_of_calls_with_the_espeak_pack(
    espeak_pack: Path, disk_output: Path
) -> None:
    pygame.font.init()
    player = MixerPlayer(VoicePack.load(espeak_pack).clips, gap_seconds=0.3)
    player.open()
    inbox: queue.Queue = queue.Queue()
    board = Board(BoardState(), BoardRenderer((640, 360)), Announcer(), player, inbox)
    calls = [("A012", 3), ("B004", 1), ("A013", 2)]
    t0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone(timedelta(hours=7)))
    for i, (number, counter) in enumerate(calls):
        inbox.put(("ticket_called", payloads.call(number, counter, t0 + timedelta(minutes=i))))
    board.drain()
    assert player.pending + len(player.history) == 3
    expected_seconds = sum(h.seconds for h in [*player.history, *player._pending])
    _play_out(player)
    spoken = [h.clips for h in player.history]
    assert spoken == [tuple(Announcer().compose(n, c)) for n, c in calls]
    out = _read_raw(disk_output)
    assert len(out) / RATE >= expected_seconds  # the device ran at least as long as the speech
    loud = sum(1 for s in out if abs(s) > 500)
    assert loud / RATE > 0.3 * expected_seconds  # speech, not silence
    pygame.font.quit()


def test_the_player_keeps_bounded_lists_for_months_of_calls(
    tmp_path: Path, disk_output: Path
) -> None:
    """Each announcement holds its sound: neither the waiting list nor the history may grow
    with the calls (the board once kept every sound it ever said)."""
    player = MixerPlayer(
        _tone_pack(tmp_path, seconds=0.1), gap_seconds=0.0, history=3, max_pending=4
    )
    player.open()
    burst = [player.announce([name]) for name in "abcabcab"]  # faster than they are said
    handed = len(player.history)  # playing, or queued on the channel behind it
    assert player.pending == 4  # the bound
    assert player.dropped == len(burst) - handed - 4  # the oldest waiting ones
    _play_out(player)
    assert list(player.history) == [burst[-3], burst[-2], burst[-1]]  # the newest were said
    assert player.pending == 0


def test_the_board_remembers_a_bounded_number_of_announcements() -> None:
    from display.app import SPOKEN_KEPT

    board = Board(BoardState(), BoardRenderer((320, 240)), Announcer(), None, queue.Queue())
    t0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone(timedelta(hours=7)))
    for i in range(SPOKEN_KEPT + 5):
        board.handle("ticket_called", payloads.call(f"A{i + 1:03d}", 1, t0))
    assert len(board.spoken) == SPOKEN_KEPT
    assert board.spoken[-1][0].number == f"A{SPOKEN_KEPT + 5:03d}"
