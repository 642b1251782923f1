"""The notify protocol: datagrams on $NOTIFY_SOCKET, a watchdog ping at half the period, and
the real device apps sending them from their loops."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devicelink.systemd import SystemdNotifier


@pytest.fixture
def listener(tmp_path: Path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.2)
    yield path, sock
    sock.close()


def received(sock: socket.socket, until: float = 0.5) -> list[str]:
    out, deadline = [], time.monotonic() + until
    while time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError):
            out.append(sock.recv(4096).decode())
    return out


def test_outside_systemd_nothing_is_sent() -> None:
    notifier = SystemdNotifier(env={})
    assert not notifier.enabled
    assert notifier.ready() is False and notifier.alive() is False


def test_ready_then_watchdog_pings_at_half_the_period(listener) -> None:
    path, sock = listener
    now = [100.0]
    notifier = SystemdNotifier(
        env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "10000000"}, clock=lambda: now[0]
    )
    assert notifier.interval == 5.0
    assert notifier.ready("kiosk up")
    pings = []
    for _step in range(24):  # 12 s of frames, every half second
        pings.append(notifier.alive())
        now[0] += 0.5
    assert pings.count(True) == 3  # at 0, 5 and 10 s: never more often than needed
    messages = received(sock)
    assert messages[0] == "READY=1\nSTATUS=kiosk up"
    assert messages[1:] == ["WATCHDOG=1"] * 3


def test_no_watchdog_configured_means_no_pings(listener) -> None:
    path, sock = listener
    notifier = SystemdNotifier(env={"NOTIFY_SOCKET": str(path)})
    assert notifier.alive() is False
    assert received(sock, 0.3) == []


def test_a_vanished_socket_is_not_an_error(tmp_path: Path) -> None:
    notifier = SystemdNotifier(env={"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})
    assert notifier.ready() is False


@pytest.mark.slow
@pytest.mark.parametrize("module", ["display.cli", "kiosk.cli"])
def test_the_device_app_says_ready_and_keeps_pinging_from_its_loop(
    listener, module: str, tmp_path: Path
) -> None:
    path, sock = listener
    env = {
        **os.environ,
        "SDL_VIDEODRIVER": "dummy",
        "SDL_AUDIODRIVER": "dummy",
        "NOTIFY_SOCKET": str(path),
        "WATCHDOG_USEC": "1000000",  # 1 s: a ping every half second
        "SAHAJA_SERVER_URL": "http://127.0.0.1:9",  # nothing there: the app runs offline
        "SAHAJA_DEVICE_TOKEN": "not-a-token",
        "XDG_DATA_HOME": str(tmp_path),
    }
    extra = ["--no-sound"] if module == "display.cli" else []
    app = subprocess.Popen(
        [sys.executable, "-m", module, *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        messages = received(sock, 15)
    finally:
        app.terminate()
        app.wait(15)
    assert messages and messages[0].startswith("READY=1"), messages
    assert messages.count("WATCHDOG=1") >= 5  # the loop turns while the server is away
