"""Periodic jobs that must run once across server processes, not once per process.

Each run claims ``(job, slot)`` — for the midnight rollover the slot is the new local day —
by inserting a row whose primary key is that pair: the database lets exactly one insert
succeed, on SQLite and PostgreSQL alike, and the others skip the run. A process that dies
after claiming leaves the work to the lazy paths (the first write of a new day rolls it).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from server.database import Database
from server.models import JobClaim


def claim(db: Database, job: str, slot: str, now: datetime) -> bool:
    """True for the one caller, across processes, that gets to run ``job`` for ``slot``."""
    try:
        with db.writing() as session:
            session.execute(
                insert(JobClaim).values(job=job, slot=slot, claimed_at=now, holder=holder())
            )
    except IntegrityError:
        return False
    return True


def holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]
