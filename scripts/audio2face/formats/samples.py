"""Shared time samples for formats that hold all channels in one sampled array (USD blendShapeWeights, glTF weights).

Such formats have one list of sample times for every channel and interpolate linearly (or hold) between samples,
so the reduced keys (``Curves.keys``) become, per channel, a polyline: its key times, plus inside each span that
is not a straight line (a Hermite span) the frames a line needs to stay within the tolerance the keys were
reduced with (``Curves.source["keys"]["tolerance"]``; every frame of the span when it is unknown). Linear
interpolation of the shared samples is then each channel's polyline exactly: the reduced curve on its straight
spans, within the tolerance of the dense weights on its curved ones.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from ..keys import LINEAR, Key, evaluate_keys, reduce_keys
from .curve_keys import chord_slopes, curves_from_keys

INTERPOLATIONS = ("linear", "step")
"""How a reader fills the time between samples."""


def _channel_polyline(
    curves: Curves, column: int, keys: Sequence[Key], tolerance: Optional[float]
) -> Tuple[np.ndarray, np.ndarray]:
    """One channel's polyline: its keys, and inside each curved span the points a line needs.

    A curved span is reduced to lines within ``tolerance`` of the dense weights (the tolerance the keys were
    reduced with); without one, every frame of the span is kept with the keys' value there.
    """
    frames = curves.times()
    times = [np.array([k.time for k in keys], dtype=np.float64)]
    values = [np.array([k.value for k in keys], dtype=np.float64)]
    for left, right in zip(keys[:-1], keys[1:]):
        if left.out_tangent == LINEAR and right.in_tangent == LINEAR:
            continue
        inside = (frames > left.time) & (frames < right.time)
        if tolerance is None:
            times.append(frames[inside])
            values.append(evaluate_keys(keys, frames[inside]))
            continue
        span = (frames >= left.time) & (frames <= right.time)
        lines = reduce_keys(frames[span], curves.weights[span, column], tolerance, curves.fps, mode="linear")
        times.append(np.array([k.time for k in lines[1:-1]], dtype=np.float64))
        values.append(np.array([k.value for k in lines[1:-1]], dtype=np.float64))
    order = np.argsort(np.concatenate(times), kind="stable")
    return np.concatenate(times)[order], np.concatenate(values)[order]


def _tolerance(curves: Curves) -> Optional[float]:
    info = curves.source.get("keys") if isinstance(curves.source, dict) else None
    value = info.get("tolerance") if isinstance(info, dict) else None
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def sample_table(curves: Curves, sparse: bool, path: Optional[PathLike] = None) -> Tuple[np.ndarray, np.ndarray]:
    """(times, weights) to write: every frame, or (``sparse``) the reduced keys as the module docstring says.

    In the sparse form each channel is a polyline through its own samples; the shared times are the union of all
    channels' samples and each channel's weight there is its polyline's value, so linear interpolation gives
    every channel's polyline exactly. A channel without keys keeps every frame.

    Raises:
        Audio2FaceError: ``sparse`` without reduced keys, or a channel with an empty key list.
    """
    frames = curves.times()
    if not sparse:
        return frames, curves.weights.astype(np.float32)
    if curves.keys is None:
        raise Audio2FaceError("the sparse form needs reduced keys (animate with --reduce TOL)", path)
    tolerance = _tolerance(curves)
    polylines: List[Tuple[np.ndarray, np.ndarray]] = []
    for column, name in enumerate(curves.names):
        keys = curves.keys.get(name)
        if keys is None:
            polylines.append((frames, curves.weights[:, column].astype(np.float64)))
            continue
        if not keys:
            raise Audio2FaceError(f"channel {name!r} has an empty key list", path)
        polylines.append(_channel_polyline(curves, column, keys, tolerance))
    times = np.unique(np.concatenate([t for t, _ in polylines]))
    weights = np.stack([np.interp(times, t, v) for t, v in polylines], axis=1).astype(np.float32)
    return times, weights


def curves_from_samples(
    names: Sequence[str],
    fps: float,
    times: np.ndarray,
    values: np.ndarray,
    interpolation: str,
    source: Dict[str, object],
    path: PathLike,
) -> Curves:
    """``Curves`` at whole frames from shared samples (``values``: len(times) x names).

    ``linear`` gives each channel linear keys at the sample times (kept as ``Curves.keys`` unless they are one per
    frame); ``step`` holds each sample until the next one (dense weights only).

    Raises:
        Audio2FaceError: no samples, times not increasing, or an unknown interpolation.
    """
    times = np.asarray(times, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64).reshape(times.size, len(names))
    if times.size == 0:
        raise Audio2FaceError("no time samples", path)
    if np.any(np.diff(times) <= 0):
        raise Audio2FaceError("sample times must increase", path)
    if not np.all(np.isfinite(values)) or not np.all(np.isfinite(times)):
        raise Audio2FaceError("sample times and weights must be finite", path)
    try:
        return _curves(names, fps, times, values, interpolation, source, path)
    except Audio2FaceError as exc:
        if exc.path is not None:
            raise
        raise Audio2FaceError(str(exc), path) from None


def _curves(
    names: Sequence[str],
    fps: float,
    times: np.ndarray,
    values: np.ndarray,
    interpolation: str,
    source: Dict[str, object],
    path: PathLike,
) -> Curves:
    if interpolation == "linear":
        channel_keys: Dict[str, List[Key]] = {}
        for column, name in enumerate(names):
            slopes_in, slopes_out = chord_slopes(times, values[:, column])
            channel_keys[name] = [
                Key(float(t), float(v), LINEAR, LINEAR, float(a), float(b))
                for t, v, a, b in zip(times, values[:, column], slopes_in, slopes_out)
            ]
        return curves_from_keys(list(names), fps, channel_keys, source, path)
    if interpolation != "step":
        raise Audio2FaceError(f"unknown interpolation {interpolation!r} (use {', '.join(INTERPOLATIONS)})", path)
    frames = times[0] + np.arange(int(round(times[-1] - times[0])) + 1, dtype=np.float64)
    rows = np.searchsorted(times, frames + 1e-9, side="right") - 1
    return Curves(list(names), fps, values[rows].astype(np.float32), start_frame=float(times[0]), source=source)
