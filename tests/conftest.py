"""Shared fixtures: a real database (SQLite or PostgreSQL), an app with a hand-moved clock."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

WIB = ZoneInfo("Asia/Jakarta")
MONDAY_0800 = datetime(2026, 11, 30, 8, 0, tzinfo=WIB)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    from tests.support.databases import database_url

    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def clock():
    from sahaja.core.clock import ManualClock

    return ManualClock(MONDAY_0800)


# --- Debian's Chromium through Playwright, one per session (console and citizens' pages) -----
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def playwright_browser():
    """One Playwright per session: its sync API cannot run twice in one thread at once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()
