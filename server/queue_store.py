"""Moved to ``server.store`` (reads in ``views.py``, writes in ``writes.py``); this name stays
so that imports of ``server.queue_store`` keep working."""

from server.store import Emission, Outcome, QueueStore

__all__ = ["Emission", "Outcome", "QueueStore"]
