"""Sign-in limits found from outside (issue 8 §6-7): failures counted before the password is
checked (threads and two guards on one database, SQLite and PostgreSQL), a per-address
sliding window, a bounded number of password checks with a fast 429, and an account lock
that a stranger cannot turn against the officer's own browser."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.console.password_checks import PasswordChecks, TooBusy
from server.console.signin import Client, LockPolicy, SignInGuard, Throttled
from server.models import SignInThrottle, User
from tests.console.conftest import PASSWORD, add_user, text

WAIT = 30.0  # seconds: a deadline on every wait of these tests


def no_sleep(_seconds: float) -> None:
    return None


def new_guard(app, clock, **policy) -> SignInGuard:
    checks = PasswordChecks(concurrency=2, max_waiting=100, wait_seconds=WAIT)
    return SignInGuard(
        app.extensions["sahaja"].db, clock, LockPolicy(**policy), no_sleep, checks=checks
    )


def in_parallel(calls: list) -> list:
    """Start every call at once (a barrier), return what each returned or raised."""
    barrier = threading.Barrier(len(calls), timeout=WAIT)

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - returned for the test to inspect
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(run, c) for c in calls]
        return [f.result(timeout=WAIT) for f in futures]


def account(app, username: str = "ani") -> User:
    with app.extensions["sahaja"].db.reading() as s:
        return s.scalars(select(User).where(User.username == username)).one()


@contextmanager
def turns_held(checks: PasswordChecks, count: int = 1) -> Iterator[None]:
    """``count`` threads take a turn each (the first running, the rest queued) and keep them
    until the block ends."""
    release = threading.Event()

    def hold() -> None:
        with checks.turn():
            release.wait(WAIT)

    holders = [threading.Thread(target=hold) for _ in range(count)]
    for holder in holders:
        holder.start()
    try:
        wait_until(lambda: checks.admitted >= count)
        yield
    finally:
        release.set()
        for holder in holders:
            holder.join(WAIT)


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


# --- counted before checking ----------------------------------------------------------------
@pytest.mark.parametrize("guesses", [20, 40])
def test_parallel_guesses_beyond_the_limit_never_reach_a_password_check(app, clock, guesses):
    guard = new_guard(app, clock)
    results = in_parallel([lambda: guard.sign_in("ani", "salah")] * guesses)
    assert results == [None] * guesses
    assert guard.password_checks == 5  # exactly the free failures; the rest found it locked
    assert guard.checks.peak_running <= 2
    assert account(app).failed_logins == 5
    assert guard.sign_in("ani", PASSWORD) is None  # the right password after the burst: locked
    assert guard.password_checks == 5


def test_two_server_processes_share_the_count(app, clock):
    """Two guards (as in two server processes) on one database: still 5 checks in all."""
    first, second = new_guard(app, clock), new_guard(app, clock)
    calls = [lambda: first.sign_in("ani", "salah"), lambda: second.sign_in("ani", "salah")] * 10
    assert in_parallel(calls) == [None] * 20
    assert first.password_checks + second.password_checks == 5


def test_the_count_is_shared_on_postgresql_too(clock):
    from server.app import create_app
    from server.database import Database
    from server.setup import init_database
    from tests.support.databases import postgres_schema

    with postgres_schema() as url:
        db = Database.connect(url)
        init_database(db, None, clock.now())
        db.dispose()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "k", "TESTING": True}, clock=clock)
        try:
            add_user(app, "ani", "officer", "PRE")
            guards = [new_guard(app, clock) for _ in range(2)]
            calls = [lambda g=g: g.sign_in("ani", "salah") for g in guards] * 12
            assert in_parallel(calls) == [None] * 24
            assert sum(g.password_checks for g in guards) == 5
            assert account(app).locked_until == clock.now() + timedelta(seconds=30)
        finally:
            app.extensions["sahaja"].db.dispose()


def test_the_right_password_inside_the_free_failures_is_accepted(app, clock):
    guard = new_guard(app, clock)
    for _ in range(4):
        assert guard.sign_in("ani", "salah") is None
    assert guard.sign_in("ani", PASSWORD) is not None  # the fifth claim, before the lock
    assert (account(app).failed_logins, account(app).locked_until) == (0, None)


# --- per client address -----------------------------------------------------------------------
def test_an_address_gets_a_sliding_window_of_attempts_over_every_account(app, clock):
    guard = new_guard(app, clock, address_attempts=6, address_window_seconds=60)
    stranger = Client("203.0.113.9")
    for name in ("a", "b", "c", "d", "e", "f"):  # unknown names cost a (decoy) check too
        assert guard.sign_in(name, "salah", stranger) is None
    with pytest.raises(Throttled) as refused:
        guard.sign_in("ani", PASSWORD, stranger)
    assert 1 <= refused.value.retry_after <= 60
    assert guard.password_checks == 6  # the refusal came before any check
    with app.extensions["sahaja"].db.reading() as s:
        counted = s.get(SignInThrottle, "203.0.113.9").count
    for _ in range(50):  # a flood is refused from memory: nothing more is written
        with pytest.raises(Throttled):
            guard.sign_in("ani", PASSWORD, stranger)
    with app.extensions["sahaja"].db.reading() as s:
        assert s.get(SignInThrottle, "203.0.113.9").count == counted
    assert guard.sign_in("ani", PASSWORD, Client("203.0.113.10")) is not None  # another address

    clock.advance(seconds=62)  # the previous window still weighs 58/60: 5.8 + 0 + 1 > 6
    with pytest.raises(Throttled):
        guard.sign_in("ani", PASSWORD, stranger)
    clock.advance(seconds=28)  # now half: 3 + 0 + 1 <= 6
    assert guard.sign_in("ani", PASSWORD, stranger) is not None


def test_a_second_guard_sees_the_address_count_of_the_first(app, clock):
    one = new_guard(app, clock, address_attempts=4)
    two = new_guard(app, clock, address_attempts=4)
    here = Client("198.51.100.7")
    for guard in (one, two, one, two):
        guard.sign_in("x", "salah", here)
    with pytest.raises(Throttled):
        two.sign_in("x", "salah", here)


def test_the_sign_in_form_answers_429_with_retry_after(app, officer, client):
    app.extensions["sahaja_console"].policy = LockPolicy(address_attempts=2, failure_delay=0)
    for _ in range(2):
        assert officer.sign_in("tidak-ada", "salah").status_code == 401
    token = officer.token()
    form = {"username": "ani", "password": PASSWORD, "csrf_token": token}
    r = client.post("/console/login", data=form, headers={"Accept": "application/json"})
    assert r.status_code == 429
    seconds = int(r.headers["Retry-After"])
    assert seconds >= 1
    assert r.get_json() == {
        "error": "too_many_attempts",
        "message": text("too_many_attempts", seconds=seconds),
    }
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "en"}
    r = client.post("/console/login", data=form, headers=browser)
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert text("too_many_attempts", seconds=int(r.headers["Retry-After"])) in r.get_data(
        as_text=True
    )  # the console's language is Indonesian unless switched, whatever the browser says
    with client.session_transaction() as s:
        assert "officer" not in s


# --- bounded password checks --------------------------------------------------------------------
def test_checks_beyond_the_queue_are_refused_at_once():
    checks = PasswordChecks(concurrency=1, max_waiting=1, wait_seconds=WAIT)
    with turns_held(checks, 2):  # one running, one in the only place of the queue
        assert checks.admitted == 2
        with pytest.raises(TooBusy) as refused, checks.turn():
            pass
        assert refused.value.retry_after >= 1
    assert checks.admitted == 0
    assert checks.peak_running == 1


def test_a_wait_longer_than_allowed_is_refused():
    checks = PasswordChecks(concurrency=1, max_waiting=5, wait_seconds=0.05)
    with turns_held(checks), pytest.raises(TooBusy), checks.turn():
        pass


def test_the_sign_in_form_says_busy_when_the_checks_are_full(app, officer, client):
    guard = app.extensions["sahaja_console"]
    guard.checks = PasswordChecks(concurrency=1, max_waiting=0)
    with turns_held(guard.checks):
        form = {"username": "ani", "password": PASSWORD, "csrf_token": officer.token()}
        r = client.post("/console/login", data=form, headers={"Accept": "application/json"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.get_json()["error"] == "busy"
    assert officer.sign_in("ani").status_code == 303  # free again


@pytest.mark.slow
def test_sixty_four_parallel_attempts_run_at_most_two_checks_at_once(app, clock):
    guard = new_guard(app, clock)
    names = [f"tamu-{i}" for i in range(64)]
    results = in_parallel([lambda n=n: guard.sign_in(n, "salah") for n in names])
    assert results == [None] * 64
    assert guard.password_checks == 64
    assert guard.checks.peak_running == 2


# --- a lock that strangers cannot turn against the officer --------------------------------------
def test_a_stranger_locks_the_account_but_not_the_officers_browser(app, clock):
    guard = new_guard(app, clock)
    mine = guard.sign_in("ani", PASSWORD, Client("10.0.0.21"))
    assert mine is not None and mine.browser_token  # this browser is trusted from now on
    at_my_counter = Client("10.0.0.21", mine.browser_token)

    stranger = Client("10.0.0.99")
    for _ in range(8):
        assert guard.sign_in("ani", "tebakan", stranger) is None
    assert account(app).locked_until is not None
    assert guard.sign_in("ani", PASSWORD, stranger) is None  # strangers: locked

    again = guard.sign_in("ani", PASSWORD, at_my_counter)  # the officer: in
    assert again is not None and again.browser_token is None  # (the cookie is kept)
    assert account(app).locked_until is not None  # still locked for strangers


def test_failures_from_a_trusted_browser_lock_only_that_browser(app, clock):
    guard = new_guard(app, clock)
    token = guard.sign_in("ani", PASSWORD).browser_token
    trusted = Client(None, token)
    for _ in range(5):
        assert guard.sign_in("ani", "salah-ketik", trusted) is None
    assert guard.sign_in("ani", PASSWORD, trusted) is None  # that browser is locked now
    assert account(app).failed_logins == 0  # the account was not charged
    assert guard.sign_in("ani", PASSWORD) is not None  # another browser still gets in
    clock.advance(seconds=31)
    assert guard.sign_in("ani", PASSWORD, trusted) is not None


def test_a_forged_or_foreign_browser_token_is_a_stranger(app, clock):
    add_user(app, "budi", "officer", "PRE")
    guard = new_guard(app, clock)
    budis = guard.sign_in("budi", PASSWORD).browser_token
    for token in ("forged", budis):
        for _ in range(5):
            guard.sign_in("ani", "salah", Client(None, token))
        assert account(app).locked_until is not None
        clock.advance(minutes=20)
        assert guard.sign_in("ani", PASSWORD) is not None  # reset for the next round


def test_checks_run_in_their_own_low_priority_threads():
    import os

    checks = PasswordChecks(concurrency=2)
    seen: list[tuple[int, int]] = []

    def fn(_hash: str, _password: str) -> bool:
        seen.append((threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0)))
        return True

    with checks.turn():
        assert checks.check(fn, "h", "p") is True
    [(thread, niceness)] = seen
    assert thread != threading.get_native_id()
    assert niceness >= 10
    assert os.getpriority(os.PRIO_PROCESS, 0) < 10  # the serving thread keeps its priority


def test_one_address_cannot_fill_the_queue_of_checks(app, clock):
    guard = new_guard(app, clock)
    guard.checks = PasswordChecks(concurrency=1, max_waiting=100, wait_seconds=WAIT)
    flood = Client("192.0.2.66")
    with ThreadPoolExecutor(4) as pool:
        with turns_held(guard.checks):
            waiting = [pool.submit(guard.sign_in, f"tamu-{i}", "salah", flood) for i in range(4)]
            wait_until(lambda: guard.checks.admitted == 5)  # the holder and four of the flood
            with pytest.raises(Throttled):
                guard.sign_in("tamu-5", "salah", flood)  # a fifth at once: refused outright
            assert guard.checks.admitted == 5
        assert [f.result(timeout=WAIT) for f in waiting] == [None] * 4
    assert guard.sign_in("ani", PASSWORD, flood) is not None  # and later it may try again
