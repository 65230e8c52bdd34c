"""Curve files: write ``Curves`` in any registered format (``registry``: .json, .csv, .npy, .anim, .ma, USD,
glTF); read them back.

``write_curves`` picks the format from the extension (or ``fmt``); every writer is atomic (a temporary
file beside the target, then a rename), so a failed write leaves no file and never a half-replaced one.
Schemas and grammars: docs/formats.md.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, List, Optional

from ..curves import Curves
from ..errors import Audio2FaceError, PathLike
from .registry import OutputFormat, all_formats, extensions, format_named, formats_for_path

logger = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = extensions()
"""Extensions ``write_curves`` and ``read_curves`` understand (plus a folder for the FACEGOOD npy pair)."""

FORMATS = tuple(f.name for f in all_formats())


def output_format(path: PathLike, fmt: Optional[str] = None) -> OutputFormat:
    """The registered format for ``path`` (``fmt`` wins: a name or an extension; a folder means the FACEGOOD pair).

    Raises:
        Audio2FaceError: unknown format or extension, naming the file.
    """
    if fmt is not None:
        try:
            return format_named(fmt.lstrip("."))
        except Audio2FaceError as exc:
            raise Audio2FaceError(str(exc), path) from None
    target = Path(path)
    if target.is_dir():
        return format_named("npy")
    found = formats_for_path(target)
    if not found:
        shown = target.suffix.lower() or "no extension"
        raise Audio2FaceError(
            f"unknown curve file type ({shown}); use one of {', '.join(SUPPORTED_EXTENSIONS)}", path
        )
    return found[0]


def format_of(path: PathLike, fmt: Optional[str] = None) -> str:
    """The format name for ``path`` (see :func:`output_format`)."""
    return output_format(path, fmt).name


def write_curves(
    curves: Curves,
    path: PathLike,
    *,
    blendshape_node: Optional[str] = None,
    fmt: Optional[str] = None,
    **writer_options: Any,
) -> List[Path]:
    """Write ``curves`` to ``path`` in the format its extension names.

    Args:
        curves: What to write; ``curves.keys`` (sparse keys) is used by .ma, .anim, .json and the sparse forms
            of USD and glTF.
        path: Target file; for the FACEGOOD pair a folder or a path ending in ``BS_value.npy``.
        blendshape_node: For .ma, connect each curve to ``<node>.<target>``; for .anim, the node named in
            each ``anim`` record. Other formats ignore it.
        fmt: Force a format (a name from ``registry.all_formats()`` or an extension) whatever the extension.
        writer_options: Options of that format's writer (``OutputFormat.options``), e.g. ``sparse=True`` for USD.

    Returns:
        The files written.

    Raises:
        Audio2FaceError: unknown extension or option, nan/inf weights, a missing extra, or a format-specific
            problem; nothing is written.
    """
    spec = output_format(path, fmt)
    spec.check_options(writer_options, path)
    written = spec.writer(curves, path, blendshape_node=blendshape_node, **writer_options)
    logger.info("wrote %s", ", ".join(str(p) for p in written))
    return written


def read_curves(path: PathLike, *, fps: Optional[float] = None, start_frame: float = 1.0) -> Curves:
    """Read curves from any registered format that has a reader (see docs/formats.md).

    Args:
        path: The file (or the FACEGOOD pair's folder).
        fps: Frame rate for formats that do not carry one (.csv, .npy, glTF from other tools); default 30.
        start_frame: Scene frame of the first row for those formats.

    Raises:
        Audio2FaceError: missing or unreadable file, unknown extension, a format without a reader, content that
            does not parse.
    """
    target = Path(path)
    if not target.exists():
        raise Audio2FaceError("no such file", path)
    spec = output_format(target)
    if spec.reader is None:
        raise Audio2FaceError(f"{spec.label} files cannot be read back", path)
    if spec.rate_options:
        return spec.reader(target, fps=fps, start_frame=start_frame)
    return spec.reader(target)


__all__ = [
    "SUPPORTED_EXTENSIONS",
    "FORMATS",
    "OutputFormat",
    "all_formats",
    "format_of",
    "output_format",
    "read_curves",
    "write_curves",
]
