"""Run in a gevent-patched process by tests/server/test_green.py: does a database wait let
the loop run? Prints JSON: how many 10 ms ticks another greenlet made during the wait."""

from server import green

green.patch()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
from sqlalchemy import text  # noqa: E402

from server.database import Database  # noqa: E402


def forecast_ticks() -> None:
    """How many ticks another greenlet makes while half a second of pure-Python work runs,
    in the caller and through ``BackgroundForecasts.compute`` (gevent's thread pool)."""
    from server.store.forecasts import BackgroundForecasts

    def work() -> int:  # CPU only, like the core's forecast of a long queue
        deadline = time.process_time() + 0.5
        n = 0
        while time.process_time() < deadline:
            n += sum(i * i for i in range(1000))
        return n

    def ticks_during(run) -> int:
        state = {"ticks": 0, "done": False}

        def ticker() -> None:
            while not state["done"]:
                gevent.sleep(0.01)
                state["ticks"] += 1

        g = gevent.spawn(ticker)
        gevent.sleep(0.05)
        state["ticks"] = 0
        gevent.spawn(run).get(timeout=30)
        state["done"] = True
        g.join()
        return state["ticks"]

    report = {
        "direct": ticks_during(work),
        "compute": ticks_during(lambda: BackgroundForecasts().compute(work)),
    }
    print(json.dumps(report))


def main(kind: str, url: str) -> None:
    if kind == "forecast":
        forecast_ticks()
        return
    db = Database.connect(url)
    ticks = 0
    done = False

    def ticker() -> None:
        nonlocal ticks
        while not done:
            gevent.sleep(0.01)
            ticks += 1

    def wait() -> None:
        if kind == "postgresql":
            with db.reading() as session:
                session.execute(text("select pg_sleep(1)"))
        else:  # another process holds the SQLite write lock for a second
            with db.writing() as session:
                session.execute(text("select 1"))

    g = gevent.spawn(ticker)
    gevent.sleep(0.05)
    print("ready", flush=True)  # the test holds the lock for a second from here
    ticks = 0
    gevent.spawn(wait).get(timeout=30)
    done = True
    g.join()
    report = {"ticks": ticks}
    if kind == "postgresql":
        from psycopg import waiting

        report["wait"] = waiting.wait.__name__
    print(json.dumps(report))
    db.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
