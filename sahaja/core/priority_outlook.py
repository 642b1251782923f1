"""Priority tickets still to come today, per service: what the forecast expects to jump the queue.

A priority citizen who arrives later goes before every regular ticket waiting for the same
counters, so a regular ticket's call moves later by the work of the priority tickets issued
while it waits. The forecast cannot know them; it can expect them:

- **the prior**: the site's earlier open days (the server's own ticket table): how many priority
  tickets of each service were issued in each local hour of the day, averaged over those days;
- **today**: the priority tickets issued so far today. Today's intensity against the prior's
  expectation up to now scales the prior: ``(today + PRIOR_WEIGHT) / (expected so far +
  PRIOR_WEIGHT)``, so early in the day the prior speaks and today's weight grows with today's
  count (a Gamma-Poisson update with ``PRIOR_WEIGHT`` pseudo-tickets).

Without earlier days (the server's first day) the outlook is today's rate so far, flat over the
rest of the day (the forecast's behaviour before the prior). Standard library only; the time
is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

PRIOR_WEIGHT = 5.0  # pseudo-tickets: today's count weighs as much as the prior at this many
HOURS = 24


@dataclass(frozen=True)
class PriorityOutlook:
    """Expected priority tickets per hour of each service.

    ``hourly[service]`` holds 24 rates (tickets/hour in each local hour from ``midnight``);
    with ``midnight`` None each list holds one rate, the same all day (a flat outlook)."""

    hourly: Mapping[str, Sequence[float]]
    midnight: datetime | None = None

    @classmethod
    def flat(cls, per_hour: Mapping[str, float]) -> PriorityOutlook:
        """The same rate all day (tickets/hour per service)."""
        return cls({s: (float(r),) for s, r in per_hour.items()})

    def rate_at(self, service: str, t: datetime) -> float:
        """Expected priority tickets per hour of ``service`` at ``t``."""
        rates = self.hourly.get(service)
        if not rates:
            return 0.0
        if self.midnight is None:
            return rates[0]
        hour = int((t - self.midnight).total_seconds() // 3600)
        return rates[hour] if 0 <= hour < len(rates) else 0.0

    def expected(self, service: str, start: datetime, end: datetime) -> float:
        """Priority tickets of ``service`` expected to be issued between ``start`` and ``end``."""
        return spread_over(self.hourly.get(service) or (), self.midnight, start, end)

    def combined(self, weights: Mapping[str, float]) -> list[float]:
        """The weighted sum over services, per hour (one value for a flat outlook): e.g. the
        seconds of a counter's work per hour that priority arrivals bring."""
        size = 1 if self.midnight is None else HOURS
        out = [0.0] * size
        for service, w in weights.items():
            rates = self.hourly.get(service) or ()
            for h, rate in enumerate(rates[:size]):
                out[h] += rate * w
        return out


def spread_over(
    rates: Sequence[float], midnight: datetime | None, start: datetime, end: datetime
) -> float:
    """The integral of per-hour ``rates`` (as in ``PriorityOutlook.hourly``) from ``start``
    to ``end``."""
    if end <= start or not rates:
        return 0.0
    if midnight is None:
        return rates[0] * (end - start).total_seconds() / 3600
    a = (start - midnight).total_seconds() / 3600
    b = (end - midnight).total_seconds() / 3600
    total = 0.0
    for hour in range(max(int(a), 0), min(int(b) + 1, len(rates))):
        overlap = min(b, hour + 1) - max(a, hour)
        if overlap > 0:
            total += rates[hour] * overlap
    return total


def hourly_prior(
    earlier_minutes: Mapping[str, Iterable[float]], days: int
) -> dict[str, list[float]]:
    """Priority tickets per hour of each service and local hour, averaged over ``days``
    earlier days, from the local minutes (after midnight) at which they were issued."""
    out: dict[str, list[float]] = {}
    if days <= 0:
        return out
    for service, minutes in earlier_minutes.items():
        counts = [0.0] * HOURS
        for m in minutes:
            hour = int(m // 60)
            if 0 <= hour < HOURS:
                counts[hour] += 1
        if any(counts):
            out[service] = [c / days for c in counts]
    return out


def priority_outlook(
    now: datetime,
    midnight: datetime,
    today: Mapping[str, int],
    earlier_minutes: Mapping[str, Iterable[float]],
    earlier_days: int,
    since: datetime,
    *,
    weight: float | None = None,
) -> PriorityOutlook:
    """The outlook of priority arrivals from ``now`` on.

    ``today``: priority tickets of each service issued so far today; ``earlier_minutes`` the
    local minutes of the earlier days' priority tickets per service, over ``earlier_days``
    days (0: none known); ``midnight`` the start of today (local, aware); ``since`` when
    today's issuing began (the flat rate without a prior counts from there, over at least an
    hour); ``weight`` the prior's weight in pseudo-tickets (default ``PRIOR_WEIGHT``)."""
    prior = hourly_prior(earlier_minutes, earlier_days)
    if not prior:
        hours = max((now - since).total_seconds() / 3600, 1.0)
        return PriorityOutlook.flat({s: n / hours for s, n in today.items() if n > 0})
    weight = PRIOR_WEIGHT if weight is None else weight
    base = PriorityOutlook(prior, midnight)
    so_far = sum(base.expected(s, midnight, now) for s in prior)
    seen = sum(n for s, n in today.items() if s in prior)
    scale = (seen + weight) / (so_far + weight)
    hourly = {s: [r * scale for r in rates] for s, rates in prior.items()}
    # a service with priority tickets today but none on the earlier days: today's own rate
    hours = max((now - since).total_seconds() / 3600, 1.0)
    for s, n in today.items():
        if s not in hourly and n > 0:
            start = int((now - midnight).total_seconds() // 3600)
            hourly[s] = [n / hours if h >= start else 0.0 for h in range(HOURS)]
    return PriorityOutlook(hourly, midnight)
