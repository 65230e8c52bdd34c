"""Sparse key reduction: keys evaluated the way Maya does stay within tolerance at every frame.

The oracle is the independent evaluator in maya_file_parsers (seconds, polynomial form), not
``audio2face.key_reduction.evaluate_keys``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import List, Sequence

import numpy as np
import pytest
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.key_reduction import FIXED, LINEAR, Key, evaluate_keys, reduce_curves, reduce_keys
from maya_file_parsers import EvalKey, evaluate


def independent(keys: Sequence[Key], frames: np.ndarray, fps: float) -> np.ndarray:
    """Evaluate keys with the test-side evaluator; slopes per frame become (1 frame in seconds, dy)."""
    converted: List[EvalKey] = []
    for key in keys:
        converted.append(
            EvalKey(
                key.time, key.value, key.in_tangent, key.out_tangent,
                in_dx=1.0 / fps, in_dy=key.in_slope, out_dx=1.0 / fps, out_dy=key.out_slope,
            )
        )
    return evaluate(converted, frames, fps)


def smooth_noise(frames: int, seed: int, width: int = 9) -> np.ndarray:
    rng = np.random.default_rng(seed)
    raw = np.convolve(rng.normal(size=frames + width), np.hanning(width) / (width / 2), mode="same")[:frames]
    return np.clip(np.abs(raw), 0.0, 1.0).astype(np.float32)


SIGNALS = {
    "smooth": lambda n: smooth_noise(n, 1),
    "sine": lambda n: (0.5 + 0.5 * np.sin(np.arange(n) / 7.0)).astype(np.float32),
    "steps": lambda n: (np.arange(n) // 17 % 2).astype(np.float32),
    "noise": lambda n: np.random.default_rng(3).random(n).astype(np.float32),
    "speech_like": lambda n: smooth_noise(n, 5, width=5) * (np.arange(n) % 90 < 60),
}


@pytest.mark.parametrize("mode", ["hermite", "linear"])
@pytest.mark.parametrize("tolerance", [0.005, 0.01, 0.05])
@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_every_frame_within_tolerance_and_ends_keyed(signal: str, tolerance: float, mode: str) -> None:
    values = SIGNALS[signal](400)
    times = 11.0 + np.arange(values.size)
    keys = reduce_keys(times, values, tolerance, fps=24.0, mode=mode)
    assert keys[0].time == times[0] and keys[-1].time == times[-1]
    assert keys[0].value == values[0] and keys[-1].value == values[-1]
    error = np.abs(independent(keys, times, 24.0) - values.astype(np.float64)).max()
    assert error <= tolerance
    assert len(keys) < values.size
    if mode == "linear":
        assert all(k.in_tangent == LINEAR and k.out_tangent == LINEAR for k in keys)


def test_flat_curve_is_two_keys() -> None:
    keys = reduce_keys(np.arange(1000.0), np.full(1000, 0.25, np.float32), 0.01)
    assert [(k.time, k.value) for k in keys] == [(0.0, 0.25), (999.0, 0.25)]
    assert all(k.in_slope == 0 and k.out_slope == 0 for k in keys)


def test_flat_stretch_inside_motion_is_held_by_a_pair_of_keys() -> None:
    rise = np.linspace(0.0, 0.7, 20, dtype=np.float32)
    hold = np.full(60, 0.7, np.float32)
    wobble = (0.7 + 0.2 * np.sin((np.arange(50) + 1) / 3.0)).astype(np.float32)
    values = np.concatenate([rise, hold, wobble])
    times = np.arange(values.size, dtype=np.float64)
    keys = reduce_keys(times, values, 0.01)
    hold_start, hold_end = 19, 79  # rise ends on 0.7 at frame 19, the hold runs to frame 79
    inside = [k for k in keys if hold_start <= k.time <= hold_end]
    assert [k.time for k in inside] == [hold_start, hold_end]
    curve = independent(keys, times[hold_start : hold_end + 1], 30.0)
    np.testing.assert_array_equal(curve, np.float32(0.7))


def test_long_hold_then_motion_stays_within_tolerance() -> None:
    values = np.concatenate([np.zeros(3000, np.float32), smooth_noise(500, 8)])
    times = np.arange(values.size, dtype=np.float64)
    keys = reduce_keys(times, values, 0.01)
    assert sum(1 for k in keys if k.time <= 3000) <= 3
    assert np.abs(independent(keys, times, 30.0) - values).max() <= 0.01


def test_line_needs_two_keys_and_hermite_beats_linear_on_smooth_motion() -> None:
    ramp = np.linspace(0.0, 1.0, 200, dtype=np.float32)
    assert len(reduce_keys(np.arange(200.0), ramp, 0.001, mode="linear")) == 2
    values = SIGNALS["sine"](600)
    times = np.arange(600.0)
    hermite = reduce_keys(times, values, 0.005, mode="hermite")
    linear = reduce_keys(times, values, 0.005, mode="linear")
    assert len(hermite) < len(linear) / 2
    assert any(FIXED in (k.in_tangent, k.out_tangent) for k in hermite)


def test_slopes_are_per_time_unit_of_the_times_given() -> None:
    values = SIGNALS["sine"](300)
    half_frames = 5.0 + 0.5 * np.arange(300)
    keys = reduce_keys(half_frames, values, 0.002)
    error = np.abs(independent(keys, half_frames, 30.0) - values).max()
    assert error <= 0.002


def test_tolerance_zero_keeps_every_turn() -> None:
    values = SIGNALS["noise"](50)
    keys = reduce_keys(np.arange(50.0), values, 0.0)
    np.testing.assert_array_equal(independent(keys, np.arange(50.0), 30.0), values.astype(np.float64))


def test_tiny_inputs() -> None:
    assert reduce_keys([], [], 0.01) == []
    (only,) = reduce_keys([7.0], [0.3], 0.01)
    assert (only.time, only.value) == (7.0, pytest.approx(0.3))
    two = reduce_keys([1.0, 2.0], [0.0, 1.0], 0.01)
    assert [(k.time, k.value) for k in two] == [(1.0, 0.0), (2.0, 1.0)]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tolerance": -0.1}, "tolerance"),
        ({"tolerance": float("nan")}, "tolerance"),
        ({"mode": "bezier"}, "mode"),
    ],
)
def test_bad_settings_are_user_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(Audio2FaceError, match=message):
        reduce_keys(np.arange(10.0), np.zeros(10), **kwargs)


def test_bad_samples_are_user_errors() -> None:
    with pytest.raises(Audio2FaceError, match="equally spaced"):
        reduce_keys([0.0, 1.0, 3.0], [0.0, 0.0, 0.0])
    with pytest.raises(Audio2FaceError, match="finite"):
        reduce_keys([0.0, 1.0], [0.0, float("nan")])
    with pytest.raises(Audio2FaceError, match="times but"):
        reduce_keys([0.0, 1.0], [0.0])


def test_reduce_curves_fills_keys_in_scene_frames() -> None:
    weights = np.stack([smooth_noise(240, 2), np.zeros(240, np.float32)], axis=1)
    curves = Curves(["jawOpen", "blink"], 24.0, weights, start_frame=101.0, source={"audio": "a.wav"})
    seen = []
    reduced = reduce_curves(curves, 0.01, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2, 2)
    assert set(reduced.keys) == {"jawOpen", "blink"}
    assert len(reduced.keys["blink"]) == 2
    for column, name in enumerate(curves.names):
        keys = reduced.keys[name]
        assert keys[0].time == 101.0 and keys[-1].time == 101.0 + 239
        error = np.abs(independent(keys, curves.times(), 24.0) - weights[:, column]).max()
        assert error <= 0.01
    np.testing.assert_array_equal(reduced.weights, curves.weights)
    assert reduced.source["keys"] == {"tolerance": 0.01, "mode": "hermite"}
    assert curves.keys is None


def test_reduce_curves_can_be_cancelled() -> None:
    from audio2face.errors import Cancelled
    from audio2face.progress import CancelToken

    token = CancelToken()
    token.cancel()
    curves = Curves(["a"], 30.0, np.zeros((10, 1), np.float32))
    with pytest.raises(Cancelled):
        reduce_curves(curves, 0.01, cancel=token)


def test_internal_evaluator_agrees_with_independent_one() -> None:
    values = SIGNALS["smooth"](300)
    times = np.arange(300.0)
    keys = reduce_keys(times, values, 0.01)
    between = np.linspace(-5.0, 305.0, 1001)
    np.testing.assert_allclose(evaluate_keys(keys, between), independent(keys, between, 30.0), atol=1e-9)


def test_key_dict_round_trip() -> None:
    key = Key(3.0, 0.5, LINEAR, FIXED, 0.1, -0.2)
    assert Key.from_dict(key.to_dict()) == key
    with pytest.raises(Audio2FaceError):
        Key.from_dict({"time": 1, "value": 0, "in_tangent": "auto", "out_tangent": "linear",
                       "in_slope": 0, "out_slope": 0})


@pytest.mark.facegood
def test_facegood_labels_stay_within_tolerance(facegood: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = np.load(facegood / "bs_value" / "bs_value_1114_3_15.npy", allow_pickle=False)
    moving = [c for c in range(labels.shape[1]) if np.ptp(labels[:, c]) > 0][:8]
    times = 1.0 + np.arange(labels.shape[0])
    total_keys = 0
    for column in moving:
        values = labels[:, column].astype(np.float32)
        keys = reduce_keys(times, values, 0.01, fps=30.0)
        total_keys += len(keys)
        assert np.abs(independent(keys, times, 30.0) - values).max() <= 0.01
    assert total_keys < len(moving) * labels.shape[0] / 3
