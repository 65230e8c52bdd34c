"""Curves from a dense (frames, channels) table read from a file that carries no frame rate (CSV, npy)."""

from __future__ import annotations

from typing import List, Optional

import numpy as np

from ..curves import Curves
from ..errors import Audio2FaceError, PathLike

DEFAULT_FPS = 30.0
"""Frame rate assumed for files that do not store one (FACEGOOD's CSV and npy files are 30 fps)."""


def dense_curves(
    names: List[str], values: np.ndarray, fps: Optional[float], start_frame: float, path: PathLike
) -> Curves:
    """Build ``Curves`` from a checked table; errors name ``path``."""
    try:
        return Curves(
            names,
            float(fps or DEFAULT_FPS),
            values.astype(np.float32),
            start_frame=start_frame,
            source={"file": str(path)},
        )
    except Audio2FaceError as exc:
        raise Audio2FaceError(str(exc), path) from None
