"""The reference estimate: the balancing rule run forward from the TRUE state of the office.

At an issue the simulator knows what no server can: the true mean service time of each
service that day, and each working counter's true hours. Running the core's own "next"
(``balancing.pick_next``) forward from the queue as it is, with every citizen taking exactly
their service's mean, gives the best an estimator can do without knowing each citizen's own
time. When the core's forecaster (``sahaja.core.forecast``) is present this is the same
computation; this module keeps the simulator's yardstick independent of the estimator
under test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sahaja.core import balancing
from sahaja.core.tickets import WaitingTicket


@dataclass(frozen=True)
class RefCounter:
    """A counter as it truly is: what it serves, when it is free, when it calls."""

    services: tuple[str, ...]
    free_at: float  # minute the current citizen (if any) is done
    working: tuple[tuple[float, float], ...]  # minutes it may call (its shift x calling periods)


def next_call_minute(working: Sequence[tuple[float, float]], minute: float) -> float | None:
    """The first minute at or after ``minute`` inside one of the ``working`` intervals."""
    for start, end in working:
        if minute < end:
            return max(minute, start)
    return None


def working_intervals(
    shift: tuple[float, float], periods: Sequence[tuple[float, float]]
) -> tuple[tuple[float, float], ...]:
    """Where an officer's shift and the site's calling periods overlap."""
    out = []
    for start, end in periods:
        lo, hi = max(start, shift[0]), min(end, shift[1])
        if lo < hi:
            out.append((lo, hi))
    return tuple(out)


def forward_calls(
    waiting: Sequence[WaitingTicket],
    call_count: int,
    counters: Sequence[RefCounter],
    mean_minutes: Mapping[str, float],
) -> dict[int, float]:
    """The minute each waiting ticket is called when every citizen takes their service's mean
    and nobody else arrives; tickets no counter reaches before closing are left out."""
    left = list(waiting)
    free = [next_call_minute(c.working, c.free_at) for c in counters]
    calls: dict[int, float] = {}
    while left:
        ready = [(m, i) for i, m in enumerate(free) if m is not None]
        if not ready:
            break
        minute, i = min(ready)
        counter = counters[i]
        chosen = balancing.pick_next(left, counter.services, call_count)
        if chosen is None:
            free[i] = None  # nothing it serves is left (no arrivals in this run)
            continue
        left.remove(chosen)
        calls[chosen.id] = minute
        call_count += 1
        free[i] = next_call_minute(counter.working, minute + mean_minutes[chosen.service])
    return calls
