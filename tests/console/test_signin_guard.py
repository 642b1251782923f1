"""The brake on password guessing: failures counted per account, locks that grow, a delay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.console.signin import LockPolicy, SignInGuard
from server.models import User
from tests.console.conftest import PASSWORD, add_user, text


def account(app, username: str) -> User:
    with app.extensions["sahaja"].db.reading() as s:
        return s.scalars(select(User).where(User.username == username)).one()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def guard(app, clock, waits) -> SignInGuard:
    return SignInGuard(app.extensions["sahaja"].db, clock, LockPolicy(), sleep=waits.append)


def test_lock_lengths_double_up_to_the_ceiling():
    policy = LockPolicy(free_failures=5, first_lock_seconds=30, max_lock_seconds=900)
    assert [policy.lock_for(n) for n in range(1, 5)] == [None] * 4
    assert policy.lock_for(5) == timedelta(seconds=30)
    assert policy.lock_for(6) == timedelta(seconds=60)
    assert policy.lock_for(9) == timedelta(seconds=480)
    assert policy.lock_for(10) == timedelta(seconds=900)
    assert policy.lock_for(10_000) == timedelta(seconds=900)


def test_every_failure_waits_and_counts_but_a_success_does_not(guard, app, waits):
    assert guard.sign_in("ani", "salah") is None
    assert guard.sign_in("tidak-ada", "salah") is None
    assert waits == [0.5, 0.5]
    assert account(app, "ani").failed_logins == 1
    signed = guard.sign_in("ani", PASSWORD)
    assert (signed.username, signed.role, signed.site) == ("ani", "petugas", "PRE")
    assert waits == [0.5, 0.5]
    assert account(app, "ani").failed_logins == 0


@pytest.mark.slow  # over a few seconds
def test_five_failures_lock_the_account_until_the_lock_ends(guard, app, clock, waits):
    add_user(app, "dewi", "officer", "PPR")
    for _ in range(4):
        assert guard.sign_in("ani", "salah") is None
    assert account(app, "ani").locked_until is None
    assert guard.sign_in("ani", "salah") is None
    locked_until = account(app, "ani").locked_until
    assert locked_until == clock.now() + timedelta(seconds=30)

    assert guard.sign_in("ani", PASSWORD) is None  # the right password, but locked
    for _ in range(3):
        assert guard.sign_in("ani", "salah") is None
    assert account(app, "ani").failed_logins == 5  # attempts while locked do not count...
    assert account(app, "ani").locked_until == locked_until  # ...nor extend the lock
    assert guard.sign_in("dewi", PASSWORD) is not None  # other accounts are not touched

    clock.advance(seconds=31)
    assert guard.sign_in("ani", "salah") is None  # the sixth failure: twice as long
    assert account(app, "ani").locked_until == clock.now() + timedelta(seconds=60)
    clock.advance(seconds=61)
    assert guard.sign_in("ani", PASSWORD) is not None
    reset = account(app, "ani")
    assert (reset.failed_logins, reset.locked_until) == (0, None)


def test_the_sign_in_form_says_the_same_when_locked(officer, app, clock):
    for _ in range(5):
        assert officer.sign_in("ani", "salah").status_code == 401
    r = officer.sign_in("ani", PASSWORD)
    assert r.status_code == 401
    assert text("sign_in_failed", free=5) in r.get_data(as_text=True)
    clock.advance(minutes=1)
    assert officer.sign_in("ani", PASSWORD).status_code == 303


def test_over_long_input_is_refused_without_error(guard):
    assert guard.sign_in("x" * 65, PASSWORD) is None
    assert guard.sign_in("ani", "p" * 5000) is None
    assert guard.sign_in("", "") is None
