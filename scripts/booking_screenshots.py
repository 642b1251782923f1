"""Regenerate the booking pages' screenshots in docs/screenshots/ (booking-*.png), on purpose.

    .venv/bin/python scripts/booking_screenshots.py [--out docs/screenshots]

The booking pages' browser tests take them at phone size (360x740) against a real server with
the Kediri config in Debian's Chromium; a normal test run writes them to a temporary folder.
This script runs those tests with SAHAJA_SCREENSHOTS_DIR set to the output folder.
"""

from __future__ import annotations

from console_screenshots import run_tests  # scripts/ is on the path when this script runs

TESTS = [
    "tests/booking/test_booking_browser.py::test_lokasi_on_a_phone_finds_the_service_point_and_leads_to_booking",
    "tests/booking/test_booking_browser.py::test_booking_on_a_phone_shows_code_and_qr_and_cancels_with_the_nik",
]


def main(argv: list[str] | None = None) -> int:
    return run_tests(TESTS, "booking-*.png", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
