"""Regenerate the console's screenshots in docs/screenshots/ (console-*.png), on purpose.

    .venv/bin/python scripts/console_screenshots.py [--out docs/screenshots]

The console's browser test takes them while it signs in, calls and transfers against a real
server in Debian's Chromium; a normal test run writes them to a temporary folder. This script
runs that one test with SAHAJA_SCREENSHOTS_DIR set to the output folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = (
    "tests/console/test_browser.py"
    "::test_sign_in_call_recall_transfer_finish_and_see_new_tickets_live"
)


def run_tests(
    tests: list[str], pattern: str, description: str, argv: list[str] | None = None
) -> int:
    """Run ``tests`` with SAHAJA_SCREENSHOTS_DIR at --out; list the files matching ``pattern``
    (also used by scripts/public_screenshots.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SAHAJA_SCREENSHOTS_DIR": str(args.out.resolve())}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *tests], cwd=ROOT, env=env, check=False
    )
    for path in sorted(args.out.glob(pattern)):
        print(path)
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    return run_tests([TEST], "console-*.png", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
