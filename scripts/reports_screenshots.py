"""Regenerate the report page's screenshots in docs/screenshots/ (reports-*.png), on purpose.

    .venv/bin/python scripts/reports_screenshots.py [--out docs/screenshots]

The report page's browser test takes them against a real server in Debian's Chromium (a
synthetic November at every site, and today's tickets issued through the API); a normal test
run writes them to a temporary folder. This script runs that test module with
SAHAJA_SCREENSHOTS_DIR set to the output folder.
"""

from __future__ import annotations

from console_screenshots import run_tests  # scripts/ is on the path when this script runs

TESTS = ["tests/reports/test_page_browser.py"]


def main(argv: list[str] | None = None) -> int:
    return run_tests(TESTS, "reports-*.png", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
