"""``.npy``: a plain float32 (frames, channels) array, or FACEGOOD's ``BS_name.npy`` + ``BS_value.npy`` pair.

* A path ending in ``BS_value.npy`` (any case), or an existing folder, gets the pair: ``BS_name.npy``
  (a unicode string array of the channel names) and ``BS_value.npy`` (float32 frames x channels),
  side by side.
* Any other ``.npy`` path gets the plain array only (no names, no frame rate).

Nothing is pickled: files are written and read with ``allow_pickle=False``. FACEGOOD's own files, saved by
Python 2 numpy, read the same way (numpy only warns about their header).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from pathlib import Path
from typing import List, Optional, Tuple

import numpy as np

from ..atomic import atomic_open
from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from ..output_set import all_or_nothing
from .dense import dense_curves
from .numbers import require_finite
from .registry import OutputFormat

logger = logging.getLogger(__name__)

NAMES_FILE = "BS_name.npy"
VALUES_FILE = "BS_value.npy"
"""Frame rate assumed for files that carry none (FACEGOOD's rate)."""


def is_pair_path(path: PathLike) -> bool:
    """Whether ``path`` names FACEGOOD's pair: an existing folder or a ``BS_value.npy`` file."""
    target = Path(path)
    return target.is_dir() or target.name.lower() == VALUES_FILE.lower()


def _save(path: Path, array: np.ndarray, stack: contextlib.ExitStack) -> None:
    handle = stack.enter_context(atomic_open(path, "wb"))
    np.save(handle, array, allow_pickle=False)


def write(curves: Curves, path: PathLike, *, blendshape_node: Optional[str] = None) -> List[Path]:
    """Write the plain array, or the FACEGOOD pair (see the module docstring); returns the files written."""
    require_finite(curves, path)
    target = Path(path)
    values = np.ascontiguousarray(curves.weights, dtype=np.float32)
    if not is_pair_path(target):
        with contextlib.ExitStack() as stack:
            _save(target, values, stack)
        return [target]
    folder = target if target.is_dir() else target.parent
    names_path, values_path = folder / NAMES_FILE, folder / VALUES_FILE
    names = np.array(curves.names, dtype=np.str_) if curves.names else np.zeros(0, dtype="<U1")
    with all_or_nothing(), contextlib.ExitStack() as stack:
        _save(names_path, names, stack)
        _save(values_path, values, stack)
    return [names_path, values_path]


def _load(path: Path) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*created on Python 2.*")
            return np.load(path, allow_pickle=False)
    except OSError as exc:
        raise Audio2FaceError(f"cannot read: {exc.strerror or exc}", path) from None
    except ValueError as exc:
        raise Audio2FaceError(f"not a plain numpy array file (pickled objects are refused): {exc}", path) from None


def _find(folder: Path, name: str) -> Optional[Path]:
    try:
        for entry in folder.iterdir():
            if entry.name.lower() == name.lower() and entry.is_file():
                return entry
    except OSError:
        return None
    return None


def _names_array(path: Path) -> List[str]:
    names = _load(path)
    if names.dtype.kind not in "US" or names.ndim != 1:
        raise Audio2FaceError("channel names must be a 1-D string array", path)
    return [n.decode("utf-8") if isinstance(n, bytes) else str(n) for n in names.tolist()]


def _pair_paths(path: Path) -> Tuple[Path, Path]:
    folder = path if path.is_dir() else path.parent
    values_path = path if not path.is_dir() else _find(folder, VALUES_FILE)
    names_path = _find(folder, NAMES_FILE)
    if values_path is None or names_path is None:
        raise Audio2FaceError(f"expected {NAMES_FILE} and {VALUES_FILE} in this folder", folder)
    return names_path, values_path


def _guess_names(path: Path, width: int) -> Optional[List[str]]:
    """Names from a ``BS_name.npy`` beside the file or one folder up, when its length fits."""
    for folder in (path.parent, path.parent.parent):
        candidate = _find(folder, NAMES_FILE)
        if candidate is not None:
            names = _names_array(candidate)
            if len(names) == width:
                return names
    return None


def read(path: PathLike, *, fps: Optional[float] = None, start_frame: float = 1.0) -> Curves:
    """Read the pair (folder or ``BS_value.npy``) or a plain (frames, channels) array.

    A plain array takes its names from a ``BS_name.npy`` (any case) beside it or one folder up
    when one with the right length exists (FACEGOOD's ``bs_value/*.npy`` + ``bs_name.npy``),
    else ``channel_0``, ``channel_1``...

    Args:
        path: Folder, ``BS_value.npy`` or any ``.npy``.
        fps: Frame rate of the rows (the files have none); default 30.
        start_frame: Scene frame of the first row.
    """
    target = Path(path)
    if is_pair_path(target):
        names_path, values_path = _pair_paths(target)
        names: Optional[List[str]] = _names_array(names_path)
    else:
        values_path, names = target, None
    values = _load(values_path)
    if values.dtype.kind not in "fiu":
        raise Audio2FaceError(f"expected numbers, found {values.dtype}", values_path)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise Audio2FaceError(f"expected a (frames, channels) array, found shape {values.shape}", values_path)
    if names is None:
        names = _guess_names(values_path, values.shape[1]) or [f"channel_{i}" for i in range(values.shape[1])]
    if len(names) != values.shape[1]:
        raise Audio2FaceError(f"{len(names)} names but {values.shape[1]} channels", values_path)
    if not np.all(np.isfinite(values)):
        raise Audio2FaceError("values are not all finite", values_path)
    return dense_curves(names, values, fps, start_frame, values_path)


OUTPUT_FORMAT = OutputFormat("npy", (".npy",), "NumPy array", write, read, order=30, rate_options=True)
