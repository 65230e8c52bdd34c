"""``audio2face dataset check``: lengths, frame rates, static curves, emotions and phone coverage."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from audio2face.cli import main
from audio2face.commands.dataset import check_datasets
from audio2face.dataset import write_clip
from audio2face.phones import Language, PhoneSegment, register_language
from conftest import speech_like

RATE = 16000


def _clip(folder: Path, name: str, seconds: float, fps: float = 30.0, moving: bool = True, emotion: str = "",
          extra_frames: int = 0) -> None:
    frames = int(seconds * fps) + extra_frames
    weights = np.zeros((frames, 3), np.float32)
    if moving:
        weights[:, 0] = np.linspace(0, 1, frames)
    write_clip(folder, name, audio=speech_like(seconds, RATE, seed=len(name)), sample_rate=RATE, weights=weights,
               names=["jaw", "lip", "brow"], fps=fps, source={"emotion": emotion} if emotion else None)


def _recognise(samples, rate, speech, fps):
    return [PhoneSegment("pa", 0.1, 0.2), PhoneSegment("a", 0.2, 0.4), PhoneSegment("u", 0.4, 0.5)]


def test_report_finds_mismatches_static_clips_rates_emotions_and_coverage(tmp_path):
    register_language(Language("xx-check", "Test", _recognise,
                               {"pa": ("closed", 0.0), "a": ("open", 1.0), "u": ("rounded", 0.3)}))
    first, second = tmp_path / "a", tmp_path / "b"
    _clip(first, "happy1", 2.0, emotion="happy")
    _clip(first, "still", 2.0, moving=False, emotion="happy")
    _clip(first, "long", 2.0, extra_frames=-10)
    _clip(second, "fast", 2.0, fps=25.0)
    report = check_datasets([first, second], "xx-check")
    rows = {r["name"]: r for r in report["clips"]}
    assert rows["long"]["length_mismatch_frames"] == 10 and rows["happy1"]["length_mismatch_frames"] == 0
    assert rows["still"]["static_channels"] == 3 and rows["happy1"]["static_channels"] == 2
    assert report["total"]["emotions"] == {"happy": 2, "unlabelled": 2}
    assert report["total"]["never_moving_channels"] == ["lip", "brow"]
    assert report["total"]["fps"] == [25.0, 30.0]
    coverage = report["total"]["coverage"]
    assert coverage["visemes"] == {"closed": 4, "labiodental": 0, "rounded": 4, "open": 4}
    assert coverage["missing"] == ["labiodental"] and set(coverage["rare"]) == {"closed", "rounded", "open"}
    problems = " | ".join(report["problems"])
    for expected in ("long: the audio covers 60 frames, the curves 50", "still: no channel moves",
                     "different frame rates (25, 30 fps)", "no labiodental phones"):
        assert expected in problems


def test_cli_prints_the_report_writes_json_and_exits_2_on_problems(tmp_path, capsys):
    folder = tmp_path / "data"
    _clip(folder, "ok1", 2.0)
    out = tmp_path / "report.json"
    assert main(["dataset", "check", str(folder), "--no-phones", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1 clips" in text and "no problems" in text
    assert json.loads(out.read_text())["total"]["clips"] == 1
    _clip(folder, "still", 2.0, moving=False)
    assert main(["dataset", "check", str(folder), "--no-phones"]) == 2
    assert "problem: still: no channel moves" in capsys.readouterr().out
    assert main(["dataset", "check", str(tmp_path / "nope"), "--no-phones"]) == 1


def test_unknown_language_only_skips_the_coverage(tmp_path):
    folder = tmp_path / "data"
    _clip(folder, "ok1", 1.0)
    report = check_datasets([folder], "zz")
    assert "coverage" not in report["total"] and "no phone guidance for language 'zz'" in report["notes"][0]


@pytest.mark.skipif(not __import__("importlib").util.find_spec("pocketsphinx") or not shutil.which("espeak-ng"),
                    reason="needs the 'phones' extra and espeak-ng")
def test_the_real_recogniser_counts_phones(tmp_path):
    import soundfile as sf
    import soxr

    wav = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "Bob made a map of the moon for five blue boats."], check=True)
    audio, rate = sf.read(wav, dtype="float32")
    audio = soxr.resample(audio, rate, RATE)
    frames = int(audio.size / RATE * 30)
    weights = np.zeros((frames, 2), np.float32)
    weights[:, 0] = np.linspace(0, 1, frames)
    write_clip(tmp_path / "data", "said", audio=audio, sample_rate=RATE, weights=weights, names=["a", "b"], fps=30.0)
    coverage = check_datasets([tmp_path / "data"], "en-us")["clips"][0]["coverage"]
    assert coverage["phones"] >= 15 and coverage["visemes"]["open"] > 0 and coverage["visemes"]["rounded"] > 0
