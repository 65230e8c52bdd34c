"""Maya time-unit names and their frame rates (``currentUnit -time``).

Maya reports rates that have a name by the name (``film`` = 24, ``ntsc`` = 30) and the others as
``'<N>fps'``; both forms are accepted everywhere. See docs/maya.md, "Time".
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Dict, Optional

from audio2face.errors import Audio2FaceError

NAMED_RATES: Dict[str, Fraction] = {
    "game": Fraction(15),
    "film": Fraction(24),
    "pal": Fraction(25),
    "ntsc": Fraction(30),
    "show": Fraction(48),
    "palf": Fraction(50),
    "ntscf": Fraction(60),
    "23.976fps": Fraction(24000, 1001),
    "29.97fps": Fraction(30000, 1001),
    "29.97df": Fraction(30000, 1001),
    "47.952fps": Fraction(48000, 1001),
    "59.94fps": Fraction(60000, 1001),
    "119.88fps": Fraction(120000, 1001),
    "44100fps": Fraction(44100),
    "48000fps": Fraction(48000),
    "hour": Fraction(1, 3600),
    "min": Fraction(1, 60),
    "sec": Fraction(1),
    "millisec": Fraction(1000),
}
"""Units Maya names (``<N>fps`` for whole N is parsed separately)."""

WHOLE_FPS = (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 40, 75, 80, 90, 100, 120, 125, 150, 200, 240, 250, 300,
             375, 400, 500, 600, 750, 1200, 1500, 2000, 3000, 6000)
"""Whole rates Maya spells ``'<N>fps'`` (15, 24, 25, 30, 48, 50 and 60 have names instead)."""

_PREFERRED_NAME = {
    Fraction(15): "game", Fraction(24): "film", Fraction(25): "pal", Fraction(30): "ntsc",
    Fraction(48): "show", Fraction(50): "palf", Fraction(60): "ntscf",
    Fraction(24000, 1001): "23.976fps", Fraction(30000, 1001): "29.97fps",
    Fraction(48000, 1001): "47.952fps", Fraction(60000, 1001): "59.94fps", Fraction(120000, 1001): "119.88fps",
}

_FPS_NAME = re.compile(r"^(\d+(?:\.\d+)?)fps$")


def unit_rate(unit: str) -> Fraction:
    """Frames per second of a Maya time unit name, exactly (29.97 = 30000/1001).

    Raises:
        Audio2FaceError: the name is not a Maya time unit.
    """
    name = str(unit).strip()
    if name in NAMED_RATES:
        return NAMED_RATES[name]
    match = _FPS_NAME.match(name)
    if match:
        value = Fraction(match.group(1))
        if value > 0:
            return value
    raise Audio2FaceError(f"unknown Maya time unit {unit!r}")


def unit_fps(unit: str) -> float:
    """Frames per second of a Maya time unit name as a float."""
    return float(unit_rate(unit))


def unit_for_fps(fps: float, tolerance: float = 1e-3) -> Optional[str]:
    """The Maya unit name for a frame rate (named form preferred), or ``None`` when Maya has none."""
    for rate, name in _PREFERRED_NAME.items():
        if abs(float(rate) - fps) <= tolerance:
            return name
    for whole in WHOLE_FPS:
        if abs(whole - fps) <= tolerance:
            return f"{whole}fps"
    return None


def same_rate(a: float, b: float, tolerance: float = 1e-3) -> bool:
    """Whether two frame rates are the same for keying purposes (23.976 vs 24000/1001)."""
    return abs(a - b) <= tolerance
