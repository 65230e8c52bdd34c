"""Maya time units: the one table of unit names and their frame rates (maya-facts section 2).

Used by the writers (``currentUnit -t`` in ``.ma``, ``timeUnit`` in ``.anim``) and by the Maya adapter
(``currentUnit -q -time``). Each unit says where it may be used:

* ``write``: a writer may put the name in a ``.ma`` file. ``90fps`` and ``119.88fps`` are real Maya rates
  (``MTime.k90FPS``, ``k119_88FPS``) but their MEL names are unconfirmed, so files never carry them; a
  scene that reports them is still read and keyed (the adapter sets keys through the API, no names).
* ``anim``: the animImportExport ``.anim`` reader parses it (the named rates and the clock units only).
* Units with neither (``29.97df``, ``min``, ``hour``) are read, never written.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Dict, Optional, Tuple

from .errors import Audio2FaceError, PathLike


@dataclasses.dataclass(frozen=True)
class TimeUnit:
    """One Maya time unit.

    Attributes:
        name: The MEL name (``film``, ``29.97fps``, ``120fps``).
        rate: Frames per second, exactly.
        write: Written into ``.ma`` files for this rate.
        anim: Parsed by the ``.anim`` reader.
    """

    name: str
    rate: Fraction
    write: bool = True
    anim: bool = False


_NAMED = (("game", 15), ("film", 24), ("pal", 25), ("ntsc", 30), ("show", 48), ("palf", 50), ("ntscf", 60))
_NTSC = (("23.976fps", 24000), ("29.97fps", 30000), ("47.952fps", 48000), ("59.94fps", 60000))
WHOLE_FPS: Tuple[int, ...] = (
    2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 40, 75, 80, 100, 120, 125, 150, 200, 240, 250, 300, 375, 400, 500,
    600, 750, 1200, 1500, 2000, 3000, 6000, 44100, 48000,
)
"""Whole rates Maya spells ``<N>fps`` (15, 24, 25, 30, 48, 50 and 60 have names instead)."""

UNITS: Tuple[TimeUnit, ...] = (
    *(TimeUnit(name, Fraction(rate), anim=True) for name, rate in _NAMED),
    *(TimeUnit(name, Fraction(rate, 1001)) for name, rate in _NTSC),
    *(TimeUnit(f"{n}fps", Fraction(n)) for n in WHOLE_FPS),
    TimeUnit("sec", Fraction(1), anim=True),
    TimeUnit("millisec", Fraction(1000), anim=True),
    TimeUnit("90fps", Fraction(90), write=False),
    TimeUnit("119.88fps", Fraction(120000, 1001), write=False),
    TimeUnit("29.97df", Fraction(30000, 1001), write=False),
    TimeUnit("min", Fraction(1, 60), write=False),
    TimeUnit("hour", Fraction(1, 3600), write=False),
)
"""Every unit, preferred name first for each rate."""

BY_NAME: Dict[str, TimeUnit] = {unit.name: unit for unit in UNITS}

_TOLERANCE = 5e-4


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= _TOLERANCE * max(1.0, b / 100.0)


def same_rate(a: float, b: float, tolerance: float = 1e-3) -> bool:
    """Whether two frame rates are the same for keying purposes (23.976 vs 24000/1001)."""
    return abs(a - b) <= tolerance


def unit_rate(unit: str, path: Optional[PathLike] = None) -> Fraction:
    """Frames per second of a Maya time unit name, exactly (29.97fps = 30000/1001).

    Raises:
        Audio2FaceError: not a Maya time unit.
    """
    found = BY_NAME.get(str(unit).strip())
    if found is None:
        raise Audio2FaceError(f"unknown Maya time unit {unit!r}", path)
    return found.rate


def unit_fps(unit: str, path: Optional[PathLike] = None) -> float:
    """Frames per second of a Maya time unit name."""
    return float(unit_rate(unit, path))


def unit_for_fps(fps: float, *, write: bool = False, anim: bool = False) -> Optional[str]:
    """The preferred unit name for ``fps`` (only writable / ``.anim`` ones when asked), or ``None``."""
    for unit in UNITS:
        if (write and not unit.write) or (anim and not unit.anim) or unit.rate < 1:
            continue
        if _same(float(fps), float(unit.rate)):
            return unit.name
    return None


def maya_time_unit(fps: float, path: Optional[PathLike] = None) -> str:
    """The ``currentUnit -t`` name a ``.ma`` file carries for ``fps``.

    Raises:
        Audio2FaceError: no writable unit has this rate.
    """
    name = unit_for_fps(fps, write=True)
    if name is None:
        raise Audio2FaceError(
            f"Maya has no time unit a file can name for {float(fps):g} fps; animate at a rate Maya knows "
            f"(24, 25, 30, 48, 50, 60, 23.976, 29.97, 12, 120...) or write .json",
            path,
        )
    return name


def anim_time_unit(fps: float, path: Optional[PathLike] = None) -> str:
    """The ``.anim`` ``timeUnit`` name for ``fps``: only the named units the animImportExport reader parses.

    Raises:
        Audio2FaceError: the rate has no such name (suggests ``.ma`` or ``.json``).
    """
    name = unit_for_fps(fps, anim=True)
    if name is None:
        known = ", ".join(f"{float(u.rate):g} ({u.name})" for u in UNITS if u.anim and u.name in dict(_NAMED))
        raise Audio2FaceError(
            f".anim files only carry the named frame rates {known}; {float(fps):g} fps needs .ma or .json", path
        )
    return name
