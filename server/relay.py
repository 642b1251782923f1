"""The Redis relay between server processes, which knows when it is down and recovers.

python-socketio's ``RedisManager`` delivers an event to this process's own clients and then
publishes it for the others; when Redis is gone it logs "giving up" and the other processes'
clients never hear of the event, while HTTP keeps answering 200. Here:

- every Redis call of the relay has a short timeout (``SAHAJA_REDIS_TIMEOUT``), so a hung Redis
  (process stopped, TCP open) costs a request at most that, and after a failure publishing is
  skipped for a growing pause (a circuit breaker) instead of paying the timeout on every request;
- the listener pings Redis every second and reconnects with back-off;
- ``up`` says whether the relay works (``GET /api/v1/health`` reports it);
- when the relay comes back after events may have been missed, every process pushes a fresh
  snapshot to each of its own clients (``on_recovered``): a process whose listener reconnects
  does so at once, and a process that dropped publishes asks all processes through Redis.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio import RedisManager

log = logging.getLogger(__name__)

RESYNC = "sahaja_resync"  # a relay message of our own: every process resends snapshots
PROBE_SECONDS = 1.0  # the listener pings Redis this often; three missed answers mean down
MAX_PAUSE = 5.0  # longest pause between attempts while Redis is down
RESYNC_GATHER = 0.5  # resync requests arriving within this are served by one resync


class Relay(RedisManager):
    def __init__(self, url: str, channel: str, timeout: float) -> None:
        self.timeout = timeout
        super().__init__(url, channel=channel, redis_options=self._options(timeout))
        self.on_recovered: Callable[[], None] | None = None  # set by the app
        self._lock = threading.Lock()
        self._publish_down_since: float | None = None
        self._listen_down_since: float | None = None
        self._retry_at = 0.0
        self._pause = 0.0
        self._dropped = False  # publishes were lost since the last successful one
        self._resync_pending = False

    @staticmethod
    def _options(timeout: float) -> dict[str, Any]:
        return {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "retry": Retry(NoBackoff(), 0),  # our own back-off, never redis-py's retries
            "socket_keepalive": True,
        }

    # --- state -----------------------------------------------------------------------------
    @property
    def up(self) -> bool:
        return self._publish_down_since is None and self._listen_down_since is None

    def _set_down(self, part: str, exc: BaseException) -> None:
        was_up = self.up
        if part == "publish":
            if self._publish_down_since is None:
                self._publish_down_since = time.monotonic()
        elif self._listen_down_since is None:
            self._listen_down_since = time.monotonic()
        if was_up:
            log.error(
                "relay down (%s to Redis failed: %s); events reach only this process's "
                "clients until it is back",
                part,
                str(exc) or type(exc).__name__,
            )

    def _set_up(self, part: str) -> None:
        was_up = self.up
        if part == "publish":
            self._publish_down_since = None
        else:
            self._listen_down_since = None
        if self.up and not was_up:
            log.warning("relay back up (Redis answers again)")

    # --- publishing --------------------------------------------------------------------
    def _publish(self, data: Any) -> None:
        now = time.monotonic()
        with self._lock:
            if self._publish_down_since is not None and now < self._retry_at:
                self._dropped = True  # circuit open: don't pay the timeout again
                return
        try:
            if not self.connected:
                self._redis_connect()
            self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as exc:  # redis errors, and OSError from a half-set-up socket
            self._publish_failed(exc, dropped=True)
            return
        with self._lock:
            dropped, self._dropped, self._pause = self._dropped, False, 0.0
            self._set_up("publish")
        if dropped:  # other processes' clients missed what we could not publish
            self._publish_resync()

    def _publish_resync(self) -> None:
        """Ask every process's listener, this one's included, to resend its clients'
        snapshots; if even that cannot be published, resync this process's own clients."""
        try:
            if not self.connected:
                self._redis_connect()
            self.redis.publish(self.channel, self.json.dumps({"method": RESYNC}))
        except Exception as exc:
            self._publish_failed(exc, dropped=False)
            self._recovered()
            return
        with self._lock:
            self._dropped, self._pause, self._retry_at = False, 0.0, 0.0
            self._set_up("publish")

    def _publish_failed(self, exc: BaseException, dropped: bool) -> None:
        with self._lock:
            self._dropped = self._dropped or dropped
            self._pause = min(max(self._pause * 2, 0.5), MAX_PAUSE)
            self._retry_at = time.monotonic() + self._pause
            self.connected = False
            self._set_down("publish", exc)

    def _publish_due(self) -> bool:
        """Publishing failed and its pause is over: the listener tries it (no request may
        come to find out that Redis is back)."""
        with self._lock:
            return self._publish_down_since is not None and time.monotonic() >= self._retry_at

    def _redis_connect(self) -> None:
        """The publishing client only; the listener has its own connection (a listener's
        reconnect must not replace the client a request is publishing with)."""
        self.redis = redis.Redis.from_url(self.redis_url, **self.redis_options)
        self.connected = True

    # --- listening ---------------------------------------------------------------------
    def _listen(self):  # a generator, run by PubSubManager._thread in a background task
        channel = self.channel.encode()
        pause = 0.5
        failed = False
        while True:
            pubsub = None
            try:
                client = redis.Redis.from_url(self.redis_url, **self.redis_options)
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                last_answer = last_probe = time.monotonic()
                while True:
                    message = pubsub.get_message(timeout=PROBE_SECONDS)
                    now = time.monotonic()
                    if message is not None:
                        last_answer = now
                        kind = message["type"]
                        if kind == "subscribe":
                            pause = 0.5
                            self._set_up("listen")
                            if failed:  # we, and maybe the others, missed events
                                failed = False
                                self._publish_resync()
                        elif kind == "message" and message["channel"] == channel:
                            data = self._decode(message["data"])
                            if data.get("method") == RESYNC:
                                self._recovered()
                            elif data:
                                yield data
                    if now - last_probe >= PROBE_SECONDS:
                        pubsub.ping()
                        last_probe = now
                        if self._publish_due():
                            self._publish_resync()
                    if now - last_answer > 3 * PROBE_SECONDS + self.timeout:
                        raise redis.TimeoutError("Redis did not answer the listener's pings")
            except Exception as exc:
                failed = True
                self._set_down("listen", exc)
                self.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        pubsub.close()

    def _decode(self, raw: bytes) -> dict[str, Any]:
        try:
            data = self.json.loads(raw)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def sleep(self, seconds: float) -> None:
        self.server.sleep(seconds)

    def _recovered(self) -> None:
        """Resend snapshots soon, once for triggers that come together (every process that
        recovers asks every other one)."""
        if self.on_recovered is None:
            return
        with self._lock:
            if self._resync_pending:
                return
            self._resync_pending = True
        self.server.start_background_task(self._resync_soon)

    def _resync_soon(self) -> None:
        self.sleep(RESYNC_GATHER)
        with self._lock:
            self._resync_pending = False
        try:
            self.on_recovered()
        except Exception:
            log.exception("resending snapshots after the relay recovered failed")

    def start(self) -> None:
        """Start listening now rather than at the first live connection, so that health
        reflects Redis from the start."""
        if not self.server.manager_initialized:
            self.server.manager_initialized = True
            self.initialize()
