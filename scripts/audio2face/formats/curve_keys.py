"""Per-channel key arrays for the Maya writers: the sparse keys when ``Curves.keys`` has them, else
one linear key per frame; and the way back from keys read from a file to ``Curves``."""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from ..key_reduction import FIXED, LINEAR, TANGENT_TYPES, Key, evaluate_keys


@dataclasses.dataclass
class KeyArrays:
    """One channel's keys as arrays.

    Attributes:
        times: Scene frames, increasing.
        values: Key values (float32 precision, as the weights).
        in_types, out_types: ``"linear"``/``"fixed"`` per key; ``None`` for one linear key per frame.
        in_slopes, out_slopes: Value units per frame.
    """

    times: np.ndarray
    values: np.ndarray
    in_types: Optional[List[str]]
    out_types: Optional[List[str]]
    in_slopes: np.ndarray
    out_slopes: np.ndarray

    @property
    def dense(self) -> bool:
        """True for one linear key per frame (no per-key tangent data needed)."""
        return self.in_types is None

    @property
    def any_fixed(self) -> bool:
        """Whether any key has a fixed tangent."""
        return not self.dense and (FIXED in (self.in_types or []) or FIXED in (self.out_types or []))

    def in_segments(self) -> np.ndarray:
        """Frames from the previous key (the next gap for the first key; 1 for a lone key)."""
        gaps = np.diff(self.times)
        if gaps.size == 0:
            return np.ones(1)
        return np.concatenate([gaps[:1], gaps])

    def out_segments(self) -> np.ndarray:
        """Frames to the next key (the previous gap for the last key; 1 for a lone key)."""
        gaps = np.diff(self.times)
        if gaps.size == 0:
            return np.ones(1)
        return np.concatenate([gaps, gaps[-1:]])


def dense_key_arrays(times: np.ndarray, values: np.ndarray) -> KeyArrays:
    """One linear key per frame."""
    values = np.asarray(values, dtype=np.float32)
    chords = np.diff(values.astype(np.float64))
    slopes_in = np.concatenate([chords[:1], chords]) if chords.size else np.zeros(values.size)
    slopes_out = np.concatenate([chords, chords[-1:]]) if chords.size else np.zeros(values.size)
    return KeyArrays(times, values, None, None, slopes_in, slopes_out)


def key_arrays(curves: Curves, name: str, path: Optional[PathLike] = None) -> KeyArrays:
    """The keys to write for channel ``name``.

    Raises:
        Audio2FaceError: sparse keys that are not increasing in time or have unknown tangent types.
    """
    keys = (curves.keys or {}).get(name)
    if keys is None:
        return dense_key_arrays(curves.times(), curves.channel(name))
    if not keys:
        raise Audio2FaceError(f"channel {name!r} has an empty key list", path)
    in_types = [k.in_tangent for k in keys]
    out_types = [k.out_tangent for k in keys]
    unknown = (set(in_types) | set(out_types)) - set(TANGENT_TYPES)
    if unknown:
        raise Audio2FaceError(f"channel {name!r}: unknown tangent types {sorted(unknown)} (linear or fixed)", path)
    numbers = np.array([(k.time, k.value, k.in_slope, k.out_slope) for k in keys], dtype=np.float64)
    if not np.all(np.isfinite(numbers)):
        raise Audio2FaceError(f"channel {name!r}: key times, values and slopes must be finite", path)
    times = numbers[:, 0]
    if np.any(np.diff(times) <= 0):
        raise Audio2FaceError(f"channel {name!r}: key times must increase", path)
    return KeyArrays(times, numbers[:, 1].astype(np.float32), in_types, out_types, numbers[:, 2], numbers[:, 3])


def chord_slopes(times: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slopes a linear tangent has: toward the previous key (in) and the next key (out)."""
    if times.size < 2:
        return np.zeros(times.size), np.zeros(times.size)
    chords = np.diff(values.astype(np.float64)) / np.diff(times)
    return np.concatenate([chords[:1], chords]), np.concatenate([chords, chords[-1:]])


def curves_from_keys(
    names: Sequence[str],
    fps: float,
    channel_keys: Mapping[str, List[Key]],
    source: Dict[str, object],
    path: PathLike,
) -> Curves:
    """Dense ``Curves`` sampled at whole frames from the first to the last key of all channels.

    ``keys`` is kept unless every channel has one linear key per frame (then the weights say it all).
    """
    firsts = [keys[0].time for keys in channel_keys.values() if keys]
    lasts = [keys[-1].time for keys in channel_keys.values() if keys]
    if not firsts:
        raise Audio2FaceError("no keys in the file", path)
    start, end = min(firsts), max(lasts)
    frames = start + np.arange(int(round(end - start)) + 1, dtype=np.float64)
    weights = np.zeros((frames.size, len(names)), dtype=np.float32)
    dense = True
    for column, name in enumerate(names):
        keys = channel_keys[name]
        weights[:, column] = evaluate_keys(keys, frames)
        times = np.array([k.time for k in keys])
        linear = all(k.in_tangent == LINEAR and k.out_tangent == LINEAR for k in keys)
        dense = dense and linear and times.size == frames.size and np.allclose(times, frames)
    return Curves(
        list(names), fps, weights, start_frame=start, source=source, keys=None if dense else dict(channel_keys)
    )
