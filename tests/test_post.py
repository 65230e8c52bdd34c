"""Post-processing: silence gate, smoothing, strength, offsets, time shift, clamp."""

from __future__ import annotations

import numpy as np
import pytest
from audio2face.errors import Audio2FaceError
from audio2face.post import PostSettings, apply_post, shift
from audio2face.vad import silent_frames
from conftest import speech_like

FPS = 30.0


def _open_mouth(frames):
    return np.full((frames, 2), 0.6, np.float32)


def test_silence_gate_closes_the_jaw_in_a_long_silence_only():
    audio = speech_like(4.0, silence=((1.0, 2.5), (3.0, 3.2)))
    frames = int(4.0 * FPS)
    out = apply_post(_open_mouth(frames), ["jawOpen", "x"], FPS, PostSettings(), audio)
    assert out[int(1.9 * FPS), 0] < 0.01, "jaw relaxes in a 1.5 s silence"
    assert out[int(1.05 * FPS), 0] > 0.5, "release: the jaw is still open 50 ms into the silence"
    assert out[int(0.5 * FPS), 0] == pytest.approx(0.6), "speech is untouched"
    assert out[int(3.1 * FPS), 0] == pytest.approx(0.6, abs=1e-6), "a 200 ms pause is speech, not silence"
    ungated = apply_post(_open_mouth(frames), ["jawOpen", "x"], FPS, PostSettings(silence_gate=False), audio)
    assert np.allclose(ungated, 0.6)


def test_vad_finds_known_silences():
    audio = speech_like(3.0, silence=((1.0, 2.0),))
    silent = silent_frames(audio, 16000, FPS, int(3 * FPS))
    assert silent[int(1.2 * FPS) : int(1.8 * FPS)].all()
    assert not silent[: int(0.9 * FPS)].any()


def test_smoothing_reduces_jitter_and_keeps_the_mean():
    rng = np.random.default_rng(0)
    w = (0.5 + 0.2 * rng.standard_normal((300, 1))).astype(np.float32)
    out = apply_post(w, ["a"], FPS, PostSettings(smoothing_ms=50, clamp=False))
    assert np.std(np.diff(out[:, 0])) < 0.3 * np.std(np.diff(w[:, 0]))
    assert abs(out.mean() - w.mean()) < 0.01


def test_strength_gains_offsets_and_clamp():
    w = np.full((5, 3), 0.5, np.float32)
    s = PostSettings(strength=1.5, gains={"b": 0.5}, offsets={"c": -0.9})
    out = apply_post(w, ["a", "b", "c"], FPS, s)
    np.testing.assert_allclose(out[0], [0.75, 0.375, 0.0])
    with pytest.raises(Audio2FaceError, match="unknown channels: zz"):
        apply_post(w, ["a", "b", "c"], FPS, PostSettings(gains={"zz": 1}))


def test_lip_open_offset_moves_only_the_jaw_where_it_moves():
    w = np.zeros((4, 2), np.float32)
    w[1:3, 0] = 0.2
    out = apply_post(w, ["mouth_stretch_c", "other"], FPS, PostSettings(lip_open_offset=0.1))
    np.testing.assert_allclose(out[:, 0], [0, 0.3, 0.3, 0], atol=1e-6)
    assert not out[:, 1].any()


def test_time_offset_delays_by_whole_and_fractional_frames():
    w = np.zeros((10, 1), np.float32)
    w[3] = 1.0
    late = shift(w, 2.0)
    assert late[5, 0] == 1.0 and late[3, 0] == 0.0
    half = shift(w, 0.5)
    assert half[3, 0] == pytest.approx(0.5) and half[4, 0] == pytest.approx(0.5)
    out = apply_post(w, ["a"], FPS, PostSettings(time_offset_ms=-1000 / FPS))
    assert out[2, 0] == pytest.approx(1.0), "negative offset leads"


def test_invalid_settings():
    with pytest.raises(Audio2FaceError, match="strength"):
        PostSettings(strength=-1).validate()
    with pytest.raises(Audio2FaceError, match="smoothing_ms"):
        PostSettings(smoothing_ms=float("nan")).validate()


def test_empty_input():
    assert apply_post(np.zeros((0, 2), np.float32), ["a", "b"], FPS, PostSettings()).shape == (0, 2)


def test_frame_levels_are_computed_block_by_block_without_changing_them(monkeypatch):
    from audio2face import vad

    audio = speech_like(3.0, silence=((1.0, 2.0),))
    whole = vad.frame_levels_db(audio, 16000, FPS, int(3 * FPS))
    monkeypatch.setattr(vad, "ENERGY_BLOCK", 1000)
    blocks = vad.frame_levels_db(audio, 16000, FPS, int(3 * FPS))
    np.testing.assert_allclose(blocks, whole, atol=1e-6)
