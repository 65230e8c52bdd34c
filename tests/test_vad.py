"""The robust speech detector: noise, band limits, reverberation and a music bed do not fill the pauses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio2face.errors import Audio2FaceError
from audio2face.pipeline import AnimateSettings
from audio2face.post import PostSettings
from audio2face.streaming import StreamSession, stream_array
from audio2face.vad import (
    LiveLevels,
    VadSettings,
    band_bounds,
    band_energies,
    clean_levels_db,
    silent_frames,
)

RATE = 16000
FPS = 30.0
SECONDS = 12.0
PAUSES = ((3.0, 4.5), (8.0, 9.2))
ROBUST, ENERGY = VadSettings(), VadSettings(method="energy")


def _speech() -> np.ndarray:
    """Voiced syllables (harmonics up to 4 kHz, f0 gliding) at 4 per second, dipping to nothing between
    them as speech does (``conftest.speech_like`` keeps a steady hum under its syllables), with pauses."""
    t = np.arange(int(SECONDS * RATE)) / RATE
    f0 = 130 + 25 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    voice = sum(np.sin(k * phase) / np.sqrt(k) for k in range(1, 30))
    syllables = np.abs(np.sin(2 * np.pi * 2.0 * t)) ** 1.5 * (1 + 0.5 * np.sin(2 * np.pi * 0.37 * t))
    signal = 0.05 * syllables * voice
    for start, end in PAUSES:
        signal[int(start * RATE) : int(end * RATE)] = 0.0
    return signal


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x**2)))


def _noise(speech: np.ndarray, snr_db: float, seed: int = 1) -> np.ndarray:
    noise = np.random.default_rng(seed).standard_normal(speech.size)
    return speech + noise * _rms(speech) / _rms(noise) * 10 ** (-snr_db / 20)


def _reverb(speech: np.ndarray, rt60_s: float = 1.5, seed: int = 2) -> np.ndarray:
    """Convolution with an exponentially decaying noise tail (a diffuse room) plus the direct sound."""
    t = np.arange(int(1.2 * rt60_s * RATE)) / RATE
    tail = np.random.default_rng(seed).standard_normal(t.size) * 10 ** (-3 * t / rt60_s)
    tail[: int(0.005 * RATE)] = 0.0
    ir = 1.0 * tail / np.sqrt(np.sum(tail**2))
    ir[0] = 1.0
    n = 1 << int(np.ceil(np.log2(speech.size + ir.size)))
    return np.fft.irfft(np.fft.rfft(speech, n) * np.fft.rfft(ir, n), n)[: speech.size]


def _music(speech: np.ndarray, snr_db: float) -> np.ndarray:
    """Chords of harmonic tones changing every half second, plucked."""
    t = np.arange(speech.size) / RATE
    bed = np.zeros_like(t)
    for k, root in enumerate(np.resize([220.0, 174.6, 196.0, 261.6], int(SECONDS * 2) + 1)):
        part = (t >= 0.5 * k) & (t < 0.5 * (k + 1))
        local = t[part] - 0.5 * k
        for ratio in (1.0, 1.26, 1.5):
            bed[part] += np.exp(-2 * local) * sum(np.sin(2 * np.pi * root * ratio * h * local) / h for h in (1, 2, 3))
    return speech + bed * _rms(speech) / _rms(bed) * 10 ** (-snr_db / 20)


def _band_limit(speech: np.ndarray, low: float = 300.0, high: float = 3400.0) -> np.ndarray:
    spectrum = np.fft.rfft(speech)
    freqs = np.fft.rfftfreq(speech.size, 1.0 / RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0.0
    return np.fft.irfft(spectrum, speech.size)


def _pause_found(silent: np.ndarray) -> float:
    """Share of the frames inside the pauses (100 ms in from each edge) called silent."""
    inside = np.zeros(silent.size, dtype=bool)
    for start, end in PAUSES:
        inside[int((start + 0.1) * FPS) : int((end - 0.1) * FPS)] = True
    return float(silent[inside].mean())


def _speech_called_silent(silent: np.ndarray) -> float:
    outside = np.ones(silent.size, dtype=bool)
    for start, end in PAUSES:
        outside[int((start - 0.2) * FPS) : int((end + 0.2) * FPS)] = False
    return float(silent[outside].mean())


@pytest.mark.parametrize(
    "name, perturb",
    [
        ("white noise at 10 dB SNR", lambda x: _noise(x, 10.0)),
        ("reverberation, RT60 1.5 s", _reverb),
        ("a music bed 10 dB under the speech", lambda x: _music(x, 10.0)),
    ],
)
def test_robust_detector_finds_the_pauses_the_energy_one_misses(name, perturb):
    audio = perturb(_speech())
    frames = int(SECONDS * FPS)
    robust = silent_frames(audio, RATE, FPS, frames, ROBUST)
    energy = silent_frames(audio, RATE, FPS, frames, ENERGY)
    assert _pause_found(robust) >= 0.9, name
    assert _speech_called_silent(robust) <= 0.02, name
    assert _pause_found(energy) < 0.7, f"{name} should fool the RMS detector (else the test proves nothing)"


def test_band_limited_and_clean_speech_give_the_same_pauses():
    frames = int(SECONDS * FPS)
    clean = silent_frames(_speech(), RATE, FPS, frames, ROBUST)
    phone = silent_frames(_band_limit(_speech()), RATE, FPS, frames, ROBUST)
    assert _pause_found(clean) == 1.0 and _speech_called_silent(clean) == 0.0
    assert np.mean(clean == phone) >= 0.98


def test_live_levels_equal_the_causal_offline_levels():
    audio = _noise(_speech(), 20.0)
    frames = int(SECONDS * FPS)
    offline = clean_levels_db(band_energies(audio, RATE, FPS, frames), FPS, causal=True)
    live = LiveLevels(RATE, FPS)
    lo, hi = band_bounds(audio.size, RATE, FPS, frames, live.analyser.window)
    streamed = np.array([live.push(audio[a:b]) for a, b in zip(lo.tolist(), hi.tolist())])
    np.testing.assert_allclose(streamed, offline, atol=1e-6)


def test_unknown_method_is_refused():
    with pytest.raises(Audio2FaceError, match="unknown VAD method 'loud'"):
        PostSettings(vad_method="loud").validate()


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bundle_factory import make_bundle

    return make_bundle(tmp_path_factory.mktemp("vad_bundle"))


def test_live_gate_rests_in_a_noisy_pause(bundle_dir):
    audio = _noise(_speech(), 15.0).astype(np.float32)
    settings = AnimateSettings(model=str(bundle_dir), fps=FPS)
    _, weights = stream_array(StreamSession(settings), audio, [320])
    ungated = AnimateSettings(model=str(bundle_dir), fps=FPS, post=PostSettings(silence_gate=False))
    _, free = stream_array(StreamSession(ungated), audio, [320])
    for start, end in PAUSES:  # after the release and the 300 ms a live silence needs to be sure of itself
        inside = slice(int((start + 0.5) * FPS), int((end - 0.15) * FPS))
        assert np.abs(weights[inside]).max() == 0.0
        assert np.abs(free[inside]).max() > 0.0
    assert weights[int(1.0 * FPS) : int(2.5 * FPS)].min() > 0.0 or np.allclose(
        weights[int(1.0 * FPS) : int(2.5 * FPS)], free[int(1.0 * FPS) : int(2.5 * FPS)]
    )


def test_live_gate_at_a_high_frame_rate_keeps_the_samples_its_window_needs(bundle_dir):
    """At 100 fps a frame is 160 samples, less than half the detector's 512-sample window."""
    audio = _noise(_speech(), 20.0).astype(np.float32)[: 4 * RATE]
    settings = AnimateSettings(model=str(bundle_dir), fps=100.0)
    session = StreamSession(settings)
    levels = []
    gate_add = session._gate.add_level
    session._gate.add_level = lambda level: (levels.append(level), gate_add(level))[1]
    stream_array(session, audio, [160])
    live = LiveLevels(RATE, 100.0)
    lo, hi = band_bounds(audio.size, RATE, 100.0, len(levels), live.analyser.window)
    expected = [live.push(audio[a:b].astype(np.float64)) for a, b in zip(lo.tolist(), hi.tolist())]
    np.testing.assert_allclose(levels, expected, atol=1e-6)
