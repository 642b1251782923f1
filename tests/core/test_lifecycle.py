"""The rules of one ticket's day and of the counter actions, and the candidate rule."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sahaja import protocol as p
from sahaja.config import QueueRules, load_config
from sahaja.core import actions, balancing, estimate, lifecycle
from sahaja.core.tickets import WaitingTicket

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
RULES = QueueRules()
PRE = load_config().sites["PRE"]


def facts(**kw):
    base = {
        "number": "A001",
        "status": p.STATUS_WAITING,
        "issuer": 7,
        "issued_at": NOW,
        "ever_called": False,
    }
    return lifecycle.VoidFacts(**{**base, **kw})


def code(refusal):
    return refusal and refusal.code


def test_a_kiosk_voids_only_its_own_never_called_ticket_within_the_window():
    assert lifecycle.void_refusal(facts(), 7, NOW, RULES) is None
    assert code(lifecycle.void_refusal(facts(), 8, NOW, RULES)) == p.ERR_NOT_TICKET_ISSUER
    assert (
        code(lifecycle.void_refusal(facts(issuer=None), 7, NOW, RULES)) == p.ERR_NOT_TICKET_ISSUER
    )
    window = timedelta(minutes=RULES.void_window_minutes)
    assert lifecycle.void_refusal(facts(), 7, NOW + window, RULES) is None
    late = lifecycle.void_refusal(facts(), 7, NOW + window + timedelta(seconds=1), RULES)
    assert code(late) == p.ERR_VOID_WINDOW_PASSED and late.params["minutes"] == "5"
    for status in (p.STATUS_CALLED, p.STATUS_FINISHED, p.STATUS_NO_SHOW, p.STATUS_EXPIRED):
        refused = lifecycle.void_refusal(facts(status=status), 7, NOW, RULES)
        assert code(refused) == p.ERR_TICKET_NOT_VOIDABLE, status
    skipped_back = facts(ever_called=True)  # waiting again after a skip or a transfer
    assert code(lifecycle.void_refusal(skipped_back, 7, NOW, RULES)) == p.ERR_TICKET_NOT_VOIDABLE
    # a retry of a void that went through, even late, answers the same; another kiosk's not
    again = facts(status=p.STATUS_VOIDED)
    assert lifecycle.void_refusal(again, 7, NOW + timedelta(hours=1), RULES) is None
    assert code(lifecycle.void_refusal(again, 8, NOW, RULES)) == p.ERR_NOT_TICKET_ISSUER
    assert lifecycle.voided("x" * 100) == {"status": p.STATUS_VOIDED, "void_reason": "x" * 64}


def test_midnight_expires_only_earlier_open_tickets():
    today, yesterday = date(2026, 12, 1), date(2026, 11, 30)
    for status in p.TICKET_STATUSES:
        after = lifecycle.status_after_rollover(status, yesterday, today)
        assert after == (p.STATUS_EXPIRED if status in p.OPEN_STATUSES else status)
        assert lifecycle.status_after_rollover(status, today, today) == status


def test_transfer_keeps_the_place_and_needs_an_offered_service():
    services = load_config().services
    assert code(lifecycle.transfer_refusal(PRE, services, "XX")) == p.ERR_UNKNOWN_SERVICE
    assert code(lifecycle.transfer_refusal(PRE, services, None)) == p.ERR_UNKNOWN_SERVICE
    small = PRE.__class__(**{**PRE.__dict__, "services": ("KTP",)})
    assert code(lifecycle.transfer_refusal(small, services, "KK")) == p.ERR_SERVICE_NOT_OFFERED
    assert lifecycle.transfer_refusal(PRE, services, "KK") is None
    change = lifecycle.transferred("KK")
    assert change["status"] == p.STATUS_WAITING and change["service"] == "KK"
    assert change["counter_id"] is None and change["called_at"] is None
    assert "issued_at" not in change  # ordered by its original issue time


def test_call_finish_and_skip_changes():
    assert lifecycle.called("PRE-L1", NOW)["eligible_after_call"] is None
    done = lifecycle.finished(NOW, NOW + timedelta(minutes=4))
    assert (done["status"], done["service_seconds"]) == (p.STATUS_FINISHED, 240)
    assert "service_seconds" not in lifecycle.finished(None, NOW)
    back = lifecycle.skipped(0, 10, "PRE-L1", NOW, RULES)
    assert (back["status"], back["eligible_after_call"], back["counter_id"]) == (
        p.STATUS_WAITING,
        13,
        None,
    )
    gone = lifecycle.skipped(RULES.max_skips, 10, "PRE-L1", NOW, RULES)
    assert (gone["status"], gone["counter_id"], gone["finished_at"]) == (
        p.STATUS_NO_SHOW,
        "PRE-L1",
        NOW,
    )
    assert code(lifecycle.ready_refusal("A001", p.STATUS_CALLED)) == p.ERR_TICKET_NOT_READY
    assert lifecycle.ready_refusal("A001", p.STATUS_FINISHED) is None


def test_counter_action_rules():
    assert set(actions.RULES) == set(p.COUNTER_ACTIONS)
    nxt = actions.rule(p.ACTION_NEXT)
    assert nxt.finishes_current and nxt.calls_next and not nxt.needs_current
    assert actions.rule(p.ACTION_FINISH).finishes_current
    assert actions.refusal(p.ACTION_NEXT, has_current=False) is None
    for action in (p.ACTION_RECALL, p.ACTION_SKIP, p.ACTION_FINISH, p.ACTION_TRANSFER):
        assert code(actions.refusal(action, False)) == p.ERR_NO_CURRENT_TICKET, action
        assert actions.refusal(action, True) is None
    calls = {a: r.announces for a, r in actions.RULES.items() if actions.is_call(a)}
    assert calls == {
        p.ACTION_NEXT: p.CALL_KIND_CALL,
        p.ACTION_RECALL: p.CALL_KIND_RECALL,
        p.ACTION_READY: p.CALL_KIND_DOCUMENT_READY,
    }
    assert set(actions.CALL_KIND_OF_LOG.values()) == set(p.CALL_KINDS)
    assert actions.rule("dance") is None


def test_a_counter_is_open_when_it_acted_within_the_idle_time():
    idle = RULES.counter_idle_minutes
    recent, old = NOW - timedelta(minutes=idle), NOW - timedelta(minutes=idle, seconds=1)
    assert estimate.is_open(recent, NOW, idle) and not estimate.is_open(old, NOW, idle)
    assert estimate.open_counters([recent, old, None], NOW, idle) == 1
    assert [c.code for c in estimate.counters_serving(PRE, "AKL")] == ["L2"]


def random_queue(rng: random.Random, n: int) -> list[WaitingTicket]:
    minutes = [rng.choice([0, 0, 1, 2, 5]) for _ in range(n)]
    tickets = []
    for i in range(n):
        eligible = rng.choice([None, None, None, rng.randint(0, 30)])
        at = NOW + timedelta(minutes=sum(minutes[: i + 1]))
        service = rng.choice(["KTP", "KK", "AKL", "SPD"])
        tickets.append(WaitingTicket(i + 1, service, rng.random() < 0.2, at, eligible))
    rng.shuffle(tickets)
    return tickets


@pytest.mark.parametrize("seed", range(5))
def test_the_candidates_choose_as_the_whole_queue_and_ahead_is_the_call_order(seed):
    rng = random.Random(seed)
    for _ in range(200):
        waiting = random_queue(rng, rng.randint(0, 25))
        services = rng.sample(["KTP", "KK", "AKL", "SPD"], rng.randint(1, 4))
        calls = rng.randint(0, 30)
        few = balancing.next_candidates(waiting, services)
        assert balancing.pick_next(few, services, calls) == balancing.pick_next(
            waiting, services, calls
        )
        for t in waiting:
            same = sorted(
                (u for u in waiting if u.service == t.service), key=WaitingTicket.call_order
            )
            assert estimate.ahead_of(t, waiting) == same.index(t)
