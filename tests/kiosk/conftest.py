"""Fixtures for the kiosk tests: headless SDL, a fake network ESC/POS printer, waits.

SDL's dummy drivers are selected before pygame is imported anywhere in this test session.
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402

import pytest  # noqa: E402

DLE_EOT = b"\x10\x04"
ONLINE_OK, ONLINE_OFF = 0x16, 0x1E  # DLE EOT 1: bit 3 = offline
PAPER_OK, PAPER_LOW, PAPER_OUT = 0x12, 0x1E, 0x72  # DLE EOT 4: bits 2-3 near end, 5-6 out


class FakeEscposPrinter:
    """A TCP server on 127.0.0.1 that speaks enough ESC/POS to answer status queries.

    ``paper`` / ``online`` set the answers; ``silent`` answers nothing; ``drop_after`` closes
    the connection once that many bytes of a job arrived (a printer dying mid-ticket).
    """

    def __init__(self) -> None:
        self.paper = PAPER_OK
        self.online = ONLINE_OK
        self.silent = False
        self.drop_after: int | None = None
        self.received = bytearray()
        self.jobs: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def spec(self) -> str:
        return f"network:127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        job = bytearray()
        with conn:
            conn.settimeout(0.1)
            pending = b""
            while not self._stop.is_set():
                try:
                    data = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                job += data
                self.received += data
                if self.drop_after is not None and len(job) >= self.drop_after:
                    conn.shutdown(socket.SHUT_RDWR)  # dies mid-job, answers nothing more
                    break
                pending += data
                while DLE_EOT in pending:
                    i = pending.index(DLE_EOT)
                    if len(pending) < i + 3:
                        break
                    n = pending[i + 2]
                    pending = pending[i + 3 :]
                    if not self.silent:
                        answer = self.online if n == 1 else self.paper if n == 4 else 0x12
                        conn.sendall(bytes([answer]))
                pending = pending[-2:]
        if job and DLE_EOT not in job[:2]:
            self.jobs.append(bytes(job))

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=2)


@pytest.fixture
def fake_printer() -> Iterator[FakeEscposPrinter]:
    printer = FakeEscposPrinter()
    yield printer
    printer.close()


def wait_for(condition: Callable[[], object], timeout: float = 10.0, step=None) -> object:
    """Poll ``condition`` (running ``step`` between polls) until truthy, or fail the test."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {condition}")
        if step is not None:
            step()
        else:
            time.sleep(0.01)


@pytest.fixture
def wait() -> Callable[..., object]:
    return wait_for
