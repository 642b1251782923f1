"""The relay's circuit breaker, without Redis: a failed publish is not retried on every
request, and the first publish that works again asks every process to resync."""

from __future__ import annotations

import json

import redis

from server.relay import RESYNC, Relay


class FakeRedis:
    def __init__(self, works: bool) -> None:
        self.works = works
        self.published: list[dict] = []
        self.attempts = 0

    def publish(self, channel: str, data: str) -> int:
        self.attempts += 1
        if not self.works:
            raise redis.ConnectionError("Redis is gone")
        self.published.append(json.loads(data))
        return 1


def relay_with(fakes: list[FakeRedis]) -> Relay:
    """A relay whose (re)connect takes the last of ``fakes``."""
    relay = Relay("redis://127.0.0.1:1/0", "test-channel", 0.2)

    def connect() -> None:
        relay.redis, relay.connected = fakes[-1], True

    relay._redis_connect = connect
    return relay


def test_a_failed_publish_opens_the_circuit_and_the_next_success_asks_for_a_resync():
    down = FakeRedis(works=False)
    fakes = [down]
    relay = relay_with(fakes)
    assert relay.up
    relay._publish({"method": "emit", "event": "ticket_called"})
    assert not relay.up and down.attempts == 1
    for _ in range(10):  # requests during the pause do not wait for Redis again
        relay._publish({"method": "emit", "event": "ticket_called"})
    assert down.attempts == 1

    back = FakeRedis(works=True)
    fakes.append(back)
    relay._retry_at = 0.0  # the pause is over
    relay._publish({"method": "emit", "event": "queue_changed"})
    assert relay.up
    assert [m["method"] for m in back.published] == ["emit", RESYNC]
    relay._publish({"method": "emit", "event": "queue_changed"})
    assert [m["method"] for m in back.published] == ["emit", RESYNC, "emit"]  # once only
