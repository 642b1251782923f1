"""What a citizen typed on the keypad or a USB scanner sent, as a booking code.

The rule of the code itself (alphabet, length, look-alikes) is the core's
(``sahaja.core.booking.normalize_code``); here only where a code sits in scanned text: the
QR may hold the code alone or a link to the booking page that ends with it.
"""

from __future__ import annotations

import re

from sahaja import protocol
from sahaja.core.booking import display_code, normalize_code

__all__ = ["KEYS", "MAX_TYPED", "display_code", "from_scan", "normalize_code"]

KEYS: tuple[str, ...] = tuple(sorted(protocol.BOOKING_CODE_ALPHABET))  # the keypad's keys
MAX_TYPED = protocol.BOOKING_CODE_LENGTH  # the keypad stops here
MAX_SCAN = 512  # a scanner's line longer than this is not one of ours
_PARTS = re.compile(r"[/?#&=:\s]+")


def from_scan(text: str) -> str | None:
    """The booking code in a scanned line: the whole line, else its last part of a link
    (``https://.../booking/ACD479HJK`` or ``...?code=ACD-479-HJK``); None if there is none."""
    text = text.strip()
    if not text or len(text) > MAX_SCAN:
        return None
    whole = normalize_code(text)
    if whole is not None:
        return whole
    for part in reversed([p for p in _PARTS.split(text) if p]):
        code = normalize_code(part)
        if code is not None:
            return code
    return None
