"""The NIK of a booking: validated with python-stdnum, kept only as a keyed hash.

A NIK registered in another regency is valid (people move in). Its region digits are where it
was first registered, so the kecamatan it suggests is only a suggestion: domicile is what the
citizen chooses (docs/booking.md)."""

from __future__ import annotations

import hashlib
import hmac

from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from sahaja import protocol as p
from sahaja.config import Config
from server.errors import ApiError


def invalid_nik() -> ApiError:
    return ApiError(422, p.ERR_INVALID_NIK, "booking.invalid_nik")


def valid_nik(text: str) -> str:
    """The NIK's 16 digits (spaces and dots dropped), or a 422 ``invalid_nik``: length,
    digits, province, and a birth date (day + 40 for women) that is a real date."""
    if not isinstance(text, str) or len(text) > 40:
        raise invalid_nik()
    try:
        return stdnum_nik.validate(text)
    except ValidationError:
        raise invalid_nik() from None


def nik_hash(nik: str, secret: str | bytes) -> str:
    """HMAC-SHA256 of the NIK keyed with the server secret: the only form that is stored.
    Without the key, the 16 digits (few unknowns once region and birth date are guessed)
    cannot be recovered by hashing candidates."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, b"nik:" + nik.encode("ascii"), hashlib.sha256).hexdigest()


def suggested_kecamatan(nik: str, config: Config) -> str | None:
    """The office's kecamatan code the NIK was registered in ("35.06.17"), if it is one."""
    digits = "".join(ch for ch in nik if ch.isdigit())
    if len(digits) < 6:
        return None
    code = f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"
    return code if any(k.code == code for k in config.kecamatan) else None
