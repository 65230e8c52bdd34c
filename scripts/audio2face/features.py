"""FACEGOOD-compatible LPC features: for each video frame, 32 LPC coefficients of 64 sub-frames.

The recipe (see ``../shared/facegood/README.md``, "Facts checked against the data") is reproduced
number for number: 16 kHz audio padded with half a window (260 ms) of zeros at both ends; frame ``i``
takes the 520 ms window starting at padded sample ``int(i * (1000.0 / fps) * 16)`` (float64, truncated
toward zero); the window is cut into 64 sub-frames of 256 samples with hop 128 (zeros past the window's
end), each multiplied by ``np.hanning(256)``; 32 autocorrelation lags; Levinson-Durbin with FACEGOOD's
edge cases. Output ``(frames, 32, 64)`` float32 indexed ``[frame, coefficient, sub-frame]``.

The work is vectorised over sub-frames and done in bounded chunks. Sub-frames shared by several frames
(at 25, 30, 50 or 60 fps the frames' sub-frame grids coincide often) are computed once. Each sub-frame's
numbers come out of the same sequence of float64 operations whatever batch it sits in, so the streaming
engine (``features_for_windows`` on a ring buffer) and offline extraction agree exactly.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .errors import Audio2FaceError, PathLike
from .progress import CancelToken, ProgressFn, check, report

logger = logging.getLogger(__name__)

_BATCH = 512
"""Sub-frames per autocorrelation batch: keeps the working set in cache and memory bounded."""

_LEVINSON_BATCH = 4096
"""Sub-frames per Levinson-Durbin batch (fewer Python steps per column, still cache-sized)."""

_LANES = 8
"""Batches are padded to a multiple of this so numpy always vectorises across sub-frames (see module doc)."""


MIN_FEATURE_RATE = 4000
MAX_FEATURE_RATE = 96000
"""Feature rates a bundle may declare: every clip is resampled to it, so 1 MHz would cost 60x the memory."""


@dataclasses.dataclass(frozen=True)
class FeatureParams:
    """Feature extraction parameters, stored in a bundle's ``"features"`` block.

    Attributes:
        sample_rate: Audio rate in Hz the features are computed at.
        window_ms: Length of each frame's window (centred on the frame) in milliseconds.
        subframes: Sub-frames per window (the feature's second axis).
        subframe_length: Samples per sub-frame.
        hop: Samples between sub-frame starts.
        lpc_order: Coefficients per sub-frame including a0 = 1 (that many autocorrelation lags).
    """

    sample_rate: int = 16000
    window_ms: float = 520.0
    subframes: int = 64
    subframe_length: int = 256
    hop: int = 128
    lpc_order: int = 32

    def __post_init__(self) -> None:
        for name in ("sample_rate", "subframes", "subframe_length", "hop", "lpc_order"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise Audio2FaceError(f"feature parameter {name!r} must be a whole number >= 1, got {value!r}")
        if not MIN_FEATURE_RATE <= self.sample_rate <= MAX_FEATURE_RATE:
            raise Audio2FaceError(
                f"feature parameter 'sample_rate' must be {MIN_FEATURE_RATE}..{MAX_FEATURE_RATE} Hz, "
                f"got {self.sample_rate}"
            )
        window = self.window_ms
        if (
            not isinstance(window, (int, float, np.number))
            or isinstance(window, bool)
            or not (math.isfinite(window) and window > 0)
        ):
            raise Audio2FaceError(f"feature parameter 'window_ms' must be a positive number, got {window!r}")
        samples = window * self.sample_rate / 1000.0
        if abs(samples - round(samples)) > 1e-6:
            raise Audio2FaceError(
                f"feature window of {window:g} ms is not a whole number of samples at {self.sample_rate} Hz"
            )
        if self.lpc_order > self.subframe_length:
            raise Audio2FaceError(
                f"feature parameter 'lpc_order' ({self.lpc_order}) cannot exceed "
                f"'subframe_length' ({self.subframe_length})"
            )

    @property
    def window_samples(self) -> int:
        """Samples in one frame's window (8320 by default)."""
        return int(round(self.window_ms * self.sample_rate / 1000.0))

    @property
    def pad_samples(self) -> int:
        """Zeros added before (and after) the audio so windows are centred on their frames (4160)."""
        return self.window_samples // 2

    def to_dict(self) -> Dict[str, Any]:
        """The bundle's ``"features"`` block (JSON-ready)."""
        window: Any = float(self.window_ms)
        if window.is_integer():
            window = int(window)
        return {
            "sample_rate": int(self.sample_rate),
            "window_ms": window,
            "subframes": int(self.subframes),
            "subframe_length": int(self.subframe_length),
            "hop": int(self.hop),
            "lpc_order": int(self.lpc_order),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: Optional[PathLike] = None) -> FeatureParams:
        """Read a ``"features"`` block; missing keys take the defaults.

        Args:
            data: The block, as ``to_dict`` writes it.
            source: The file it came from, named in errors.

        Raises:
            Audio2FaceError: Unknown keys or invalid values.
        """
        if not isinstance(data, Mapping):
            raise Audio2FaceError(f"'features' must be an object, got {type(data).__name__}", source)
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise Audio2FaceError(
                f"unknown feature parameter(s) {', '.join(unknown)} (this version knows {', '.join(sorted(known))})",
                source,
            )
        values = dict(data)
        window = values.get("window_ms", cls.window_ms)
        if isinstance(window, (int, np.integer)) and not isinstance(window, bool):
            values["window_ms"] = float(window)
        try:
            return cls(**values)
        except Audio2FaceError as error:
            raise Audio2FaceError(str(error), source) from None


def frame_count(num_samples: int, fps: float, params: FeatureParams = FeatureParams()) -> int:
    """Video frames covered by ``num_samples`` of audio: ``int(L / sample_rate * fps)`` (FACEGOOD's rule)."""
    if num_samples < 0:
        raise ValueError(f"num_samples must be >= 0, got {num_samples}")
    return int(int(num_samples) / params.sample_rate * _checked_fps(fps))


def frame_window_starts(frame_indices: Any, fps: float, params: FeatureParams = FeatureParams()) -> np.ndarray:
    """First padded sample of each frame's window: ``int(i * (1000.0 / fps) * 16)`` at 16 kHz.

    The product is taken in float64 in FACEGOOD's order and truncated toward zero, never rounded
    (at 30 fps frame 2 starts at 1066). Padded coordinates: sample ``p`` of the audio is padded
    sample ``p + params.pad_samples``.

    Args:
        frame_indices: Frame numbers (0 = the frame at time 0).
        fps: Video frame rate.
        params: Feature parameters.

    Returns:
        int64 array shaped like ``frame_indices``.
    """
    step_ms = 1000.0 / _checked_fps(fps)
    positions = np.asarray(frame_indices, dtype=np.float64) * step_ms * (params.sample_rate / 1000.0)
    return positions.astype(np.int64)


def compute_features(
    samples: np.ndarray,
    fps: float,
    params: FeatureParams = FeatureParams(),
    *,
    chunk_frames: int = 1024,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> np.ndarray:
    """LPC features for every video frame of a clip.

    Args:
        samples: Mono audio at ``params.sample_rate`` (any float or int dtype; the scale does not matter).
        fps: Video frame rate (any positive rate: 24, 29.97, 30000/1001, 60, ...).
        params: Feature parameters (the bundle's).
        chunk_frames: Frames computed per chunk; memory use is bounded by it, not by the clip's length.
        progress: Called as ``progress(frames_done, frames_total)`` after each chunk.
        cancel: Checked before each chunk.

    Returns:
        float32 ``(frame_count(len(samples), fps), lpc_order, subframes)``; ``(0, ...)`` for audio shorter
        than one frame.

    Raises:
        Audio2FaceError: Non-finite samples or an invalid frame rate.
        Cancelled: ``cancel`` was set.
    """
    total = frame_count(np.asarray(samples).size, fps, params)
    out = np.empty((total, params.lpc_order, params.subframes), dtype=np.float32)
    for first, chunk in iter_feature_chunks(samples, fps, params, chunk_frames=chunk_frames, cancel=cancel):
        out[first : first + chunk.shape[0]] = chunk
        report(progress, first + chunk.shape[0], total)
    return out


def iter_feature_chunks(
    samples: np.ndarray,
    fps: float,
    params: FeatureParams = FeatureParams(),
    *,
    chunk_frames: int = 1024,
    cancel: Optional[CancelToken] = None,
) -> Iterator[Tuple[int, np.ndarray]]:
    """Yield ``(first_frame, features)`` chunks of ``compute_features``'s result, in order.

    The pipeline runs the model chunk by chunk, so an hour of audio never holds all its features at once.
    Arguments and errors as ``compute_features``.
    """
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise ValueError(f"samples must be mono (1-D), got shape {samples.shape}")
    if chunk_frames < 1:
        raise ValueError(f"chunk_frames must be >= 1, got {chunk_frames}")
    if samples.dtype.kind == "f" and not np.isfinite(samples).all():
        raise Audio2FaceError("audio samples contain NaN or infinite values")
    total = frame_count(samples.size, fps, params)
    pad = params.pad_samples
    for first in range(0, total, chunk_frames):
        check(cancel)
        last = min(first + chunk_frames, total)
        starts = frame_window_starts(np.arange(first, last), fps, params)
        low = int(starts[0])
        high = int(starts[-1]) + _window_extent(params)
        segment = np.zeros(high - low, dtype=np.float64)
        src_low, src_high = max(low - pad, 0), min(high - pad, samples.size)
        if src_high > src_low:
            segment[src_low + pad - low : src_high + pad - low] = samples[src_low:src_high]
        yield first, features_for_windows(segment, starts - low, params)
    logger.debug("features: %d frames at %g fps from %d samples", total, float(fps), samples.size)


def features_for_windows(
    padded_samples: np.ndarray, starts: Any, params: FeatureParams = FeatureParams()
) -> np.ndarray:
    """LPC features of the windows starting at ``starts`` in ``padded_samples``.

    The kernel behind ``compute_features``; the streaming engine calls it on a ring buffer. Samples
    outside ``padded_samples`` count as zeros. A window is ``params.window_samples`` long: FACEGOOD's
    own end, ``int((i * step + 520) * 16)``, differs from that by at most one sample; with the default
    parameters the last sub-frame ends exactly at the window's end, so that sample is the last one of
    the last sub-frame, where the Hann window is exactly zero, and the numbers are the same.

    Args:
        padded_samples: Mono audio, already padded (float or int).
        starts: Window start indices into ``padded_samples``.
        params: Feature parameters.

    Returns:
        float32 ``(len(starts), lpc_order, subframes)``.
    """
    signal = np.asarray(padded_samples)
    if signal.ndim != 1:
        raise ValueError(f"padded_samples must be 1-D, got shape {signal.shape}")
    starts = np.asarray(starts, dtype=np.int64).reshape(-1)
    count = starts.size
    out = np.empty((count, params.lpc_order, params.subframes), dtype=np.float32)
    if count == 0:
        return out
    length = params.subframe_length
    offsets = np.arange(params.subframes, dtype=np.int64) * params.hop
    inside = np.clip(params.window_samples - offsets, 0, length)
    sub_starts = starts[:, None] + offsets[None, :]
    if (inside == length).all():
        unique_starts, inverse = np.unique(sub_starts, return_inverse=True)
        unique_inside = None
    else:
        keys = sub_starts * (length + 1) + inside[None, :]
        unique_keys, inverse = np.unique(keys, return_inverse=True)
        unique_starts, unique_inside = np.divmod(unique_keys, length + 1)
    rows = np.ascontiguousarray(_subframe_lpc(signal, unique_starts, unique_inside, params).T, dtype=np.float32)
    gathered = rows.take(inverse.reshape(-1), axis=0).reshape(count, params.subframes, params.lpc_order)
    out[...] = gathered.transpose(0, 2, 1)
    return out


def levinson_durbin(autocorr: np.ndarray) -> np.ndarray:
    """Prediction polynomials from autocorrelations, with FACEGOOD's (IT++'s) edge cases.

    ``R[0]`` is scaled by ``1 + 1e-9``; a column with ``R[0] <= 0`` gives ``[1, 0, ...]``; when a
    reflection coefficient reaches ``|k| >= 1`` at order ``m``, coefficients ``m`` and above stay zero
    and the recursion stops for that column. Sums run in the C code's order.

    Args:
        autocorr: ``(lags,)`` or ``(lags, n)`` autocorrelations (lag 0 first), one column per signal.

    Returns:
        float64 coefficients shaped like ``autocorr``, ``a[0] = 1``.
    """
    given = np.asarray(autocorr, dtype=np.float64)
    single = given.ndim == 1
    lags = given.shape[0]
    columns = 1 if single else given.shape[1]
    r = np.zeros((lags, -(-columns // _LANES) * _LANES), dtype=np.float64)
    r[:, :columns] = given.reshape(lags, columns)
    a = np.zeros(r.shape, dtype=np.float64)
    a[0] = 1.0
    scratch = np.empty(r.shape, dtype=np.float64)
    alfa = r[0] * (1.0 + 1.0e-9)
    active = ~(alfa <= 0.0)
    everyone = bool(active.all())
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for m in range(1, lags):
            if m > 1:
                total = np.einsum("jn,jn->n", a[1:m], r[m - 1 : 0 : -1])
                total += r[m]
            else:
                total = r[1].copy()
            k = np.divide(total, alfa, out=total)
            np.negative(k, out=k)
            unstable = np.abs(k) >= 1.0
            if unstable.any():
                active &= ~unstable
                everyone = False
            if not everyone:
                if not active.any():
                    break
                k[~active] = 0.0
            if m > 1:
                np.multiply(a[m - 1 : 0 : -1], k, out=scratch[1:m])
                a[1:m] += scratch[1:m]
            a[m] = k
            np.multiply(k, k, out=scratch[0])
            np.subtract(1.0, scratch[0], out=scratch[0])
            alfa *= scratch[0]
    return a[:, 0] if single else a[:, :columns]


def _subframe_lpc(
    signal: np.ndarray, starts: np.ndarray, inside: Optional[np.ndarray], params: FeatureParams
) -> np.ndarray:
    """LPC coefficients ``(lpc_order, n)`` of the sub-frames starting at ``starts`` (sorted)."""
    length = params.subframe_length
    low, high = int(starts[0]), int(starts[-1]) + length
    local = np.zeros(high - low, dtype=np.float64)
    src_low, src_high = max(low, 0), min(high, signal.size)
    if src_high > src_low:
        local[src_low - low : src_high - low] = signal[src_low:src_high]
    offsets = starts - low
    out = np.empty((params.lpc_order, starts.size), dtype=np.float64)
    for first in range(0, starts.size, _LEVINSON_BATCH):
        last = min(first + _LEVINSON_BATCH, starts.size)
        group = np.concatenate(
            [
                _windowed_autocorrelation(
                    local, offsets[begin:end], None if inside is None else inside[begin:end], params
                )
                for begin, end in _spans(first, last, _BATCH)
            ],
            axis=1,
        )
        out[:, first:last] = levinson_durbin(group)
    return out


def _windowed_autocorrelation(
    local: np.ndarray, offsets: np.ndarray, inside: Optional[np.ndarray], params: FeatureParams
) -> np.ndarray:
    """Autocorrelation ``(lpc_order, n)`` of the Hann-windowed sub-frames at ``offsets`` in ``local``.

    Sub-frames are laid out one per column, so numpy vectorises across sub-frames and each sum runs
    sequentially over the samples, as in FACEGOOD's C.
    """
    length, lags = params.subframe_length, params.lpc_order
    count = offsets.size
    width = -(-count // _LANES) * _LANES
    frames = np.zeros((length + lags - 1, width), dtype=np.float64)
    positions = offsets[None, :] + np.arange(length, dtype=np.int64)[:, None]
    np.multiply(np.take(local, positions), np.hanning(length)[:, None], out=frames[:length, :count])
    if inside is not None:
        frames[:length, :count] *= np.arange(length)[:, None] < inside[None, :]
    step = frames.strides[0]
    shifted = as_strided(frames, shape=(length, lags, width), strides=(step, step, frames.strides[1]))
    return np.einsum("jn,jln->ln", frames[:length], shifted)[:, :count]


def _spans(first: int, last: int, size: int) -> List[Tuple[int, int]]:
    """``[first, last)`` cut into consecutive spans of at most ``size``."""
    return [(begin, min(begin + size, last)) for begin in range(first, last, size)]


def _window_extent(params: FeatureParams) -> int:
    """Padded samples a window's sub-frames can touch from its start."""
    return min(params.window_samples, (params.subframes - 1) * params.hop + params.subframe_length)


def _checked_fps(fps: float) -> float:
    """``fps`` as a float, or an error when it is not a positive finite rate."""
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise Audio2FaceError(f"frame rate must be a number, got {fps!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise Audio2FaceError(f"frame rate must be a positive number, got {fps!r}")
    return value
