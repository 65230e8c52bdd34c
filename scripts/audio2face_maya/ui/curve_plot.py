"""A QPainter plot of generated curves (no matplotlib needed inside Maya)."""

from __future__ import annotations

import logging
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from audio2face.curves import Curves

from audio2face_maya.vendor.Qt import QtCore, QtGui, QtWidgets

from . import plot_style as style

logger = logging.getLogger(__name__)

_MARGINS = (44, 10, 12, 28)  # left, top, right, bottom


def envelope(values: np.ndarray, columns: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min/max per pixel column so a long clip draws as fast as a short one.

    Args:
        values: (frames, channels).
        columns: Horizontal pixels available.

    Returns:
        (row positions, column minima, column maxima); minima/maxima are (columns, channels).
    """
    frames = values.shape[0]
    if frames <= columns * 2:
        rows = np.arange(frames, dtype=np.float64)
        return rows, values, values
    edges = np.linspace(0, frames, columns + 1).astype(np.int64)[:-1]
    low = np.minimum.reduceat(values, edges, axis=0)
    high = np.maximum.reduceat(values, edges, axis=0)
    return edges.astype(np.float64), low, high


class CurvePlot(QtWidgets.QWidget):
    """Shows every curve; the most active ones (or the highlighted ones) in colour with a legend."""

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None, coloured: int = 6) -> None:
        super().__init__(parent)
        self.setMinimumHeight(140)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        self._curves: Optional[Curves] = None
        self._highlight: List[str] = []
        self._coloured = coloured
        self._cache: Dict[Tuple[int, int], List[Tuple[str, QtGui.QPolygonF]]] = {}
        self.placeholder = "Drop a speech file to see the curves here before anything is keyed."
        self.stale_text = ""
        self.cursor_frame: Optional[float] = None
        self.setMinimumWidth(200)

    def set_stale(self, reason: str) -> None:
        """Grey the curves out with ``reason`` ("" = they match the inputs)."""
        self.stale_text = reason
        self.update()

    def set_cursor(self, frame: Optional[float]) -> None:
        """Draw the playback cursor at scene ``frame`` (``None`` hides it)."""
        self.cursor_frame = frame
        self.update()

    def curves(self) -> Optional[Curves]:
        """The curves shown (``None`` when empty)."""
        return self._curves

    def set_curves(self, curves: Optional[Curves]) -> None:
        """Show ``curves`` (``None`` clears the plot)."""
        self._curves = curves
        self._cache.clear()
        self.update()

    def set_highlight(self, names: Sequence[str]) -> None:
        """Colour these channels (instead of the most active ones)."""
        self._highlight = [n for n in names if n]
        self.update()

    def coloured_names(self) -> List[str]:
        """The channels drawn in colour, in legend order."""
        curves = self._curves
        if curves is None or not curves.names:
            return []
        chosen = [n for n in self._highlight if n in curves.names]
        if chosen:
            return chosen[: len(style.PALETTE)]
        if curves.frame_count == 0:
            return []
        spread = np.ptp(curves.weights, axis=0)
        order = np.argsort(-spread, kind="stable")
        return [curves.names[i] for i in order[: self._coloured] if spread[i] > 1e-6]

    def value_range(self) -> Tuple[float, float]:
        """The vertical range drawn: at least [0, 1]."""
        curves = self._curves
        if curves is None or curves.frame_count == 0:
            return 0.0, 1.0
        finite = curves.weights[np.isfinite(curves.weights)]
        low = min(0.0, float(finite.min())) if finite.size else 0.0
        high = max(1.0, float(finite.max())) if finite.size else 1.0
        return low, high

    def frame_labels(self, width: float) -> List[Tuple[int, str]]:
        """The frame axis ticks for a plot ``width`` pixels wide: whole scene frames, written in full."""
        curves = self._curves
        if curves is None or curves.frame_count == 0:
            return []
        count = max(2, min(6, int(width // 70)))
        return [(tick, str(tick)) for tick in style.frame_ticks(curves.start_frame, curves.end_frame, count)]

    def _plot_rect(self) -> QtCore.QRectF:
        left, top, right, bottom = _MARGINS
        return QtCore.QRectF(left, top, max(self.width() - left - right, 10), max(self.height() - top - bottom, 10))

    def _polygons(self, rect: QtCore.QRectF) -> List[Tuple[str, QtGui.QPolygonF]]:
        key = (int(rect.width()), int(rect.height()))
        if key in self._cache:
            return self._cache[key]
        curves = self._curves
        assert curves is not None
        low, high = self.value_range()
        rows, mins, maxs = envelope(curves.weights, max(int(rect.width()), 1))
        last = max(curves.frame_count - 1, 1)
        xs = rect.left() + rows / last * rect.width()
        scale = rect.height() / (high - low)
        result = []
        for column, name in enumerate(curves.names):
            if mins is maxs:
                ys = rect.bottom() - (mins[:, column] - low) * scale
                result.append((name, style.polyline(xs, ys)))
            else:
                px = np.repeat(xs, 2)
                py = np.empty(px.size)
                py[0::2] = rect.bottom() - (mins[:, column] - low) * scale
                py[1::2] = rect.bottom() - (maxs[:, column] - low) * scale
                result.append((name, style.polyline(px, py)))
        self._cache = {key: result}
        return result

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        """Draw axes, curves and legend."""
        painter = QtGui.QPainter(self)
        try:
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
            painter.fillRect(self.rect(), style.BACKGROUND)
            curves = self._curves
            if curves is None or curves.frame_count == 0:
                painter.setPen(style.AXIS_TEXT)
                flags = int(QtCore.Qt.AlignmentFlag.AlignCenter) | int(QtCore.Qt.TextFlag.TextWordWrap)
                painter.drawText(QtCore.QRectF(self.rect()).adjusted(12, 8, -12, -8), flags, self.placeholder)
                return
            rect = self._plot_rect()
            self._draw_axes(painter, rect, curves)
            coloured = self.coloured_names()
            polygons = self._polygons(rect)
            painter.setClipRect(rect.adjusted(-1, -1, 1, 1))
            painter.setPen(QtGui.QPen(style.MUTED, 1.0))
            for name, polygon in polygons:
                if name not in coloured:
                    painter.drawPolyline(polygon)
            by_name = dict(polygons)
            for index, name in enumerate(coloured):
                painter.setPen(QtGui.QPen(style.PALETTE[index % len(style.PALETTE)], 1.6))
                painter.drawPolyline(by_name[name])
            painter.setClipping(False)
            self._draw_legend(painter, rect, coloured)
            self._draw_cursor(painter, rect, curves)
            if self.stale_text:
                self._draw_stale(painter, rect)
        finally:
            painter.end()

    def _draw_axes(self, painter: QtGui.QPainter, rect: QtCore.QRectF, curves: Curves) -> None:
        low, high = self.value_range()
        metrics = painter.fontMetrics()
        painter.setPen(QtGui.QPen(style.GRID, 1.0))
        painter.drawRect(rect)
        for tick in style.nice_ticks(low, high, 4):
            y = rect.bottom() - (tick - low) / (high - low) * rect.height()
            painter.setPen(QtGui.QPen(style.GRID, 1.0, QtCore.Qt.PenStyle.DotLine))
            painter.drawLine(QtCore.QPointF(rect.left(), y), QtCore.QPointF(rect.right(), y))
            painter.setPen(style.AXIS_TEXT)
            label = style.format_tick(tick)
            painter.drawText(QtCore.QPointF(rect.left() - metrics.horizontalAdvance(label) - 4, y + 4), label)
        first, last = curves.start_frame, curves.end_frame
        span = max(last - first, 1.0)
        for tick, label in self.frame_labels(rect.width()):
            x = rect.left() + (tick - first) / span * rect.width()
            painter.setPen(QtGui.QPen(style.GRID, 1.0, QtCore.Qt.PenStyle.DotLine))
            painter.drawLine(QtCore.QPointF(x, rect.top()), QtCore.QPointF(x, rect.bottom()))
            painter.setPen(style.AXIS_TEXT)
            painter.drawText(QtCore.QPointF(x - metrics.horizontalAdvance(label) / 2, rect.bottom() + 14), label)
        seconds = curves.frame_count / curves.fps
        caption = f"frames ({curves.fps:g} fps, {seconds:.2f} s, {len(curves.names)} curves)"
        if metrics.horizontalAdvance(caption) > rect.width():
            caption = f"{curves.fps:g} fps, {seconds:.2f} s"
        painter.drawText(
            QtCore.QPointF(rect.right() - metrics.horizontalAdvance(caption), rect.bottom() + 26), caption
        )

    def _draw_legend(self, painter: QtGui.QPainter, rect: QtCore.QRectF, names: Sequence[str]) -> None:
        metrics = painter.fontMetrics()
        x = rect.left() + 8
        y = rect.top() + 6
        for index, name in enumerate(names):
            colour = style.PALETTE[index % len(style.PALETTE)]
            width = metrics.horizontalAdvance(name) + 22
            if x + width > rect.right():
                x = rect.left() + 8
                y += metrics.height() + 2
            box = QtCore.QRectF(x - 3, y - 1, width, metrics.height() + 2)
            painter.fillRect(box, QtGui.QColor(20, 21, 24, 190))
            painter.fillRect(QtCore.QRectF(x, y + metrics.height() / 2 - 1, 12, 3), colour)
            painter.setPen(colour.lighter(130))
            painter.drawText(QtCore.QPointF(x + 16, y + metrics.ascent()), name)
            x += width + 4

    def _draw_cursor(self, painter: QtGui.QPainter, rect: QtCore.QRectF, curves: Curves) -> None:
        if self.cursor_frame is None:
            return
        span = max(curves.end_frame - curves.start_frame, 1.0)
        x = rect.left() + (self.cursor_frame - curves.start_frame) / span * rect.width()
        if rect.left() <= x <= rect.right():
            painter.setPen(QtGui.QPen(QtGui.QColor(255, 255, 255, 220), 1.5))
            painter.drawLine(QtCore.QPointF(x, rect.top()), QtCore.QPointF(x, rect.bottom()))

    def _draw_stale(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.fillRect(rect, QtGui.QColor(38, 40, 44, 170))
        painter.setPen(QtGui.QColor(255, 214, 120))
        text = f"Out of date: {self.stale_text}"
        flags = int(QtCore.Qt.AlignmentFlag.AlignCenter) | int(QtCore.Qt.TextFlag.TextWordWrap)
        painter.drawText(rect.adjusted(8, 8, -8, -8), flags, text)
