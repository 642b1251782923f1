"""What each counter action does, and which audit-log entries are calls.

The store runs an action by these rules: refuse it without a current ticket when it needs
one, finish the current ticket first when it says so ("next finishes the current ticket"),
announce the call kind it makes, and tell the rooms when the counter's ticket may change.
"""

from __future__ import annotations

from dataclasses import dataclass

from sahaja import protocol as p
from sahaja.config import Break
from sahaja.core.calendar import minute_label
from sahaja.core.refusal import Refusal


@dataclass(frozen=True)
class ActionRule:
    needs_current: bool  # refused (no_current_ticket) while the counter has no ticket
    finishes_current: bool  # the current ticket, if any, is finished first
    calls_next: bool  # a new ticket is chosen (balancing.pick_next) and called
    announces: str | None  # the call kind boards announce (protocol.CALL_KIND_*), if any
    changes_counter: bool  # the counter's current ticket and the queue counts may change


RULES: dict[str, ActionRule] = {
    p.ACTION_NEXT: ActionRule(False, True, True, p.CALL_KIND_CALL, True),
    p.ACTION_RECALL: ActionRule(True, False, False, p.CALL_KIND_RECALL, False),
    p.ACTION_SKIP: ActionRule(True, False, False, None, True),
    p.ACTION_FINISH: ActionRule(True, True, False, None, True),
    p.ACTION_TRANSFER: ActionRule(True, False, False, None, True),
    p.ACTION_REPRINT: ActionRule(False, False, False, None, False),
    p.ACTION_READY: ActionRule(False, False, False, p.CALL_KIND_DOCUMENT_READY, False),
}


def rule(action: str) -> ActionRule | None:
    return RULES.get(action)


def refusal(action: str, has_current: bool, on_break: Break | None = None) -> Refusal | None:
    """Why the counter may not do ``action`` now: it needs a current ticket and has none, or
    it would call a new ticket during a break (``calendar.break_at``). Recall, skip, finish
    and transfer of the ticket already at the counter go on through a break."""
    if RULES[action].needs_current and not has_current:
        return Refusal(p.ERR_NO_CURRENT_TICKET, "server.no_current_ticket")
    if RULES[action].calls_next and on_break is not None:
        params = {"name": on_break.name, "until": minute_label(on_break.to_minute)}
        return Refusal(p.ERR_ON_BREAK, "server.on_break", params)
    return None


def is_call(action: str) -> bool:
    """Whether the action is announced in the waiting room."""
    return RULES[action].announces is not None


# --- the audit log ---------------------------------------------------------------------------
# Kinds of audit-log rows (server ``action`` table). Stored words, not wire words: the log of
# a call says "call", "recall" or "ready"; boards hear CALL_KIND_* (CallPayload.kind).
LOG_ISSUE = "issue"
LOG_VOID = "void"
LOG_CALL = "call"
LOG_RECALL = "recall"
LOG_SKIP = "skip"
LOG_FINISH = "finish"
LOG_TRANSFER = "transfer"
LOG_REPRINT = "reprint"
LOG_READY = "ready"

CALL_KIND_OF_LOG: dict[str, str] = {
    LOG_CALL: p.CALL_KIND_CALL,
    LOG_RECALL: p.CALL_KIND_RECALL,
    LOG_READY: p.CALL_KIND_DOCUMENT_READY,
}
LOG_OF_CALL_KIND: dict[str, str] = {kind: log for log, kind in CALL_KIND_OF_LOG.items()}
CALL_LOGS: tuple[str, ...] = tuple(CALL_KIND_OF_LOG)  # the rows a board's recent calls show
# A ticket with one of these rows has been called at least once (it cannot be voided).
CALLED_LOGS: tuple[str, ...] = (LOG_CALL, LOG_TRANSFER)
