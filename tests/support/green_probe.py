"""Run in a gevent-patched process by tests/server/test_green.py: does a database wait let
the loop run? Prints JSON: how many 10 ms ticks another greenlet made during the wait."""

from server import green

green.patch()

import json  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
from sqlalchemy import text  # noqa: E402

from server.database import Database  # noqa: E402


def main(kind: str, url: str) -> None:
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
