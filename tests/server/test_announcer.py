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
