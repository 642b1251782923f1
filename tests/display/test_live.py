"""The board against a real ``sahaja-server`` process: follow, lose, resync, stay quiet."""

from __future__ import annotations

import queue
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pygame
import pytest
import requests

from display.announce import Announcer
from display.app import Board
from display.network import BoardLink
from display.render import BoardRenderer
from display.state import BoardState
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow


class Office:
    """The people around the board: a kiosk issuing tickets, officers pressing next."""

    def __init__(self, srv: LiveServer) -> None:
        self.srv = srv
        self.kiosk = srv.add_device("kiosk-1", "PRE", "kiosk")
        self.counters = {c: srv.add_device(f"ctr-{c}", "PRE", "counter", c) for c in ("L1", "L2")}

    def issue(self, service: str = "KTP") -> str:
        r = requests.post(
            f"{self.srv.url}/api/v1/sites/PRE/tickets",
            json={"service": service, "priority": False, "priority_category": None,
                  "request_id": str(uuid.uuid4())},
            headers={"Authorization": f"Bearer {self.kiosk}"},
            timeout=10,
        )  # fmt: skip
        assert r.status_code == 201, r.text
        return r.json()["number"]

    def press(self, counter: str, action: str = "next") -> str:
        r = requests.post(
            f"{self.srv.url}/api/v1/counters/PRE-{counter}/{action}",
            json={},
            headers={"Authorization": f"Bearer {self.counters[counter]}"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return r.json()["current"]["number"]


def wait_until(board: Board, condition: Callable[[], bool], what: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        board.drain()
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"board never {what}: state={board.state!r} spoken={board.spoken!r}")


@pytest.fixture
def headless_fonts():
    pygame.font.init()
    yield
    pygame.font.quit()


def _said(board: Board) -> list[tuple[str, bool]]:
    return [(call.number, call.recall) for call, _ in board.spoken]


def test_board_follows_survives_a_restart_and_never_repeats(tmp_path: Path, headless_fonts):
    with LiveServer(tmp_path) as srv:
        office = Office(srv)
        token = srv.add_device("board-1", "PRE", "display")
        for service in ("KTP", "KTP", "KK", "KK", "KK"):
            office.issue(service)
        inbox: queue.Queue = queue.Queue()
        state = BoardState(replay_window=timedelta(seconds=3))
        board = Board(state, BoardRenderer((1280, 720)), Announcer(), None, inbox)
        link = BoardLink(srv.url, token, inbox, retry_seconds=0.5)
        link.start()
        try:
            wait_until(board, lambda: state.synced, "synced")
            first = office.press("L1")
            wait_until(board, lambda: len(board.spoken) == 1, "announced the first call")
            assert _said(board) == [(first, False)]
            assert board.spoken[0][1] == Announcer().compose(first, 1)
            wait_until(board, lambda: state.office_name.startswith("Dinas"), "got office name")

            srv.kill()  # the server dies mid-day (power switch)...
            wait_until(board, lambda: not state.connected, "noticed the lost server")
            srv.start()  # ...and comes back with the same database
            wait_until(board, lambda: state.connected and state.synced, "resynced")
            assert state.counters["PRE-L1"].current == first
            assert state.current is not None and state.current.number == first
            assert _said(board) == [(first, False)]  # the old call was not re-announced

            second = office.press("L2")
            office.press("L1", "recall")
            wait_until(board, lambda: len(board.spoken) == 3, "announced call and recall")
            assert _said(board) == [(first, False), (second, False), (first, True)]
            waiting = lambda: sum(s.waiting for s in state.services)  # noqa: E731
            wait_until(board, lambda: waiting() == 3, "updated waiting counts")
        finally:
            link.stop()

        # the board is away while a call is made, and comes back after the replay window
        away = office.press("L2")
        time.sleep(state.replay_window.total_seconds() + 2)
        link = BoardLink(srv.url, token, inbox, retry_seconds=0.5)
        link.start()
        try:
            wait_until(board, lambda: state.counters["PRE-L2"].current == away, "showed it")
            assert len(board.spoken) == 3  # shown, not announced: it was called long ago
            surface = pygame.Surface((1280, 720))
            board.renderer.draw(surface, state, time.monotonic(), board.wall())
            assert board.renderer.placed["tiles.PRE-L2.current"].text == away
            assert board.renderer.placed["current.number"].text == away
        finally:
            link.stop()


def test_sahaja_display_process_speaks_a_call(tmp_path: Path, espeak_pack: Path) -> None:
    """The console script end to end: real server, real board process, audio to a file."""
    import array
    import os
    import signal
    import subprocess
    import sys

    played = tmp_path / "played.raw"
    with LiveServer(tmp_path) as srv:
        office = Office(srv)
        token = srv.add_device("board-1", "PRE", "display")
        office.issue()
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "disk",
               "SDL_DISKAUDIOFILE": str(played), "SAHAJA_DISPLAY_TOKEN": token}  # fmt: skip
        cmd = [sys.executable, "-m", "display.cli", "--server", srv.url, "--size", "640x360",
               "--voice-pack", str(espeak_pack)]  # fmt: skip
        log = tmp_path / "board.log"
        with log.open("w") as err:
            proc = subprocess.Popen(cmd, env=env, stderr=err)
        try:
            deadline = time.monotonic() + 20
            while not played.exists() and time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.05)
            time.sleep(1.0)  # let it connect; a call before the snapshot is in it anyway
            office.press("L1")
            loud = 0
            while loud < 22050 // 2 and time.monotonic() < deadline + 20:
                samples = array.array("h")
                data = played.read_bytes()
                samples.frombytes(data[: len(data) // 2 * 2])
                loud = sum(1 for s in samples if abs(s) > 500)
                time.sleep(0.2)
            assert loud >= 22050 // 2, "the board process never spoke"
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                rc = proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
        assert rc == 0, log.read_text()


def test_a_refused_token_is_said_on_screen(tmp_path: Path, headless_fonts) -> None:
    with LiveServer(tmp_path) as srv:
        inbox: queue.Queue = queue.Queue()
        state = BoardState()
        board = Board(state, BoardRenderer((1280, 720)), Announcer(), None, inbox)
        link = BoardLink(srv.url, "not-a-token", inbox, retry_seconds=0.5)
        link.start()
        try:
            wait_until(board, lambda: state.refused is not None, "heard the refusal")
        finally:
            link.stop()
        surface = pygame.Surface((1280, 720))
        board.renderer.draw(surface, state, 0.0, board.wall())
        assert board.renderer.placed["indicator.text"].text == "Token layar ditolak server"
        assert state.refused == "unauthorized" and not state.synced


def test_an_unreachable_server_is_offline_not_refused_then_the_board_connects(
    tmp_path: Path, headless_fonts, espeak_pack: Path
) -> None:
    """Server down: the offline screen, in Indonesian, and retries; server up: connected, and
    the board's health report (with its voice pack) reaches the server."""
    from devicelink.health import HealthReporter
    from devicelink.link import LinkState
    from display.voicepack import VoicePack
    from hardware.audio import MixerPlayer

    srv = LiveServer(tmp_path)  # initialised, not running: nothing listens on its port
    token = srv.add_device("board-1", "PRE", "display")
    player = MixerPlayer(VoicePack.load(espeak_pack).clips)
    player.open()
    inbox: queue.Queue = queue.Queue()
    state = BoardState()
    board = Board(state, BoardRenderer((1280, 720)), Announcer(), player, inbox)
    link = BoardLink(srv.url, token, inbox, retry_seconds=0.5)
    health = HealthReporter(srv.url, token, board.health, every=0.5)
    link.start()
    health.start()
    try:
        wait_until(board, lambda: link.link.state is LinkState.UNREACHABLE, "tried in vain")
        surface = pygame.Surface((1280, 720))
        board.step(surface)
        placed = board.renderer.placed
        assert state.refused is None and not state.connected
        assert placed["indicator.text"].text == "Terputus dari server"
        assert placed["current.offline"].text == "Tidak terhubung ke server. Mencoba lagi..."
        assert health.last_status is None  # nobody to report to

        srv.start()
        try:
            wait_until(board, lambda: state.connected and state.synced, "connected")
            board.step(surface)
            assert "current.offline" not in board.renderer.placed
            assert "indicator.text" not in board.renderer.placed  # the green dot instead
            report = lambda: srv.device_state("board-1") or {}  # noqa: E731
            wait_until(board, lambda: report().get("connected") is True, "reported health")
            assert report()["detail"].startswith(f"voice {player.loaded} clips, 0 waiting")
            assert player.loaded == len(VoicePack.load(espeak_pack).clips)
        finally:
            srv.stop()
    finally:
        health.stop()
        link.stop()
        player.close()
