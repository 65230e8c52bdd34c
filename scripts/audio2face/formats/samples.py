"""Shared time samples for formats that hold all channels in one sampled array (USD blendShapeWeights, glTF weights).

Such formats have one list of sample times for every channel and interpolate linearly (or hold) between samples,
so the reduced keys (``Curves.keys``) become, per channel, a polyline: the keys themselves when they are all linear,
else the channel reduced to lines within the tolerance its keys were reduced with
(``Curves.source["keys"]["tolerance"]``; every frame when it is unknown). Linear interpolation of the shared
samples is then each channel's polyline exactly, so within that tolerance of the dense weights.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from ..key_reduction import LINEAR, Key, evaluate_keys, reduce_keys
from .curve_keys import chord_slopes

INTERPOLATIONS = ("linear", "step")
"""How a reader fills the time between samples."""


def _channel_polyline(
    curves: Curves, column: int, keys: Sequence[Key], tolerance: Optional[float]
) -> Tuple[np.ndarray, np.ndarray]:
    """One channel's polyline: its keys when they are all linear, else a linear reduction of the channel within
    ``tolerance`` of the dense weights (the tolerance the keys were reduced with); without one, every frame."""
    if all(k.in_tangent == LINEAR and k.out_tangent == LINEAR for k in keys):
        return np.array([k.time for k in keys], dtype=np.float64), np.array([k.value for k in keys], dtype=np.float64)
    frames = curves.times()
    if tolerance is None:
        return frames, evaluate_keys(keys, frames)
    lines = reduce_keys(frames, curves.weights[:, column], tolerance, curves.fps, mode="linear")
    return np.array([k.time for k in lines], dtype=np.float64), np.array([k.value for k in lines], dtype=np.float64)


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

    ``linear`` interpolates linearly and, unless the samples are one per frame, keeps them as linear keys of every
    channel (``Curves.keys``); ``step`` holds each sample until the next one (dense weights only).

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
    if interpolation not in INTERPOLATIONS:
        raise Audio2FaceError(f"unknown interpolation {interpolation!r} (use {', '.join(INTERPOLATIONS)})", path)
    frames = times[0] + np.arange(int(round(times[-1] - times[0])) + 1, dtype=np.float64)
    if interpolation == "step":
        rows = np.searchsorted(times, frames + 1e-9, side="right") - 1
        return Curves(list(names), fps, values[rows].astype(np.float32), start_frame=float(times[0]), source=source)
    weights = np.stack([np.interp(frames, times, values[:, c]) for c in range(len(names))], axis=1)
    keys: Optional[Dict[str, List[Key]]] = None
    if times.size != frames.size or not np.allclose(times, frames):
        keys = {}
        for column, name in enumerate(names):
            slopes_in, slopes_out = chord_slopes(times, values[:, column])
            rows = zip(times.tolist(), values[:, column].tolist(), slopes_in.tolist(), slopes_out.tolist())
            keys[name] = [Key(t, v, LINEAR, LINEAR, a, b) for t, v, a, b in rows]
    return Curves(list(names), fps, weights.astype(np.float32), start_frame=float(times[0]), source=source, keys=keys)
