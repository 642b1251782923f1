"""Booking tests use the server's fixtures: a real database (SQLite and PostgreSQL), the
built-in Kediri config, a hand-moved clock (Monday 30 November 2026, 08:00 WIB)."""

from __future__ import annotations

import pytest

from tests.server import conftest as server

# the server tests' fixtures, under the same names
app = server.app
client = server.client
kediri = server.kediri
kiosk = server.kiosk
make_token = server.make_token
office_config = server.office_config

# Valid NIKs: Pare (35.06.17), a man born 15-05-1990 and a woman (day + 40) born 15-05-1990.
NIK_MAN = "3506171505900001"
NIK_WOMAN = "3506175505900002"
NIK_JAKARTA = "3171011708450001"  # registered in Jakarta, lives in Kediri now


def nik(n: int) -> str:
    """The n-th distinct valid NIK (Pare, born 01-01-1990, serial n)."""
    return f"350617010190{n:04d}"


@pytest.fixture
def booking_store(app):
    return app.extensions["sahaja_booking"].store
