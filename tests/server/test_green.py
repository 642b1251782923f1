"""Under gevent, a database wait must not stop the process's loop (every live client)."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time

import pytest

from tests.support.databases import postgres_schema

pytestmark = pytest.mark.slow


def probe(kind: str, url: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.green_probe", kind, url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_psycopg_waits_cooperatively_under_gevent():
    with postgres_schema() as url:
        report = probe("postgresql", url)
    assert report["wait"] != "wait_c"  # psycopg's C wait blocks the whole process
    assert report["ticks"] >= 5  # the loop kept running through a one-second query


def test_a_sqlite_write_lock_held_by_another_process_does_not_stop_the_loop(tmp_path):
    url = f"sqlite:///{tmp_path / 'green.db'}"
    lock = os.open(f"{tmp_path / 'green.db'}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # this process holds the cross-process write lock
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.support.green_probe", "sqlite", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # the child waits for the lock meanwhile
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    out, err = child.communicate(timeout=60)  # the rest of its output
    assert child.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["ticks"] >= 5


def test_a_forecast_computed_under_gevent_leaves_the_loop_its_turn():
    report = probe("forecast", "unused")
    assert report["direct"] <= 2  # on the loop: nothing else runs for half a second
    assert report["compute"] >= 10  # in gevent's thread pool: the loop keeps ticking
