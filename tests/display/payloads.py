"""Server payloads exactly as ``sahaja.protocol`` describes them, for feeding the board.

Every builder returns the protocol's TypedDict with all of its keys (``test_payloads_follow_
the_protocol`` checks that they stay in step when the protocol grows). Call ids are unique
per process, as the server's audit ids are; ticket ids follow the number unless given.
The screenshot script (scripts/display_screenshots.py) builds its scenes from these too.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sahaja import protocol as p

_CALL_IDS = itertools.count(1)
NAMES = {
    "KTP": ("KTP-el", "A"),
    "KK": ("Kartu Keluarga", "B"),
    "AKL": ("Akta Kelahiran", "C"),
    "AKM": ("Akta Kematian", "D"),
    "SPK": ("Surat Pindah Keluar", "E"),
    "SPD": ("Surat Pindah Datang", "F"),
    "AMB": ("Pengambilan Dokumen", "G"),
}


def _ticket_id(number: str) -> int:
    """'A012' -> 1012: stable across runs (unlike ``hash``), distinct per letter and number."""
    letter, digits = number[0], number[1:]
    return (ord(letter.upper()) - 64) * 1000 + int(digits)


def call(
    number: str,
    counter: int,
    at: datetime,
    *,
    ticket_id: int | None = None,
    recall: bool = False,
    priority: bool = False,
    service: str = "KTP",
    site: str = "PRE",
    kind: str | None = None,
    call_id: int | None = None,
) -> p.CallPayload:
    return {
        "call_id": call_id if call_id is not None else next(_CALL_IDS),
        "kind": kind or ("recall" if recall else "call"),
        "site": site,
        "counter": f"{site}-L{counter}",
        "counter_name": f"Loket {counter}",
        "counter_number": counter,
        "ticket_id": ticket_id if ticket_id is not None else _ticket_id(number),
        "number": number,
        "service": service,
        "priority": priority,
        "recall": recall,
        "called_at": at.isoformat(),
    }


def ticket(
    number: str,
    called_at: datetime,
    *,
    priority: bool = False,
    service: str = "KTP",
    counter: str | None = None,
    site: str = "PRE",
) -> p.TicketPayload:
    """A ticket being served at ``counter`` (status ``called``)."""
    return {
        "id": _ticket_id(number),
        "number": number,
        "service": service,
        "site": site,
        "priority": priority,
        "priority_category": "lansia" if priority else None,
        "status": "called",
        "issued_at": (called_at - timedelta(minutes=20)).isoformat(),
        "ahead": None,
        "estimated_call_at": None,
        "estimate_from": None,
        "estimate_to": None,
        "estimate_today": None,
        "status_code": f"st{_ticket_id(number)}",
        "counter": counter,
        "called_at": called_at.isoformat(),
        "document_stage": None,  # called: no document yet
        "document_stage_at": None,
        "document_reject_reason": None,
    }


def counter_info(
    i: int, current: p.TicketPayload | None, services: list[str] | None = None, site: str = "PRE"
) -> p.CounterInfo:
    return {
        "id": f"{site}-L{i}",
        "code": f"L{i}",
        "name": f"Loket {i}",
        "number": i,
        "services": services if services is not None else ["KTP"],
        "current": current,
    }


def snapshot(
    server_time: datetime,
    recent: list[p.CallPayload],
    counters: int = 2,
    *,
    waiting: dict[str, int] | None = None,
    timezone: str = "Asia/Jakarta",
    running_text: str | None = None,
) -> p.SnapshotPayload:
    current: dict[str, p.TicketPayload] = {}
    for c in reversed(recent):  # oldest first: the newest call wins the counter
        at = datetime.fromisoformat(c["called_at"])
        current[c["counter"]] = ticket(
            c["number"], at, priority=c["priority"], service=c["service"], counter=c["counter"]
        )
    return {
        "site": "PRE",
        "site_name": "Kantor Kecamatan Pare",
        "day": server_time.date().isoformat(),
        "server_time": server_time.isoformat(),
        "timezone": timezone,
        "public_url": None,
        "open_now": True,
        "hours_today": "07:30-15:00",
        "closed_reason": None,
        "breaks_today": [{"name": "Istirahat", "start": "12:00", "end": "13:00"}],
        "on_break": None,
        "kiosk_opens": None,
        "queue": queue_changed(server_time, waiting or {"KTP": 4, "KK": 1}),
        "counters": [counter_info(i, current.get(f"PRE-L{i}")) for i in range(1, counters + 1)],
        "recent_calls": recent,
        "counter": None,
        "running_text": running_text,
    }


def queue_changed(when: datetime, waiting: dict[str, int]) -> p.QueueChangedPayload:
    services: list[p.ServiceCounts] = [
        {
            "code": code,
            "name": NAMES[code][0],
            "name_en": NAMES[code][0],
            "prefix": NAMES[code][1],
            "issued": 10,
            "remaining": 50,
            "held": 0,
            "waiting": n,
            "estimated_wait_minutes": 8 * n,
            "estimate_from": None,
            "estimate_to": None,
        }
        for code, n in waiting.items()
    ]
    return {
        "site": "PRE",
        "day": when.date().isoformat(),
        "issued": 10 * len(services),
        "remaining": 60,
        "services": services,
    }


def counter_changed(
    counter: int, current: p.TicketPayload | None, waiting: int
) -> p.CounterChangedPayload:
    return {"counter": f"PRE-L{counter}", "current": current, "waiting": waiting}


def later(t: datetime, **kw: float) -> datetime:
    return t + timedelta(**kw)
