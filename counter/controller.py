"""The button box's rules, apart from GPIO and HTTP so they can be tested and reasoned about.

A press arrives from a gpiozero callback thread; ``CounterBox.press`` decides at once, under a
lock, whether it may send anything, and hands the request to one worker thread, so a callback
never waits on the network. The rules:

- one request at a time: a press while a request is in flight sends nothing;
- a minimum interval after every accepted press and every answer, on top of gpiozero's
  ``bounce_time`` (which does not filter every glitch, and none under ``MockFactory``), so a
  double press calls one ticket, not two;
- destructive actions (skip = no-show, transfer) count only when held; a short press of them
  only flashes a hint;
- a request that fails for lack of an answer is reported and dropped, never retried and never
  queued: a call made minutes later than pressed would call a citizen who is not there;
- holding Recall (``ready_hold``) calls back the ticket this counter finished last, to collect
  its document ("siap diambil"): the server picks that ticket and marks its document ready.

The box follows its counter's events (``counter_changed``, ``ticket_called``) through
``link_up`` / ``link_down`` / ``counter_changed`` / ``ticket_called``, so a call made from the
web console shows on the box too.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from counter.errors import ActionRefused, ServerFailed, ServerUnreachable
from hardware.signals import Signal
from sahaja import i18n, protocol

log = logging.getLogger("sahaja.counter")


class Action(StrEnum):
    NEXT = "next"
    RECALL = "recall"
    SKIP = "skip"
    FINISH = "finish"
    TRANSFER = "transfer"
    READY = "ready"  # no button of its own: a held Recall (HELD_INSTEAD)


# Skip marks a citizen as a no-show and transfer sends them to another queue: neither can be
# undone from the box, so both need a hold. Finish is not in the list: the citizen is at the
# desk, and finishing is the officer's most frequent action after Next.
HOLD_ACTIONS: frozenset[Action] = frozenset({Action.SKIP, Action.TRANSFER})
# A button that does one thing on a short press and another when held: Recall, held, calls the
# last finished ticket back for its document. Both announce a number on the board, so the
# hold sits on the button that already means "call (again)"; a short press acts on release.
HELD_INSTEAD: dict[Action, Action] = {Action.RECALL: Action.READY}


class Press(StrEnum):
    """What became of one press, decided at once in the caller's thread."""

    SENT = "sent"
    BUSY = "busy"  # a request is in flight: nothing more is sent
    TOO_SOON = "too_soon"  # within the minimum interval after the last action
    HOLD_REQUIRED = "hold_required"  # a short press of a destructive button
    NOT_CONFIGURED = "not_configured"  # transfer without a preset service
    CLOSED = "closed"  # the box is shutting down


class Outcome(StrEnum):
    """How a sent request ended."""

    DONE = "done"
    EMPTY = "empty"  # next with nobody waiting
    REFUSED = "refused"  # the server said no (4xx): nothing to recall, wrong counter...
    OFFLINE = "offline"  # no connection: nothing happened on the server
    UNCERTAIN = "uncertain"  # sent but unanswered: the events will tell what happened
    FAILED = "failed"  # the server answered with an error of its own


class CounterActions(Protocol):
    """The server as the box needs it (``counter.client.CounterClient``)."""

    def act(self, action: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]: ...

    def state(self) -> dict[str, Any]: ...


class Indicator(Protocol):
    """A status light; a steady signal stays, a flash plays once and returns to it."""

    def show(self, signal: Signal) -> None: ...


@dataclass(frozen=True)
class ActionResult:
    action: Action | None  # None for the state fetched at start
    outcome: Outcome
    current: dict[str, Any] | None = None
    waiting: int | None = None
    code: str | None = None
    message: str | None = None
    ticket: dict[str, Any] | None = None  # READY: the ticket called back for its document


@dataclass(frozen=True)
class BoxState:
    online: bool | None  # None until the server has been reached once
    linked: bool  # the counter's events are arriving
    busy: bool
    current: dict[str, Any] | None  # TicketPayload now at this counter
    waiting: int | None
    last_call: dict[str, Any] | None  # the latest CallPayload for this counter
    signal: Signal  # the steady signal

    @property
    def current_number(self) -> str | None:
        return self.current["number"] if self.current else None


_REFRESH = "refresh"


class CounterBox:
    """One counter's buttons turned into at most one server request at a time."""

    def __init__(
        self,
        client: CounterActions,
        indicator: Indicator | None = None,
        *,
        counter: str,
        transfer_service: str | None = None,
        hold_actions: frozenset[Action] = HOLD_ACTIONS,
        min_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        on_result: Callable[[ActionResult], None] | None = None,
        lang: str | None = None,
        ready_hold: bool = True,
    ) -> None:
        if min_interval < 0:
            raise ValueError("min_interval must not be negative")
        self.counter = counter
        self.transfer_service = transfer_service
        self.hold_actions = hold_actions
        self.held_instead = dict(HELD_INSTEAD) if ready_hold else {}
        self.min_interval = min_interval
        self.lang = i18n.normalize_language(lang)
        self._client = client
        self._indicator = indicator
        self._clock = clock
        self._on_result = on_result
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._show_lock = threading.Lock()
        self._jobs: queue.Queue[Action | str | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._closed = False
        self._busy = False
        self._pending = 0
        self._quiet_until = -math.inf
        self._online: bool | None = None
        self._linked = False  # events are arriving over Socket.IO
        self._current: dict[str, Any] | None = None
        self._waiting: int | None = None
        self._last_call: dict[str, Any] | None = None

    # --- life cycle ----------------------------------------------------------------------
    def start(self, *, refresh: bool = True) -> None:
        """Start the worker; with ``refresh``, fetch the counter's state once (presses wait)."""
        if self._worker is not None:
            raise RuntimeError("already started")
        self._worker = threading.Thread(target=self._work, name="counter-box", daemon=True)
        self._worker.start()
        self._update_indicator()
        if refresh:
            with self._lock:
                self._busy = True
                self._pending += 1
            self._jobs.put(_REFRESH)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        if self._worker is not None:
            self._jobs.put(None)
            self._worker.join()

    def __enter__(self) -> CounterBox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- input ---------------------------------------------------------------------------
    def press(self, action: Action | str, *, held: bool = False) -> Press:
        """A button went down (or, for hold actions, was held). Returns without waiting."""
        action = Action(action)
        if held and action in self.held_instead:
            action = self.held_instead[action]
        with self._lock:
            if self._worker is None:
                raise RuntimeError("CounterBox.start() was not called")
            verdict = self._judge(action, held)
            if verdict is Press.SENT:
                self._busy = True
                self._pending += 1
                self._quiet_until = self._clock() + self.min_interval
        if verdict is Press.SENT:
            self._jobs.put(action)
            self._update_indicator()
        elif verdict is Press.HOLD_REQUIRED:
            self._flash(Signal.HOLD)
        elif verdict is Press.NOT_CONFIGURED:
            self._flash(Signal.ERROR)
        log.info(self._text(f"press_{verdict.value}", action=self._action_name(action)))
        return verdict

    def _judge(self, action: Action, held: bool) -> Press:
        if self._closed:
            return Press.CLOSED
        if action in self.hold_actions and not held:
            return Press.HOLD_REQUIRED
        if action is Action.TRANSFER and not self.transfer_service:
            return Press.NOT_CONFIGURED
        if self._busy:
            return Press.BUSY
        if self._clock() < self._quiet_until:
            return Press.TOO_SOON
        return Press.SENT

    # --- events from the server (Socket.IO thread) -----------------------------------------
    def link_up(self) -> None:
        with self._lock:
            news = not self._linked
            self._online = True
            self._linked = True
        if news:
            log.info(self._text("link_up"))
        self._update_indicator()

    def link_down(self) -> None:
        """The event connection dropped, or an attempt to (re)connect failed."""
        with self._lock:
            news = self._linked or self._online is not False
            self._online = False
            self._linked = False
        if news:
            log.warning(self._text("link_down"))
        self._update_indicator()

    def counter_changed(self, current: dict[str, Any] | None, waiting: int | None) -> None:
        with self._lock:
            before = self._current
            self._current = current
            if waiting is not None:
                self._waiting = waiting
        if _number(before) != _number(current):
            log.info(self._text("now_serving", number=_number(current) or "-", waiting=waiting))
        self._update_indicator()

    def ticket_called(self, call: dict[str, Any]) -> None:
        if call.get("counter") != self.counter:
            return
        with self._lock:
            self._last_call = dict(call)
        key = "event_recalled" if call.get("recall") else "event_called"
        if call.get("kind") == protocol.CALL_KIND_DOCUMENT_READY:
            key = "event_ready"
        log.info(self._text(key, number=call.get("number"), counter=call.get("counter_name")))
        self._flash(Signal.CALLING)

    # --- state ---------------------------------------------------------------------------
    @property
    def state(self) -> BoxState:
        with self._lock:
            return BoxState(
                online=self._online,
                linked=self._linked,
                busy=self._busy,
                current=self._current,
                waiting=self._waiting,
                last_call=self._last_call,
                signal=self._steady_signal(),
            )

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every accepted press has been answered and reported."""
        with self._settled:
            return self._settled.wait_for(lambda: self._pending == 0, timeout)

    # --- worker --------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            action = None if job == _REFRESH else Action(job)
            try:
                result = self._perform(action)
            except Exception as exc:  # a bug must not silence the box for the rest of the day
                log.exception("counter box worker failed")
                result = ActionResult(action, Outcome.FAILED, message=str(exc))
            self._finish(result)

    def _perform(self, action: Action | None) -> ActionResult:
        try:
            if action is None:
                reply = self._client.state()
            else:
                body = {"service": self.transfer_service} if action is Action.TRANSFER else None
                reply = self._client.act(action.value, body)
        except ServerUnreachable as exc:
            outcome = Outcome.UNCERTAIN if exc.maybe_done else Outcome.OFFLINE
            return ActionResult(action, outcome, message=exc.detail)
        except ActionRefused as exc:
            return ActionResult(action, Outcome.REFUSED, code=exc.code, message=exc.message)
        except ServerFailed as exc:
            return ActionResult(action, Outcome.FAILED, code=str(exc.status), message=exc.detail)
        if action is Action.READY:  # {"ticket", "call"}: the counter's own ticket is unchanged
            return ActionResult(action, Outcome.DONE, ticket=reply.get("ticket"))
        current = reply.get("current")
        waiting = reply.get("waiting")
        outcome = Outcome.EMPTY if action is Action.NEXT and current is None else Outcome.DONE
        return ActionResult(action, outcome, current=current, waiting=waiting)

    def _finish(self, result: ActionResult) -> None:
        answered = result.outcome not in (Outcome.OFFLINE, Outcome.UNCERTAIN)
        with self._lock:
            self._online = answered  # the latest evidence wins
            if (
                result.outcome in (Outcome.DONE, Outcome.EMPTY)
                and result.action is not Action.READY
            ):
                self._current = result.current
                self._waiting = result.waiting
            linked = self._linked
            self._busy = False
            if result.action is not None:  # the state fetched at start is no press
                self._quiet_until = max(self._quiet_until, self._clock() + self.min_interval)
        self._update_indicator()
        flash = {
            Outcome.EMPTY: Signal.EMPTY,
            Outcome.REFUSED: Signal.ERROR,
            Outcome.FAILED: Signal.ERROR,
        }.get(result.outcome)
        announced = (Action.NEXT, Action.RECALL, Action.READY)
        if result.outcome is Outcome.DONE and result.action in announced:
            # With live events the ticket_called event flashes; flash here only without them.
            flash = None if linked else Signal.CALLING
        if flash is not None:
            self._flash(flash)
        self._log_result(result)
        try:
            if self._on_result is not None:
                self._on_result(result)
        finally:
            with self._lock:
                self._pending -= 1
                self._settled.notify_all()

    # --- output --------------------------------------------------------------------------
    def _steady_signal(self) -> Signal:  # caller holds self._lock
        if self._busy:
            return Signal.BUSY
        if not self._online:
            return Signal.OFFLINE
        return Signal.READY

    def _update_indicator(self) -> None:
        with self._show_lock:
            with self._lock:
                signal = self._steady_signal()
            self._show(signal)

    def _flash(self, signal: Signal) -> None:
        with self._show_lock:
            self._show(signal)

    def _show(self, signal: Signal) -> None:
        if self._indicator is None:
            return
        try:
            self._indicator.show(signal)
        except Exception:  # a broken LED must not stop the buttons
            log.exception("status indicator failed")

    def _log_result(self, result: ActionResult) -> None:
        name = self._action_name(result.action) if result.action else self._text("state")
        params = {
            "action": name,
            "number": _number(result.current) or "-",
            "waiting": result.waiting if result.waiting is not None else "-",
            "code": result.code or "-",
            "message": result.message or "",
        }
        level = logging.INFO if result.outcome in (Outcome.DONE, Outcome.EMPTY) else logging.WARNING
        key = f"result_{result.outcome.value}"
        if result.action is None and result.outcome is Outcome.DONE:
            key = "now_serving"
        if result.action is Action.READY and result.outcome is Outcome.DONE:
            key, params["number"] = "result_ready", _number(result.ticket) or "-"
        log.log(level, self._text(key, **params))

    def _action_name(self, action: Action) -> str:
        return self._text(f"action_{action.value}")

    def _text(self, key: str, **params: object) -> str:
        return i18n.t(f"counter.{key}", self.lang, **params)


def _number(ticket: Mapping[str, Any] | None) -> str | None:
    return ticket.get("number") if ticket else None
