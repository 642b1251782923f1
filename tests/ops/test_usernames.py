"""Officer names are case-insensitive: one account whatever the case, at creation, sign-in,
lock/unlock and reset; a wrong-case try counts like any other try of that account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.accounts import AccountError
from server.cli import main
from server.console.signin import LockPolicy, SignInGuard
from server.models import User
from tests.console.conftest import PASSWORD, add_user


def stored(app) -> dict[str, User]:
    with app.extensions["sahaja"].db.reading() as s:
        return {u.username: u for u in s.scalars(select(User))}


@pytest.fixture
def guard(app, clock) -> SignInGuard:
    return SignInGuard(app.extensions["sahaja"].db, clock, LockPolicy(), sleep=lambda _s: None)


def test_a_name_is_stored_in_lower_case_and_unique_regardless_of_case(app):
    add_user(app, "Petugas-PRE", "officer", "PRE")
    assert "petugas-pre" in stored(app)
    assert "Petugas-PRE" not in stored(app)
    with pytest.raises(AccountError, match="exists already"):
        add_user(app, "PETUGAS-pre", "officer", "PRE")


def test_sign_in_accepts_any_case_and_names_the_stored_account(guard):
    signed = guard.sign_in("  ANI ", PASSWORD)
    assert signed is not None
    assert signed.username == "ani"


def test_a_wrong_case_failure_counts_on_the_account_like_any_failure(guard, app):
    assert guard.sign_in("Ani", "salah") is None
    assert guard.sign_in("ani", "salah") is None
    assert stored(app)["ani"].failed_logins == 2
    assert guard.sign_in("ANI", PASSWORD) is not None  # the right password clears both
    assert stored(app)["ani"].failed_logins == 0


def test_lock_unlock_and_reset_from_the_command_line_ignore_case(app, guard, capsys):
    url = app.config["DATABASE_URL"]
    assert main(["--database", url, "officer", "lock", "ANI"]) == 0
    assert stored(app)["ani"].disabled_at is not None
    assert guard.sign_in("ani", PASSWORD) is None
    assert main(["--database", url, "officer", "unlock", "Ani"]) == 0
    assert stored(app)["ani"].disabled_at is None
    assert guard.sign_in("ani", PASSWORD) is not None
    assert main(["--database", url, "officer", "lock", "nobody"]) == 2
    assert "no user named 'nobody'" in capsys.readouterr().err
