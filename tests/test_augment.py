"""Trainer audio augmentation: each step does what it says, draws are reproducible, copies join training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio2face.dataset import write_clip
from audio2face.features import FeatureParams
from audio2face_trainer import augment, feature_cache
from audio2face_trainer.augment import AugmentSettings, augmented_copies
from audio2face_trainer.data import build_training_set
from conftest import speech_like

RATE = 16000
FPS = 30.0


def _db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20)


def _band_energy(x: np.ndarray, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(x.size, 1 / RATE)
    return float(spectrum[(f >= low) & (f < high)].sum())


def test_noise_lands_at_the_asked_snr():
    speech = speech_like(3.0, RATE, seed=1).astype(np.float64)
    rng = np.random.default_rng(0)
    for colour in ("white", "pink", "brown"):
        noise = augment.coloured_noise(speech.size, colour, rng)
        noisy = augment.add_noise(speech, 10.0, noise)
        snr = 20 * np.log10(augment.speech_rms(speech) / np.sqrt(np.mean((noisy - speech) ** 2)))
        assert snr == pytest.approx(10.0, abs=0.01), colour
    pink = augment.coloured_noise(1 << 16, "pink", rng)
    assert _band_energy(pink, 50, 500) > 5 * _band_energy(pink, 4000, 4450), "pink noise tilts down"


def test_music_bed_is_tonal_fills_the_pauses_and_keeps_the_labels():
    rng = np.random.default_rng(8)
    bed = augment.music(RATE * 4, rng)
    assert np.sqrt(np.mean(bed**2)) == pytest.approx(1.0, rel=1e-6)
    frames = bed[: RATE * 4 // 400 * 400].reshape(-1, 400)
    assert (np.sqrt(np.mean(frames**2, axis=1)) > 0.01).mean() > 0.9, "music plays through the pauses"
    spectrum = np.abs(np.fft.rfft(bed)) ** 2
    top = np.sort(spectrum)[::-1]
    assert top[: spectrum.size // 100].sum() > 0.5 * spectrum.sum(), "energy sits on notes, not spread as noise"
    speech = speech_like(2.0, RATE, seed=9)
    weights = np.random.default_rng(9).random((60, 2)).astype(np.float32)
    settings = AugmentSettings(speed_range=(1.0, 1.0), p_reverb=0, p_band=0, p_codec=0, p_noise=0, p_music=1.0,
                               music_snr_range=(10.0, 10.0), gain_db_range=(0.0, 0.0))
    ((audio, labels, done),) = augmented_copies(speech, weights, 1, 3, settings)
    assert done["music_snr_db"] == 10.0
    np.testing.assert_array_equal(labels, weights)
    clean = speech.astype(np.float64) / np.abs(speech).max() * 0.5
    scale = float(np.dot(audio, clean) / np.dot(clean, clean))
    snr = 20 * np.log10(augment.speech_rms(clean * scale) / np.sqrt(np.mean((audio - clean * scale) ** 2)))
    assert snr == pytest.approx(10.0, abs=0.5)


def test_room_reverb_fills_a_pause_and_decays_at_its_rt60():
    x = np.zeros(RATE * 2)
    x[:4000] = np.random.default_rng(1).standard_normal(4000)
    wet = augment.convolve(x, augment.room_impulse(0.6, np.random.default_rng(2)))
    late = wet[4000 + 800 : 4000 + 8000]
    assert _db(late) > _db(x[:4000]) - 40, "the tail reaches into the silence"
    first, second = _db(wet[4000 + 800 : 4000 + 2400]), _db(wet[4000 + 2400 : 4000 + 4000])
    slope = (first - second) / 0.1  # dB per second between two 100 ms windows
    assert 60 / 0.6 * 0.6 < slope < 60 / 0.6 * 1.5


def test_telephone_and_band_pass_cut_outside_the_band():
    x = np.random.default_rng(3).standard_normal(RATE)
    phone = augment.telephone(x)
    assert phone.size == x.size
    assert _band_energy(phone, 4200, 8000) < 1e-3 * _band_energy(x, 4200, 8000)
    assert _band_energy(phone, 0, 150) < 0.05 * _band_energy(x, 0, 150)
    assert _band_energy(phone, 500, 3000) > 0.8 * _band_energy(x, 500, 3000)


def test_mu_law_is_close_but_not_lossless():
    x = 0.5 * np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE)
    y = augment.mu_law(x)
    error = np.abs(y - x)
    assert 0 < error.max() < 0.02


def test_speed_changes_length_and_the_labels_follow():
    x = speech_like(2.0, RATE, seed=4).astype(np.float64)
    fast = augment.change_speed(x, 1.1)
    assert fast.size == pytest.approx(x.size / 1.1, abs=2)
    ramp = np.arange(60, dtype=np.float32)[:, None]
    labels = augment.resample_labels(ramp, 1.1)
    assert labels.shape[0] == 54 and labels[10, 0] == pytest.approx(11.0)


def test_draws_are_reproducible_and_differ_between_copies():
    x = speech_like(1.0, RATE, seed=5)
    w = np.zeros((30, 2), np.float32)
    one = augmented_copies(x, w, 2, [7, 1])
    two = augmented_copies(x, w, 2, [7, 1])
    np.testing.assert_array_equal(one[0][0], two[0][0])
    assert one[0][2] == two[0][2] and one[0][2] != one[1][2]
    assert all(np.abs(a).max() <= 1.0 and a.dtype == np.float32 for a, _, _ in one)
    assert augmented_copies(x, w, 1, 7)[0][2] == augmented_copies(x, w, 1, [7])[0][2]


def _dataset(folder: Path) -> Path:
    for i in range(3):
        audio = speech_like(2.0, RATE, silence=((0.8, 1.1),), seed=i)
        weights = np.random.default_rng(i).random((60, 2)).astype(np.float32)
        write_clip(folder, f"clip{i}", audio=audio, sample_rate=RATE, weights=weights, names=["a", "b"], fps=FPS)
    return folder


def test_augmented_copies_join_the_training_clips_only_and_are_cached(tmp_path, monkeypatch):
    data = _dataset(tmp_path / "data")
    cache = tmp_path / "cache"
    settings = AugmentSettings(speed_range=(0.95, 1.05))
    built = build_training_set([data], FeatureParams(), cache, ["clip1"], augment_copies=2, augment_settings=settings,
                               time_shift=2)
    names = [c.name for c in built.train]
    assert names == ["clip0", "clip2", "clip0~aug0", "clip0~aug1", "clip2~aug0", "clip2~aug1"]
    assert [c.name for c in built.val] == ["clip1"]
    for clip in built.train:
        assert clip.features.shape[0] == clip.weights.shape[0] and abs(clip.frames - 60) <= 4
        assert clip.dense_features is not None and clip.shift == 2
    assert not np.array_equal(built.train[0].features[:50], built.train[2].features[:50])
    calls = []
    original = feature_cache.compute_features
    monkeypatch.setattr(feature_cache, "compute_features", lambda *a, **k: calls.append(1) or original(*a, **k))
    again = build_training_set([data], FeatureParams(), cache, ["clip1"], augment_copies=2,
                               augment_settings=settings, time_shift=2)
    assert not calls, "the second build reads every copy from the cache"
    np.testing.assert_array_equal(again.train[3].features, built.train[3].features)
