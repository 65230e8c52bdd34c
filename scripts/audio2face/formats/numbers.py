"""Number text as Maya writes it (``1``, ``0.5``, ``-0``, ``1e-05``) and finiteness checks for writers."""

from __future__ import annotations

from typing import Iterable, List, Sequence

import numpy as np

from ..curves import Curves
from ..errors import Audio2FaceError, PathLike


def _trim(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


def format_double(value: float) -> str:
    """Shortest text that reads back as the same double: ``1``, ``0.5``, ``-0``, ``1e-05``.

    Raises:
        ValueError: ``value`` is nan or infinite (never valid in Maya files).
    """
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"not a finite number: {number}")
    return _trim(repr(number))


def format_float32_array(values: np.ndarray) -> List[str]:
    """Shortest texts that read back as the same float32 values (one per element, flattened).

    Each distinct value is formatted once, so long curves with repeated values are cheap.
    """
    flat = np.asarray(values, dtype=np.float32).reshape(-1)
    if flat.size == 0:
        return []
    if not np.all(np.isfinite(flat)):
        raise ValueError("not all values are finite")
    unique, inverse = np.unique(flat, return_inverse=True)
    texts = np.array([_trim(repr(float(str(v)))) for v in unique], dtype=object)
    return list(texts[inverse.reshape(-1)])


def format_doubles(values: Iterable[float]) -> List[str]:
    """:func:`format_double` for each value."""
    return [format_double(v) for v in values]


def require_finite(curves: Curves, path: PathLike) -> None:
    """Raise ``Audio2FaceError`` naming the first channel and frame holding nan or inf."""
    weights = curves.weights
    bad = ~np.isfinite(weights)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise Audio2FaceError(
            f"channel {curves.names[col]!r} has a non-finite value ({weights[row, col]}) at frame "
            f"{curves.start_frame + row:g}; nothing was written",
            path,
        )
    for name, keys in (curves.keys or {}).items():
        for key in keys:
            numbers: Sequence[float] = (key.time, key.value, key.in_slope, key.out_slope)
            if not np.all(np.isfinite(numbers)):
                raise Audio2FaceError(
                    f"channel {name!r} has a key with a non-finite number at frame {key.time}; nothing was written",
                    path,
                )
