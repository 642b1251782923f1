"""The office's time zone, as the server names it, for clocks and printed times.

The server's snapshot carries ``timezone`` (an IANA name such as ``Asia/Jakarta``). A server
that does not send it yet still sends ``server_time`` with the office's UTC offset; that
offset stands in until the name arrives. Indonesian offsets are named as Indonesians write
them (WIB, WITA, WIT); any other reads ``UTC+hh:mm``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_INDONESIA = {7: "WIB", 8: "WITA", 9: "WIT"}


def office_zone(name: str | None, server_time: str | None = None) -> tzinfo | None:
    """The zone called ``name``, else the fixed offset of ``server_time``, else None."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if server_time:
        try:
            offset = datetime.fromisoformat(server_time).utcoffset()
        except ValueError:
            offset = None
        if offset is not None:
            return fixed_zone(offset)
    return None


def fixed_zone(offset: timedelta) -> tzinfo:
    if not offset:
        return UTC
    hours, rest = divmod(offset, timedelta(hours=1))
    label = _INDONESIA.get(hours) if not rest else None
    return timezone(offset, label) if label else timezone(offset)
