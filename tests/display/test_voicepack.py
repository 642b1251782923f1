"""The voice pack: synthesized offline, checked at start, named clip by clip when incomplete."""

from __future__ import annotations

import json
import shutil
import wave
from pathlib import Path

import pytest

from display import cli
from display.announce import Announcer, required_clips
from display.voice_build import RATE, chime
from display.voicepack import MANIFEST, VoicePack, VoicePackError


def test_built_pack_covers_everything_with_real_speech(espeak_pack: Path) -> None:
    pack = VoicePack.load(espeak_pack)
    need = required_clips(Announcer())
    assert pack.missing(need) == []
    pack.check(need)
    with wave.open(str(pack.clips["nomor_antrian"]), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (RATE, 1, 2)
        seconds = w.getnframes() / RATE
    assert 0.3 < seconds < 3.0  # two spoken words, silence trimmed


def test_chime_is_two_tones_and_not_silent() -> None:
    samples = chime()
    assert len(samples) > RATE * 0.8
    assert max(abs(s) for s in samples) > 8000


@pytest.fixture
def pack_copy(espeak_pack: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "pack"
    shutil.copytree(espeak_pack, dest)
    return dest


def test_check_names_a_deleted_clip(pack_copy: Path) -> None:
    (pack_copy / "belas.wav").unlink()
    with pytest.raises(VoicePackError) as err:
        VoicePack.load(pack_copy).check(required_clips(Announcer()))
    assert err.value.missing == ("belas",)
    assert "belas" in str(err.value)


def test_check_names_clips_absent_from_manifest_or_broken(pack_copy: Path) -> None:
    manifest = json.loads((pack_copy / MANIFEST).read_text())
    del manifest["clips"]["loket"]
    (pack_copy / MANIFEST).write_text(json.dumps(manifest))
    (pack_copy / "q.wav").write_bytes(b"not a wav at all")
    missing = VoicePack.load(pack_copy).missing(required_clips(Announcer()))
    assert missing == ["loket", "q"]


def test_no_manifest_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(VoicePackError, match="no manifest"):
        VoicePack.load(tmp_path)
    (tmp_path / MANIFEST).write_text('["a"]')
    with pytest.raises(VoicePackError, match="clips"):
        VoicePack.load(tmp_path)


def test_cli_builds_with_progress_and_checks(tmp_path: Path, capsys) -> None:
    out = tmp_path / "voice"
    assert cli.main(["voice", "build", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    total = len(json.loads((out / MANIFEST).read_text())["clips"])
    assert f"{total}/{total}" in err and f" 1/{total}" in err
    assert "Paket suara selesai" in err
    assert cli.main(["voice", "check", "--pack", str(out)]) == 0
    (out / "tiga.wav").unlink()
    assert cli.main(["voice", "check", "--pack", str(out)]) == 1
    assert "tiga" in capsys.readouterr().err


def test_board_refuses_to_start_with_an_incomplete_pack(pack_copy: Path, capsys) -> None:
    (pack_copy / "sembilan.wav").unlink()
    rc = cli.main(["--token", "x", "--voice-pack", str(pack_copy)])
    assert rc == 2
    err = capsys.readouterr().err
    assert "tidak lengkap" in err and "sembilan" in err
