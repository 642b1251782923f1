"""Under gevent's monkey-patching (the server's gevent worker) a password check runs in a real
OS thread, so the hub keeps serving other greenlets (kiosks, boards) while scrypt runs, and
the patched semaphore still bounds how many run at once. Runs in a child process, since
monkey-patching cannot be undone."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("gevent")

CHILD = textwrap.dedent(
    """
    from gevent import monkey

    monkey.patch_all()

    import json
    import os

    import gevent
    from werkzeug.security import check_password_hash, generate_password_hash

    from server.console.password_checks import PasswordChecks, gevent_patched

    real_ident = monkey.get_original("_thread", "get_ident")
    hub_thread = real_ident()
    pwhash = generate_password_hash("rahasia")
    checks = PasswordChecks(concurrency=2, max_waiting=8)
    ticks = 0
    report = {"patched": gevent_patched(), "threads": [], "ticks_during": [], "results": []}

    def ticker():
        global ticks
        while True:
            ticks += 1
            gevent.sleep(0.002)

    def checked(h, password):
        report["threads"].append(real_ident() != hub_thread)
        report.setdefault("nice", []).append(os.getpriority(os.PRIO_PROCESS, 0))
        return check_password_hash(h, password)

    def one(password):
        with checks.turn():
            before = ticks
            ok = checks.check(checked, pwhash, password)
            report["ticks_during"].append(ticks - before)
        report["results"].append(ok)

    beat = gevent.spawn(ticker)
    jobs = [gevent.spawn(one, p) for p in ["salah"] * 5 + ["rahasia"]]
    gevent.joinall(jobs, timeout=120, raise_error=True)
    beat.kill()
    report["peak"] = checks.peak_running
    print(json.dumps(report))
    """
)


@pytest.mark.slow
def test_under_gevent_checks_run_in_real_threads_and_the_hub_keeps_going():
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["patched"] is True
    assert report["threads"] == [True] * 6  # every check left the hub's thread
    assert all(n > 0 for n in report["ticks_during"]), report  # the hub ran meanwhile
    assert sorted(report["results"]) == [False] * 5 + [True]
    assert report["peak"] == 2
    assert min(report["nice"]) >= 10
