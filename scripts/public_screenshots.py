"""Regenerate the citizens' pages' screenshots in docs/screenshots/ (public-*.png), on purpose.

    .venv/bin/python scripts/public_screenshots.py [--out docs/screenshots]

The pages' browser tests take them at phone size (360x740) against a real server in Debian's
Chromium; a normal test run writes them to a temporary folder. This script runs those tests
with SAHAJA_SCREENSHOTS_DIR set to the output folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    "tests/public/test_browser.py::test_status_page_on_a_phone_follows_the_ticket_live",
    "tests/public/test_browser.py::test_site_page_on_a_phone_and_a_desktop",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SAHAJA_SCREENSHOTS_DIR": str(args.out.resolve())}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *TESTS], cwd=ROOT, env=env, check=False
    )
    for path in sorted(args.out.glob("public-*.png")):
        print(path)
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
