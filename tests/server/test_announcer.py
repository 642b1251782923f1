import contextlib
import threading

from server.announcer import QueueAnnouncer


def test_counts_go_out_at_once_until_the_loop_runs_then_once_per_burst():
    sent: list[str] = []
    got = threading.Event()

    def send(site: str) -> None:
        sent.append(site)
        got.set()

    announcer = QueueAnnouncer(send, interval=0.05)
    announcer.changed("PRE")
    assert sent == ["PRE"]  # no loop yet: synchronous

    gate = threading.Event()

    def sleep(seconds: float) -> None:
        gate.wait(5)  # hold the burst open until the test has marked every change

    threading.Thread(target=announcer.run, args=(sleep,), daemon=True).start()
    while not announcer.running:
        threading.Event().wait(0.001)
    got.clear()
    for site in ["PRE", "PRE", "WTS", "PRE", "WTS"]:
        announcer.changed(site)
    gate.set()
    assert got.wait(5)
    while len(sent) < 3:
        threading.Event().wait(0.001)
    assert sorted(sent[1:]) == ["PRE", "WTS"]  # five changes, one message per site


def test_each_site_gathers_on_its_own_clock_so_their_sends_do_not_pile_up():
    now = [0.0]
    sent: list[tuple[str, float]] = []

    class Stop(Exception):
        pass

    def sleep(seconds: float) -> None:
        if len(sent) == 2:
            raise Stop
        now[0] += seconds

    announcer = QueueAnnouncer(
        lambda site: sent.append((site, now[0])), interval=1.0, clock=lambda: now[0]
    )
    announcer.running = True
    announcer.changed("PRE")  # at 0.0
    now[0] = 0.5
    announcer.changed("WTS")
    announcer.changed("PRE")  # already gathering: no second send
    now[0] = 0.0
    with contextlib.suppress(Stop):
        announcer.run(sleep)
    assert sent == [("PRE", 1.0), ("WTS", 1.5)]
