"""Frame rates <-> Maya time unit names (``currentUnit -t`` in ``.ma``, ``timeUnit`` in ``.anim``).

From maya-facts section 2. Rates with a name are written by the name (24 -> ``film``), the NTSC rates by
their ``23.976fps``-style names, other whole rates Maya knows as ``<N>fps``. ``90fps`` and ``119.88fps``
are left out: Maya has those rates but their MEL names are unconfirmed.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

from ..errors import Audio2FaceError, PathLike

NAMED_UNITS: Dict[str, float] = {
    "game": 15.0,
    "film": 24.0,
    "pal": 25.0,
    "ntsc": 30.0,
    "show": 48.0,
    "palf": 50.0,
    "ntscf": 60.0,
}
"""Named rates; the only frame rates the ``.anim`` reader (animImportExport) parses."""

NTSC_UNITS: Dict[str, float] = {
    "23.976fps": 24000.0 / 1001.0,
    "29.97fps": 30000.0 / 1001.0,
    "47.952fps": 48000.0 / 1001.0,
    "59.94fps": 60000.0 / 1001.0,
}

WHOLE_FPS: Tuple[int, ...] = (
    2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 40, 75, 80, 100, 120, 125, 150, 200, 240, 250, 300, 375, 400, 500,
    600, 750, 1200, 1500, 2000, 3000, 6000, 44100, 48000,
)
"""Whole rates Maya spells ``<N>fps``."""

CLOCK_UNITS: Dict[str, float] = {"sec": 1.0, "millisec": 1000.0}
"""Clock units usable as frame rates (``min`` and ``hour`` are slower than a frame per second)."""

READ_ONLY_UNITS: Dict[str, float] = {"29.97df": 30000.0 / 1001.0, "min": 1.0 / 60.0, "hour": 1.0 / 3600.0}
"""Units accepted when reading but never written (drop-frame display and sub-1 fps clocks)."""

_TOLERANCE = 5e-4


def _match(fps: float, table: Dict[str, float]) -> Optional[str]:
    for name, rate in table.items():
        if abs(rate - fps) <= _TOLERANCE * max(1.0, rate / 100.0):
            return name
    return None


def maya_time_unit(fps: float, path: Optional[PathLike] = None) -> str:
    """The ``currentUnit -t`` name for ``fps`` (``film``, ``29.97fps``, ``120fps``...).

    Raises:
        Audio2FaceError: Maya has no time unit for this rate.
    """
    fps = float(fps)
    name = _match(fps, NAMED_UNITS) or _match(fps, NTSC_UNITS) or _match(fps, CLOCK_UNITS)
    if name:
        return name
    whole = {f"{n}fps": float(n) for n in WHOLE_FPS}
    name = _match(fps, whole)
    if name:
        return name
    raise Audio2FaceError(
        f"Maya has no time unit for {fps:g} fps; animate at a rate Maya knows "
        f"(24, 25, 30, 48, 50, 60, 23.976, 29.97, 12, 120...) or write .json",
        path,
    )


def anim_time_unit(fps: float, path: Optional[PathLike] = None) -> str:
    """The ``.anim`` ``timeUnit`` name for ``fps``: only the named units the animImportExport reader parses.

    Raises:
        Audio2FaceError: the rate has no such name (suggests ``.ma`` or ``.json``).
    """
    fps = float(fps)
    name = _match(fps, NAMED_UNITS) or _match(fps, CLOCK_UNITS)
    if name:
        return name
    known = ", ".join(f"{rate:g} ({unit})" for unit, rate in NAMED_UNITS.items())
    raise Audio2FaceError(
        f".anim files only carry the named frame rates {known}; {fps:g} fps needs .ma or .json", path
    )


def fps_of_time_unit(unit: str, path: Optional[PathLike] = None) -> float:
    """Frames per second of a Maya time unit name (both the named and the ``<N>fps`` forms).

    Raises:
        Audio2FaceError: not a Maya time unit.
    """
    for table in (NAMED_UNITS, NTSC_UNITS, CLOCK_UNITS, READ_ONLY_UNITS):
        if unit in table:
            return table[unit]
    if unit.endswith("fps"):
        try:
            whole = int(unit[:-3])
        except ValueError:
            whole = -1
        if whole in WHOLE_FPS:
            return float(whole)
    raise Audio2FaceError(f"unknown Maya time unit {unit!r}", path)
