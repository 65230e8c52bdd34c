"""FACEGOOD-compatible LPC features: for each video frame, 32 LPC coefficients of 64 sub-frames.

The recipe (see ``../shared/facegood/README.md``, "Facts checked against the data") is reproduced
number for number: 16 kHz audio padded with half a window (260 ms) of zeros at both ends; frame ``i``
takes the 520 ms window starting at padded sample ``int(i * (1000.0 / fps) * 16)`` (float64, truncated
toward zero); the window is cut into 64 sub-frames of 256 samples with hop 128 (zeros past the window's
end), each multiplied by ``np.hanning(256)``; 32 autocorrelation lags; Levinson-Durbin with FACEGOOD's
edge cases. Output ``(frames, 32, 64)`` float32 indexed ``[frame, coefficient, sub-frame]``.

``FeatureParams.lookahead_ms`` moves the window off centre (a low-latency model: e.g. 80 ms of future and
440 ms of past): the audio is then padded with ``window - lookahead`` zeros at the start instead of half a
window, and everything else is the same.

The work is vectorised over sub-frames and done in bounded chunks, on several threads for a long clip
(``compute_features``'s ``workers``; numpy releases the GIL in the heavy steps). Sub-frames shared by several
frames (at 25, 30, 50 or 60 fps the frames' sub-frame grids coincide often) are computed once.
Autocorrelations come from each sub-frame's power spectrum (one real FFT, then the 32 lags as a matrix
product), about four times cheaper than direct sums; the sub-frames where that rounding could matter (nearly
predictable signals, where LPC is ill-conditioned: ``_REDO_ABOVE``) are redone with FACEGOOD's direct sums,
which keeps every coefficient within the parity bound of the literal reference. Each sub-frame's numbers come
out of the same sequence of float64 operations whatever batch it sits in, so the streaming engine
(``features_for_windows`` on a ring buffer), chunked and offline extraction agree exactly.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import functools
import inspect
import logging
import math
import os
from typing import Any, Deque, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import Audio2FaceError, PathLike
from .progress import CancelToken, ProgressFn, check, report

logger = logging.getLogger(__name__)

_BATCH = 512
"""Sub-frames per autocorrelation batch: keeps the working set in cache and memory bounded."""

_LEVINSON_BATCH = 16384
"""Sub-frames per Levinson-Durbin batch. Each of its 31 steps is a few numpy calls, and between calls a thread
holds the GIL: with two threads, 16384 (4 MB a row block, past the cache) beats the cache-sized 4096 by about
a fifth at the rates that share no sub-frames (``bench/features.py``)."""

_LANES = 8
"""Batches are padded to a multiple of this so numpy always vectorises across sub-frames (see module doc)."""

_GEMM_ROWS = 32
"""Sub-frames per block of the spectra-to-lags matrix product, all blocks of a batch in one call: small
enough (32 x 161 x 32 multiply-adds) that OpenBLAS runs each on the calling thread (bigger products wake its
thread pool, which costs more than it saves next to our own threads), and a multiple of ``_LANES``."""

_REDO_ABOVE = 1e7
"""Sensitivity ``(sum |a|)^2 * energy / prediction error`` above which a sub-frame is redone by direct sums.

Gohberg-Semencul bounds the inverse autocorrelation matrix by ``2 (sum |a|)^2 / error``, so the FFT's rounding
(about 1e-16 of the energy per lag, against the direct sums') moves a coefficient by about that sensitivity
times 1e-16 relative. Measured on the FACEGOOD clips, espeak voices, reverb, telephone, clipped audio, tones
and sharp AR processes at 24, 29.97 and 60 fps: at most 4.4e-14 times it, so 1e7 keeps every coefficient
left to the FFT within 4.4e-7 of the reference (1.3e-7 seen), and redoes 2.5 % of FACEGOOD's sub-frames."""

_AUTO_WORKERS = 4
"""Most threads ``compute_features`` uses by default (numpy's steps are memory-bound: more gain little)."""

_PARALLEL_FRAMES = 256
"""Clips with fewer frames are computed on the calling thread alone (a pool costs more than it saves)."""

_PIECES_PER_WORKER = 2
"""Pieces each thread gets of a clip, so that a thread slowed by other work does not hold the rest up (more,
smaller pieces make smaller Levinson batches: see ``_LEVINSON_BATCH``)."""


MIN_FEATURE_RATE = 4000
MAX_FEATURE_RATE = 96000
"""Feature rates a bundle may declare: every clip is resampled to it, so 1 MHz would cost 60x the memory."""


@dataclasses.dataclass(frozen=True)
class FeatureParams:
    """Feature extraction parameters, stored in a bundle's ``"features"`` block.

    Attributes:
        sample_rate: Audio rate in Hz the features are computed at.
        window_ms: Length of each frame's window in milliseconds (centred on the frame unless ``lookahead_ms``).
        subframes: Sub-frames per window (the feature's second axis).
        subframe_length: Samples per sub-frame.
        hop: Samples between sub-frame starts.
        lpc_order: Coefficients per sub-frame including a0 = 1 (that many autocorrelation lags).
        lookahead_ms: How far each frame's window reaches past the frame's time, in milliseconds
            (``None`` = half the window: centred, FACEGOOD's layout). A shorter lookahead puts more of the
            window in the past, so a live stream can emit each frame sooner (``streaming``).
    """

    sample_rate: int = 16000
    window_ms: float = 520.0
    subframes: int = 64
    subframe_length: int = 256
    hop: int = 128
    lpc_order: int = 32
    lookahead_ms: Optional[float] = None

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
        self._check_lookahead()

    def _check_lookahead(self) -> None:
        """Validate ``lookahead_ms``; the centred value is stored as ``None`` so equal params compare equal."""
        ahead = self.lookahead_ms
        if ahead is None:
            return
        if (
            not isinstance(ahead, (int, float, np.number))
            or isinstance(ahead, bool)
            or not (math.isfinite(ahead) and 0 <= ahead <= self.window_ms)
        ):
            raise Audio2FaceError(
                f"feature parameter 'lookahead_ms' must be a number from 0 to the window's {self.window_ms:g} ms, "
                f"got {ahead!r}"
            )
        samples = ahead * self.sample_rate / 1000.0
        if abs(samples - round(samples)) > 1e-6:
            raise Audio2FaceError(
                f"feature lookahead of {ahead:g} ms is not a whole number of samples at {self.sample_rate} Hz"
            )
        centred = self.window_samples - self.window_samples // 2
        object.__setattr__(self, "lookahead_ms", None if int(round(samples)) == centred else float(ahead))

    @property
    def window_samples(self) -> int:
        """Samples in one frame's window (8320 by default)."""
        return int(round(self.window_ms * self.sample_rate / 1000.0))

    @property
    def pad_samples(self) -> int:
        """Zeros added before the audio: the part of a window before its frame's time (4160 when centred)."""
        return self.window_samples - self.lookahead_samples

    @property
    def lookahead_samples(self) -> int:
        """Samples of a window past its frame's time (4160 when centred): the audio a stream waits for."""
        if self.lookahead_ms is None:
            return self.window_samples - self.window_samples // 2
        return int(round(self.lookahead_ms * self.sample_rate / 1000.0))

    @property
    def centred(self) -> bool:
        """Whether windows are centred on their frames (FACEGOOD's layout, the default)."""
        return self.lookahead_ms is None

    def to_dict(self) -> Dict[str, Any]:
        """The bundle's ``"features"`` block (JSON-ready; ``lookahead_ms`` only when the window is not centred)."""
        window: Any = float(self.window_ms)
        if window.is_integer():
            window = int(window)
        block: Dict[str, Any] = {
            "sample_rate": int(self.sample_rate),
            "window_ms": window,
            "subframes": int(self.subframes),
            "subframe_length": int(self.subframe_length),
            "hop": int(self.hop),
            "lpc_order": int(self.lpc_order),
        }
        if self.lookahead_ms is not None:
            ahead: Any = float(self.lookahead_ms)
            block["lookahead_ms"] = int(ahead) if ahead.is_integer() else ahead
        return block

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
        for name in ("window_ms", "lookahead_ms"):
            value = values.get(name)
            if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                values[name] = float(value)
        try:
            return cls(**values)
        except Audio2FaceError as error:
            raise Audio2FaceError(str(error), source) from None


@dataclasses.dataclass(frozen=True)
class SubframeRows:
    """Features of consecutive frames as their distinct sub-frames: what ``compute_features`` expands.

    Neighbouring frames' windows overlap, so at many frame rates they share sub-frames; a model whose
    first layers see one sub-frame at a time (``Bundle.shared``) runs those layers once per distinct one.

    Attributes:
        rows: float32 ``(lpc_order, distinct)``: the LPC coefficients of each distinct sub-frame.
        index: int64 ``(frames, subframes)``: the column of ``rows`` each frame's sub-frame is.
    """

    rows: np.ndarray
    index: np.ndarray

    @property
    def frames(self) -> int:
        """Number of frames."""
        return int(self.index.shape[0])

    def expand(self, out: Optional[np.ndarray] = None) -> np.ndarray:
        """The ``(frames, lpc_order, subframes)`` float32 features, written into ``out`` when given."""
        lpc_order, subframes = self.rows.shape[0], self.index.shape[1]
        if out is None:
            out = np.empty((self.frames, lpc_order, subframes), dtype=np.float32)
        for coefficient in range(lpc_order):
            out[:, coefficient, :] = self.rows[coefficient].take(self.index)
        return out

    def select(self, first: int, last: int) -> SubframeRows:
        """Frames ``first`` to ``last`` (exclusive), with only the rows they use."""
        used, index = np.unique(self.index[first:last], return_inverse=True)
        return SubframeRows(self.rows[:, used], index.reshape(last - first, -1))


Features = Union[np.ndarray, SubframeRows]
"""A chunk of features: the ``(frames, lpc_order, subframes)`` array, or its distinct sub-frames."""


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


def distinct_fraction(fps: float, params: FeatureParams = FeatureParams(), frames: int = 128) -> float:
    """Share of the sub-frames of ``frames`` consecutive frames that are distinct (1.0: frames share none).

    It depends on the frame rate alone: for 128 frames 0.42 at 30 fps, 0.09 at 25 fps, 1.0 at 24 or 29.97
    fps 1.0.
    """
    starts = frame_window_starts(np.arange(max(int(frames), 1)), fps, params)
    sub_starts = starts[:, None] + np.arange(params.subframes, dtype=np.int64)[None, :] * params.hop
    return float(np.unique(sub_starts).size / sub_starts.size)


def compute_features(
    samples: np.ndarray,
    fps: float,
    params: FeatureParams = FeatureParams(),
    *,
    chunk_frames: int = 1024,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    workers: Optional[int] = None,
) -> np.ndarray:
    """LPC features for every video frame of a clip.

    Args:
        samples: Mono audio at ``params.sample_rate`` (any float or int dtype; the scale does not matter).
        fps: Video frame rate (any positive rate: 24, 29.97, 30000/1001, 60, ...).
        params: Feature parameters (the bundle's).
        chunk_frames: Frames computed per chunk; memory use is bounded by it, not by the clip's length.
        progress: Called as ``progress(frames_done, frames_total)`` after each chunk (in order).
        cancel: Checked before each chunk.
        workers: Threads computing chunks at once (numpy releases the GIL in the heavy steps; the numbers
            do not depend on it). ``None``: the cores this process may use, at most ``_AUTO_WORKERS``, for
            clips of ``_PARALLEL_FRAMES`` frames or more; a chunk is then at most a quarter of a thread's share.

    Returns:
        float32 ``(frame_count(len(samples), fps), lpc_order, subframes)``; ``(0, ...)`` for audio shorter
        than one frame.

    Raises:
        Audio2FaceError: Non-finite samples or an invalid frame rate.
        Cancelled: ``cancel`` was set.
    """
    samples = _checked_samples(samples, chunk_frames)
    total = frame_count(samples.size, fps, params)
    out = np.empty((total, params.lpc_order, params.subframes), dtype=np.float32)
    threads = _thread_count(workers, total)
    if threads > 1:
        chunk_frames = min(chunk_frames, max(64, -(-total // (threads * _PIECES_PER_WORKER))))
    spans = _spans(0, total, chunk_frames)
    if threads <= 1:
        for first, last in spans:
            check(cancel)
            _frames_features(samples, first, last, fps, params, out[first:last])
            report(progress, last, total)
        return out
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="features") as pool:
        running: Deque[Tuple[int, concurrent.futures.Future]] = collections.deque()
        try:
            for first, last in spans:
                check(cancel)
                job = pool.submit(_frames_features, samples, first, last, fps, params, out[first:last])
                running.append((last, job))
                if len(running) > threads:
                    done, future = running.popleft()
                    future.result()
                    report(progress, done, total)
            while running:
                done, future = running.popleft()
                future.result()
                report(progress, done, total)
                check(cancel)
        finally:
            for _, future in running:
                future.cancel()
    logger.debug("features: %d frames at %g fps on %d threads", total, float(fps), threads)
    return out


def iter_feature_chunks(
    samples: np.ndarray,
    fps: float,
    params: FeatureParams = FeatureParams(),
    *,
    chunk_frames: int = 1024,
    cancel: Optional[CancelToken] = None,
    workers: int = 1,
    shared: bool = False,
) -> Iterator[Tuple[int, Features]]:
    """Yield ``(first_frame, features)`` chunks of ``compute_features``'s result, in order.

    The pipeline runs the model chunk by chunk, so an hour of audio never holds all its features at once.
    Arguments and errors as ``compute_features``, except that ``workers`` defaults to 1 (the pipeline
    computes features on one thread while the model runs on another) and chunks keep ``chunk_frames``.
    With ``shared``, each chunk is a ``SubframeRows`` instead of an array.
    """
    samples = _checked_samples(samples, chunk_frames)
    total = frame_count(samples.size, fps, params)
    spans = _spans(0, total, chunk_frames)
    kernel = _frames_rows if shared else _frames_features
    if workers <= 1:
        for first, last in spans:
            check(cancel)
            yield first, kernel(samples, first, last, fps, params)
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="features") as pool:
            running: Deque[Tuple[int, concurrent.futures.Future]] = collections.deque()
            try:
                for first, last in spans:
                    check(cancel)
                    running.append((first, pool.submit(kernel, samples, first, last, fps, params)))
                    if len(running) > workers:
                        done, future = running.popleft()
                        yield done, future.result()
                while running:
                    done, future = running.popleft()
                    yield done, future.result()
            finally:
                for _, future in running:
                    future.cancel()
    logger.debug("features: %d frames at %g fps from %d samples", total, float(fps), samples.size)


def _checked_samples(samples: np.ndarray, chunk_frames: int) -> np.ndarray:
    """``samples`` as a 1-D array, after the checks ``compute_features`` documents."""
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise ValueError(f"samples must be mono (1-D), got shape {samples.shape}")
    if chunk_frames < 1:
        raise ValueError(f"chunk_frames must be >= 1, got {chunk_frames}")
    if samples.dtype.kind == "f" and not np.isfinite(samples).all():
        raise Audio2FaceError("audio samples contain NaN or infinite values")
    return samples


def _thread_count(workers: Optional[int], frames: int) -> int:
    """Threads for ``frames`` frames: ``workers``, or for ``None`` the usable cores on a long enough clip."""
    if workers is not None:
        return max(int(workers), 1)
    if frames < _PARALLEL_FRAMES:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on macOS and Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, _AUTO_WORKERS, frames // (_PARALLEL_FRAMES // 2)))


def _frames_features(
    samples: np.ndarray, first: int, last: int, fps: float, params: FeatureParams, out: Optional[np.ndarray] = None
) -> np.ndarray:
    """Features of frames ``first`` to ``last`` (exclusive) of the unpadded ``samples`` (into ``out`` if given)."""
    return _windows_features(*_frames_segment(samples, first, last, fps, params), params, out)


def _frames_rows(samples: np.ndarray, first: int, last: int, fps: float, params: FeatureParams) -> SubframeRows:
    """``_frames_features`` as distinct sub-frames."""
    return _windows_rows(*_frames_segment(samples, first, last, fps, params), params)


def _frames_segment(
    samples: np.ndarray, first: int, last: int, fps: float, params: FeatureParams
) -> Tuple[np.ndarray, np.ndarray]:
    """(the padded audio frames ``first`` to ``last`` read, their window starts in it)."""
    pad = params.pad_samples
    starts = frame_window_starts(np.arange(first, last), fps, params)
    low = int(starts[0])
    high = int(starts[-1]) + _window_extent(params)
    segment = np.zeros(high - low, dtype=np.float64)
    src_low, src_high = max(low - pad, 0), min(high - pad, samples.size)
    if src_high > src_low:
        segment[src_low + pad - low : src_high + pad - low] = samples[src_low:src_high]
    return segment, starts - low


def iter_stream_feature_chunks(
    blocks: Iterable[np.ndarray],
    fps: float,
    params: FeatureParams = FeatureParams(),
    *,
    chunk_frames: int = 1024,
    cancel: Optional[CancelToken] = None,
    shared: bool = False,
) -> Iterator[Tuple[int, Features]]:
    """``iter_feature_chunks`` on audio that arrives in blocks (``audio.stream_audio``): the same chunks and numbers.

    Each chunk is computed as soon as the audio its windows need has arrived, and the audio no later chunk
    needs is dropped, so memory holds about one chunk of audio whatever the clip's length.

    Args:
        blocks: Mono sample blocks at ``params.sample_rate``, in order (float or int; finite).
        fps: Video frame rate.
        params: Feature parameters.
        chunk_frames: Frames per chunk.
        cancel: Checked before each chunk.
        shared: Yield ``SubframeRows`` instead of arrays.
    """
    if chunk_frames < 1:
        raise ValueError(f"chunk_frames must be >= 1, got {chunk_frames}")
    pad, extent = params.pad_samples, _window_extent(params)
    held = np.zeros(0, dtype=np.float64)
    origin = received = first = 0

    def chunk(first: int, last: int) -> Features:
        starts = frame_window_starts(np.arange(first, last), fps, params)
        low, high = int(starts[0]), int(starts[-1]) + extent
        segment = np.zeros(high - low, dtype=np.float64)
        src_low, src_high = max(low - pad, origin), min(high - pad, received)
        if src_high > src_low:
            segment[src_low + pad - low : src_high + pad - low] = held[src_low - origin : src_high - origin]
        if shared:
            return _windows_rows(segment, starts - low, params)
        return features_for_windows(segment, starts - low, params)

    for block in blocks:
        block = np.asarray(block).reshape(-1)
        if block.dtype.kind == "f" and not np.isfinite(block).all():
            raise Audio2FaceError("audio samples contain NaN or infinite values")
        held = np.concatenate([held, block]) if held.size else block.astype(np.float64)
        received += block.size
        while True:
            last = first + chunk_frames
            complete = int(frame_window_starts([last - 1], fps, params)[0]) + extent - pad <= received
            if not (complete and last <= frame_count(received, fps, params)):
                break
            check(cancel)
            yield first, chunk(first, last)
            first = last
            keep = max(int(frame_window_starts([first], fps, params)[0]) - pad, origin)
            held = held[keep - origin :]
            origin = keep
    total = frame_count(received, fps, params)
    while first < total:
        check(cancel)
        last = min(first + chunk_frames, total)
        yield first, chunk(first, last)
        first = last


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
    return _windows_features(signal, starts, params)


def _windows_features(
    signal: np.ndarray, starts: Any, params: FeatureParams, out: Optional[np.ndarray] = None
) -> np.ndarray:
    """``features_for_windows`` on a checked 1-D ``signal``, written into ``out`` when given."""
    count = np.asarray(starts).size
    if out is None:
        out = np.empty((count, params.lpc_order, params.subframes), dtype=np.float32)
    if count:
        _windows_rows(signal, starts, params).expand(out)
    return out


def _windows_rows(signal: np.ndarray, starts: Any, params: FeatureParams) -> SubframeRows:
    """The distinct sub-frames of the windows starting at ``starts`` in ``signal``, and which each window uses."""
    starts = np.asarray(starts, dtype=np.int64).reshape(-1)
    count = starts.size
    length = params.subframe_length
    offsets = np.arange(params.subframes, dtype=np.int64) * params.hop
    inside = np.clip(params.window_samples - offsets, 0, length)
    sub_starts = starts[:, None] + offsets[None, :]
    if count == 0:
        return SubframeRows(np.empty((params.lpc_order, 0), np.float32), np.empty((0, params.subframes), np.int64))
    if (inside == length).all():
        unique_starts, inverse = np.unique(sub_starts, return_inverse=True)
        unique_inside = None
    else:
        keys = sub_starts * (length + 1) + inside[None, :]
        unique_keys, inverse = np.unique(keys, return_inverse=True)
        unique_starts, unique_inside = np.divmod(unique_keys, length + 1)
    rows = _subframe_lpc(signal, unique_starts, unique_inside, params)
    return SubframeRows(rows, inverse.reshape(count, params.subframes))


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
    a = _levinson_columns(r)[0]
    return a[:, 0] if single else a[:, :columns]


def _levinson_columns(r: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``levinson_durbin`` on ``(lags, n)`` columns: (coefficients, final prediction error, still active)."""
    lags = r.shape[0]
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
    return a, alfa, active


def _levinson_unchecked(r: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_levinson_columns`` without its edge cases: (coefficients, final prediction error, smallest 1 - k^2).

    The recursion of ``_levinson_columns`` on columns whose reflection coefficients all stay below 1 in
    magnitude (the others, where the smallest ``1 - k^2`` is <= 0 or not finite, and columns with
    ``R[0] <= 0``, come out as garbage: the caller redoes or replaces them). Fewer passes over memory: the
    dot product starts from ``a[0] * r[m] = r[m]``, and the ``1 - k^2`` are kept and reduced once at the end.
    """
    lags = r.shape[0]
    a = np.zeros(r.shape, dtype=np.float64)
    a[0] = 1.0
    scratch = np.empty(r.shape, dtype=np.float64)
    shrink = np.empty(r.shape, dtype=np.float64)
    shrink[0] = 1.0
    negative_alfa = r[0] * -(1.0 + 1.0e-9)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for m in range(1, lags):
            total = np.einsum("jn,jn->n", a[:m], r[m:0:-1])
            k = np.divide(total, negative_alfa, out=total)
            if m > 1:
                np.multiply(a[m - 1 : 0 : -1], k, out=scratch[1:m])
                a[1:m] += scratch[1:m]
            a[m] = k
            np.multiply(k, k, out=shrink[m])
            np.subtract(1.0, shrink[m], out=shrink[m])
            negative_alfa *= shrink[m]
    return a, -negative_alfa, np.minimum.reduce(shrink, axis=0)


def _subframe_lpc(
    signal: np.ndarray, starts: np.ndarray, inside: Optional[np.ndarray], params: FeatureParams
) -> np.ndarray:
    """LPC coefficients ``(lpc_order, n)``, float32, of the sub-frames starting at ``starts`` (sorted).

    Autocorrelations come from the FFT (``_SpectralAutocorrelation``); the few sub-frames whose
    polynomial is sensitive to rounding (above ``_REDO_ABOVE``: nearly predictable signals) or whose
    recursion stopped at ``|k| >= 1`` are done again with the direct sums in FACEGOOD's order
    (``_direct_autocorrelation``).
    """
    length = params.subframe_length
    low, high = int(starts[0]), int(starts[-1]) + length
    local = np.zeros(high - low, dtype=np.float64)
    src_low, src_high = max(low, 0), min(high, signal.size)
    if src_high > src_low:
        local[src_low - low : src_high - low] = signal[src_low:src_high]
    offsets = starts - low
    windows = sliding_window_view(local, length)
    out = np.empty((params.lpc_order, starts.size), dtype=np.float32)
    spectral = _SpectralAutocorrelation(params, min(_BATCH, starts.size))
    group = np.empty((params.lpc_order, -(-min(_LEVINSON_BATCH, starts.size) // _LANES) * _LANES), np.float64)
    for first in range(0, starts.size, _LEVINSON_BATCH):
        last = min(first + _LEVINSON_BATCH, starts.size)
        count = last - first
        width = -(-count // _LANES) * _LANES
        group[:, count:width] = 0.0
        for begin, end in _spans(first, last, _BATCH):
            part = None if inside is None else inside[begin:end]
            spectral(windows, offsets[begin:end], part, out=group[:, begin - first : end - first])
        coefficients, error, worst = _levinson_unchecked(group[:, :width])
        energy = group[0, :count]
        silent = ~(energy > 0.0)
        if silent.any():
            coefficients[:, :count][:, silent] = 0.0
            coefficients[0, :count][silent] = 1.0
        sensitivity = np.square(np.abs(coefficients[:, :count]).sum(axis=0))
        sensitivity *= energy
        sure = (sensitivity <= _REDO_ABOVE * error[:count]) & (worst[:count] > 0.0) & np.isfinite(worst[:count])
        redo = np.flatnonzero(~sure & ~silent)
        if redo.size:
            picked = first + redo
            exact = _direct_autocorrelation(local, offsets[picked], None if inside is None else inside[picked], params)
            coefficients[:, redo] = levinson_durbin(exact)
        out[:, first:last] = coefficients[:, :count]
    return out


def _direct_autocorrelation(
    local: np.ndarray, offsets: np.ndarray, inside: Optional[np.ndarray], params: FeatureParams
) -> np.ndarray:
    """Autocorrelations of the windowed sub-frames by direct sums, each over the samples in FACEGOOD's C order.

    Sub-frames are laid out one per column, so numpy vectorises across sub-frames; one product-sum per lag.
    """
    length, lags = params.subframe_length, params.lpc_order
    count = offsets.size
    width = -(-count // _LANES) * _LANES
    frames = np.zeros((length + lags - 1, width), dtype=np.float64)
    windows = sliding_window_view(local, length)[offsets]
    np.multiply(windows.T, _hann(length)[:, None], out=frames[:length, :count])
    if inside is not None:
        frames[:length, :count] *= np.arange(length)[:, None] < inside[None, :]
    out = np.empty((lags, width), dtype=np.float64)
    for lag in range(lags):
        np.einsum("jn,jn->n", frames[:length], frames[lag : lag + length], out=out[lag])
    return out[:, :count]



# numpy >= 2.0 writes an FFT into a given array; Maya's own numpy (1.x) cannot, and gets a copy instead
_RFFT_TAKES_OUT = "out" in inspect.signature(np.fft.rfft).parameters


def _rfft_rows(frames: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``np.fft.rfft`` of each row of ``frames``, in ``out``."""
    if _RFFT_TAKES_OUT:
        return np.fft.rfft(frames, axis=1, out=out)
    out[...] = np.fft.rfft(frames, axis=1)
    return out


class _SpectralAutocorrelation:
    """Autocorrelations of Hann-windowed sub-frames by Wiener-Khinchin, with buffers reused across batches.

    Each sub-frame's squared spectrum (a real FFT long enough that no lag wraps around) times the cosine
    basis gives its lags in one matrix product (spectra as rows: about a tenth faster than as columns).
    Batches are padded to a multiple of ``_GEMM_ROWS`` rows so a sub-frame's numbers never depend on the
    batch it sits in; the buffers are allocated once because fresh large arrays cost a page fault per 4 KiB written.
    """

    def __init__(self, params: FeatureParams, rows: int) -> None:
        self.length = params.subframe_length
        self.size, basis = _cosine_basis(self.length, params.lpc_order)
        self.basis = np.ascontiguousarray(basis.T)
        rows = -(-max(rows, 1) // _GEMM_ROWS) * _GEMM_ROWS
        self.frames = np.zeros((rows, self.size), dtype=np.float64)
        self.spectrum = np.empty((rows, self.size // 2 + 1), dtype=np.complex128)
        self.power = np.empty((rows, self.size // 2 + 1), dtype=np.float64)
        self.lags = np.empty((rows, params.lpc_order), dtype=np.float64)

    def __call__(
        self, windows: np.ndarray, offsets: np.ndarray, inside: Optional[np.ndarray], out: np.ndarray
    ) -> np.ndarray:
        """Write the ``(lpc_order, len(offsets))`` lags of the sub-frames ``windows[offsets]`` to ``out``.

        ``windows`` is ``sliding_window_view(audio, subframe_length)``: row ``i`` is the sub-frame at sample ``i``.
        """
        count = offsets.size
        width = -(-count // _GEMM_ROWS) * _GEMM_ROWS
        frames = self.frames[:width]
        np.multiply(windows[offsets], _hann(self.length)[None, :], out=frames[:count, : self.length])
        frames[count:, : self.length] = 0.0
        if inside is not None:
            frames[:count, : self.length] *= np.arange(self.length)[None, :] < inside[:, None]
        spectrum = _rfft_rows(frames, self.spectrum[:width])
        squares = spectrum.view(np.float64)
        np.square(squares, out=squares)
        power = np.add(squares[:, 0::2], squares[:, 1::2], out=self.power[:width])
        lags = self.lags[:width]
        blocks = width // _GEMM_ROWS
        np.matmul(power.reshape(blocks, _GEMM_ROWS, -1), self.basis, out=lags.reshape(blocks, _GEMM_ROWS, -1))
        out[...] = lags[:count].T
        return out


@functools.lru_cache(maxsize=8)
def _hann(length: int) -> np.ndarray:
    """``np.hanning(length)`` (FACEGOOD's symmetric Hann window), computed once."""
    window = np.hanning(length)
    window.flags.writeable = False
    return window


@functools.lru_cache(maxsize=8)
def _cosine_basis(length: int, lags: int) -> Tuple[int, np.ndarray]:
    """(FFT size, ``(lags, bins)`` matrix) turning a real FFT's power spectrum into autocorrelation lags.

    The size is the smallest ``2^a`` or ``5 * 2^a`` (fast sizes for numpy's FFT) holding a sub-frame and
    its longest lag without circular wrap-around.
    """
    needed = length + lags - 1
    size = min(
        base << max(int(math.ceil(math.log2(needed / base))), 0) for base in (1, 5)
    )
    bins = size // 2 + 1
    weights = np.full(bins, 2.0)
    weights[0] = 1.0
    if size % 2 == 0:
        weights[-1] = 1.0
    phase = 2.0 * np.pi * np.outer(np.arange(lags), np.arange(bins)) / size
    basis = np.ascontiguousarray(np.cos(phase) * (weights / size)[None, :])
    basis.flags.writeable = False
    return size, basis


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
