"""Fixtures for the kiosk tests (SDL's dummy drivers are chosen in kiosk_support)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.kiosk.kiosk_support import FakeEscposPrinter, wait_for


@pytest.fixture
def fake_printer() -> Iterator[FakeEscposPrinter]:
    printer = FakeEscposPrinter()
    yield printer
    printer.close()


@pytest.fixture
def wait() -> Callable[..., object]:
    return wait_for


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One real server process for a test module (kiosk tests only add tickets)."""
    from tests.kiosk.kiosk_support import kiosk_config_text
    from tests.support.live_server import LiveServer

    srv = LiveServer(tmp_path_factory.mktemp("kiosk-server"), config_text=kiosk_config_text())
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def kiosks():
    """Build kiosks with ``kiosks(url, token, **options)``; all are stopped afterwards."""
    from tests.kiosk.kiosk_support import Kiosk

    made: list[Kiosk] = []

    def make(*args, **kwargs) -> Kiosk:
        k = Kiosk(*args, **kwargs)
        made.append(k)
        return k

    yield make
    for k in made:
        k.close()


@pytest.fixture
def token(server):
    """``token(site)`` registers a new kiosk device at ``site`` and returns its token."""
    import uuid

    def make(site: str = "PRE", role: str = "kiosk", counter: str | None = None) -> str:
        return server.add_device(f"{role}-{uuid.uuid4().hex[:8]}", site, role, counter)

    return make
