"""HTTP to the queue server for one counter: the only place the box speaks ``requests``.

Every request is sent once. ``requests`` does not retry a POST by itself (its adapters default
to no retries) and neither does this client: a call resent after a lost answer could call a
second citizen. A lost answer is reported as ``ServerUnreachable(maybe_done=True)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from counter.errors import ActionRefused, ServerFailed, ServerUnreachable
from devicelink.http import api_url, device_session

ACTIONS: tuple[str, ...] = ("next", "recall", "skip", "finish", "transfer", "ready")
# A proxy in front of the server answers these when the server itself is down.
_GATEWAY_DOWN = (502, 503, 504)


class CounterClient:
    """``POST /api/v1/counters/{counter}/{action}`` and ``GET /api/v1/counters/{counter}``."""

    def __init__(
        self,
        server_url: str,
        token: str,
        counter: str,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        session: requests.Session | None = None,
    ) -> None:
        self.base = api_url(server_url, f"/counters/{quote(counter, safe='')}")
        self.counter = counter
        self.timeout = (connect_timeout, read_timeout)
        self._session = session or device_session(token)
        self._session.headers["Authorization"] = f"Bearer {token}"

    def act(self, action: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if action not in ACTIONS:
            raise ValueError(f"unknown counter action {action!r}")
        return self._send("POST", f"{self.base}/{action}", dict(body or {}))

    def state(self) -> dict[str, Any]:
        return self._send("GET", self.base, None)

    def close(self) -> None:
        self._session.close()

    def _send(self, method: str, url: str, body: dict[str, Any] | None) -> dict[str, Any]:
        try:
            response = self._session.request(method, url, json=body, timeout=self.timeout)
        except requests.ConnectTimeout as exc:  # before ConnectionError: it is both
            raise ServerUnreachable(f"connect timeout: {exc}") from exc
        except requests.ConnectionError as exc:
            # Refused or reset before an answer. A reset after sending cannot be told apart
            # from one before, so only a refused connection is "surely not done".
            maybe = not _refused(exc)
            raise ServerUnreachable(f"no connection: {exc}", maybe_done=maybe) from exc
        except requests.Timeout as exc:
            raise ServerUnreachable(f"no answer: {exc}", maybe_done=True) from exc
        if response.status_code in _GATEWAY_DOWN:
            raise ServerUnreachable(f"gateway {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise ServerFailed(response.status_code, "answer is not JSON") from exc
        if not isinstance(data, dict):
            raise ServerFailed(response.status_code, "answer is not a JSON object")
        if 400 <= response.status_code < 500:
            raise ActionRefused(
                response.status_code,
                str(data.get("error") or response.status_code),
                str(data.get("message") or ""),
            )
        if response.status_code >= 300:
            raise ServerFailed(response.status_code, str(data.get("message") or data))
        return data


def _refused(exc: BaseException) -> bool:
    """True when the chain of causes holds a ConnectionRefusedError (nothing was sent)."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ConnectionRefusedError):
            return True
        if "Connection refused" in str(e) or "Errno 111" in str(e):
            return True
        stack.extend(
            [e.__cause__, e.__context__, *(a for a in e.args if isinstance(a, BaseException))]
        )
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
    return False
