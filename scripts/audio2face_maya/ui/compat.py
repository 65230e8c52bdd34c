"""The few Qt differences between PySide2 (Maya 2022-2024) and PySide6 (Maya 2025+) that Qt.py leaves open."""

from __future__ import annotations

from typing import Any, List

from audio2face_maya.vendor.Qt import QtCore


def exec_(obj: Any) -> Any:
    """Run a dialog or application loop: ``exec()`` on PySide6, ``exec_()`` on PySide2."""
    method = getattr(obj, "exec", None) or obj.exec_
    return method()


def local_paths(mime: QtCore.QMimeData) -> List[str]:
    """Local file paths carried by a drag (URLs that are not files are left out)."""
    if mime is None or not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]
