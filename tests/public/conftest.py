"""The citizens' pages in Debian's Chromium: the session's browser is the console tests' one."""

from tests.console.conftest import playwright_browser  # noqa: F401 - a shared fixture
