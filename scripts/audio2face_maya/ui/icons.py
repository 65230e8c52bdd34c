"""Find the ``audio2face_*`` icons: the repository's ``icons/`` folder, or Maya's icon path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

from audio2face_maya.vendor.Qt import QtGui

ICON_NAMES = ("audio2face_panel", "audio2face_export", "audio2face_animate", "audio2face_batch")


def icon_dirs() -> List[Path]:
    """Folders searched, in order: next to the package (a checkout or module), then ``XBMLANGPATH``."""
    dirs = [Path(__file__).resolve().parents[3] / "icons"]
    for entry in os.environ.get("XBMLANGPATH", "").split(os.pathsep):
        entry = entry.replace("%B", "").strip()
        if entry:
            dirs.append(Path(entry))
    return dirs


def icon_path(name: str) -> Optional[Path]:
    """The SVG (preferred) or PNG file of an icon, or ``None``."""
    for folder in icon_dirs():
        for suffix in (".svg", ".png"):
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def icon(name: str) -> QtGui.QIcon:
    """A ``QIcon`` (empty when the file is missing)."""
    path = icon_path(name)
    return QtGui.QIcon(str(path)) if path else QtGui.QIcon()
