"""The ``report`` command's arguments. Light on purpose: ``sahaja-server`` builds its parser
before gevent patches the standard library, so nothing here may import SQLAlchemy or Flask."""

from __future__ import annotations

import argparse
from datetime import date

from sahaja import i18n

FORMATS: tuple[str, ...] = ("json", "csv", "xlsx", "pdf")


class ReportError(ValueError):
    """A report that cannot be made as asked (printed as ``error: ...``, exit status 2)."""


def day_argument(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "report", help="figures per site, service, counter and officer over a range of days"
    )
    p.add_argument("--from", dest="first", required=True, type=day_argument, help="YYYY-MM-DD")
    p.add_argument("--to", dest="last", required=True, type=day_argument, help="YYYY-MM-DD")
    p.add_argument("--site", help="one site's code (default: every site)")
    p.add_argument("--format", choices=FORMATS, default="json")
    p.add_argument(
        "--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE, help="CSV/XLSX/PDF texts"
    )
    p.add_argument("--out", help="write to this file (default: standard output)")
    return p
