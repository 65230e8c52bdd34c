"""A live QPainter plot of training and validation loss per epoch."""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

from audio2face_maya.vendor.Qt import QtCore, QtGui, QtWidgets

from . import plot_style as style

_MARGINS = (52, 10, 12, 26)
TRAIN_COLOUR = style.PALETTE[0]
VAL_COLOUR = style.PALETTE[1]


class LossPlot(QtWidgets.QWidget):
    """Loss curves that grow as the trainer reports epochs (log scale when the range is wide)."""

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(120)
        self._series: Dict[str, List[Tuple[float, float]]] = {"train": [], "val": []}
        self.placeholder = "The loss appears here while the model trains."

    def clear(self) -> None:
        """Forget all points."""
        self._series = {"train": [], "val": []}
        self.update()

    def add_point(self, epoch: float, train_loss: Optional[float], val_loss: Optional[float] = None) -> None:
        """Add one epoch's losses (``None`` or non-finite values are skipped)."""
        for key, value in (("train", train_loss), ("val", val_loss)):
            if value is not None and math.isfinite(float(value)):
                self._series[key].append((float(epoch), float(value)))
        self.update()

    def series(self) -> Dict[str, List[Tuple[float, float]]]:
        """Copies of the points: {"train": [(epoch, loss)], "val": [...]}."""
        return {k: list(v) for k, v in self._series.items()}

    def log_scale(self) -> bool:
        """Whether the values span enough to draw on a log scale."""
        values = [v for points in self._series.values() for _, v in points]
        return bool(values) and min(values) > 0 and max(values) / min(values) > 20

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        """Draw axes, the two series and a legend."""
        painter = QtGui.QPainter(self)
        try:
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
            painter.fillRect(self.rect(), style.BACKGROUND)
            points = [p for series in self._series.values() for p in series]
            if not points:
                painter.setPen(style.AXIS_TEXT)
                painter.drawText(self.rect(), int(QtCore.Qt.AlignmentFlag.AlignCenter), self.placeholder)
                return
            self._draw(painter, points)
        finally:
            painter.end()

    def _draw(self, painter: QtGui.QPainter, points: List[Tuple[float, float]]) -> None:
        left, top, right, bottom = _MARGINS
        rect = QtCore.QRectF(left, top, max(self.width() - left - right, 10), max(self.height() - top - bottom, 10))
        log = self.log_scale()

        def fy(value: float) -> float:
            return math.log10(value) if log else value

        epochs = [e for e, _ in points]
        values = [fy(v) for _, v in points]
        x0, x1 = min(epochs), max(max(epochs), min(epochs) + 1)
        y0, y1 = min(values), max(values)
        if y1 - y0 < 1e-12:
            y0, y1 = y0 - 0.5, y1 + 0.5
        pad = (y1 - y0) * 0.05
        y0, y1 = y0 - pad, y1 + pad

        def to_point(epoch: float, value: float) -> QtCore.QPointF:
            x = rect.left() + (epoch - x0) / (x1 - x0) * rect.width()
            y = rect.bottom() - (fy(value) - y0) / (y1 - y0) * rect.height()
            return QtCore.QPointF(x, y)

        metrics = painter.fontMetrics()
        painter.setPen(QtGui.QPen(style.GRID, 1.0))
        painter.drawRect(rect)
        for tick in style.log_ticks(y0, y1) if log else style.nice_ticks(y0, y1, 4):
            y = rect.bottom() - (tick - y0) / (y1 - y0) * rect.height()
            painter.setPen(QtGui.QPen(style.GRID, 1.0, QtCore.Qt.PenStyle.DotLine))
            painter.drawLine(QtCore.QPointF(rect.left(), y), QtCore.QPointF(rect.right(), y))
            painter.setPen(style.AXIS_TEXT)
            label = style.format_tick(10**tick if log else tick)
            painter.drawText(QtCore.QPointF(rect.left() - metrics.horizontalAdvance(label) - 4, y + 4), label)
        for tick in style.nice_ticks(x0, x1, 6):
            if abs(tick - round(tick)) > 1e-9:
                continue
            x = rect.left() + (tick - x0) / (x1 - x0) * rect.width()
            painter.setPen(style.AXIS_TEXT)
            label = str(int(round(tick)))
            painter.drawText(QtCore.QPointF(x - metrics.horizontalAdvance(label) / 2, rect.bottom() + 14), label)
        caption = "epoch" + ("  (log scale)" if log else "")
        painter.drawText(QtCore.QPointF(rect.right() - metrics.horizontalAdvance(caption), rect.bottom() + 24), caption)
        legend_y = rect.top() + 4
        for key, colour, title in (("train", TRAIN_COLOUR, "train loss"), ("val", VAL_COLOUR, "validation loss")):
            series = self._series[key]
            if not series:
                continue
            painter.setPen(QtGui.QPen(colour, 1.8))
            corners = [to_point(e, v) for e, v in series]
            painter.drawPolyline(QtGui.QPolygonF(corners))
            for point in corners:
                painter.drawEllipse(point, 2.0, 2.0)
            last = series[-1][1]
            text = f"{title}: {last:.4g}"
            painter.fillRect(
                QtCore.QRectF(rect.right() - metrics.horizontalAdvance(text) - 10, legend_y - 1,
                              metrics.horizontalAdvance(text) + 6, metrics.height() + 2),
                QtGui.QColor(20, 21, 24, 190),
            )
            painter.drawText(
                QtCore.QPointF(rect.right() - metrics.horizontalAdvance(text) - 7, legend_y + metrics.ascent()), text
            )
            legend_y += metrics.height() + 3
