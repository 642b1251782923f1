"""The document stages of a finished ticket: which moves are allowed, what they set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sahaja import protocol as p
from sahaja.core import documents, lifecycle

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
FINISHED = p.STATUS_FINISHED

ALLOWED = {
    (p.STAGE_RECEIVED, p.STAGE_PROCESSING),
    (p.STAGE_RECEIVED, p.STAGE_READY),
    (p.STAGE_RECEIVED, p.STAGE_REJECTED),
    (p.STAGE_PROCESSING, p.STAGE_READY),
    (p.STAGE_PROCESSING, p.STAGE_REJECTED),
    (p.STAGE_READY, p.STAGE_COLLECTED),
}


def test_finishing_a_ticket_receives_its_document():
    change = lifecycle.finished(NOW - timedelta(minutes=5), NOW)
    assert (change["document_stage"], change["document_stage_at"]) == (p.STAGE_RECEIVED, NOW)


@pytest.mark.parametrize("current", p.DOCUMENT_STAGES)
@pytest.mark.parametrize("target", p.DOCUMENT_STAGES)
def test_every_move_between_stages(current, target):
    refusal = documents.move_refusal("A001", FINISHED, current, target, reason="Berkas kurang")
    if (current, target) in ALLOWED or current == target:
        assert refusal is None
    else:
        assert refusal is not None and refusal.code == p.ERR_STAGE_NOT_ALLOWED
        assert refusal.params == {"number": "A001", "stage": current, "target": target}
        assert p.ERROR_STATUS[refusal.code] == 409
    assert documents.is_repeat(FINISHED, current, target) is (current == target)


def test_the_way_only_goes_forward_and_ends_in_collected_or_rejected():
    assert set(documents.next_stages(FINISHED, p.STAGE_RECEIVED)) == {
        p.STAGE_PROCESSING,
        p.STAGE_READY,
        p.STAGE_REJECTED,
    }
    for final in (p.STAGE_COLLECTED, p.STAGE_REJECTED):
        assert documents.next_stages(FINISHED, final) == ()
    assert documents.next_stages(p.STATUS_WAITING, None) == ()


@pytest.mark.parametrize("status", [p.STATUS_WAITING, p.STATUS_CALLED, p.STATUS_NO_SHOW])
def test_a_ticket_not_finished_has_no_document(status):
    refusal = documents.move_refusal("B002", status, None, p.STAGE_PROCESSING)
    assert refusal is not None and refusal.code == p.ERR_TICKET_NOT_READY
    assert documents.stage_of(status, None) is None


def test_a_ticket_finished_before_stages_existed_counts_as_received():
    assert documents.stage_of(FINISHED, None) == p.STAGE_RECEIVED
    assert documents.move_refusal("A001", FINISHED, None, p.STAGE_READY) is None


@pytest.mark.parametrize("reason", [None, "", "   ", "\n\t"])
def test_rejection_needs_a_reason(reason):
    refusal = documents.move_refusal("A001", FINISHED, p.STAGE_PROCESSING, "rejected", reason)
    assert refusal is not None and refusal.code == p.ERR_REASON_REQUIRED
    assert p.ERROR_STATUS[refusal.code] == 422


@pytest.mark.parametrize(
    "reason", ["NIK 3506171508900001 salah", "nik 3506 1715 0890 0001", "3506.1715.0890.0001"]
)
def test_a_reason_holding_a_nik_is_refused(reason):
    for target in (p.STAGE_REJECTED, p.STAGE_PROCESSING):  # even where no reason is needed
        refusal = documents.move_refusal("A001", FINISHED, p.STAGE_RECEIVED, target, reason)
        assert refusal is not None and refusal.code == p.ERR_REASON_PERSONAL


def test_a_reason_with_short_numbers_is_fine_and_kept_on_one_line():
    reason = "  Akta lahir no. 123/2020\n belum dilegalisir  "
    assert documents.move_refusal("A001", FINISHED, p.STAGE_RECEIVED, "rejected", reason) is None
    change = documents.moved(p.STAGE_REJECTED, NOW, reason)
    assert change["document_reject_reason"] == "Akta lahir no. 123/2020 belum dilegalisir"
    long = documents.moved(p.STAGE_REJECTED, NOW, "x" * 500)["document_reject_reason"]
    assert long is not None and len(long) == documents.REASON_MAX


def test_moves_set_the_time_and_ready_sets_the_ready_time():
    ready = documents.moved(p.STAGE_READY, NOW)
    assert ready == {"document_stage": "ready", "document_stage_at": NOW, "document_ready_at": NOW}
    later = NOW + timedelta(hours=1)
    collected = documents.moved(p.STAGE_COLLECTED, later)
    assert collected == {"document_stage": "collected", "document_stage_at": later}
    assert documents.announces(p.STAGE_READY)
    assert not any(documents.announces(s) for s in p.DOCUMENT_STAGES if s != p.STAGE_READY)


def test_the_pickup_call_is_refused_once_collected_or_rejected():
    assert lifecycle.ready_refusal("A001", FINISHED, p.STAGE_PROCESSING) is None
    assert lifecycle.ready_refusal("A001", FINISHED, p.STAGE_READY) is None  # call again
    for final in (p.STAGE_COLLECTED, p.STAGE_REJECTED):
        refusal = lifecycle.ready_refusal("A001", FINISHED, final)
        assert refusal is not None and refusal.code == p.ERR_STAGE_NOT_ALLOWED
    refusal = lifecycle.ready_refusal("A001", p.STATUS_CALLED)
    assert refusal is not None and refusal.code == p.ERR_TICKET_NOT_READY


def test_same_day_is_the_office_local_day_of_the_ticket():
    day = date(2026, 11, 30)
    assert documents.ready_same_day(day, datetime(2026, 11, 30, 16, 59, tzinfo=UTC), WIB)
    # 17:00 UTC is already 00:00 of the next day in Kediri
    assert not documents.ready_same_day(day, datetime(2026, 11, 30, 17, 0, tzinfo=UTC), WIB)
    assert not documents.ready_same_day(day, None, WIB)
    assert documents.ready_same_day(day, datetime(2026, 11, 29, 17, 0, tzinfo=UTC), WIB)
