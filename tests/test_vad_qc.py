"""QC additions: the input's condition (noise, band limits, reverb) and lips at bilabials."""

from __future__ import annotations

import numpy as np
import pytest
from audio2face.curves import Curves
from audio2face.phones import Language, PhoneSegment, register_language
from audio2face.qc import QcSettings, qc_report, summarise
from audio2face.qc_report import summary_lines
from audio2face.vad import audio_condition
from test_vad import _band_limit, _noise, _reverb, _speech

RATE = 16000
FPS = 30.0


def _wideband() -> np.ndarray:
    """The test speech with some breath noise above 4 kHz, as a microphone records it."""
    speech = _speech()
    hiss = np.random.default_rng(9).standard_normal(speech.size)
    spectrum = np.fft.rfft(hiss)
    spectrum[np.fft.rfftfreq(hiss.size, 1 / RATE) < 4000] = 0
    hiss = np.fft.irfft(spectrum, hiss.size)
    envelope = np.abs(speech) > 1e-4
    return speech + 0.003 * hiss * envelope


def test_condition_tells_noise_band_limits_and_reverb_apart():
    clean = audio_condition(_wideband(), RATE)
    assert clean["snr_db"] > 60 and clean["high_band_db"] > -40 and clean["rt60_s"] < 0.5
    noisy = audio_condition(_noise(_wideband(), 15.0), RATE)
    assert noisy["snr_db"] < 35
    phone = audio_condition(_band_limit(_wideband()), RATE)
    assert phone["high_band_db"] < -45 and phone["snr_db"] > 35, "band-limited, not noisy"
    wet = audio_condition(_reverb(_wideband()), RATE)
    assert wet["rt60_s"] > 0.8


def _jaw_curves(frames: int, closed_at=()) -> Curves:
    jaw = np.full(frames, 0.5, np.float32)
    for t in closed_at:
        jaw[int(t * FPS) - 1 : int(t * FPS) + 2] = 0.0
    return Curves(["jawOpen", "mouthFunnel"], FPS, np.stack([jaw, 0.2 * jaw], axis=1))


def _pa_recogniser(samples, rate, speech, fps):
    return [PhoneSegment("pa", t, t + 0.05) for t in (1.0, 2.0, 5.0, 6.0)]


def test_lips_at_bilabials_are_checked_with_recognised_phones():
    register_language(Language("xx-qc", "Test", _pa_recogniser, {"pa": ("closed", 0.0)}))
    audio = _wideband().astype(np.float32)
    frames = int(audio.size / RATE * FPS)
    settings = QcSettings(phones=True, phone_language="xx-qc")
    good = qc_report(audio, _jaw_curves(frames, (1.025, 2.025, 5.025, 6.025)), sample_rate=RATE, settings=settings)
    bad = qc_report(audio, _jaw_curves(frames, (1.025,)), sample_rate=RATE, settings=settings)
    assert good.bilabials["closed"] == 4 and good.bilabials["source"] == "recognised"
    assert bad.bilabials["closed"] == 1 and [s["start_s"] for s in bad.bilabials["open"]] == pytest.approx(
        [2.0, 5.0, 6.0], abs=0.04)
    assert bad.score == pytest.approx(good.score - 15.0, abs=0.5)
    assert "lips open at 3 of 4 p/b/m" in bad.flags
    assert any("lips at bilabials (recognised phones): 1 of 4" in line for line in summary_lines(bad))
    assert summarise([bad])[0]["bilabials_closed"] == 0.25
    plain = qc_report(audio, _jaw_curves(frames), sample_rate=RATE)
    assert plain.bilabials is None, "no transcript and no phones asked for: not checked"


def test_input_flags_ride_along_without_touching_the_score():
    audio = _band_limit(_wideband()).astype(np.float32)
    frames = int(audio.size / RATE * FPS)
    report = qc_report(audio, _jaw_curves(frames), sample_rate=RATE)
    assert any("band-limited" in flag for flag in report.input["flags"])
    assert not any("band-limited" in flag for flag in report.flags)
    assert summarise([report])[0]["input_flags"] == report.input["flags"]
    assert any(line.startswith("input: ") and "band-limited" in line for line in summary_lines(report))
