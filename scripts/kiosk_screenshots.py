"""Render every kiosk screen at 800x480 and 1920x1080 into docs/screenshots/kiosk-*.png.

Runs without a server, a printer or a screen (SDL's dummy driver): each screen is painted from
a state built the way the kiosk's own events would build it.

    .venv/bin/python scripts/kiosk_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

from kiosk import messages as m  # noqa: E402
from kiosk import state as st  # noqa: E402
from kiosk.draw import Painter  # noqa: E402
from sahaja import i18n  # noqa: E402

SIZES = ((800, 480), (1920, 1080))
WALL = datetime(2026, 11, 30, 8, 15, tzinfo=ZoneInfo("Asia/Jakarta"))
SERVICES = [
    ("KTP", "KTP-el", 34, 6),
    ("KK", "Kartu Keluarga", 12, 3),
    ("AKL", "Akta Kelahiran", 0, 5),
    ("AKM", "Akta Kematian", 9, 0),
    ("SPK", "Surat Pindah Keluar", 7, 1),
    ("SPD", "Surat Pindah Datang", 8, 2),
]
# the estimator's expected wait for a ticket taken now, per service (shown on the buttons)
WAITS = {"KTP": 35, "KK": 20, "AKL": 40, "AKM": 0, "SPK": 10, "SPD": 15}
TICKET = {
    "id": 12,
    "number": "A012",
    "service": "KTP",
    "site": "DKC",
    "priority": False,
    "priority_category": None,
    "status": "waiting",
    "issued_at": "2026-11-30T08:15:00+07:00",
    "ahead": 6,
    "estimated_call_at": "2026-11-30T09:05:00+07:00",
    "estimate_from": "2026-11-30T08:50:00+07:00",
    "estimate_to": "2026-11-30T09:20:00+07:00",
    "status_code": "x",
    "counter": None,
    "called_at": None,
}


def base(lang: str = "id") -> st.KioskState:
    s = st.KioskState(lang=lang)
    services = [
        {
            "code": c,
            "name": n,
            "prefix": c[0],
            "issued": 0,
            "remaining": r,
            "waiting": w,
            "estimated_wait_minutes": WAITS[c],
        }
        for c, n, r, w in SERVICES
    ]
    s.handle(m.Connection(True), 0)
    s.handle(
        m.Snapshot(
            {
                "site": "DKC",
                "site_name": "Kantor Dinas Dukcapil Kab. Kediri",
                "server_time": WALL.isoformat(),
                "timezone": "Asia/Jakarta",
                "open_now": True,
                "hours_today": "07:30-15:00",
                "queue": {"site": "DKC", "services": services},
            }
        ),
        0,
    )
    return s


def screens() -> dict[str, st.KioskState]:
    out: dict[str, st.KioskState] = {"home": base(), "home-en": base("en")}
    s = base()
    s.handle(st.OpenPriority(), 0)
    out["priority-groups"] = s
    s = base()
    s.handle(st.OpenPriority(), 0)
    s.handle(st.PickGroup("lansia"), 0)
    out["priority-lane"] = s
    s = base()
    s.handle(st.PressService("KTP"), 0)
    out["busy"] = s
    s = base()
    s.handle(st.PressService("KTP"), 0)
    s.handle(m.PrinterStatus("ok", "issue"), 0)
    s.handle(m.TicketIssued(s.pending.request_id, TICKET), 0)
    s.handle(m.Printed(TICKET), 0)
    out["ticket"] = s
    s = base()
    s.handle(st.PressService("KTP"), 0)
    s.handle(m.PrinterStatus("ok", "issue"), 0)
    s.handle(m.IssueRejected(s.pending.request_id, "quota_exhausted"), 0)
    out["quota-refused"] = s
    s = base()
    s.handle(m.SiteInfo({"code": "DKC", "open_now": False, "hours_today": "07:30-15:00"}), 0)
    out["closed"] = s
    s = base()
    holiday = {"kind": "holiday", "name": "Hari Raya Idul Fitri", "until": None}
    s.handle(m.SiteInfo({"code": "DKC", "open_now": False, "closed_reason": holiday}), 0)
    out["closed-holiday"] = s
    s = base()
    s.handle(m.Connection(False), 0)
    out["offline"] = s
    s = base()
    s.handle(st.PressService("KTP"), 0)
    s.handle(m.PrinterStatus("out", "issue"), 0)
    out["fault-paper-out"] = s
    s = base()
    s.handle(st.PressService("KTP"), 0)
    s.handle(m.PrinterStatus("ok", "issue"), 0)
    s.handle(m.TicketIssued(s.pending.request_id, TICKET), 0)
    s.handle(m.PrintError(TICKET, "print_failed"), 0)
    out["fault-print-failed"] = s
    out.update(checkin_screens())
    return out


BOOKED = {**TICKET, "id": 13, "number": "A013", "booking": "ACD479HJK", "ahead": 1}
BOOKED |= {"estimate_from": "2026-11-30T08:20:00+07:00", "estimate_to": "2026-11-30T08:35:00+07:00"}


def checkin_screens() -> dict[str, st.KioskState]:
    """The check-in of an online booking: keypad, a ticket, and its refusals."""
    out: dict[str, st.KioskState] = {}
    s = base()
    s.handle(st.OpenCheckin(), 0)
    for key in "ACD47":
        s.handle(st.TypeKey(key), 0)
    out["checkin-keypad"] = s
    s = base("en")
    s.handle(st.OpenCheckin(), 0)
    out["checkin-keypad-en"] = s
    s = base()
    for ch in "ACD479HJK":
        s.handle(st.ScanText(ch), 0)
    s.handle(st.ScanEnd(), 0)
    s.handle(m.PrinterStatus("ok", "issue"), 0)
    s.handle(m.TicketIssued(s.pending.request_id, BOOKED), 0)
    s.handle(m.Printed(BOOKED), 0)
    out["checkin-ticket"] = s
    # the server's own words, as it sends them to a kiosk in Indonesian
    pare = i18n.t("booking.wrong_site", "id", site="Kantor Kecamatan Pare")
    early = i18n.t("booking.too_early", "id", date="2026-11-30", time="09:30")
    refusals = {
        "wrong-site": ("wrong_site", pare),
        "too-early": ("too_early", early),
        "used": ("booking_used", ""),
        "unknown": ("unknown_booking", ""),
    }
    for name, (code, words) in refusals.items():
        s = base()
        s.handle(st.OpenCheckin(), 0)
        for key in "ACD479HJK":
            s.handle(st.TypeKey(key), 0)
        s.handle(st.SubmitCode(), 0)
        s.handle(m.PrinterStatus("ok", "issue"), 0)
        s.handle(m.IssueRejected(s.pending.request_id, code, words), 0)
        out[f"checkin-{name}"] = s
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    pygame.display.init()
    pygame.font.init()
    for name, state in screens().items():
        for w, h in SIZES:
            surface = pygame.Surface((w, h))
            Painter(surface).paint(state, WALL)
            path = args.out / f"kiosk-{name}-{w}x{h}.png"
            pygame.image.save(surface, str(path))
            print(path)
    pygame.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
