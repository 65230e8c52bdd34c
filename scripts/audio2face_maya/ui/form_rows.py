"""Small layout helpers shared by the tabs."""

from __future__ import annotations

from typing import Optional

from audio2face_maya.vendor.Qt import QtWidgets


def row(*widgets: QtWidgets.QWidget, stretch: Optional[int] = 0) -> QtWidgets.QWidget:
    """Widgets side by side; the one at index ``stretch`` (negative counts from the end) takes spare room.

    ``stretch=None``: every widget keeps its size and the spare room goes to the right.
    """
    holder = QtWidgets.QWidget()
    layout = QtWidgets.QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    grow = None if stretch is None else stretch % len(widgets)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if index == grow else 0)
    if grow is None:
        layout.addStretch(1)
    return holder
