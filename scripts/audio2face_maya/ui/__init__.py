"""The Audio2Face panel (Qt through Qt.py): docked inside Maya, a desktop window outside.

Entry points::

    import audio2face_maya.ui
    audio2face_maya.ui.show()             # Maya: the dockable panel; elsewhere: a window
    python -m audio2face_maya.ui          # the desktop window (audio in, .ma/.json/.anim out)

Importing this package does not import Qt; ``show`` does.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

logger = logging.getLogger(__name__)

_window: Optional[Any] = None


def show(tab: Optional[str] = None) -> Any:
    """Open the panel (one instance) and return it; ``tab`` is "generate", "train" or "export"."""
    global _window
    from . import dock

    if dock.interactive_maya():
        return dock.show(tab=tab)
    from audio2face_maya.vendor.Qt import QtWidgets

    if QtWidgets.QApplication.instance() is None:
        from audio2face.errors import Audio2FaceError

        raise Audio2FaceError("no Qt application is running: start the window with python -m audio2face_maya.ui")
    from .panel import Audio2FacePanel

    if _window is None or getattr(_window, "_shut_down", False):
        _window = Audio2FacePanel()
        _window.restore_geometry()
    if tab:
        _window.show_tab(tab)
    _window.show()
    _window.raise_()
    _window.activateWindow()
    return _window


def current_panel() -> Optional[Any]:
    """The open panel (docked or window), if any."""
    from . import dock

    return dock.current_panel() or _window
