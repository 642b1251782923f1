"""Helpers for the kiosk tests: a fake network ESC/POS printer, a headless kiosk, waits."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

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


# --- a real server configured for the kiosk tests ----------------------------------------

QUOTA_SITE = "PPR"  # AKM has a quota of one ticket a day there
CLOSED_SITE = "NGD"  # no opening hours at all


def kiosk_config_text() -> str:
    """The 24/7 test office, with one service quota of 1 and one site closed all week."""
    from tests.support.live_server import OPEN_ALL_DAY

    head, *sites = OPEN_ALL_DAY.read_text(encoding="utf-8").split("[[site]]\n")
    out = []
    for block in sites:
        if block.startswith(f'code = "{QUOTA_SITE}"'):
            block = block.replace(
                "ticket_cutoff_minutes = 0",
                "ticket_cutoff_minutes = 0\nservice_quota = { AKM = 1 }",
            )
        if block.startswith(f'code = "{CLOSED_SITE}"'):
            lines = block.split("\n")
            block = "\n".join("hours = {}" if ln.startswith("hours =") else ln for ln in lines)
        out.append(block)
    return "[[site]]\n".join([head, *out])


from tests.support.live_server import device_state  # noqa: E402, F401 - used by fault tests


def site_view(server_url: str, site: str) -> dict:
    import requests

    return requests.get(f"{server_url}/api/v1/sites/{site}", timeout=5).json()


def ticket_view(server_url: str, status_code: str) -> dict:
    import requests

    return requests.get(f"{server_url}/api/v1/tickets/{status_code}", timeout=5).json()


# --- a headless kiosk driven by touches ------------------------------------------------


class Kiosk:
    """The real KioskApp on SDL's dummy display, with a Dummy (or network) printer."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        printer: str = "dummy",
        size: tuple[int, int] = (800, 480),
        lang: str = "id",
        **link_options,
    ) -> None:
        import queue

        from escpos.printer import Dummy

        from hardware.printer import TicketPrinter
        from hardware.printer_backends import open_printer
        from kiosk.app import KioskApp
        from kiosk.server_link import ServerLink
        from kiosk.settings import KioskSettings

        if printer == "dummy":
            self.device = Dummy(profile="TM-T88V")
        else:
            self.device = open_printer(printer, profile="TM-T88V", timeout=2)
        link_options.setdefault("retry_delay", 0.1)
        self.link = ServerLink(url, token, queue.Queue(), **link_options)
        settings = KioskSettings(url, token, size=size, lang=lang, fps=60)
        self.app = KioskApp(settings, TicketPrinter(self.device), link=self.link)
        self.app.start()

    @property
    def state(self):
        return self.app.state

    @property
    def screen(self) -> str:
        return self.app.state.screen

    @property
    def drawn(self) -> list[str]:
        return self.app.painter.drawn

    @property
    def printed(self) -> bytes:
        return self.device.output

    def until(self, condition: Callable[[], object], timeout: float = 15.0) -> object:
        try:
            return wait_for(condition, timeout, step=self.app.step)
        except AssertionError as exc:
            s = self.state
            raise AssertionError(
                f"{exc}; kiosk: screen={s.screen} pending={s.pending} message={s.message} "
                f"printer={s.printer} fault={s.fault} ticket={s.ticket and s.ticket['number']} "
                f"issue_attempts={self.link.issue_attempts} drawn={self.drawn}"
            ) from None

    def ready(self, timeout: float = 15.0) -> Kiosk:
        self.until(lambda: self.screen == "home" and self.state.office_ticket, timeout)
        self.app.step()
        return self

    def target(self, kind: str, key: str = ""):
        found = [t for t in self.app.targets if t.kind == kind and (not key or t.key == key)]
        assert found, f"no {kind} {key} target on the {self.screen} screen"
        return found[0]

    def tap(self, kind: str, key: str = "", *, finger: bool = False) -> None:
        import pygame

        x, y = self.target(kind, key).rect.center
        if finger:
            w, h = self.app.surface.get_size()
            pygame.event.post(
                pygame.event.Event(
                    pygame.FINGERDOWN,
                    x=x / w,
                    y=y / h,
                    dx=0.0,
                    dy=0.0,
                    touch_id=1,
                    finger_id=0,
                    pressure=1.0,
                )
            )
        else:
            pygame.event.post(
                pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, y), button=1, touch=False)
            )
        self.app.step()

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        return tuple(self.app.surface.get_at((x, y)))[:3]

    def close(self) -> None:
        self.app.stop()
