"""Regenerate the document-tracking screenshots in docs/screenshots/ (*-documents*.png and
public-status-document-*.png), on purpose.

    .venv/bin/python scripts/documents_screenshots.py [--out docs/screenshots]

The console's documents test (a laptop) and the status page's document test (a phone) take
them against a real server in Debian's Chromium; a normal test run writes them to a temporary
folder. This script runs those tests with SAHAJA_SCREENSHOTS_DIR set to the output folder.
"""

from __future__ import annotations

from console_screenshots import run_tests  # scripts/ is on the path when this script runs

TESTS = [
    "tests/console/test_documents_browser.py"
    "::test_stages_from_the_console_and_the_pickup_call_on_the_board",
    "tests/public/test_documents_browser.py::test_the_status_page_follows_the_document_to_pickup",
]


def main(argv: list[str] | None = None) -> int:
    return run_tests(TESTS, "*document*.png", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
