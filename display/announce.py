"""What the board says for a call, as a list of clip names (pure: no pygame, no I/O).

A voice pack holds one clip per word or phrase; an announcement is spelled from the template
of the config with the ticket's letter, the number in words (num2words ``lang="id"``, leading
zeros dropped: "A012" -> "a", "dua", "belas") and the counter's number in words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from num2words import num2words

BELL = "bell"
PAUSE = "pause"  # a short silence, spoken where the template has a comma

CALL = "call"
RECALL = "recall"
DOCUMENT_READY = "document_ready"
KINDS: tuple[str, ...] = (CALL, RECALL, DOCUMENT_READY)

DEFAULT_TEMPLATES: dict[str, str] = {
    CALL: "Nomor antrian {prefix} {number_words}, silakan menuju loket {counter_words}.",
    RECALL: (
        "Panggilan ulang, nomor antrian {prefix} {number_words}, "
        "silakan menuju loket {counter_words}."
    ),
    DOCUMENT_READY: (
        "Nomor antrian {prefix} {number_words}, dokumen Anda sudah selesai, "
        "silakan ambil di loket {counter_words}."
    ),
}
# Word groups spoken as one clip: a person records "silakan menuju" as one breath.
DEFAULT_PHRASES: tuple[str, ...] = (
    "nomor antrian",
    "silakan menuju",
    "panggilan ulang",
    "dokumen anda sudah selesai",
    "silakan ambil di",
)
PLACEHOLDERS = ("prefix", "number_words", "counter_words")
_TOKEN_RE = re.compile(r"\{(\w+)\}|([^\s{},.;:!?]+)|([,;:])")
_NUMBER_RE = re.compile(r"^([A-Za-z]?)(\d+)$")


class TemplateError(ValueError):
    """A template names a placeholder the board cannot fill."""


def clip_key(text: str) -> str:
    """'Silakan menuju' -> 'silakan_menuju': the manifest key of a word or phrase."""
    return "_".join(text.lower().split())


def number_words(n: int) -> list[str]:
    """12 -> ['dua', 'belas']: num2words' Indonesian words, one clip each."""
    if n < 0:
        raise ValueError(f"cannot announce a negative number: {n}")
    return num2words(n, lang="id").split()


def split_ticket_number(number: str) -> tuple[str, int]:
    """'A012' -> ('A', 12); a number without a letter gives ('', n)."""
    m = _NUMBER_RE.match(number.strip())
    if not m:
        raise ValueError(f"not a ticket number: {number!r}")
    return m.group(1).upper(), int(m.group(2))


@dataclass(frozen=True)
class Announcer:
    """Turns a call into clip names with the configured templates and phrases."""

    templates: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TEMPLATES))
    phrases: tuple[str, ...] = DEFAULT_PHRASES
    bell: bool = True

    def __post_init__(self) -> None:
        for kind in KINDS:
            if kind not in self.templates:
                raise TemplateError(f"no template for {kind!r}")
        for kind, text in self.templates.items():
            for m in _TOKEN_RE.finditer(text):
                if m.group(1) and m.group(1) not in PLACEHOLDERS:
                    raise TemplateError(
                        f"template {kind!r}: unknown placeholder {{{m.group(1)}}}"
                        f" (use {', '.join('{' + p + '}' for p in PLACEHOLDERS)})"
                    )

    def compose(self, number: str, counter_number: int, kind: str = CALL) -> list[str]:
        """Clip names for "number, go to counter": bell, phrase clips, letter, number words."""
        prefix, n = split_ticket_number(number)
        values = {
            "prefix": [prefix.lower()] if prefix else [],
            "number_words": number_words(n),
            "counter_words": number_words(counter_number),
        }
        clips = [BELL] if self.bell else []
        for token in self._tokens(self.templates[kind]):
            if token.startswith("{"):
                clips.extend(values[token[1:-1]])
            else:
                clips.append(token)
        while clips and clips[-1] == PAUSE:
            clips.pop()
        return clips

    def compose_call(self, call: Mapping, kind: str | None = None) -> list[str]:
        """Clips for a CallPayload; a recall flag picks the recall template."""
        if kind is None:
            kind = RECALL if call.get("recall") else CALL
        return self.compose(call["number"], int(call["counter_number"]), kind)

    def template_words(self) -> set[str]:
        """Every literal clip the templates need (placeholders excluded)."""
        words: set[str] = set()
        for text in self.templates.values():
            words.update(t for t in self._tokens(text) if not t.startswith("{"))
        if self.bell:
            words.add(BELL)
        return words

    def _tokens(self, text: str) -> list[str]:
        """Literal words joined into known phrases (longest first), commas as pauses."""
        raw: list[str] = []
        for m in _TOKEN_RE.finditer(text):
            if m.group(1):
                raw.append("{" + m.group(1) + "}")
            elif m.group(2):
                raw.append(m.group(2).lower())
            else:
                raw.append(PAUSE)
        phrases = sorted((p.lower().split() for p in self.phrases), key=len, reverse=True)
        out: list[str] = []
        i = 0
        while i < len(raw):
            for words in phrases:
                if raw[i : i + len(words)] == words:
                    out.append(clip_key(" ".join(words)))
                    i += len(words)
                    break
            else:
                out.append(raw[i])
                i += 1
        return out


def required_clips(
    announcer: Announcer,
    max_number: int = 999,
    counter_numbers: Iterable[int] = range(1, 51),
    letters: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
) -> set[str]:
    """Every clip any announcement may need: all numbers, counters, letters, template words."""
    need = set(announcer.template_words())
    for n in range(1, max_number + 1):
        need.update(number_words(n))
    for c in counter_numbers:
        need.update(number_words(c))
    need.update(letter.lower() for letter in letters)
    return need
