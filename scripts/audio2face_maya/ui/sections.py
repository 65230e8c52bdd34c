"""Layout pieces that let the panel fit a Maya side dock: collapsible sections and rows that stack when narrow."""

from __future__ import annotations

import logging
from typing import Optional

from audio2face_maya.vendor.Qt import QtCore, QtGui, QtWidgets

logger = logging.getLogger(__name__)

NARROW_WIDTH = 640
"""Below this width (in device-independent pixels) side-by-side parts stack."""


class Section(QtWidgets.QWidget):
    """A titled part of a tab that folds away with its header button (keyboard: Tab to it, Space)."""

    toggled = QtCore.Signal(bool)

    def __init__(self, title: str, body: QtWidgets.QWidget, expanded: bool = True,
                 parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.title = title
        self.header = QtWidgets.QToolButton()
        self.header.setObjectName(f"section:{title}")
        self.header.setText(title)
        self.header.setCheckable(True)
        self.header.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        self.header.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.header.setStyleSheet("QToolButton { border: none; font-weight: bold; text-align: left; padding: 3px; }"
                                  "QToolButton:focus { background: rgba(120, 170, 255, 60); }")
        self.body = body
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(body, 1)
        self.header.toggled.connect(self._toggle)
        self.header.setChecked(expanded)
        self._toggle(expanded)

    def is_expanded(self) -> bool:
        """Whether the body is shown."""
        return self.header.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        """Unfold (or fold) the section."""
        self.header.setChecked(expanded)

    def _toggle(self, expanded: bool) -> None:
        self.header.setArrowType(QtCore.Qt.ArrowType.DownArrow if expanded else QtCore.Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
        policy = QtWidgets.QSizePolicy.Policy.Preferred if expanded else QtWidgets.QSizePolicy.Policy.Maximum
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, policy)
        self.toggled.emit(expanded)


class StackWhenNarrow(QtWidgets.QWidget):
    """Two widgets side by side, one above the other when the widget is narrower than ``NARROW_WIDTH``."""

    def __init__(self, first: QtWidgets.QWidget, second: QtWidgets.QWidget, stretch: tuple = (3, 2),
                 parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self._layout = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(first, stretch[0])
        self._layout.addWidget(second, stretch[1])

    def stacked(self) -> bool:
        """Whether the parts are one above the other."""
        return self._layout.direction() == QtWidgets.QBoxLayout.Direction.TopToBottom

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        """Stack or unstack for the new width."""
        wanted = (QtWidgets.QBoxLayout.Direction.TopToBottom if event.size().width() < NARROW_WIDTH
                  else QtWidgets.QBoxLayout.Direction.LeftToRight)
        if self._layout.direction() != wanted:
            self._layout.setDirection(wanted)
        super().resizeEvent(event)


def scrolling(widget: QtWidgets.QWidget) -> QtWidgets.QScrollArea:
    """``widget`` in a vertical scroll area that gives it the full width."""
    area = QtWidgets.QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(widget)
    area.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # Tab goes to the controls inside, not the area
    return area
