"""A report as flat tables: the columns and rows every export and the page share.

Column keys map to texts ``reports.col_<key>``; ``None`` is a figure this installation does
not record (or that has no data), shown as a dash and left empty in CSV and XLSX.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sahaja import i18n

# the figures of a service (and of a site's total), in the order they are shown
FIGURES: tuple[str, ...] = (
    "issued",
    "served",
    "no_show",
    "voided",
    "transferred",
    "expired",
    "wait_median",
    "wait_p90",
    "service_median",
    "service_p90",
    "estimate_median",
    "estimate_p90",
    "documents_same_day",
)
# the figures of a counter or an officer
PERSON_FIGURES: tuple[str, ...] = ("served", "service_median", "service_p90")
# where a figure sits in a report entry: (key, sub-key of a median/p90 pair)
_NESTED: dict[str, tuple[str, str]] = {
    "wait_median": ("wait_minutes", "median"),
    "wait_p90": ("wait_minutes", "p90"),
    "service_median": ("service_minutes", "median"),
    "service_p90": ("service_minutes", "p90"),
    "estimate_median": ("estimate_error_minutes", "median"),
    "estimate_p90": ("estimate_error_minutes", "p90"),
}
FLAT_HEAD: tuple[str, ...] = ("site", "group", "name", *FIGURES)


def figure(entry: dict[str, Any], key: str) -> float | int | None:
    if key in _NESTED:
        outer, inner = _NESTED[key]
        pair = entry.get(outer)
        return None if pair is None else pair.get(inner)
    return entry.get(key)


def header(keys: tuple[str, ...], lang: str) -> list[str]:
    return [i18n.t(f"reports.col_{k}", lang) for k in keys]


def flat_rows(report: dict[str, Any], lang: str) -> Iterator[list[Any]]:
    """Every figure of a report as rows of ``FLAT_HEAD``: a site's services, its total, its
    counters, its officers and its arrivals per hour (the hour in ``name``, the count in
    ``issued``)."""

    def group(name: str) -> str:
        return i18n.t(f"reports.group_{name}", lang)

    for site in report["sites"]:
        code = site["site"]
        for row in site["services"]:
            yield [code, group("service"), row["service"], *(figure(row, k) for k in FIGURES)]
        total = site["total"]
        yield [code, group("total"), "", *(figure(total, k) for k in FIGURES)]
        for kind, key in (("counter", "counters"), ("officer", "officers")):
            for row in site[key]:
                values = [figure(row, k) if k in PERSON_FIGURES else None for k in FIGURES]
                yield [code, group(kind), row[kind], *values]
        for hour in site["arrivals_per_hour"]:
            values = [hour["issued"] if k == "issued" else None for k in FIGURES]
            yield [code, group("arrivals"), f"{hour['hour']:02d}", *values]
