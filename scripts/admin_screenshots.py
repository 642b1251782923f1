"""Regenerate the admin pages' screenshots in docs/screenshots/ (admin-*.png), on purpose.

    .venv/bin/python scripts/admin_screenshots.py [--out docs/screenshots]

The admin browser test takes them while a head of office changes a quota and the running
text, is refused a breaking change, adds a device and reads the audit log, against a real
server in Debian's Chromium; a normal test run writes them to a temporary folder.
"""

from __future__ import annotations

import sys

from console_screenshots import run_tests

TESTS = [
    "tests/admin/test_browser.py::test_a_head_of_office_changes_quota_and_running_text_live",
    "tests/admin/test_browser.py::test_devices_alerts_and_the_audit_log_in_the_browser",
]

if __name__ == "__main__":
    sys.exit(run_tests(TESTS, "admin-*.png", __doc__.splitlines()[0]))
