"""``sahaja-server report``: the reports for cron jobs and scripts (JSON, CSV, XLSX, PDF)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from sahaja.core.clock import SystemClock
from server.database import Database
from server.reports.arguments import ReportError
from server.reports.data import UnknownSite, build_report, build_report_with_days
from server.reports.exports import to_csv, to_xlsx
from server.reports.pdf import to_pdf
from server.setup import stored_config


def render(db: Database, fmt: str, first: date, last: date, site: str | None, lang: str) -> bytes:
    config = stored_config(db)
    if last < first:
        raise ReportError(f"--to {last} is before --from {first}")
    try:
        if fmt == "pdf":
            _, days = build_report_with_days(db.read_engine, config, first, last, site)
            return to_pdf(days, config, lang, SystemClock().now())
        report = build_report(db.read_engine, config, first, last, site)
    except UnknownSite as exc:
        raise ReportError(f"unknown site {exc}; sites: {', '.join(config.sites)}") from exc
    if fmt == "json":
        return (json.dumps(report, ensure_ascii=False, indent=1) + "\n").encode()
    if fmt == "csv":
        return to_csv(report, lang).encode("utf-8")
    return to_xlsx(report, lang)


def run(args: argparse.Namespace, db: Database) -> int:
    data = render(db, args.format, args.first, args.last, args.site, args.lang)
    if args.out:
        Path(args.out).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
