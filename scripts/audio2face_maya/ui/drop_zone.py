"""A drop target for audio files (or folders) with a browse button."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from audio2face_maya.vendor.Qt import QtCore, QtGui, QtWidgets

from .compat import local_paths

logger = logging.getLogger(__name__)

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".aif", ".aiff", ".aifc", ".mp3")
"""Audio files the core reads (through libsndfile)."""

AUDIO_FILTER = "Audio ({})".format(" ".join(f"*{ext}" for ext in AUDIO_EXTENSIONS))

_IDLE = "QFrame#dropZone { border: 2px dashed #777; border-radius: 6px; }"
_HOVER = "QFrame#dropZone { border: 2px dashed #4aa3ff; border-radius: 6px; background: rgba(74,163,255,30); }"


def is_audio_path(path: str) -> bool:
    """Whether ``path`` names an audio file by its extension."""
    return Path(path).suffix.lower() in AUDIO_EXTENSIONS


def split_paths(paths: Sequence[str], kind: str) -> Tuple[List[str], List[str]]:
    """Split dropped paths into (accepted, rejected) for a zone of ``kind`` ("audio" or "folder")."""
    accepted: List[str] = []
    rejected: List[str] = []
    for path in paths:
        ok = os.path.isdir(path) if kind == "folder" else (os.path.isfile(path) and is_audio_path(path))
        (accepted if ok else rejected).append(path)
    return accepted, rejected


def rejection_message(rejected: Sequence[str], kind: str) -> str:
    """Plain words for paths a zone refused."""
    names = ", ".join(Path(p).name or p for p in rejected[:3]) + (" ..." if len(rejected) > 3 else "")
    if kind == "folder":
        return f"Not a folder: {names}. Drop dataset folders here."
    missing = [p for p in rejected if not os.path.exists(p)]
    if missing and len(missing) == len(rejected):
        return f"File not found: {names}."
    return f"Not an audio file: {names}. Drop {', '.join(AUDIO_EXTENSIONS)} files."


class DropZone(QtWidgets.QFrame):
    """Accepts files dragged from a file browser, and offers a browse button.

    Signals:
        paths_dropped(list): accepted paths (audio files, or folders for ``kind="folder"``).
        rejected(str): a plain-words message naming what was refused.

    Args:
        kind: ``"audio"`` (one audio file) or ``"folder"`` (any number of folders).
        prompt: Text shown while nothing is chosen.
    """

    paths_dropped = QtCore.Signal(list)
    rejected = QtCore.Signal(str)

    def __init__(self, kind: str = "audio", prompt: str = "", parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        if kind not in ("audio", "folder"):
            raise ValueError(f"unknown drop zone kind {kind!r}")
        self.kind = kind
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setStyleSheet(_IDLE)
        self.setMinimumHeight(56)
        default_prompt = "Drop a speech file here (.wav, .flac, .ogg, .aiff, .mp3)" if kind == "audio" else (
            "Drop dataset folders here"
        )
        self._prompt = prompt or default_prompt
        self.label = QtWidgets.QLabel(self._prompt)
        self.label.setWordWrap(True)
        self.label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.browse_button = QtWidgets.QPushButton("Browse...")
        self.browse_button.clicked.connect(lambda *_: self.browse())
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.browse_button)
        self.start_dir = ""

    def set_current(self, path: Optional[str]) -> None:
        """Show which file is loaded (``None`` = the prompt)."""
        if path:
            self.label.setText(f"<b>{Path(path).name}</b><br><small>{Path(path).parent}</small>")
            self.label.setToolTip(path)
        else:
            self.label.setText(self._prompt)
            self.label.setToolTip("")

    def offer(self, paths: Sequence[str]) -> bool:
        """Handle paths as if dropped; return whether any were accepted."""
        accepted, rejected = split_paths(paths, self.kind)
        if rejected:
            self.rejected.emit(rejection_message(rejected, self.kind))
        if accepted:
            self.start_dir = str(Path(accepted[0]).parent)
            self.paths_dropped.emit(accepted)
        return bool(accepted)

    def browse(self) -> None:
        """Pick a file (or folder) with a dialog."""
        if self.kind == "folder":
            folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Dataset folder", self.start_dir)
            if folder:
                self.offer([folder])
            return
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Speech audio", self.start_dir, f"{AUDIO_FILTER};;All files (*)"
        )
        if path:
            self.offer([path])

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        """Accept any local files so a wrong drop can be explained instead of silently refused."""
        if local_paths(event.mimeData()):
            self.setStyleSheet(_HOVER)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QtGui.QDragMoveEvent) -> None:
        """Keep accepting while over the zone."""
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QtGui.QDragLeaveEvent) -> None:
        """Drop the hover look."""
        self.setStyleSheet(_IDLE)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        """Take the dropped files."""
        self.setStyleSheet(_IDLE)
        paths = local_paths(event.mimeData())
        if paths and self.offer(paths):
            event.acceptProposedAction()
        else:
            if not paths:
                self.rejected.emit("Nothing to use in that drop: drag files from a file browser.")
            event.ignore()
