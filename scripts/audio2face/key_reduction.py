"""Sparse keys: the fewest animCurve keys that stay within a tolerance of dense curves.

A reduced curve is a list of :class:`Key`. Between two keys the curve is what a Maya animCurve with
non-weighted tangents evaluates:

* both tangents of the span ``linear`` (out of the left key, in of the right key): a straight line;
* both ``fixed``: the cubic Hermite of the two key values and the two slopes. With ``h = t1 - t0``
  and ``s = (t - t0) / h``::

      v(t) = (2s^3 - 3s^2 + 1) v0 + (s^3 - 2s^2 + s) h m0 + (-2s^3 + 3s^2) v1 + (s^3 - s^2) h m1

  where ``m0`` is the left key's out slope and ``m1`` the right key's in slope, in value units per frame.

Outside the keys the curve holds the first/last value (constant infinity). Keys sit on the dense frames and
keep the dense value there; tangents may be broken (in slope != out slope). The reducer grows each span as
far as the error at every dense frame stays within the tolerance, preferring a line, else a least-squares
Hermite span; exact holds (flat stretches) are bounded by keys so they stay exactly flat.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from numpy.typing import ArrayLike

from .curves import Curves
from .errors import Audio2FaceError
from .progress import CancelToken, ProgressFn, check, report

logger = logging.getLogger(__name__)

LINEAR = "linear"
FIXED = "fixed"
TANGENT_TYPES = (LINEAR, FIXED)
MODES = ("hermite", "linear")

_CAP = 24
"""Longest span tried for every start at once; longer spans are grown one start at a time."""

_SAFETY = 1e-3
"""Fraction of the tolerance kept back for rounding in files and in Maya's own float tangents."""


@dataclasses.dataclass(frozen=True)
class Key:
    """One animCurve key.

    Attributes:
        time: Scene frame.
        value: Value at ``time``.
        in_tangent: ``"linear"`` or ``"fixed"`` (tangent type on the side before the key).
        out_tangent: ``"linear"`` or ``"fixed"`` (side after the key).
        in_slope: Slope arriving at the key, value units per frame (for ``linear``: the chord's).
        out_slope: Slope leaving the key, value units per frame.
    """

    time: float
    value: float
    in_tangent: str
    out_tangent: str
    in_slope: float
    out_slope: float

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-ready dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Key:
        """Build from :meth:`to_dict` output (raises ``Audio2FaceError`` on bad fields)."""
        try:
            key = cls(
                time=float(data["time"]),
                value=float(data["value"]),
                in_tangent=str(data["in_tangent"]),
                out_tangent=str(data["out_tangent"]),
                in_slope=float(data["in_slope"]),
                out_slope=float(data["out_slope"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise Audio2FaceError(f"bad key {data!r}: {exc}") from None
        key.validate()
        return key

    def validate(self) -> None:
        """Raise ``Audio2FaceError`` for unknown tangent types or non-finite numbers."""
        if self.in_tangent not in TANGENT_TYPES or self.out_tangent not in TANGENT_TYPES:
            raise Audio2FaceError(f"key at frame {self.time}: tangent types must be linear or fixed")
        if not all(math.isfinite(x) for x in (self.time, self.value, self.in_slope, self.out_slope)):
            raise Audio2FaceError(f"key at frame {self.time}: time, value and slopes must be finite")


# --- span fitting -----------------------------------------------------------------------------------------


def _hermite_basis(s: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    s2 = s * s
    s3 = s2 * s
    return 2 * s3 - 3 * s2 + 1, s3 - 2 * s2 + s, -2 * s3 + 3 * s2, s3 - s2


@functools.cache
def _span_operators(span: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matrices acting on a window of ``span + 1`` samples.

    Returns ``(linear_residual, hermite_residual, hermite_slopes)``: residual matrices give
    sample minus fitted curve; the slope matrix gives (dv/ds at the start, dv/ds at the end) of the
    least-squares Hermite span through both end samples.
    """
    s = np.arange(span + 1, dtype=np.float64) / span
    h00, h10, h01, h11 = _hermite_basis(s)
    ends_linear = np.zeros((span + 1, span + 1))
    ends_linear[:, 0] = 1.0 - s
    ends_linear[:, span] = s
    linear_residual = np.eye(span + 1) - ends_linear
    ends_cubic = np.zeros((span + 1, span + 1))
    ends_cubic[:, 0] = h00
    ends_cubic[:, span] = h01
    to_residual = np.eye(span + 1) - ends_cubic
    tangents = np.stack([h10, h11], axis=1)
    pinv = np.linalg.pinv(tangents)
    slopes = pinv @ to_residual
    hermite_residual = (np.eye(span + 1) - tangents @ pinv) @ to_residual
    for matrix in (linear_residual, hermite_residual, slopes):
        matrix.setflags(write=False)
    return linear_residual, hermite_residual, slopes


def _span_errors(windows: np.ndarray, span: int, mode: str) -> Tuple[np.ndarray, np.ndarray]:
    """Max |error| of the linear and of the Hermite fit for each row of ``windows`` (rows, span + 1)."""
    linear_residual, hermite_residual, _ = _span_operators(span)
    linear = np.abs(windows @ linear_residual.T).max(axis=1)
    if mode == "linear":
        return linear, np.full_like(linear, np.inf)
    return linear, np.abs(windows @ hermite_residual.T).max(axis=1)


@functools.lru_cache(maxsize=256)
def _long_span_basis(span: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(s, h00, h10, h01, h11, inverse of the 2x2 normal matrix of [h10 h11]) for one span length."""
    s = np.arange(span + 1, dtype=np.float64) / span
    h00, h10, h01, h11 = _hermite_basis(s)
    normal = np.array([[h10 @ h10, h10 @ h11], [h10 @ h11, h11 @ h11]])
    inverse = np.linalg.pinv(normal)
    for array in (s, h00, h10, h01, h11, inverse):
        array.setflags(write=False)
    return s, h00, h10, h01, h11, inverse


def _fit_long_span(window: np.ndarray, mode: str) -> Tuple[float, float, float, float]:
    """(linear error, Hermite error, dv/ds start, dv/ds end) for one window longer than ``_CAP``."""
    s, h00, h10, h01, h11, inverse = _long_span_basis(window.size - 1)
    first, last = window[0], window[-1]
    linear_error = float(np.abs(window - (first + s * (last - first))).max())
    if mode == "linear":
        return linear_error, np.inf, 0.0, 0.0
    residual = window - (h00 * first + h01 * last)
    start_slope, end_slope = inverse @ np.array([h10 @ residual, h11 @ residual])
    hermite_error = float(np.abs(residual - h10 * start_slope - h11 * end_slope).max())
    return linear_error, hermite_error, float(start_slope), float(end_slope)


def _span_ok(values: np.ndarray, start: int, span: int, tol: float, mode: str) -> bool:
    window = values[start : start + span + 1]
    if span <= _CAP:
        linear, hermite = _span_errors(window[None, :], span, mode)
        return bool(linear[0] <= tol or hermite[0] <= tol)
    linear_error, hermite_error, _, _ = _fit_long_span(window, mode)
    return linear_error <= tol or hermite_error <= tol


# --- the reducer --------------------------------------------------------------------------------------------


def _flat_breaks(values: np.ndarray, eps: float) -> np.ndarray:
    """Indices that bound runs of at least 3 samples holding one value (within ``eps``)."""
    still = np.abs(np.diff(values)) <= eps
    if still.size < 2:
        return np.zeros(0, dtype=np.int64)
    edges = np.diff(np.concatenate([[0], still.astype(np.int8), [0]]))
    run_starts = np.flatnonzero(edges == 1)
    run_ends = np.flatnonzero(edges == -1)  # exclusive, in diff indices = sample index of the run's end
    long_runs = (run_ends - run_starts) >= 2
    return np.unique(np.concatenate([run_starts[long_runs], run_ends[long_runs]]))


@functools.cache
def _stacked_operators() -> np.ndarray:
    """Residual operators of spans 2.._CAP (linear ones, then Hermite ones), zero-padded to windows of
    ``_CAP + 1`` samples and flattened to one matrix of shape (2 * (_CAP - 1) * (_CAP + 1), _CAP + 1)."""
    stacked = np.zeros((2, _CAP - 1, _CAP + 1, _CAP + 1))
    for span in range(2, _CAP + 1):
        linear_residual, hermite_residual, _ = _span_operators(span)
        stacked[0, span - 2, : span + 1, : span + 1] = linear_residual
        stacked[1, span - 2, : span + 1, : span + 1] = hermite_residual
    flat = stacked.reshape(-1, _CAP + 1)
    flat.setflags(write=False)
    return flat


def _longest_short_span(padded: np.ndarray, start: int, top: int, tol: float, mode: str) -> int:
    """Longest valid span from ``start`` among 1..``top`` (``top <= _CAP``), all tested at once.

    ``padded`` is the samples followed by ``_CAP`` zeros; spans past ``top`` are computed but ignored.
    """
    if top < 2:
        return top
    window = padded[start : start + _CAP + 1]
    errors = np.abs(_stacked_operators() @ window).reshape(2, _CAP - 1, _CAP + 1).max(axis=2)
    best = errors[0] if mode == "linear" else errors.min(axis=0)
    valid = best[: top - 1] <= tol
    if not valid.any():
        return 1
    return top - int(np.argmax(valid[::-1]))


def _grow(values: np.ndarray, start: int, span: int, end_limit: int, tol: float, mode: str) -> int:
    """Grow a valid span past ``_CAP`` by doubling, then bisect back to a valid length."""
    good = span
    while good < end_limit - start:
        trial = min(2 * good, end_limit - start)
        if _span_ok(values, start, trial, tol, mode):
            good = trial
            continue
        bad = trial
        while bad - good > 1:
            middle = (good + bad) // 2
            if _span_ok(values, start, middle, tol, mode):
                good = middle
            else:
                bad = middle
        break
    return good


def _spans(values: np.ndarray, tol: float, mode: str, flat_eps: float) -> List[Tuple[int, int]]:
    """Greedy cover of the samples by (start, span) pieces, each valid within ``tol``."""
    count = values.size
    whole = count - 1
    breaks = _flat_breaks(values, flat_eps)
    inner = breaks[(breaks > 0) & (breaks < whole)]
    if not inner.size and _span_ok(values, 0, whole, tol, mode):
        return [(0, whole)]
    stops = np.concatenate([inner, [whole]]).astype(np.int64)
    padded = np.concatenate([values, np.zeros(_CAP)])
    pieces: List[Tuple[int, int]] = []
    start = 0
    for stop in stops:
        while start < stop:
            span = _longest_short_span(padded, start, min(_CAP, int(stop) - start), tol, mode)
            if span == _CAP and start + span < stop:
                span = _grow(values, start, span, int(stop), tol, mode)
            pieces.append((start, span))
            start += span
    return pieces


def _fit_spans(
    values: np.ndarray, pieces: List[Tuple[int, int]], tol: float, mode: str
) -> Tuple[List[str], np.ndarray, np.ndarray]:
    """Tangent type and (start, end) slopes in dv/ds for each piece."""
    kinds = [LINEAR] * len(pieces)
    start_slopes = np.zeros(len(pieces))
    end_slopes = np.zeros(len(pieces))
    by_span: Dict[int, List[int]] = {}
    for number, (_, span) in enumerate(pieces):
        by_span.setdefault(span, []).append(number)
    for span, numbers in by_span.items():
        starts = np.array([pieces[n][0] for n in numbers])
        if span <= _CAP:
            windows = np.lib.stride_tricks.sliding_window_view(values, span + 1)[starts]
            linear, _hermite = _span_errors(windows, span, mode)
            slopes = windows @ _span_operators(span)[2].T
            chords = windows[:, -1] - windows[:, 0]
            for row, number in enumerate(numbers):
                if mode == "linear" or linear[row] <= tol:
                    start_slopes[number] = end_slopes[number] = chords[row]
                else:
                    kinds[number] = FIXED
                    start_slopes[number], end_slopes[number] = slopes[row]
        else:
            for number, start in zip(numbers, starts):
                window = values[start : start + span + 1]
                linear_error, _, first, last = _fit_long_span(window, mode)
                if mode == "linear" or linear_error <= tol:
                    start_slopes[number] = end_slopes[number] = window[-1] - window[0]
                else:
                    kinds[number] = FIXED
                    start_slopes[number], end_slopes[number] = first, last
    return kinds, start_slopes, end_slopes


def reduce_keys(
    times: ArrayLike,
    values: ArrayLike,
    tolerance: float = 0.01,
    fps: float = 30.0,
    mode: str = "hermite",
) -> List[Key]:
    """The fewest keys (found greedily) whose curve stays within ``tolerance`` at every sample.

    Args:
        times: Equally spaced sample times in frames (e.g. ``Curves.times()``).
        values: One value per time.
        tolerance: Largest allowed |curve - value| at any sample, in value units.
        fps: Frames per second of ``times``; only used to report the key rate in the log.
        mode: ``"hermite"`` (linear spans where they suffice, fixed-tangent Hermite spans elsewhere) or
            ``"linear"`` (linear keys only).

    Returns:
        Keys on sample times; the first and last samples are always keyed.

    Raises:
        Audio2FaceError: bad mode or tolerance, mismatched or non-finite input, unequal time steps.
    """
    if mode not in MODES:
        raise Audio2FaceError(f"key reduction mode must be one of {', '.join(MODES)}, got {mode!r}")
    if not (np.isfinite(tolerance) and tolerance >= 0):
        raise Audio2FaceError(f"key reduction tolerance must be >= 0, got {tolerance}")
    t = np.asarray(times, dtype=np.float64).reshape(-1)
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if t.size != v.size:
        raise Audio2FaceError(f"{t.size} times but {v.size} values")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
        raise Audio2FaceError("times and values must be finite")
    if t.size == 0:
        return []
    if t.size == 1:
        return [Key(float(t[0]), float(v[0]), LINEAR, LINEAR, 0.0, 0.0)]
    step = float(t[1] - t[0])
    if not step > 0 or np.abs(np.diff(t) - step).max() > 1e-6 * max(1.0, abs(step)):
        raise Audio2FaceError("key reduction needs equally spaced, increasing times")
    tol = tolerance * (1.0 - _SAFETY)
    flat_eps = min(1e-6, tol)
    pieces = _spans(v, tol, mode, flat_eps)
    kinds, start_slopes, end_slopes = _fit_spans(v, pieces, tol, mode)
    spans = np.array([span for _, span in pieces], dtype=np.float64) * step
    leaving = (start_slopes / spans).tolist()
    arriving = (end_slopes / spans).tolist()
    at = [0] + [start + span for start, span in pieces]
    in_kinds = kinds[:1] + kinds
    out_kinds = kinds + kinds[-1:]
    in_slopes = leaving[:1] + arriving
    out_slopes = leaving + arriving[-1:]
    key_times, key_values = t[at].tolist(), v[at].tolist()
    keys = [
        Key(key_times[i], key_values[i], in_kinds[i], out_kinds[i], in_slopes[i], out_slopes[i])
        for i in range(len(at))
    ]
    if logger.isEnabledFor(logging.DEBUG):
        seconds = (t[-1] - t[0]) / fps if fps > 0 else float("nan")
        logger.debug("%d samples -> %d keys (%.2f keys/s)", t.size, len(keys), len(keys) / max(seconds, 1e-9))
    return keys


def evaluate_keys(keys: Sequence[Key], times: ArrayLike) -> np.ndarray:
    """The curve the keys describe, sampled at ``times`` (constant outside the keys)."""
    query = np.asarray(times, dtype=np.float64).reshape(-1)
    if not keys:
        return np.zeros_like(query)
    key_t = np.array([k.time for k in keys])
    key_v = np.array([k.value for k in keys])
    if len(keys) == 1:
        return np.full_like(query, key_v[0])
    span = np.clip(np.searchsorted(key_t, query, side="right") - 1, 0, len(keys) - 2)
    t0, t1 = key_t[span], key_t[span + 1]
    v0, v1 = key_v[span], key_v[span + 1]
    h = t1 - t0
    s = np.clip((query - t0) / h, 0.0, 1.0)
    out_slope = np.array([k.out_slope for k in keys])[span]
    in_slope = np.array([k.in_slope for k in keys])[span + 1]
    linear = np.array([k.out_tangent == LINEAR for k in keys])[span] & np.array(
        [k.in_tangent == LINEAR for k in keys]
    )[span + 1]
    h00, h10, h01, h11 = _hermite_basis(s)
    cubic = h00 * v0 + h10 * h * out_slope + h01 * v1 + h11 * h * in_slope
    result = np.where(linear, v0 + s * (v1 - v0), cubic)
    result = np.where(query <= t0, v0, np.where(query >= t1, v1, result))
    return result


def reduce_curves(
    curves: Curves,
    tolerance: float = 0.01,
    mode: str = "hermite",
    *,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> Curves:
    """A copy of ``curves`` with ``keys`` filled: ``{name: [Key, ...]}``, times in scene frames.

    The dense ``weights`` are kept, so writers without sparse keys still work.
    """
    times = curves.times()
    keys: Dict[str, List[Key]] = {}
    total = len(curves.names)
    for number, name in enumerate(curves.names):
        check(cancel)
        keys[name] = reduce_keys(times, curves.weights[:, number], tolerance, curves.fps, mode)
        report(progress, number + 1, total)
    source = dict(curves.source)
    source["keys"] = {"tolerance": float(tolerance), "mode": mode}
    return dataclasses.replace(curves, weights=curves.weights.copy(), source=source, keys=keys)


def key_count(keys: Optional[Mapping[str, Sequence[Key]]]) -> int:
    """Total number of keys over all channels (0 for ``None``)."""
    return sum(len(k) for k in (keys or {}).values())
