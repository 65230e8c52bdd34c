"""LPC features: parity with the literal FACEGOOD reference, window positions, edge cases, chunking."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import soundfile as sf
from audio2face.errors import Audio2FaceError, Cancelled
from audio2face.features import (
    FeatureParams,
    compute_features,
    features_for_windows,
    frame_count,
    frame_window_starts,
    levinson_durbin,
)
from audio2face.progress import CancelToken
from conftest import FLOAT_ROUNDING, speech_like
from lpc_reference import autocorr, levinson, lpc, reference_features

RATE = 16000
FPS_LIST = [23.976, 24.0, 25.0, 29.97, 30.0, 50.0, 60.0, Fraction(30000, 1001)]


def assert_parity(got: np.ndarray, ref: np.ndarray) -> None:
    """The README's measured bound, ``|a - b| <= 1e-6 * max(1, |b|)``.

    The issue asks for 1e-6 absolute, but coefficients reach about +-27 and two correct float64
    implementations differ by up to 2.4e-6 there (summation order); float32 output alone rounds
    by about 2e-6 at 27. So the bound is relative for large coefficients, as the README measured.
    """
    assert got.shape == ref.shape
    error = np.abs(got.astype(np.float64) - ref) / np.maximum(1.0, np.abs(ref))
    worst = np.unravel_index(np.argmax(error), error.shape)
    assert error.max() <= 1e-6, f"relative error {error.max():.3g} at [frame, coef, sub-frame] {worst}"


def clip_excerpt(facegood, name: str, start_s: float, seconds: float) -> np.ndarray:
    """Raw int16 values of a FACEGOOD clip, as FACEGOOD feeds them (unscaled)."""
    data, rate = sf.read(facegood / "wav" / name, dtype="int16")
    assert rate == RATE
    return data[int(start_s * RATE) : int((start_s + seconds) * RATE)]


# --- parity with the literal reference ----------------------------------------------------------


@pytest.mark.facegood
@pytest.mark.parametrize("name, start_s", [("1114_2_01.wav", 20.0), ("1114_3_15.wav", 5.5)])
def test_real_speech_matches_reference(facegood, name, start_s):
    excerpt = clip_excerpt(facegood, name, start_s, 0.8)
    ref = reference_features(excerpt, 30.0)
    assert ref.shape == (24, 32, 64)
    assert np.abs(ref).max() > 2, "the excerpt is speech, with large coefficients"
    assert_parity(compute_features(excerpt, 30.0), ref)


@pytest.mark.facegood
def test_frames_across_a_whole_clip_match_reference(facegood):
    """Frames spread over a full 49 s clip (start, end, and large frame numbers), each against the reference."""
    data, _ = sf.read(facegood / "wav" / "1114_3_15.wav", dtype="int16")
    features = compute_features(data, 30.0)
    assert features.shape[0] == int(data.size / RATE * 30.0)
    picked = [0, 1, 2, 7, 400, 777, 1111, features.shape[0] - 2, features.shape[0] - 1]
    assert_parity(features[picked], reference_features(data, 30.0, frames=picked))


@pytest.mark.facegood
@pytest.mark.slow
def test_full_short_clip_matches_reference(facegood):
    """All 366 frames of the 12 s TTS clip (about 10 s of reference time)."""
    data, rate = sf.read(facegood / "unlabeled" / "zisumei.wav", dtype="int16")
    assert rate == RATE
    assert_parity(compute_features(data, 30.0), reference_features(data, 30.0))


@pytest.mark.facegood
def test_other_frame_rate_matches_reference(facegood):
    excerpt = clip_excerpt(facegood, "1114_2_02.wav", 31.0, 0.45)
    for fps in (29.97, 24.0):
        assert_parity(compute_features(excerpt, fps), reference_features(excerpt, fps))


def _resonator(size: int, rng: np.random.Generator) -> np.ndarray:
    """Noise through four resonances just inside the unit circle: nearly predictable, so LPC is ill-conditioned."""
    poles = [radius * np.exp(sign * 2j * np.pi * hz / RATE)
             for hz, radius in ((300, 0.999), (900, 0.995), (2400, 0.99), (3500, 0.98)) for sign in (1, -1)]
    feedback = -np.real(np.poly(poles))[1:]
    out = np.zeros(size + feedback.size)
    for i, value in enumerate(rng.standard_normal(size)):
        out[i + feedback.size] = value + feedback @ out[i : i + feedback.size][::-1]
    return out[feedback.size :]


def _signal_cases():
    rng = np.random.default_rng(7)
    t = np.arange(int(0.3 * RATE)) / RATE
    impulse = np.zeros(int(0.3 * RATE))
    impulse[2500] = 1.0
    clipped = np.clip(1.8 * np.sin(2 * np.pi * 220 * t), -1.0, 1.0) * 32767
    spectrum = np.fft.rfft(rng.standard_normal(t.size))
    frequencies = np.fft.rfftfreq(t.size, 1.0 / RATE)
    spectrum[(frequencies < 300) | (frequencies > 3400)] = 0.0
    return {
        "sharp_resonances": _resonator(t.size, rng),
        "telephone_band_noise": np.fft.irfft(spectrum, t.size),
        "silence": np.zeros(int(0.2 * RATE)),
        "clipping": clipped,
        "dc_offset": 0.5 + 0.001 * rng.standard_normal(t.size),
        "pure_dc": np.full(t.size, 0.25),
        "impulse": impulse,
        "pure_sine": np.sin(2 * np.pi * 1000 * t),
        "alternating": np.tile([1.0, -1.0], t.size // 2),
        "shorter_than_window": speech_like(0.25)[: int(0.25 * RATE)],
    }


@pytest.mark.parametrize("case", sorted(_signal_cases()))
def test_edge_signals_match_reference(case):
    signal = _signal_cases()[case]
    got = compute_features(signal, 30.0)
    ref = reference_features(signal, 30.0)
    assert got.shape[0] == int(signal.size / RATE * 30.0) > 0
    assert np.isfinite(got).all()
    assert_parity(got, ref)


def test_silence_gives_the_unit_polynomial():
    got = compute_features(np.zeros(RATE // 2), 30.0)
    expected = np.zeros((32, 64), np.float32)
    expected[0] = 1.0
    assert got.shape == (15, 32, 64)
    assert (got == expected).all()


def test_padding_at_the_ends_gives_unit_polynomial_sub_frames():
    """The first frame's window starts 260 ms before the audio: its leading sub-frames see only zeros."""
    got = compute_features(speech_like(1.0), 30.0)
    assert (got[0, 0, :30] == 1).all() and (got[0, 1:, :30] == 0).all()
    assert np.abs(got[0, 1:, 40:]).max() > 0.1


def test_audio_shorter_than_one_frame_gives_an_empty_result():
    for samples in (np.zeros(0), np.ones(100), speech_like(0.03)):
        got = compute_features(samples, 30.0)
        assert got.shape == (0, 32, 64) and got.dtype == np.float32
    assert compute_features(speech_like(0.034), 30.0).shape == (1, 32, 64)


# --- Levinson-Durbin edge cases -------------------------------------------------------------------


def test_levinson_stops_and_zeros_when_a_reflection_coefficient_reaches_one():
    r = np.zeros(32)
    r[:3] = [1.0, 0.5, -0.9]  # k1 = -0.5, then k2 = 1.15 / 0.75 > 1
    got = levinson_durbin(r)
    assert got[0] == 1.0 and got[1] == pytest.approx(-0.5)
    assert (got[2:] == 0).all(), "coefficients from the failing order on are zero"
    assert got.tolist() == levinson(r.tolist(), 31)


def test_levinson_stops_at_exactly_one():
    r = np.zeros(32)
    r[0] = 2.0
    r[1] = -(r[0] * (1.0 + 1e-9))  # k1 == 1.0 exactly: |k| >= 1 stops
    got = levinson_durbin(r)
    assert got.tolist() == [1.0] + [0.0] * 31 == levinson(r.tolist(), 31)


def test_levinson_zero_or_negative_energy_gives_unit_polynomial():
    for r0 in (0.0, -1.0):
        r = np.zeros(32)
        r[0], r[1] = r0, 0.3
        assert levinson_durbin(r).tolist() == [1.0] + [0.0] * 31


def test_levinson_batch_columns_do_not_leak_into_each_other():
    """A column that stops early, a silent one and normal ones, solved together and alone, agree exactly."""
    rng = np.random.default_rng(3)
    normal = np.array(autocorr(list(np.hanning(256) * rng.standard_normal(256)), 31))
    stops_late = normal.copy()
    stops_late[9] = 3 * normal[0]
    stops_early = np.zeros(32)
    stops_early[:3] = [1.0, 0.5, -0.9]
    columns = [normal, stops_early, np.zeros(32), stops_late, 2 * normal]
    batch = levinson_durbin(np.stack(columns, axis=1))
    for i, column in enumerate(columns):
        assert batch[:, i].tolist() == levinson(column.tolist(), 31), f"column {i}"
    stop_order = int(np.flatnonzero(batch[:, 3] == 0)[0])
    assert 1 < stop_order <= 9 and (batch[stop_order:, 3] == 0).all()


def test_near_singular_autocorrelation_stays_finite_and_matches_reference():
    """A pure sinusoid or the alternating signal: R[0] *= 1 + 1e-9 keeps |k| < 1 in the recursion."""
    for x in (np.sin(2 * np.pi * 0.05 * np.arange(256)), (-1.0) ** np.arange(256)):
        r = autocorr(list(x), 31)
        got = levinson_durbin(np.array(r))
        assert np.isfinite(got).all()
        assert got.tolist() == lpc(list(x), 32) == levinson(r, 31)


# --- frame count and window positions --------------------------------------------------------------


def test_frame_count_follows_facegood():
    assert frame_count(RATE, 30.0) == 30
    assert frame_count(10 * RATE, 29.97) == 299
    assert frame_count(10 * RATE, Fraction(30000, 1001)) == 299
    assert frame_count(RATE, 23.976) == 23
    assert frame_count(533, 30.0) == 0 and frame_count(534, 30.0) == 1, "truncated, not rounded"
    assert frame_count(0, 60.0) == 0
    for fps in FPS_LIST:
        for length in (0, 1, 8319, 8320, 16000, 48_000 + 17, 3_600 * RATE + 5):
            assert frame_count(length, fps) == int(length / 16000 * float(fps))


@pytest.mark.parametrize("fps", FPS_LIST, ids=str)
def test_feature_frames_match_frame_count(fps):
    samples = speech_like(0.7)
    assert compute_features(samples, fps).shape == (frame_count(samples.size, fps), 32, 64)


def test_window_starts_are_truncated_not_rounded():
    assert frame_window_starts([0, 1, 2, 3], 30.0).tolist() == [0, 533, 1066, 1600]
    assert frame_window_starts(2, 30.0) == 1066, "2 * 33.33 ms * 16 = 1066.67 truncates to 1066"
    assert frame_window_starts([1], 24.0).tolist() == [666]
    for fps in FPS_LIST:
        frames = np.arange(0, 200_000, 37)
        expected = [int(i * (1000.0 / float(fps)) * 16) for i in frames.tolist()]
        assert frame_window_starts(frames, fps).tolist() == expected


def test_fixed_window_length_is_exact():
    """FACEGOOD ends window i at int((i * step + 520) * 16): at most one sample shorter than 8320.

    That sample is the last one of the last sub-frame, where the Hann window is exactly zero, so a
    fixed 8320-sample window gives the same numbers.
    """
    assert np.hanning(256)[0] == 0.0 and np.hanning(256)[-1] == 0.0
    assert 63 * 128 + 256 == FeatureParams().window_samples == 8320
    for fps in FPS_LIST:
        step = 1000.0 / float(fps)
        frames = range(0, 4 * 3600 * 60, 13)
        lengths = {int((i * step + 520) * 16) - int(i * step * 16) for i in frames}
        assert lengths <= {8319, 8320, 8321}, (fps, lengths)


# --- implementation properties ---------------------------------------------------------------------


def test_chunked_equals_unchunked():
    samples = speech_like(2.0, silence=((0.5, 0.9),))
    whole = compute_features(samples, 29.97, chunk_frames=10_000)
    for chunk in (1, 7, 64):
        assert np.array_equal(compute_features(samples, 29.97, chunk_frames=chunk), whole)


def test_threads_give_the_same_features_and_ordered_progress():
    """Several threads (the default on a long clip) compute the same numbers, report progress in order, cancel."""
    samples = speech_like(10.0, silence=((3.0, 4.0),))
    one = compute_features(samples, 29.97, workers=1)
    assert one.shape[0] == frame_count(samples.size, 29.97) >= 256
    calls = []
    for workers in (None, 3):
        calls.clear()
        got = compute_features(samples, 29.97, workers=workers, progress=lambda d, t: calls.append((d, t)))
        np.testing.assert_allclose(got, one, rtol=0, atol=FLOAT_ROUNDING, err_msg=f"workers={workers}")
        done = [d for d, _ in calls]
        assert done == sorted(done) and done[-1] == one.shape[0] and len(done) > 1
    token = CancelToken()
    with pytest.raises(Cancelled):
        compute_features(samples, 29.97, workers=2, cancel=token, progress=lambda d, t: token.cancel())


def test_streaming_windows_equal_offline_exactly():
    samples = speech_like(1.0)
    offline = compute_features(samples, 30.0)
    params = FeatureParams()
    padded = np.concatenate([np.zeros(params.pad_samples), samples, np.zeros(params.pad_samples)])
    for frame in (0, 5, 29):
        start = frame_window_starts([frame], 30.0)
        assert np.array_equal(features_for_windows(padded, start, params)[0], offline[frame])
    ring = padded[8000:20000]
    starts = frame_window_starts([17, 18], 30.0) - 8000
    assert np.array_equal(features_for_windows(ring, starts, params), offline[17:19])


def test_scale_invariance_int16_versus_float():
    values = np.round(speech_like(0.5) * 20000).astype(np.int16)
    as_int = compute_features(values, 30.0)
    assert np.array_equal(compute_features(values.astype(np.float32) / 32768.0, 30.0), as_int)
    assert_parity(compute_features(values * 0.37, 30.0), as_int.astype(np.float64))


def test_sub_frames_past_the_window_end_are_zero_filled():
    """With more sub-frames than fit, the ones past the window's end see zeros (the truncation path)."""
    samples = speech_like(0.5)
    wide = compute_features(samples, 30.0, FeatureParams(subframes=66))
    default = compute_features(samples, 30.0)
    assert wide.shape == (15, 32, 66)
    assert np.array_equal(wide[:, :, :64], default)
    assert (wide[:, 0, 65] == 1).all() and (wide[:, 1:, 65] == 0).all(), "sub-frame 65 starts at the end"
    padded = np.concatenate([np.zeros(4160), samples.astype(np.float64), np.zeros(4160)])
    start = int(frame_window_starts(9, 30.0)) + 64 * 128
    half = list(np.hanning(256) * np.concatenate([padded[start : start + 128], np.zeros(128)]))
    assert_parity(wide[9, :, 64], np.array(lpc(half, 32)))


def test_progress_is_reported_per_chunk():
    calls = []
    total = frame_count(RATE, 30.0)
    compute_features(speech_like(1.0), 30.0, chunk_frames=8, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(8, total), (16, total), (24, total), (30, total)]


def test_cancel_raises_cancelled():
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        compute_features(speech_like(1.0), 30.0, cancel=token)
    token = CancelToken()
    seen = []

    def cancel_after_first(done, total):
        seen.append(done)
        token.cancel()

    with pytest.raises(Cancelled):
        compute_features(speech_like(1.0), 30.0, chunk_frames=8, progress=cancel_after_first, cancel=token)
    assert seen == [8]


def test_bad_input_is_rejected():
    with pytest.raises(Audio2FaceError, match="NaN"):
        compute_features(np.array([0.0, np.nan] * 8000), 30.0)
    for fps in (0, -30, float("nan"), "fast"):
        with pytest.raises(Audio2FaceError, match="frame rate"):
            compute_features(np.zeros(RATE), fps)
    with pytest.raises(ValueError):
        compute_features(np.zeros((RATE, 2)), 30.0)


# --- parameters ------------------------------------------------------------------------------------


def test_params_round_trip_through_the_bundle_block():
    params = FeatureParams()
    block = params.to_dict()
    assert block == {
        "sample_rate": 16000,
        "window_ms": 520,
        "subframes": 64,
        "subframe_length": 256,
        "hop": 128,
        "lpc_order": 32,
    }
    assert FeatureParams.from_dict(block) == params
    assert FeatureParams.from_dict({"window_ms": 520.0}) == params
    other = FeatureParams(window_ms=260.0, subframes=32)
    assert FeatureParams.from_dict(other.to_dict()) == other


@pytest.mark.parametrize(
    "block, message",
    [
        ({"lpc_order": 32, "mfcc": 13}, "unknown feature parameter"),
        ({"lpc_order": 0}, "lpc_order"),
        ({"subframes": "64"}, "subframes"),
        ({"hop": True}, "hop"),
        ({"hop": 12.5}, "hop"),
        ({"window_ms": 520.01}, "whole number of samples"),
        ({"window_ms": -1}, "window_ms"),
        ({"lpc_order": 300}, "cannot exceed"),
        ({"lookahead_ms": 600}, "lookahead_ms"),
        ({"lookahead_ms": -10}, "lookahead_ms"),
        ({"lookahead_ms": "80"}, "lookahead_ms"),
        ({"lookahead_ms": 80.01}, "whole number of samples"),
    ],
)
def test_params_from_dict_rejects_unknown_values(block, message, tmp_path):
    where = tmp_path / "model.json"
    with pytest.raises(Audio2FaceError, match=message) as caught:
        FeatureParams.from_dict(block, source=where)
    assert str(where) in str(caught.value)
    with pytest.raises(Audio2FaceError):
        FeatureParams.from_dict("not a block")  # type: ignore[arg-type]


# --- lookahead (low-latency windows) ---------------------------------------------------------------


def test_lookahead_moves_the_window_into_the_past():
    """80 ms of lookahead: frame i's window is the 440 ms before its time and the 80 ms after it."""
    params = FeatureParams(lookahead_ms=80)
    assert (params.lookahead_samples, params.pad_samples, params.window_samples) == (1280, 7040, 8320)
    samples = speech_like(1.5)
    got = compute_features(samples, 29.97, params)
    assert got.shape[0] == frame_count(samples.size, 29.97)
    padded = np.concatenate([np.zeros(7040), samples, np.zeros(8320)])
    for frame in (0, 3, 20, got.shape[0] - 1):
        start = frame_window_starts([frame], 29.97, params)
        window = features_for_windows(padded, start, params)[0]
        np.testing.assert_allclose(window, got[frame], rtol=0, atol=FLOAT_ROUNDING)
    centred = compute_features(samples, 29.97)
    assert not np.array_equal(got[10], centred[10])
    delayed = np.concatenate([np.zeros(7040 - 4160), samples])
    np.testing.assert_allclose(got, compute_features(delayed, 29.97)[: got.shape[0]], rtol=0, atol=FLOAT_ROUNDING,
                               err_msg="= centred on audio delayed 180 ms")


def test_centred_lookahead_is_the_default_and_stays_out_of_the_bundle_block():
    assert FeatureParams(lookahead_ms=260) == FeatureParams()
    assert FeatureParams(lookahead_ms=260).centred and "lookahead_ms" not in FeatureParams(lookahead_ms=260).to_dict()
    low = FeatureParams(lookahead_ms=80)
    assert not low.centred and low.to_dict()["lookahead_ms"] == 80
    assert FeatureParams.from_dict(low.to_dict()) == low
    assert FeatureParams.from_dict({"lookahead_ms": 80.0}) == low
    assert FeatureParams(window_ms=260.0, subframes=32).lookahead_samples == 2080


def test_features_on_a_numpy_without_fft_out_are_the_same(monkeypatch):
    """Maya's own numpy (1.x) has no ``np.fft.rfft(out=)``: the copying path gives the same features."""
    import audio2face.features as features

    samples = speech_like(1.2)
    fast = compute_features(samples, 29.97)
    monkeypatch.setattr(features, "_RFFT_TAKES_OUT", False)
    np.testing.assert_array_equal(compute_features(samples, 29.97), fast)
