"""The Generate tab's preview: curves and QC side by side in tabs, Play, and the out-of-date marking."""

from __future__ import annotations

import logging
from typing import Any, List, Optional

from audio2face.curves import Curves

from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .curve_plot import CurvePlot
from .playback import Playback
from .qc_view import QcView
from .sections import scrolling

logger = logging.getLogger(__name__)


class PreviewPane(QtWidgets.QWidget):
    """``plot`` and ``qc_view`` in the ``views`` tabs, with ``playback`` in their corner.

    Signals:
        qc_changed(): the QC view's title changed (a new report or none).
    """

    qc_changed = QtCore.Signal()

    def __init__(self, in_maya: bool, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.plot = CurvePlot()
        self.plot.setMinimumHeight(90)
        self.qc_view = QcView()
        self.views = QtWidgets.QTabWidget()
        self.views.addTab(self.plot, "Curves")
        self.views.addTab(scrolling(self.qc_view), "QC")  # its report scrolls in a short panel
        self.qc_view.changed.connect(lambda *_: self.qc_changed.emit())
        self.playback = Playback(self.plot, in_maya)
        self.views.setCornerWidget(self.playback, QtCore.Qt.Corner.TopRightCorner)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.views, 1)
        layout.addWidget(self.playback.note)

    def focus_chain(self) -> List[QtWidgets.QWidget]:
        """Widgets that take keyboard focus, in order."""
        return [self.views, self.qc_view.save_button] + self.playback.focus_chain()

    def show_result(self, curves: Optional[Curves], qc: Any, plot: bool = True) -> None:
        """Show new curves (``plot=False`` while Live draws its trace) and their QC report."""
        if plot:
            self.plot.set_curves(curves)
        self.qc_view.set_qc(qc)

    def clear(self) -> None:
        """Nothing to preview (a file that could not be used)."""
        self.plot.set_curves(None)
        self.qc_view.set_qc(None)

    def mark(self, has_preview: bool, reason: str) -> None:
        """Grey the curves out and title the QC tab "(out of date)" while ``reason`` says why."""
        self.plot.set_stale(reason if has_preview else "")
        title = self.qc_view.title()
        self.views.setTabText(1, f"{title} (out of date)" if has_preview and reason else title)
