"""Small helpers of the admin tests: tickets through the real API, forms of a site."""

from __future__ import annotations

import uuid

from sahaja.config import WEEKDAYS

API = "/api/v1"


def add_device(app, name: str, site: str, role: str, counter: str | None = None) -> str:
    svc = app.extensions["sahaja"]
    return svc.accounts.add_device(name, site, role, counter, svc.clock.now())


def issue(client, token: str, site: str = "PRE", service: str = "KTP") -> dict:
    r = client.post(
        f"{API}/sites/{site}/tickets",
        json={"service": service, "request_id": str(uuid.uuid4())},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def site_form(app, site: str, **changes: str) -> dict[str, str]:
    """The site form as the page fills it, with ``changes`` applied."""
    s = app.extensions["sahaja"].config.sites[site]
    form = {
        "daily_quota": str(s.daily_quota),
        "ticket_cutoff_minutes": str(s.ticket_cutoff_minutes),
        "running_text": s.running_text or "",
    }
    if s.issue_during_breaks:
        form["issue_during_breaks"] = "1"
    for code in s.services:
        form[f"offer_{code}"] = "1"
        if code in s.service_quota:
            form[f"quota_{code}"] = str(s.service_quota[code])
    for day, hours in s.hours.items():
        form[f"hours_{WEEKDAYS[day]}"] = str(hours)
    form.update(changes)
    return form
