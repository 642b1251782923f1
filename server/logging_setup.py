"""Log lines a technician reads and a log collector parses.

Readable text by default; one JSON object per line with ``--log-format json`` or
``SAHAJA_LOG_FORMAT=json`` (python-json-logger). Every line goes to standard error, so under
systemd journald keeps and rotates them (docs/operations.md).

What happened in the office is logged on the ``sahaja.events`` logger through ``event``:
one line per issued ticket, call, skip, finish..., device connect and disconnect, sign-in and
admin change, with its facts as fields (``event``, ``site``, ``number``...). No line carries a
NIK, a password, a token or a ticket's private status code: the callers pass only the fields
named here, and ``Redact`` blanks any field whose name says it is secret, should one slip in.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

from pythonjsonlogger.json import JsonFormatter

EVENTS = "sahaja.events"
FORMAT_ENV = "SAHAJA_LOG_FORMAT"
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
SECRET_WORDS = ("nik", "password", "token", "secret", "status_code", "cookie")
REDACTED = "[redacted]"
_FIELDS = "sahaja_fields"  # the record attribute that holds an event's fields

events_log = logging.getLogger(EVENTS)


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def event(name: str, /, **fields: Any) -> None:
    """Log one thing that happened, e.g. ``event("ticket.issued", site="PRE", number="A001")``.
    The text line reads ``ticket.issued site=PRE number=A001``; the JSON line has the fields
    as keys."""
    shown = {k: v for k, v in fields.items() if v is not None}
    text = " ".join([name, *(f"{k}={v}" for k, v in shown.items())])
    events_log.info(text, extra={_FIELDS: {"event": name, **shown}})


class Redact(logging.Filter):
    """Blank an event field named like a secret (nik, password, token...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields: Mapping[str, Any] | None = getattr(record, _FIELDS, None)
        if fields and any(is_secret(k) for k in fields):
            clean = {k: REDACTED if is_secret(k) else v for k, v in fields.items()}
            setattr(record, _FIELDS, clean)
            text = " ".join(f"{k}={v}" for k, v in clean.items() if k != "event")
            record.msg, record.args = f"{clean.get('event', '')} {text}".strip(), ()
        return True


class EventJsonFormatter(JsonFormatter):
    """JSON lines: time, level, logger, message, and an event's fields at the top level."""

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data.pop(_FIELDS, None)
        log_data.update(getattr(record, _FIELDS, None) or {})


def formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return EventJsonFormatter(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
    return logging.Formatter(TEXT_FORMAT)


def chosen_format(fmt: str | None = None) -> str:
    """``fmt`` if given, else ``SAHAJA_LOG_FORMAT``, else text; refuses an unknown name."""
    chosen = (fmt or os.environ.get(FORMAT_ENV) or "text").strip().lower()
    if chosen not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {chosen!r}")
    return chosen


def configure(fmt: str | None = None, level: int = logging.INFO, stream: Any = None) -> str:
    """Send every log line of this process to ``stream`` (standard error) in one format.
    Returns the format used. Worker processes inherit it (Gunicorn logs through the same
    root logger, ``server/serve.py``)."""
    chosen = chosen_format(fmt)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(chosen))
    handler.addFilter(Redact())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    events_log.setLevel(logging.INFO)
    return chosen


def configured_handler() -> logging.Handler:
    """The handler ``configure`` installs, for logging's dictConfig (Gunicorn's below)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(chosen_format()))
    handler.addFilter(Redact())
    return handler


def gunicorn_logconfig(access: bool = False) -> dict[str, Any]:
    """Gunicorn's ``logconfig_dict``: its own lines (start, workers, errors, and one per
    request when ``access``: ``--verbose``) go through the same handler and format as ours,
    not a text-only one."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {},
        "handlers": {"sahaja": {"()": "server.logging_setup.configured_handler"}},
        "root": {"level": "INFO", "handlers": ["sahaja"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {
                "level": "INFO" if access else "WARNING",
                "handlers": [],
                "propagate": True,
            },
        },
    }


def gunicorn_logger_class() -> type:
    """Gunicorn's logger, except that it builds an access-log line only when the
    ``gunicorn.access`` logger would write it. With a logging config given (ours), Gunicorn
    builds every request's atoms (its headers, times, a dict per request: ~2 % of a worker
    issuing tickets) and only then lets the logger drop the line below WARNING."""
    from gunicorn.glogging import Logger

    class QuietAccessLogger(Logger):
        def access(self, resp, req, environ, request_time) -> None:
            if self.access_log.isEnabledFor(logging.INFO):
                super().access(resp, req, environ, request_time)

    return QuietAccessLogger


def log_audited(rows: list[Any]) -> None:
    """The store's audit observer: one line per committed ticket change (``ticket.issue``,
    ``ticket.call``, ``ticket.skip``, ``ticket.finish``...), with its number and service,
    the counter and who did it; never the ticket's private status code."""
    for row in rows:
        detail = row.detail if row.kind in ("skip", "transfer") else None
        event(
            f"ticket.{row.kind}",
            site=row.site,
            number=row.number,
            service=row.service,
            counter=row.counter_id,
            actor=row.actor,
            priority=row.priority or None,
            detail=detail,
        )
