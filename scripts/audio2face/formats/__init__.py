"""Curve files: write ``Curves`` as .json, .csv, .npy, .anim or .ma; read them back.

``write_curves`` picks the format from the extension (or ``fmt``); every writer is atomic (a temporary
file beside the target, then a rename), so a failed write leaves no file and never a half-replaced one.
Schemas and grammars: docs/formats.md.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Dict, List, Optional

from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from . import anim_format, csv_format, json_format, ma_format, npy_format

logger = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (".json", ".csv", ".npy", ".anim", ".ma")
"""Extensions ``write_curves`` and ``read_curves`` understand (plus a folder for the FACEGOOD npy pair)."""

FORMATS = ("json", "csv", "npy", "anim", "ma")

_WRITERS: Dict[str, Callable[..., List[Path]]] = {
    "json": json_format.write,
    "csv": csv_format.write,
    "npy": npy_format.write,
    "anim": anim_format.write,
    "ma": ma_format.write,
}


def format_of(path: PathLike, fmt: Optional[str] = None) -> str:
    """The format name for ``path`` (``fmt`` wins; a folder means the FACEGOOD npy pair).

    Raises:
        Audio2FaceError: unknown format or extension, naming the file.
    """
    if fmt is not None:
        name = fmt.lower().lstrip(".")
        if name not in FORMATS:
            raise Audio2FaceError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})", path)
        return name
    target = Path(path)
    if target.is_dir():
        return "npy"
    suffix = target.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        shown = suffix or "no extension"
        raise Audio2FaceError(
            f"unknown curve file type ({shown}); use one of {', '.join(SUPPORTED_EXTENSIONS)}", path
        )
    return suffix[1:]


def write_curves(
    curves: Curves,
    path: PathLike,
    *,
    blendshape_node: Optional[str] = None,
    fmt: Optional[str] = None,
) -> List[Path]:
    """Write ``curves`` to ``path`` in the format its extension names.

    Args:
        curves: What to write; ``curves.keys`` (sparse keys) is used by .ma, .anim and .json.
        path: Target file; for the FACEGOOD pair a folder or a path ending in ``BS_value.npy``.
        blendshape_node: For .ma, connect each curve to ``<node>.<target>``; for .anim, the node named in
            each ``anim`` record. Other formats ignore it.
        fmt: Force a format (``json``, ``csv``, ``npy``, ``anim``, ``ma``) whatever the extension.

    Returns:
        The files written.

    Raises:
        Audio2FaceError: unknown extension, nan/inf weights, or a format-specific problem; nothing is written.
    """
    name = format_of(path, fmt)
    written = _WRITERS[name](curves, path, blendshape_node=blendshape_node)
    logger.info("wrote %s", ", ".join(str(p) for p in written))
    return written


def read_curves(path: PathLike, *, fps: Optional[float] = None, start_frame: float = 1.0) -> Curves:
    """Read curves from .json, .csv, .npy (plain, the FACEGOOD pair or its folder), or .ma/.anim we wrote.

    Args:
        path: The file (or the FACEGOOD pair's folder).
        fps: Frame rate for formats that do not carry one (.csv, .npy); default 30.
        start_frame: Scene frame of the first row for those formats.

    Raises:
        Audio2FaceError: missing or unreadable file, unknown extension, content that does not parse.
    """
    target = Path(path)
    if not target.exists():
        raise Audio2FaceError("no such file", path)
    name = format_of(target)
    if name == "json":
        return json_format.read(target)
    if name == "csv":
        return csv_format.read(target, fps=fps, start_frame=start_frame)
    if name == "npy":
        return npy_format.read(target, fps=fps, start_frame=start_frame)
    if name == "anim":
        return anim_format.read(target)
    return ma_format.read(target)


__all__ = ["SUPPORTED_EXTENSIONS", "FORMATS", "format_of", "read_curves", "write_curves"]
