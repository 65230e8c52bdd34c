"""``.csv``: a header row of channel names, then one row of weights per frame (FACEGOOD's layout).

The file holds no frame rate or start frame: readers give them (FACEGOOD's data is 30 fps).
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import List, Optional

import numpy as np

from ..atomic import atomic_open
from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from ..text_input import check_columns, read_csv
from .dense import dense_curves
from .numbers import format_rows, require_finite
from .registry import OutputFormat

logger = logging.getLogger(__name__)

"""Frame rate assumed for files that carry none (FACEGOOD's rate)."""


def write(curves: Curves, path: PathLike, *, blendshape_node: Optional[str] = None) -> List[Path]:
    """Write ``curves`` as CSV (``blendshape_node`` is not used by this format)."""
    require_finite(curves, path)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(curves.names)
    with atomic_open(path, "w") as handle:
        handle.write(header.getvalue())
        for block in format_rows(curves.weights):
            handle.write("".join(",".join(row) + "\n" for row in block))
    return [Path(path)]


def read(path: PathLike, *, fps: Optional[float] = None, start_frame: float = 1.0) -> Curves:
    """Read a CSV with a header row of names (ours or FACEGOOD's).

    Args:
        path: The file.
        fps: Frame rate of the rows (the file has none); default 30.
        start_frame: Scene frame of the first row.

    Raises:
        Audio2FaceError: unreadable file, no header, ragged rows or text that is not a number.
    """
    rows = read_csv(path, "curves file")
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise Audio2FaceError("empty CSV file (expected a header row of channel names)", path)
    names = [cell.strip() for cell in rows[0]]
    check_columns(names, path, "curves file")
    try:
        float(names[0])
    except ValueError:
        pass
    else:
        raise Audio2FaceError("the first row must hold channel names, not numbers", path)
    values = np.zeros((len(rows) - 1, len(names)), dtype=np.float64)
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(names):
            raise Audio2FaceError(f"line {number} has {len(row)} values but the header has {len(names)} names", path)
        try:
            values[number - 2] = [float(cell) for cell in row]
        except ValueError as exc:
            raise Audio2FaceError(f"line {number}: {exc}", path) from None
    if not np.all(np.isfinite(values)):
        row, col = np.argwhere(~np.isfinite(values))[0]
        raise Audio2FaceError(f"line {row + 2}, column {names[col]!r}: value is not finite", path)
    return dense_curves(names, values, fps, start_frame, path)


OUTPUT_FORMAT = OutputFormat("csv", (".csv",), "CSV table", write, read, order=20, rate_options=True)
