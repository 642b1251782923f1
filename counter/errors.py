"""What can go wrong when the box asks the server to act, without naming any HTTP library.

The controller catches these; the HTTP client raises them. Keeping them here lets the pure
controller import them without pulling ``requests`` in.
"""

from __future__ import annotations


class CounterBoxError(Exception):
    """Root of the button box's own errors."""


class ServerUnreachable(CounterBoxError, ConnectionError):
    """No answer from the server.

    ``maybe_done`` is True when the request left the box but no answer came back (a read
    time-out): the server may have acted, so the box must learn the truth from its events
    rather than guess, and must never resend.
    """

    def __init__(self, detail: str, *, maybe_done: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.maybe_done = maybe_done


class ActionRefused(CounterBoxError):
    """The server answered with a 4xx: the request was understood and refused."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class ServerFailed(CounterBoxError):
    """The server answered, but with a 5xx or a body that is not the agreed JSON."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
