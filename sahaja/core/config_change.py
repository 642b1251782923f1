"""Whether a new office configuration may replace the running one today.

A change may not pull the ground from under today's queue: removing a site or service that
still has open tickets, removing a counter that is serving someone or that a device is bound
to, lowering a quota below what was already issued today, or re-lettering a service that has
issued numbers today (the numbers would collide). The server gathers ``TodayFacts`` from the
database; this module decides, for ``init``, ``config import`` and the admin pages alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sahaja import protocol as p
from sahaja.config import Config
from sahaja.core.refusal import Refusal


@dataclass(frozen=True)
class ActiveDevice:
    name: str
    site: str
    counter_id: str | None


@dataclass(frozen=True)
class TodayFacts:
    """What today's queue holds, as far as a config change can break it."""

    open_tickets: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (site, svc)
    issued_at_site: Mapping[str, int] = field(default_factory=dict)  # counted against quota
    issued_of_service: Mapping[tuple[str, str], int] = field(default_factory=dict)
    serving_counters: frozenset[str] = frozenset()  # counter ids with a current ticket
    active_devices: tuple[ActiveDevice, ...] = ()
    services_numbered_today: frozenset[str] = frozenset()  # issued_service of today's tickets


def _refusal(key: str, **params: object) -> Refusal:
    return Refusal(p.CONFIG_REFUSED, f"admin.refuse_{key}", {k: str(v) for k, v in params.items()})


def breaking_changes(old: Config, new: Config, facts: TodayFacts) -> list[Refusal]:
    """Every reason ``new`` would break today's queue under ``old`` (empty: it may apply)."""
    out: list[Refusal] = []
    for (site, service), n in sorted(facts.open_tickets.items()):
        if not n:
            continue
        if site not in new.sites:
            out.append(_refusal("site_open_tickets", site=site, n=n))
        elif service not in new.sites[site].services:
            out.append(_refusal("service_open_tickets", service=service, site=site, n=n))
    for code, site in new.sites.items():
        issued = facts.issued_at_site.get(code, 0)
        if code in old.sites and site.daily_quota < issued:
            out.append(_refusal("quota_below_issued", site=code, quota=site.daily_quota, n=issued))
        for service, quota in sorted(site.service_quota.items()):
            issued = facts.issued_of_service.get((code, service), 0)
            if quota < issued:
                key = "service_quota_below_issued"
                out.append(_refusal(key, site=code, service=service, quota=quota, n=issued))
    for counter_id in sorted(facts.serving_counters):
        if old.counter(counter_id) is not None and new.counter(counter_id) is None:
            out.append(_refusal("counter_serving", counter=counter_id))
    for device in facts.active_devices:
        if device.site not in new.sites:
            out.append(_refusal("site_device", site=device.site, device=device.name))
        elif device.counter_id and new.counter(device.counter_id) is None:
            out.append(_refusal("counter_device", counter=device.counter_id, device=device.name))
    for code in sorted(facts.services_numbered_today):
        before, after = old.services.get(code), new.services.get(code)
        if before and after and before.prefix != after.prefix:
            out.append(_refusal("prefix_used", service=code, old=before.prefix, new=after.prefix))
    return out
