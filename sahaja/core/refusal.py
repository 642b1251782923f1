"""A rule's "no": a protocol error code and a translatable message."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Refusal:
    """Why a rule refused: an API error code (``sahaja.protocol.ERR_*``, whose HTTP status is
    ``protocol.ERROR_STATUS[code]``) and an i18n message key with its parameters."""

    code: str
    message_key: str
    params: dict[str, str] = field(default_factory=dict)
