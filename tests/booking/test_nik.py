"""The NIK of a booking: python-stdnum's rules as the server applies them, the keyed hash, and
the kecamatan it suggests."""

from __future__ import annotations

import pytest

from sahaja import protocol as p
from sahaja.config import load_config
from server.booking.nik import nik_hash, suggested_kecamatan, valid_nik
from server.errors import ApiError
from tests.booking.conftest import NIK_JAKARTA, NIK_MAN, NIK_WOMAN


def refused(text: str) -> bool:
    try:
        valid_nik(text)
    except ApiError as exc:
        assert (exc.status, exc.code) == (422, p.ERR_INVALID_NIK)
        return True
    return False


def test_valid_niks_are_accepted_and_compacted():
    assert valid_nik(NIK_MAN) == NIK_MAN
    assert valid_nik("3506 1715 0590 0001") == NIK_MAN
    assert valid_nik("35.06.17.150590.0001") == NIK_MAN


def test_a_nik_registered_in_another_regency_is_valid():
    assert valid_nik(NIK_JAKARTA) == NIK_JAKARTA  # people move in: surat pindah datang


def test_womens_birth_day_is_day_plus_forty():
    assert valid_nik(NIK_WOMAN) == NIK_WOMAN  # 55 = 15 + 40
    assert not refused("3506177105900001")  # 71 = 31 + 40: 31 May is real
    assert refused("3506177206900001")  # 72 = 32 + 40: no 32nd
    assert not refused("3506174105900001")  # 41 = 1 + 40


@pytest.mark.parametrize(
    "text",
    [
        "3506173102900001",  # 31 February
        "3506170013900001",  # day 00, month 13
        "3506171513900001",  # month 13
        "3506173202900001",  # day 32
        "3506177102900001",  # a woman's 31 February (71 - 40)
    ],
)
def test_impossible_birth_dates_are_invalid(text):
    assert refused(text)


@pytest.mark.parametrize(
    "text",
    ["", "350617150590000", "35061715059000011", "350617150590000X", "9906171505900001", "x" * 50],
)
def test_wrong_length_letters_and_unknown_provinces_are_invalid(text):
    assert refused(text)


def test_the_hash_is_keyed_and_stable_and_does_not_contain_the_nik():
    one = nik_hash(NIK_MAN, "secret-a")
    assert one == nik_hash(NIK_MAN, "secret-a")
    assert one != nik_hash(NIK_MAN, "secret-b")
    assert one != nik_hash(NIK_WOMAN, "secret-a")
    assert NIK_MAN not in one and len(one) == 64


def test_the_kecamatan_is_suggested_only_when_it_is_one_of_the_office():
    cfg = load_config()
    assert suggested_kecamatan(NIK_MAN, cfg) == "35.06.17"
    assert suggested_kecamatan(NIK_JAKARTA, cfg) is None
    assert suggested_kecamatan("3506991505900001", cfg) is None
