"""Colours and small drawing helpers shared by the QPainter plots."""

from __future__ import annotations

import math
from typing import List, Sequence

from audio2face_maya.vendor.Qt import QtCore, QtGui

BACKGROUND = QtGui.QColor(38, 40, 44)
GRID = QtGui.QColor(70, 73, 80)
AXIS_TEXT = QtGui.QColor(170, 174, 182)
MUTED = QtGui.QColor(110, 114, 122, 140)
PALETTE = [
    QtGui.QColor(c)
    for c in ("#4aa3ff", "#ff7f50", "#7bd88f", "#f5c542", "#c792ea", "#ff5c8a", "#4dd0e1", "#d4a373")
]


def nice_ticks(low: float, high: float, count: int = 5) -> List[float]:
    """Round tick values covering [low, high]."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / max(count, 1)
    magnitude = 10 ** _floor_log10(raw)
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = _ceil_div(low, step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def frame_ticks(first: float, last: float, count: int = 6) -> List[int]:
    """Whole-frame tick values covering [first, last] (a step of at least one frame)."""
    ticks = nice_ticks(first, last, count)
    if len(ticks) > 1 and ticks[1] - ticks[0] < 1:
        ticks = nice_ticks(first, max(last, first + count), count)
    return sorted({int(round(t)) for t in ticks if first - 1e-9 <= round(t) <= last + 1e-9})


def log_ticks(low: float, high: float) -> List[float]:
    """Tick values (1, 2, 5 times powers of ten) covering [10**low, 10**high], as log10 positions."""
    ticks = []
    for decade in range(int(math.floor(low)), int(math.ceil(high)) + 1):
        for mantissa in (1, 2, 5):
            position = decade + math.log10(mantissa)
            if low - 1e-9 <= position <= high + 1e-9:
                ticks.append(position)
    if len(ticks) > 6:
        ticks = [t for t in ticks if abs(t - round(t)) < 1e-9] or ticks
    return ticks


def _floor_log10(x: float) -> int:
    return int(math.floor(math.log10(x)))


def _ceil_div(a: float, b: float) -> float:
    return math.ceil(a / b - 1e-9)


def polyline(xs: Sequence[float], ys: Sequence[float]) -> QtGui.QPolygonF:
    """A polygon from coordinate lists."""
    return QtGui.QPolygonF([QtCore.QPointF(float(x), float(y)) for x, y in zip(xs, ys)])


def format_tick(value: float) -> str:
    """Short label for a tick value."""
    if value == 0:
        return "0"
    if abs(value) >= 10000 or abs(value) < 0.001:
        return f"{value:.0e}"
    return f"{value:.3g}"
