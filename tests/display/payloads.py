"""Server payloads as the protocol describes them, for feeding the board in tests."""

from __future__ import annotations

from datetime import datetime, timedelta


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
) -> dict:
    return {
        "site": site,
        "counter": f"{site}-L{counter}",
        "counter_name": f"Loket {counter}",
        "counter_number": counter,
        "ticket_id": ticket_id if ticket_id is not None else hash(number) % 100000,
        "number": number,
        "service": service,
        "priority": priority,
        "recall": recall,
        "called_at": at.isoformat(),
    }


def ticket(number: str, priority: bool = False) -> dict:
    return {"number": number, "priority": priority, "status": "called"}


def snapshot(server_time: datetime, recent: list[dict], counters: int = 2) -> dict:
    current: dict[str, dict] = {}
    for c in reversed(recent):  # oldest first: the newest call wins the counter
        current[c["counter"]] = ticket(c["number"], c["priority"])
    return {
        "site": "PRE",
        "site_name": "Kantor Kecamatan Pare",
        "day": server_time.date().isoformat(),
        "server_time": server_time.isoformat(),
        "open_now": True,
        "hours_today": "07:30-15:00",
        "queue": queue_changed(server_time, {"KTP": 4, "KK": 1}),
        "counters": [
            {
                "id": f"PRE-L{i}",
                "code": f"L{i}",
                "name": f"Loket {i}",
                "number": i,
                "services": ["KTP"],
                "current": current.get(f"PRE-L{i}"),
            }
            for i in range(1, counters + 1)
        ],  # fmt: skip
        "recent_calls": recent,
        "counter": None,
    }


def queue_changed(when: datetime, waiting: dict[str, int]) -> dict:
    names = {"KTP": ("KTP-el", "A"), "KK": ("Kartu Keluarga", "B"), "AKL": ("Akta Kelahiran", "C")}
    return {
        "site": "PRE",
        "day": when.date().isoformat(),
        "issued": 20,
        "remaining": 60,
        "services": [
            {
                "code": code,
                "name": names[code][0],
                "prefix": names[code][1],
                "issued": 10,
                "remaining": None,
                "waiting": n,
            }
            for code, n in waiting.items()
        ],  # fmt: skip
    }


def later(t: datetime, **kw: float) -> datetime:
    return t + timedelta(**kw)
