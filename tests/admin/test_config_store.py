"""The versioned config store on SQLite and PostgreSQL: concurrent saves both land, a
refused change writes nothing, the history keeps every version."""

from __future__ import annotations

import threading

import pytest

from sahaja.config import ConfigError
from server.admin import editing
from server.admin.config_store import ConfigRefused, change_config, current_text, history
from server.database import Database
from server.setup import init_database, stored_config
from tests.conftest import MONDAY_0800

PRE = 'code = "PRE"\nname = "Kantor Kecamatan Pare"\n'
PPR = 'code = "PPR"\nname = "Kantor Kecamatan Papar"\n'


@pytest.fixture
def db(db_url):
    database = Database.connect(db_url)
    init_database(database, None, MONDAY_0800)
    yield database
    database.dispose()


def quota(anchor: str, value: int):
    def edit(text: str) -> str:
        start = text.index("daily_quota = ", text.index(anchor))  # that site's quota line
        end = text.index("\n", start)
        return text[:start] + f"daily_quota = {value}" + text[end:]

    return edit


def test_two_admins_saving_at_once_both_land(db):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def save(anchor: str, value: int) -> None:
        def slow_edit(text: str) -> str:
            return quota(anchor, value)(text)

        try:
            barrier.wait(5)
            change_config(db, slow_edit, actor=f"t{value}", summary="", now=MONDAY_0800)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=save, args=(PRE, 71)),
        threading.Thread(target=save, args=(PPR, 72)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    config = stored_config(db)
    assert (config.sites["PRE"].daily_quota, config.sites["PPR"].daily_quota) == (71, 72)
    assert current_text(db)[1] == 3
    assert [v.version for v in history(db)] == [3, 2, 1]


def test_a_refused_or_invalid_change_writes_nothing(db):
    from sqlalchemy import select

    from server.models import ServiceDay, SiteDay

    today = MONDAY_0800.date()
    with db.writing() as s:  # as if 5 tickets (3 of KTP) were issued at Pare today
        s.add(SiteDay(site="PRE", day=today, issued=5, call_count=0))
        s.add(ServiceDay(site="PRE", day=today, service="KTP", last_seq=3, issued=3))
    with pytest.raises(ConfigRefused) as refused:
        change_config(db, quota(PRE, 4), actor="t", summary="", now=MONDAY_0800)
    assert [r.message_key for r in refused.value.refusals] == ["admin.refuse_quota_below_issued"]
    assert "ditolak" in refused.value.message("id").lower()
    config = stored_config(db)
    edit = editing.edit_site(
        config,
        "PRE",
        {
            "daily_quota": "80",
            "ticket_cutoff_minutes": "60",
            **{f"offer_{s}": "1" for s in config.sites["PRE"].services},
            "quota_KTP": "2",
            "hours_mon": "07:30-15:00",
        },
    )
    with pytest.raises(ConfigRefused):
        change_config(db, edit, actor="t", summary="", now=MONDAY_0800)
    with pytest.raises(ConfigError):
        change_config(db, quota(PRE, -1), actor="t", summary="", now=MONDAY_0800)
    assert current_text(db)[1] == 1
    with db.reading() as s:
        assert s.scalars(select(SiteDay.issued)).one() == 5
