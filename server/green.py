"""gevent: patch the standard library early, and tell whether this process runs green.

Imports nothing heavy itself: ``patch()`` must run before Flask, SQLAlchemy, redis and psycopg
are imported (psycopg 3 picks its gevent-aware wait function when it is imported, 3.1.14 on).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def patch() -> None:
    from gevent import monkey

    monkey.patch_all()


def is_green() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


def off_loop(fn: Callable[..., T], *args: object) -> T:
    """Run a blocking call (fsync-heavy SQLite work, a contended flock) in gevent's thread
    pool so the loop keeps serving; a plain call outside gevent."""
    if not is_green():
        return fn(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(fn, args)
