"""A voice pack: a folder of WAV clips plus ``manifest.json`` mapping clip names to files.

The default pack is made by ``sahaja-display voice build``; an office may replace any clip by
a recording of a person, keeping the manifest's names. The board checks the pack once, at
start, against every clip it may need, and refuses to start naming what is missing.
"""

from __future__ import annotations

import json
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"


class VoicePackError(ValueError):
    """A pack that cannot be used: no manifest, a broken file, or missing clips."""

    def __init__(self, message: str, missing: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.missing = tuple(sorted(missing))


@dataclass(frozen=True)
class VoicePack:
    folder: Path
    clips: dict[str, Path]  # clip name -> WAV file

    @classmethod
    def load(cls, folder: str | Path) -> VoicePack:
        folder = Path(folder)
        path = folder / MANIFEST
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise VoicePackError(
                f"{path}: no manifest (build one: sahaja-display voice build)"
            ) from exc
        except (OSError, ValueError) as exc:
            raise VoicePackError(f"{path}: unreadable manifest: {exc}") from exc
        clips = raw.get("clips") if isinstance(raw, dict) else None
        if not isinstance(clips, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in clips.items()
        ):
            raise VoicePackError(f'{path}: expected {{"clips": {{"name": "file.wav", ...}}}}')
        return cls(folder, {name: folder / file for name, file in clips.items()})

    def missing(self, needed: Iterable[str]) -> list[str]:
        """Needed clips that the manifest lacks or whose file is absent or not a WAV."""
        out = []
        for name in sorted(set(needed)):
            path = self.clips.get(name)
            if path is None or not _is_wav(path):
                out.append(name)
        return out

    def check(self, needed: Iterable[str]) -> None:
        """Raise VoicePackError naming every missing clip."""
        missing = self.missing(needed)
        if missing:
            raise VoicePackError(
                f"voice pack {self.folder} lacks {len(missing)} clip(s): {', '.join(missing)}",
                missing,
            )


def _is_wav(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() > 0
    except (OSError, EOFError, wave.Error):
        return False


def write_manifest(folder: Path, clips: dict[str, str], voice: str) -> Path:
    path = folder / MANIFEST
    data = {"voice": voice, "clips": dict(sorted(clips.items()))}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
