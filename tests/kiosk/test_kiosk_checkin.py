"""The kiosk's check-in of an online booking: the state machine event by event, the USB
scanner, and the check-in screen painted headless (SDL dummy) and read back."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402

from kiosk import booking_code  # noqa: E402
from kiosk import layout as lay  # noqa: E402
from kiosk import messages as m  # noqa: E402
from kiosk import state as st  # noqa: E402
from kiosk.draw import BOOKING, Painter  # noqa: E402
from sahaja import protocol  # noqa: E402
from tests.kiosk.test_kiosk_state import TICKET, kinds, ready  # noqa: E402

CODE = "ACD479HJK"
BOOKED = {**TICKET, "id": 42, "number": "A005", protocol.TICKET_BOOKING_KEY: CODE}
WALL = datetime(2026, 11, 30, 8, 15, tzinfo=ZoneInfo("Asia/Jakarta"))


def on_keypad(code: str = CODE, now: float = 1.0) -> st.KioskState:
    s = ready()
    s.handle(st.OpenCheckin(), now)
    for key in code:
        s.handle(st.TypeKey(key), now)
    return s


def submit(s: st.KioskState, now: float = 2.0) -> str:
    """Press Check-in with a ready printer: the request id of the CheckIn sent."""
    assert kinds(s.handle(st.SubmitCode(), now)) == ["CheckPrinter"]
    (checkin,) = [
        c for c in s.handle(m.PrinterStatus("ok", "issue"), now) if kinds([c]) == ["CheckIn"]
    ]
    assert checkin.code == CODE and checkin.site == "PRE" and checkin.lang == s.lang
    return checkin.request_id


def scan(s: st.KioskState, line: str, now: float = 1.0) -> list[object]:
    for ch in line:
        assert s.handle(st.ScanText(ch), now) == []
    return s.handle(st.ScanEnd(), now)


# --- the state machine ------------------------------------------------------------------


def test_the_keypad_takes_the_codes_alphabet_only_and_stops_at_its_length():
    s = on_keypad("ACD4")
    assert s.screen == st.Screen.CHECKIN and s.code_typed == "ACD4"
    s.handle(st.TypeKey("O"), 1)  # not in the alphabet (looks like 0)
    s.handle(st.TypeKey("1"), 1)
    assert s.code_typed == "ACD4"
    s.handle(st.Backspace(), 1)
    assert s.code_typed == "ACD"
    assert s.handle(st.SubmitCode(), 1) == []  # too short: nothing sent
    for key in "479HJKAAA":
        s.handle(st.TypeKey(key), 1)
    assert s.code_typed == CODE  # nine, then no more
    s.handle(st.Cancel(), 1)
    assert s.screen == st.Screen.HOME and s.code_typed == ""


def test_a_check_in_prints_the_ticket_with_its_booking_code():
    s = on_keypad()
    request_id = submit(s)
    assert s.screen == st.Screen.CHECKIN and s.pending.booking == CODE  # busy on its screen
    (job,) = s.handle(m.TicketIssued(request_id, BOOKED), 3)
    assert isinstance(job, m.PrintTicket) and job.ticket[protocol.TICKET_BOOKING_KEY] == CODE
    assert s.screen == st.Screen.TICKET
    s.handle(m.Printed(BOOKED), 3.5)
    s.handle(st.Tick(), 3.5 + st.TICKET_SHOWN_SECONDS + 0.1)
    assert s.screen == st.Screen.HOME and not s.checkin_open and s.code_typed == ""


SERVER_WORDS = "Kata-kata server."  # the server's message, in the kiosk's language


@pytest.mark.parametrize(
    ("code", "key", "detailed"),
    [
        (protocol.ERR_WRONG_SITE, "checkin_wrong_site", True),  # names the right site
        (protocol.ERR_TOO_EARLY, "checkin_too_early", True),  # says when it opens
        (protocol.ERR_BOOKING_USED, "checkin_used", False),
        (protocol.ERR_BOOKING_CANCELLED, "checkin_cancelled", False),
        (protocol.ERR_BOOKING_EXPIRED, "checkin_expired", False),
        (protocol.ERR_UNKNOWN_BOOKING, "checkin_unknown", False),
    ],
)
def test_each_refusal_stays_on_the_check_in_screen_with_its_words(code, key, detailed):
    s = on_keypad()
    s.handle(m.IssueRejected(submit(s), code, SERVER_WORDS), 3)
    assert s.screen == st.Screen.CHECKIN and s.pending is None
    assert s.message == key and s.message_detail == (SERVER_WORDS if detailed else "")
    s.handle(st.Tick(), 3 + st.MESSAGE_SECONDS + 1)  # read at one's own pace
    assert s.message == key
    s.handle(st.Backspace(), 20)  # correcting the code clears it
    assert s.message is None


def test_offline_keeps_the_request_id_so_a_retry_gets_the_same_ticket():
    s = on_keypad()
    first = submit(s)
    s.handle(m.IssueUnreachable(first), 3)
    assert s.screen == st.Screen.OFFLINE and s.message == "checkin_offline"
    s.handle(m.Reachability(True), 4)
    assert s.screen == st.Screen.CHECKIN and s.code_typed == CODE
    assert submit(s, 5) == first  # the server answers 200 with the ticket it may have made
    s.handle(m.TicketIssued(first, BOOKED), 6)
    assert s.unsettled_checkins == {}
    s = on_keypad()
    assert submit(s) != first  # a fresh check-in has a fresh id


def test_a_closed_office_refusal_leaves_check_in_for_the_closed_screen():
    s = on_keypad()
    out = s.handle(m.IssueRejected(submit(s), protocol.ERR_CLOSED), 3)
    assert kinds(out) == ["RefreshSite"]
    assert s.screen == st.Screen.CLOSED and not s.checkin_open


def test_the_check_in_screen_goes_home_when_left_alone():
    s = on_keypad("ACD", now=10)
    s.handle(st.Tick(), 10 + st.CHECKIN_IDLE_SECONDS - 1)
    assert s.screen == st.Screen.CHECKIN
    s.handle(st.Tick(), 10 + st.CHECKIN_IDLE_SECONDS + 1)
    assert s.screen == st.Screen.HOME


# --- the USB scanner --------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [CODE, "acd-479-hjk", "https://antrian.kedirikab.go.id/booking/ACD479HJK", "x?code=ACD479HJK"],
)
def test_a_scan_on_home_checks_in_at_once(line):
    s = ready()
    out = scan(s, line)
    assert kinds(out) == ["CheckPrinter"] and s.pending.booking == CODE
    assert s.screen == st.Screen.CHECKIN and s.code_typed == CODE


def test_a_scan_that_holds_no_code_says_so_and_sends_nothing():
    s = ready()
    assert scan(s, "https://example.com/something-else") == []
    assert s.screen == st.Screen.CHECKIN and s.message == "checkin_invalid_code"
    assert s.pending is None


def test_a_scan_on_the_keypad_screen_wins_over_what_was_typed():
    s = on_keypad("ACD")
    assert kinds(scan(s, "HJK479ACD")) == ["CheckPrinter"]
    assert s.pending.booking == "HJK479ACD"


def test_stray_keys_without_enter_are_forgotten_and_busy_kiosks_ignore_scans():
    s = ready()
    s.handle(st.ScanText("Q"), 1)
    s.handle(st.Tick(), 1 + st.SCAN_IDLE_SECONDS + 0.1)
    assert s.scanned == ""
    assert kinds(scan(s, CODE, now=5)) == ["CheckPrinter"]
    assert scan(s, "HJK479ACD", now=5) == []  # one request at a time
    s = ready()
    s.handle(st.OpenPriority(), 1)
    s.handle(st.PickGroup("lansia"), 1)
    assert scan(s, CODE) == []  # a priority ticket is being chosen


def test_booking_code_reading_uses_the_cores_rule():
    assert booking_code.from_scan("  acd 479 hjk\n") == CODE
    assert booking_code.from_scan("ACD479HJ0") is None  # 0 is not in the alphabet
    assert booking_code.from_scan("x" * 600) is None
    assert set(booking_code.KEYS) == set(protocol.BOOKING_CODE_ALPHABET)


# --- painted headless -------------------------------------------------------------------


@pytest.fixture(scope="module")
def display():
    pygame.display.init()
    pygame.font.init()
    yield
    pygame.display.quit()


@pytest.mark.parametrize("size", [(800, 480), (1920, 1080)])
def test_home_has_the_booking_button_and_it_opens_the_keypad(display, size):
    s = ready()
    painter = Painter(pygame.Surface(size))
    targets = painter.paint(s, WALL)
    (button,) = [t for t in targets if t.kind == "booking"]
    assert "Sudah booking online?" in painter.drawn
    edge = (button.rect.left + 3, button.rect.centery)  # inside the button, beside its text
    assert painter.surface.get_at(edge)[:3] == BOOKING
    s.handle(lay.hit(targets, button.rect.center), 1)
    targets = painter.paint(s, WALL)
    assert s.screen == st.Screen.CHECKIN
    keys = [t.key for t in targets if t.kind == "key"]
    assert keys == list(booking_code.KEYS)
    assert "Ketik kode booking Anda, atau pindai QR-nya" in painter.drawn
    rects = [t.rect for t in targets if t.kind != "language"]
    assert all(painter.surface.get_rect().contains(r) for r in rects)
    assert not any(a.colliderect(b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def test_typing_on_the_painted_keypad_shows_the_code_and_enables_check_in(display):
    s = ready()
    s.handle(st.OpenCheckin(), 1)
    painter = Painter(pygame.Surface((800, 480)))
    for key in CODE:
        targets = painter.paint(s, WALL)
        (t,) = [t for t in targets if t.kind == "key" and t.key == key]
        s.handle(lay.hit(targets, t.rect.center), 1)
        (submit_,) = [t for t in painter.paint(s, WALL) if t.kind == "submit"]
        assert (submit_.event is not None) == (s.code_typed == CODE)
    assert "ACD-479-HJK" in painter.drawn and "ACD-4__-___" not in painter.drawn
    out = s.handle(lay.hit(painter.paint(s, WALL), submit_.rect.center), 2)
    assert kinds(out) == ["CheckPrinter"]


def test_a_refusal_is_painted_in_indonesian_with_the_servers_words(display):
    s = on_keypad()
    words = "Silakan datang ke Kantor Kecamatan Pare."
    s.handle(m.IssueRejected(submit(s), protocol.ERR_WRONG_SITE, words), 3)
    painter = Painter(pygame.Surface((800, 480)))
    painter.paint(s, WALL)
    assert "Booking ini untuk tempat pelayanan lain" in painter.drawn and words in painter.drawn
    s.handle(st.ToggleLanguage(), 4)
    painter.paint(s, WALL)
    assert "This booking is for another service point" in painter.drawn


def test_the_ticket_screen_shows_the_booking_code(display):
    s = on_keypad()
    s.handle(m.TicketIssued(submit(s), BOOKED), 3)
    painter = Painter(pygame.Surface((800, 480)))
    painter.paint(s, WALL)
    assert "A005" in painter.drawn
    assert any("Booking: ACD-479-HJK" in text for text in painter.drawn)


def test_every_check_in_text_is_there_in_indonesian_and_english():
    from sahaja import i18n

    keys = {key for key, _ in st.CHECKIN_REFUSALS.values()} | {"checkin_offline"}
    for key in keys:
        texts = {lang: i18n.t(f"kiosk.{key}", lang) for lang in ("id", "en")}
        assert texts["id"] and texts["en"] and texts["id"] != texts["en"], key
