"""Simulated citizens and officers for the demo, through the real HTTP API.

A scenario of ``sahaja-server simulate`` (docs/simulation.md) is replayed in accelerated
time: its citizens take tickets at a kiosk of the site (a device of their own, so the demo's
real kiosk stays free for the visitor) and its officers press "next", then "finish" after the
citizen's service time, or "skip" for a citizen who does not come. Tickets the visitor takes
are served too, in the service's default time. The board and the console see exactly what
they would see on a real day, only faster.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from sahaja import protocol as p
from sahaja.config import Config
from server.simulation.scenario import Arrival, CounterShift, Scenario

log = logging.getLogger("sahaja.demo")

NO_SHOW_WAIT_MINUTES = 2.0  # an officer waits this long (scenario time) for a citizen
IDLE_POLL_SECONDS = 1.0  # real seconds between "next" presses at an empty queue
TIMEOUT = 10.0


@dataclass
class ReplayStats:
    """What the replay did, for the supervisor's summary and the tests."""

    issued: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # error codes of refused issues
    called: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, value: str) -> None:
        with self.lock:
            getattr(self, kind).append(value)


class DayReplay:
    """One scenario day replayed ``speed`` times faster than real time, from ``start``."""

    def __init__(
        self,
        base_url: str,
        scenario: Scenario,
        config: Config,
        *,
        kiosk_token: str,
        counter_tokens: dict[str, str],
        speed: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be above zero")
        self.url = base_url.rstrip("/")
        self.scenario = scenario
        self.config = config
        self.kiosk_token = kiosk_token
        self.counter_tokens = counter_tokens
        self.speed = speed
        self.clock = clock
        self.stats = ReplayStats()
        self.stop = threading.Event()
        self.run_id = uuid.uuid4().hex[:8]
        self._by_number: dict[str, Arrival] = {}
        self._lock = threading.Lock()
        first = [a.at_minute for a in scenario.arrivals] or [0.0]
        self.first_minute = min(first) - 0.5  # the first citizen comes half a minute in
        self._started = 0.0
        self._threads: list[threading.Thread] = []

    # --- time ------------------------------------------------------------------------
    def minute_now(self) -> float:
        """The scenario's minute of day the replay has reached."""
        return self.first_minute + (self.clock() - self._started) * self.speed / 60.0

    def _wait_until(self, minute: float) -> bool:
        """Sleep until the scenario reaches ``minute``; False if stopped first."""
        seconds = (minute - self.minute_now()) * 60.0 / self.speed
        return not self.stop.wait(max(0.0, seconds))

    def _wait_minutes(self, minutes: float) -> bool:
        return not self.stop.wait(max(0.0, minutes * 60.0 / self.speed))

    # --- running ---------------------------------------------------------------------
    def start(self) -> DayReplay:
        self._started = self.clock()
        self._threads = [threading.Thread(target=self._citizens, name="demo-citizens")]
        for shift in self.scenario.counters:
            if shift.counter.id in self.counter_tokens:
                name = f"demo-{shift.counter.id}"
                self._threads.append(
                    threading.Thread(target=self._officer, args=(shift,), name=name)
                )
        for thread in self._threads:
            thread.daemon = True
            thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def done(self) -> bool:
        return all(not t.is_alive() for t in self._threads)

    def _post(self, path: str, token: str, body: dict[str, Any]) -> requests.Response | None:
        try:
            return requests.post(
                f"{self.url}{path}",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:  # the server restarting: try again later
            log.warning("demo: %s failed: %s", path, exc)
            return None

    def _citizens(self) -> None:
        site = self.scenario.site.code
        for arrival in self.scenario.arrivals:
            if not self._wait_until(arrival.at_minute):
                return
            body = {
                "service": arrival.service,
                "priority": arrival.priority,
                "request_id": f"demo-{self.run_id}-{arrival.index}",
            }
            r = self._post(f"/api/v1/sites/{site}/tickets", self.kiosk_token, body)
            if r is None:
                continue
            if r.status_code in (200, 201):
                number = r.json()["number"]
                with self._lock:
                    self._by_number[number] = arrival
                self.stats.add("issued", number)
                log.info("demo: citizen took %s (%s)", number, arrival.service)
            else:
                code = (
                    r.json().get("error", str(r.status_code)) if r.content else str(r.status_code)
                )
                self.stats.add("refused", code)
                log.info("demo: kiosk refused a %s ticket: %s", arrival.service, code)

    def _officer(self, shift: CounterShift) -> None:
        counter = shift.counter.id
        token = self.counter_tokens[counter]
        path = f"/api/v1/counters/{counter}"
        last_arrival = max((a.at_minute for a in self.scenario.arrivals), default=0.0)
        if not self._wait_until(shift.from_minute):
            return
        while not self.stop.is_set() and self.minute_now() < shift.to_minute:
            r = self._post(f"{path}/{p.ACTION_NEXT}", token, {})
            current = r.json().get("current") if r is not None and r.status_code == 200 else None
            if current is None:  # nobody waiting, on a break, or the server away
                if self.minute_now() > last_arrival and self._queue_empty():
                    return  # the day's citizens are all served
                if self.stop.wait(IDLE_POLL_SECONDS):
                    return
                continue
            number = current["number"]
            self.stats.add("called", number)
            log.info("demo: %s calls %s", counter, number)
            with self._lock:
                arrival = self._by_number.get(number)
            if arrival is not None and arrival.no_show:
                if not self._wait_minutes(NO_SHOW_WAIT_MINUTES):
                    return
                self._post(f"{path}/{p.ACTION_SKIP}", token, {})
                self.stats.add("skipped", number)
                continue
            minutes = arrival.minutes if arrival else self._default_minutes(current)
            if not self._wait_minutes(minutes):
                return
            self._post(f"{path}/{p.ACTION_FINISH}", token, {})
            self.stats.add("finished", number)

    def _default_minutes(self, ticket: dict[str, Any]) -> float:
        service = self.config.services.get(str(ticket.get("service")))
        return float(service.default_service_minutes) if service else 5.0

    def _queue_empty(self) -> bool:
        try:
            r = requests.get(f"{self.url}/api/v1/sites/{self.scenario.site.code}", timeout=TIMEOUT)
            return r.status_code == 200 and not any(
                s.get("waiting") for s in r.json().get("services", [])
            )
        except (requests.RequestException, ValueError):
            return False
