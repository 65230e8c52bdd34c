"""Number text as Maya writes it (``1``, ``0.5``, ``-0``, ``1e-05``) and finiteness checks for writers."""

from __future__ import annotations

from typing import Iterable, Iterator, List

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


def format_rows(weights: np.ndarray, chunk: int = 4096) -> Iterator[List[List[str]]]:
    """Texts of ``weights`` (frames x channels), row by row, a block of ``chunk`` rows at a time.

    Blocks keep memory bounded for hour-long curves (one Python string per number is ~60 bytes).
    """
    width = weights.shape[1]
    for first in range(0, weights.shape[0], chunk):
        block = weights[first : first + chunk]
        texts = format_float32_array(block)
        yield [texts[r * width : (r + 1) * width] for r in range(block.shape[0])]


def format_doubles(values: Iterable[float]) -> List[str]:
    """:func:`format_double` for each value (checked for finiteness once, formatted in bulk)."""
    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError("not all values are finite")
    return [text[:-2] if text[-2:] == ".0" else text for text in map(repr, array.reshape(-1).tolist())]


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
        numbers = np.array([(k.time, k.value, k.in_slope, k.out_slope) for k in keys], dtype=np.float64)
        if numbers.size and not np.all(np.isfinite(numbers)):
            row = int(np.argwhere(~np.isfinite(numbers))[0][0])
            raise Audio2FaceError(
                f"channel {name!r} has a key with a non-finite number at frame {keys[row].time}; nothing was written",
                path,
            )
