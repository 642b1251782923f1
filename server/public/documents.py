"""The document part of a ticket's status page: its stage and where to collect it.

Built from the ticket's own answer (``GET /api/v1/tickets/{status_code}``): the stage, the
rejection reason (private to the ticket's holder, like the page itself) and the site; nothing
personal is shown.
"""

from __future__ import annotations

from typing import Any

from sahaja import i18n
from sahaja import protocol as p
from sahaja.config import Config

# Seconds between the page's checks while the document is still on its way (it may take
# hours): a quarter of the base rate is plenty. Collected or rejected: the page stops.
SLOW_POLL_FACTOR = 4


def document_view(config: Config, ticket: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """None while the ticket has no document (not finished)."""
    stage = ticket.get("document_stage")
    if stage not in p.DOCUMENT_STAGES:
        return None
    site = config.sites.get(ticket["site"])
    site_name = site.name if site else ticket["site"]
    view: dict[str, Any] = {
        "stage": stage,
        "label": i18n.t(f"documents.stage_{stage}", lang),
        "text": i18n.t(f"documents.public_{stage}", lang),
        "lines": [],
        "open": stage in p.OPEN_STAGES,
    }
    if stage in (p.STAGE_RECEIVED, p.STAGE_PROCESSING):
        view["lines"].append(i18n.t("documents.public_wait", lang))
    if stage == p.STAGE_READY:
        view["where"] = site_name
        address = getattr(site, "address", None)  # a site's address, where the config has one
        if address:
            view["address"] = address
        view["lines"].append(i18n.t("documents.public_bring", lang))
    if stage == p.STAGE_REJECTED:
        reason = ticket.get("document_reject_reason")
        if reason:
            view["lines"].append(i18n.t("documents.public_reason", lang, reason=reason))
        view["lines"].append(i18n.t("documents.public_rejected_hint", lang, site=site_name))
    return view


def poll_seconds(document: dict[str, Any] | None, base: float) -> int:
    """How often the page looks again once the ticket is finished."""
    if document is None or not document["open"]:
        return 0
    return max(1, round(base * SLOW_POLL_FACTOR))
