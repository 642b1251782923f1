"""Composition: what the board says for a call, clip by clip."""

from __future__ import annotations

import string

import pytest
from num2words import num2words

from display.announce import (
    BELL,
    CALL,
    DOCUMENT_READY,
    PAUSE,
    RECALL,
    Announcer,
    TemplateError,
    required_clips,
    split_ticket_number,
)


def test_example_from_the_brief() -> None:
    clips = Announcer().compose_call({"number": "A012", "counter_number": 3, "recall": False})
    assert clips == [
        BELL, "nomor_antrian", "a", "dua", "belas", PAUSE, "silakan_menuju", "loket", "tiga",
    ]  # fmt: skip


def _spoken_parts(clips: list[str]) -> tuple[str, list[str], list[str]]:
    """Split a default CALL announcement back into letter, number words, counter words."""
    assert clips[:2] == [BELL, "nomor_antrian"]
    pause = clips.index(PAUSE)
    assert clips[pause : pause + 3] == [PAUSE, "silakan_menuju", "loket"]
    return clips[2], clips[3:pause], clips[pause + 3 :]


@pytest.mark.slow  # over a few seconds
def test_every_number_and_counter_spells_num2words_exactly() -> None:
    announcer = Announcer()
    need = required_clips(announcer)
    for n in range(1, 1000):
        for counter in range(1, 51):
            clips = announcer.compose(f"B{n:03d}", counter)
            letter, number, where = _spoken_parts(clips)
            assert letter == "b"
            assert " ".join(number) == num2words(n, lang="id"), (n, clips)
            assert " ".join(where) == num2words(counter, lang="id"), (counter, clips)
            assert set(clips) <= need, set(clips) - need


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("A001", ["satu"]),
        ("A010", ["sepuluh"]),
        ("A011", ["sebelas"]),
        ("A100", ["seratus"]),
        ("A105", ["seratus", "lima"]),
        ("A999", ["sembilan", "ratus", "sembilan", "puluh", "sembilan"]),
        ("a7", ["tujuh"]),
    ],
)
def test_leading_zeros_are_dropped(number: str, words: list[str]) -> None:
    _, spoken, _ = _spoken_parts(Announcer().compose(number, 1))
    assert spoken == words


def test_every_letter_is_its_own_clip() -> None:
    for letter in string.ascii_uppercase:
        letter_clip, _, _ = _spoken_parts(Announcer().compose(f"{letter}005", 2))
        assert letter_clip == letter.lower()


def test_recall_and_document_ready_templates() -> None:
    a = Announcer()
    recall = a.compose_call({"number": "C020", "counter_number": 2, "recall": True})
    assert recall[:3] == [BELL, "panggilan_ulang", PAUSE]
    assert recall[3:6] == ["nomor_antrian", "c", "dua"]
    ready = a.compose("D003", 1, DOCUMENT_READY)
    assert "dokumen_anda_sudah_selesai" in ready and "silakan_ambil_di" in ready
    assert ready[-2:] == ["loket", "satu"]
    assert a.compose("D003", 1, CALL) != ready != a.compose("D003", 1, RECALL)


def test_template_from_config_with_own_phrase_and_no_bell() -> None:
    a = Announcer(
        {CALL: "Antrian {prefix} {number_words} ke meja {counter_words}", RECALL: "{prefix}",
         DOCUMENT_READY: "{prefix}"},
        phrases=("ke meja",),
        bell=False,
    )  # fmt: skip
    assert a.compose("F042", 12) == [
        "antrian", "f", "empat", "puluh", "dua", "ke_meja", "dua", "belas",
    ]  # fmt: skip
    assert a.template_words() == {"antrian", "ke_meja"}


def test_unknown_placeholder_or_missing_template_is_refused() -> None:
    with pytest.raises(TemplateError, match="number_word"):
        Announcer({CALL: "{number_word}", RECALL: "", DOCUMENT_READY: ""})
    with pytest.raises(TemplateError, match="recall"):
        Announcer({CALL: "{prefix}", DOCUMENT_READY: ""})


def test_required_clips_cover_letters_numbers_and_template_words() -> None:
    need = required_clips(Announcer())
    assert set(string.ascii_lowercase) <= need
    assert {"belas", "puluh", "ratus", "seratus", "sebelas", "sepuluh"} <= need
    assert {BELL, PAUSE, "nomor_antrian", "silakan_menuju", "loket", "panggilan_ulang"} <= need
    assert "seribu" not in need  # numbers stop at 999


def test_split_ticket_number_rejects_garbage() -> None:
    assert split_ticket_number(" A012 ") == ("A", 12)
    with pytest.raises(ValueError, match="not a ticket number"):
        split_ticket_number("A-12")
