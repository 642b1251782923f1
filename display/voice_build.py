"""Synthesizes the default voice pack offline: espeak-ng's Indonesian voice and a sine chime.

Every clip is trimmed of the silence espeak-ng leaves around a word, so words joined into an
announcement sound like one sentence; a comma becomes a short ``pause`` clip.
"""

from __future__ import annotations

import array
import math
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Iterable
from pathlib import Path

from display.announce import BELL, PAUSE, Announcer, required_clips
from display.voicepack import write_manifest

RATE = 22050  # espeak-ng's own rate: no resampling of speech
# How the Indonesian alphabet is said: "A" is "a", "B" is "be", "Q" is "ki"...
LETTER_NAMES: dict[str, str] = {
    "a": "a", "b": "be", "c": "ce", "d": "de", "e": "e", "f": "ef", "g": "ge", "h": "ha",
    "i": "i", "j": "je", "k": "ka", "l": "el", "m": "em", "n": "en", "o": "o", "p": "pe",
    "q": "ki", "r": "er", "s": "es", "t": "te", "u": "u", "v": "fe", "w": "we", "x": "eks",
    "y": "ye", "z": "zet",
}  # fmt: skip
VOICE = "espeak-ng -v id"
Progress = Callable[[int, int, str], None]


class SynthesisError(RuntimeError):
    pass


def spoken_text(clip: str) -> str:
    """What espeak-ng is asked to say for a clip name."""
    if len(clip) == 1 and clip in LETTER_NAMES:
        return LETTER_NAMES[clip]
    return clip.replace("_", " ")


def build_pack(
    out: Path,
    clips: Iterable[str] | None = None,
    progress: Progress | None = None,
    *,
    espeak: str = "espeak-ng",
    speed: int = 150,
) -> dict[str, str]:
    """Write one WAV per clip and the manifest into ``out``; returns clip -> file name."""
    exe = shutil.which(espeak)
    if exe is None:
        raise SynthesisError(f"{espeak} not found (Debian: apt install espeak-ng)")
    names = sorted(clips if clips is not None else required_clips(Announcer()) | {"nol"})
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for i, name in enumerate(names, 1):
        file = f"{name}.wav"
        if name == BELL:
            write_wav(out / file, chime())
        elif name == PAUSE:
            write_wav(out / file, array.array("h", [0] * (RATE // 4)))
        else:
            samples = _speak(exe, spoken_text(name), speed)
            write_wav(out / file, trim_silence(samples))
        files[name] = file
        if progress:
            progress(i, len(names), name)
    write_manifest(out, files, f"{VOICE} (speed {speed})")
    return files


def _speak(exe: str, text: str, speed: int) -> array.array:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.wav"
        cmd = [exe, "-v", "id", "-s", str(speed), "-w", str(path), text]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not path.exists():
            raise SynthesisError(f"espeak-ng failed for {text!r}: {done.stderr.strip()}")
        return read_wav(path)


def read_wav(path: Path) -> array.array:
    """Mono 16-bit samples of a WAV at RATE (what espeak-ng writes)."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1 or w.getframerate() != RATE:
            raise SynthesisError(f"{path}: expected mono 16-bit {RATE} Hz, got {w.getparams()}")
        data = array.array("h")
        data.frombytes(w.readframes(w.getnframes()))
        return data


def write_wav(path: Path, samples: array.array) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())


def trim_silence(samples: array.array, threshold: int = 300, pad_ms: int = 30) -> array.array:
    """Cut the quiet head and tail, keeping ``pad_ms`` so consonants are not clipped."""
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        return samples
    pad = RATE * pad_ms // 1000
    return samples[max(0, loud[0] - pad) : loud[-1] + pad]


def chime(tones: tuple[float, ...] = (880.0, 659.25), tone_s: float = 0.45) -> array.array:
    """A two-tone "ding-dong" with a soft attack and decay, followed by a breath of silence."""
    out = array.array("h")
    n = int(RATE * tone_s)
    for freq in tones:
        for i in range(n):
            t = i / RATE
            env = min(1.0, i / (RATE * 0.01)) * math.exp(-3.0 * t / tone_s)
            value = 0.8 * math.sin(2 * math.pi * freq * t) + 0.2 * math.sin(4 * math.pi * freq * t)
            out.append(int(12000 * env * value))
    out.extend([0] * (RATE // 5))
    return out
