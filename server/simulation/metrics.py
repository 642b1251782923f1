"""The day's figures: how far estimates landed from the calls, and the CSV of tickets."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any

from sahaja import protocol as p
from server.payloads import iso
from server.simulation.day import DayResult, TicketRecord

CSV_COLUMNS = (
    "number",
    "service",
    "priority",
    "issued_at",
    "estimated_call_at",
    "estimate_from",
    "estimate_to",
    "called_at",
    "counter",
    "finished_at",
    "status",
)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


def spread(values: Sequence[float], with_max: bool = True) -> dict[str, float] | None:
    """Median, p90 (and max) rounded to 0.1, or None without values."""
    if not values:
        return None
    out = {"median": round(percentile(values, 0.5), 1), "p90": round(percentile(values, 0.9), 1)}
    if with_max:
        out["max"] = round(max(values), 1)
    return out


def minutes_between(a: datetime, b: datetime) -> float:
    return abs((a - b).total_seconds()) / 60


def window(record: TicketRecord) -> tuple[datetime, datetime] | None:
    """The window the citizen was given; a point estimate is a window of width zero."""
    if record.estimate_from is not None and record.estimate_to is not None:
        return record.estimate_from, record.estimate_to
    if record.estimated_call_at is not None:
        return record.estimated_call_at, record.estimated_call_at
    return None


def summary(result: DayResult) -> dict[str, Any]:
    """The JSON object ``sahaja-server simulate`` prints."""
    records = result.tickets
    issued = [r for r in records if r.ticket_id is not None]
    called = [r for r in issued if r.called_at is not None]
    errors = [minutes_between(r.called_at, r.given_at) for r in called if r.given_at]
    points = [
        minutes_between(r.called_at, r.estimated_call_at) for r in called if r.estimated_call_at
    ]
    reference = [minutes_between(r.called_at, r.reference_at) for r in called if r.reference_at]
    core = [
        minutes_between(r.called_at, r.forecast_reference_at)
        for r in called
        if r.forecast_reference_at
    ]
    old = [minutes_between(r.called_at, r.old_formula_at) for r in called if r.old_formula_at]
    hits, widths = 0, []
    for r in called:
        given = window(r)
        if given is not None:
            hits += given[0] <= r.called_at <= given[1]
            widths.append((given[1] - given[0]).total_seconds() / 60)
    waits = [(r.called_at - r.issued_at).total_seconds() / 60 for r in called]
    statuses = [r.status for r in issued]
    return {
        "site": result.scenario.site.code,
        "date": result.scenario.day.isoformat(),
        "tickets": len(issued),
        "refused": len(records) - len(issued),
        "called": len(called),
        "served": statuses.count(p.STATUS_FINISHED),
        "no_show": statuses.count(p.STATUS_NO_SHOW),
        "estimate_error_minutes": spread(errors),
        "reference_error_minutes": spread(reference, with_max=False),
        "window_hit_share": round(hits / len(widths), 2) if widths else None,
        "wait_minutes": spread(waits),
        "old_formula_error_minutes": spread(old),
        "estimate_point_error_minutes": spread(points),
        "window_width_minutes": spread(widths, with_max=False),
        "reference_forecast_error_minutes": spread(core, with_max=False),
        "not_called": len(issued) - len(called),
        "skipped_at_close": sum(
            1 for r in called if r.status in (p.STATUS_WAITING, p.STATUS_CALLED)
        ),
    }


def write_tickets_csv(result: DayResult, out: IO[str]) -> None:
    """One row per issued ticket: the estimate and window as given at issue, the first call."""
    tz = result.config.tz
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in result.tickets:
        if r.ticket_id is None:
            continue
        given = window(r)
        writer.writerow(
            [
                r.number,
                r.arrival.service,
                "true" if r.arrival.priority else "false",
                iso(r.issued_at, tz),
                iso(r.given_at, tz) or "",
                iso(given[0], tz) if given else "",
                iso(given[1], tz) if given else "",
                iso(r.called_at, tz) or "",
                r.counter or "",
                iso(r.finished_at, tz) or "",
                r.status,
            ]
        )
