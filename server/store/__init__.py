"""The queue's storage: read views (``views.py``) and write operations (``writes.py``)
around the pure core, sharing the per-site write transaction (``base.py``).

``QueueStore`` holds one of each and exposes their operations under one name, as the API,
the live events and the console use them.
"""

from __future__ import annotations

from collections.abc import Callable

from sahaja.config import Config
from sahaja.core.clock import Clock
from server.database import Database
from server.store.base import Emission, Outcome, StoreBase
from server.store.views import QueueViews
from server.store.writes import QueueWrites, new_status_code


class QueueStore:
    def __init__(
        self,
        db: Database,
        config: Config,
        clock: Clock,
        make_code: Callable[[], str] = new_status_code,
    ) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.base = StoreBase(db, config, clock)
        self.views = QueueViews(self.base)
        self.writes = QueueWrites(self.base, self.views, make_code)
        # lookups (404 for unknown codes)
        self.site = self.base.site
        self.counter = self.base.counter
        self.today = self.base.today
        # reads
        self.site_view = self.views.site_view
        self.sites_view = self.views.sites_view
        self.snapshot = self.views.snapshot
        self.counter_view = self.views.counter_view
        self.ticket_by_code = self.views.ticket_by_code
        self.queue_event = self.views.queue_event
        # writes
        self.issue = self.writes.issue
        self.void = self.writes.void
        self.counter_action = self.writes.counter_action
        self.reprint = self.writes.reprint
        self.announce_ready = self.writes.announce_ready
        self.roll_over = self.writes.roll_over

    def reconfigure(self, config: Config) -> None:
        """Serve ``config`` from now on: a new version saved in the admin pages or imported
        (server/admin/live_config.py); forecasts made under the old one are dropped."""
        from server.closed_days import site_holidays

        self.config = config
        self.base.config = config
        self.base.tz = config.tz
        self.base.holidays = site_holidays(config)
        for part in (self.views, self.writes):
            part.config = config
            part.tz = config.tz
        self.views._forecasts.clear()


__all__ = ["Emission", "Outcome", "QueueStore", "QueueViews", "QueueWrites"]
