"""Regenerate the citizens' pages' screenshots in docs/screenshots/ (public-*.png), on purpose.

    .venv/bin/python scripts/public_screenshots.py [--out docs/screenshots]

The pages' browser tests take them at phone size (360x740) against a real server in Debian's
Chromium; a normal test run writes them to a temporary folder. This script runs those tests
with SAHAJA_SCREENSHOTS_DIR set to the output folder.
"""

from __future__ import annotations

from console_screenshots import run_tests  # scripts/ is on the path when this script runs

TESTS = [
    "tests/public/test_browser.py::test_status_page_on_a_phone_follows_the_ticket_live",
    "tests/public/test_browser.py::test_site_page_on_a_phone_and_a_desktop",
]


def main(argv: list[str] | None = None) -> int:
    return run_tests(TESTS, "public-*.png", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
