"""Phone guide: viseme activations, how they bend the curves, the language registry, PocketSphinx."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from audio2face.errors import Audio2FaceError
from audio2face.phones import (
    GuideSettings,
    Language,
    PhoneSegment,
    apply_guide,
    available_languages,
    get_language,
    recognise_phones,
    register_language,
    viseme_activations,
)
from audio2face.phones.guide import role_indices
from audio2face.post import PostSettings, apply_post

FPS = 30.0
FACEGOOD = ["mouth_stretch_c", "mouth_press_l", "mouth_pucker_l", "mouth_suck_dl", "mouth_lowerLipDepress_l",
            "mouth_lipStretch_l", "brow_raise_c"]
ARKIT = ["jawOpen", "mouthPressLeft", "mouthPucker", "mouthRollLower", "mouthLowerDownLeft", "mouthSmileLeft",
         "browInnerUp"]


def _open(frames: int = 30, names=FACEGOOD) -> np.ndarray:
    return np.full((frames, len(names)), 0.4, np.float32)


def _seg(phone: str, start: float, end: float, viseme: str, openness: float = 0.0) -> PhoneSegment:
    return PhoneSegment(phone, start, end, viseme, openness)


def test_a_closure_shorter_than_a_frame_still_reaches_full_activation():
    act = viseme_activations([_seg("P", 0.505, 0.515, "closed")], FPS, 30)
    assert act["closed"].max() == 1.0
    assert act["closed"][0] == 0.0 and act["closed"][-1] == 0.0
    assert np.count_nonzero(act["closed"]) <= 5, "ramps last 50 ms each side, not the whole clip"


@pytest.mark.parametrize("names", [FACEGOOD, ARKIT], ids=["facegood", "arkit"])
def test_lips_close_on_a_bilabial_by_the_strength(names):
    closure = [_seg("B", 0.45, 0.55, "closed")]
    frame = 15
    full = apply_guide(_open(names=names), names, FPS, closure, GuideSettings(strength=1.0))
    half = apply_guide(_open(names=names), names, FPS, closure, GuideSettings(strength=0.5))
    off = apply_guide(_open(names=names), names, FPS, closure, GuideSettings(strength=0.0))
    assert full[frame, 0] == 0.0 and full[frame, 4] == 0.0, "jaw and lower lip shut"
    assert full[frame, 1] >= 0.4 - 1e-6, "the press channel is not lowered"
    assert half[frame, 0] == pytest.approx(0.2)
    np.testing.assert_array_equal(off, _open(names=names))
    assert full[0, 0] == pytest.approx(0.4) and full[frame, 6] == pytest.approx(0.4), "elsewhere untouched"


def test_press_rises_from_rest_and_labiodental_tucks_the_lower_lip():
    rest = np.zeros((30, len(FACEGOOD)), np.float32)
    out = apply_guide(rest, FACEGOOD, FPS, [_seg("M", 0.45, 0.55, "closed")])
    assert out[15, 1] == pytest.approx(GuideSettings().press)
    out = apply_guide(_open(), FACEGOOD, FPS, [_seg("F", 0.45, 0.55, "labiodental")])
    assert out[15, 0] == pytest.approx(GuideSettings().labiodental_jaw) and out[15, 3] == pytest.approx(0.4)
    rest_f = apply_guide(rest, FACEGOOD, FPS, [_seg("F", 0.45, 0.55, "labiodental")])
    assert rest_f[15, 3] == pytest.approx(GuideSettings().lip_tuck)


def test_rounded_vowels_pucker_and_open_vowels_open_the_jaw():
    rest = np.zeros((30, len(FACEGOOD)), np.float32)
    out = apply_guide(rest, FACEGOOD, FPS, [_seg("UW", 0.3, 0.6, "rounded", 0.35)])
    assert out[15, 2] == pytest.approx(GuideSettings().pucker)
    assert out[15, 0] == pytest.approx(GuideSettings().open_jaw * 0.35)
    wide = np.full((30, len(FACEGOOD)), 0.9, np.float32)
    kept = apply_guide(wide, FACEGOOD, FPS, [_seg("AA", 0.3, 0.6, "open", 1.0)])
    assert kept[15, 0] == pytest.approx(0.9), "a vowel never closes a jaw that is wider than its target"
    assert kept[15, 5] == pytest.approx(0.9)
    rounded = apply_guide(wide, FACEGOOD, FPS, [_seg("W", 0.3, 0.6, "rounded", 0.25)])
    assert rounded[15, 5] == 0.0, "rounding takes the smile/stretch away"


def test_roles_are_found_by_name_in_both_schemes():
    for names in (FACEGOOD, ARKIT):
        roles = role_indices(names)
        assert roles["jaw"] == [0] and roles["press"] == [1] and roles["pucker"] == [2] and roles["tuck"] == [3]
        assert 4 in roles["opening"] and roles["spread"] == [5]


def test_post_runs_the_guide_only_with_phones_and_strength():
    closure = [_seg("P", 0.45, 0.55, "closed")]
    on = apply_post(_open(), FACEGOOD, FPS, PostSettings(guide_strength=1.0), phones=closure)
    assert on[15, 0] == 0.0
    assert apply_post(_open(), FACEGOOD, FPS, PostSettings(), phones=closure)[15, 0] == pytest.approx(0.4)
    with pytest.raises(Audio2FaceError, match="guide_strength"):
        PostSettings(guide_strength=1.5).validate()


def test_languages_plug_in_and_unknown_ones_are_named():
    def recognise(samples, rate, speech, fps):
        return [PhoneSegment("pa", 0.1, 0.2)]

    register_language(Language("xx-test", "Test", recognise, {"pa": ("closed", 0.0)}))
    assert "xx-test" in available_languages() and "en-us" in available_languages()
    segments = recognise_phones(np.zeros(16000, np.float32), 16000, "xx-test")
    assert segments == [PhoneSegment("pa", 0.1, 0.2, "closed", 0.0)]
    with pytest.raises(Audio2FaceError, match="no phone guidance for language 'zz'.*en-us"):
        get_language("zz")
    with pytest.raises(Audio2FaceError, match="unknown visemes wide"):
        register_language(Language("xx-bad", "Bad", recognise, {"a": ("wide", 1.0)}))


def _espeak(text: str, path: Path) -> np.ndarray:
    import soundfile as sf

    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), text], check=True, capture_output=True)
    samples, rate = sf.read(path, dtype="float32")
    import soxr

    return soxr.resample(samples, rate, 16000)


needs_sphinx = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or not __import__("importlib").util.find_spec("pocketsphinx"),
    reason="needs espeak-ng and the 'phones' extra (pocketsphinx)",
)


@needs_sphinx
def test_transcript_alignment_finds_every_bilabial_in_order(tmp_path):
    text = "Bob made a map. Five old boots, please."
    audio = _espeak(text, tmp_path / "line.wav")
    segments = recognise_phones(audio, 16000, "en-us", transcript=text)
    closed = [s for s in segments if s.viseme == "closed"]
    assert [s.phone for s in closed] == ["B", "B", "M", "M", "P", "B", "P"]
    assert all(a.end_s <= b.start_s + 1e-9 for a, b in zip(closed, closed[1:]))
    assert [s.phone for s in segments if s.viseme == "labiodental"] == ["F", "V"]
    assert segments[-1].end_s <= audio.size / 16000 + 0.02


@needs_sphinx
def test_recognition_without_transcript_finds_closures(tmp_path):
    audio = _espeak("Bob made a map of the moon.", tmp_path / "line.wav")
    segments = recognise_phones(audio, 16000, "en-us")
    assert any(s.viseme == "closed" for s in segments) and any(s.viseme == "open" for s in segments)


@needs_sphinx
def test_words_outside_the_dictionary_are_skipped_and_none_known_is_an_error(tmp_path):
    audio = _espeak("Bob made a map.", tmp_path / "line.wav")
    segments = recognise_phones(audio, 16000, "en-us", transcript="Bob made a map zzqxv.")
    assert [s.phone for s in segments if s.viseme == "closed"] == ["B", "B", "M", "M", "P"]
    with pytest.raises(Audio2FaceError, match="no word of the transcript"):
        recognise_phones(audio, 16000, "en-us", transcript="zzqxv qqzzx")


def test_acoustic_closures_mark_the_dips_between_syllables():
    from audio2face.phones import acoustic_closures

    t = np.arange(16000) / 16000
    audio = np.sin(2 * np.pi * 200 * t) * (np.abs(np.sin(2 * np.pi * 2.0 * t)) > 0.7)  # 4 syllables, gaps between
    dips = acoustic_closures(audio.astype(np.float32), 16000, FPS, 30)
    assert dips[15] == 1.0 and dips[0] > 0.5, "the silent gaps at 0 and 0.5 s"
    assert dips[11] == 0.0 and dips[19] == 0.0, "the middle of a syllable"
    out = apply_post(_open(), FACEGOOD, FPS, PostSettings(guide_strength=1.0), closures=dips)
    assert out[15, 0] == pytest.approx(0.4 * (1 - GuideSettings().dip)) and out[11, 0] == pytest.approx(0.4)


@needs_sphinx
def test_cli_aligns_to_a_transcript_and_names_a_missing_one(tmp_path, capsys):
    import json

    from audio2face.cli import main

    text = "Bob made a map."
    wav = tmp_path / "line.wav"
    _espeak(text, wav)
    (tmp_path / "line.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "line.json"
    guided = ["--guide-strength", "1"]
    assert main(["animate", str(wav), "--out", str(out), "--transcript", str(tmp_path / "line.txt"), *guided]) == 0
    source = json.loads(out.read_text())["source"]
    assert source["phone_guide"]["aligned_to_transcript"] and source["phone_guide"]["phones"] >= 10
    assert main(["animate", str(wav), "--out", str(out), "--transcript", str(tmp_path / "nope.txt"), *guided]) == 1
    assert "transcript" in capsys.readouterr().err


def test_batch_jobs_take_the_transcript_and_the_guide_knobs(tmp_path):
    from audio2face.settings_io import animate_settings_from_dict
    from audio2face_maya.jobs import Job, make_job

    fields = {"scene": "a.ma", "audio": "a.wav", "output": "b.ma", "transcript": "lines/a.txt",
              "guide_strength": "0.7", "phone_language": "none", "vad_method": "energy"}  # as a CSV row gives them
    job = make_job(1, fields, tmp_path)
    assert isinstance(job, Job), job
    settings = animate_settings_from_dict(job.settings)
    assert settings.transcript == str(tmp_path / "lines" / "a.txt"), "a file, relative to the jobs file"
    assert settings.post.guide_strength == 0.7
    assert settings.post.phone_language == "none" and settings.post.vad_method == "energy"
    bad = make_job(2, dict(fields, guide_strength="2"), tmp_path)
    assert not isinstance(bad, Job) and "guide_strength must be between 0 and 1" in bad.error
