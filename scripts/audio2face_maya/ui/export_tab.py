"""Export tab: a blendShape node, a frame range, the audio and a folder make one training clip."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any, Optional

from audio2face.errors import Audio2FaceError

from audio2face_maya.host import Host
from audio2face_maya.vendor.Qt import QtCore, QtGui, QtWidgets

from .drop_zone import AUDIO_FILTER, is_audio_path
from .form_rows import row
from .messages import MessageBar, guarded
from .sections import scrolling
from .settings_store import SettingsStore

logger = logging.getLogger(__name__)

_CLIP_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class ExportTab(QtWidgets.QWidget):
    """Writes a clip of a training dataset through ``host.export_dataset``.

    Signals:
        exported(str): the dataset folder written.
    """

    exported = QtCore.Signal(str)

    def __init__(self, host: Host, store: SettingsStore, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.host = host
        self.store = store
        self._build()
        self._restore()

    def _build(self) -> None:
        self.message = MessageBar()
        self.node_combo = QtWidgets.QComboBox()
        self.node_combo.setObjectName("exportNode")
        self.node_combo.setEditable(self.host.name != "maya")
        refresh = QtWidgets.QPushButton("Refresh")
        refresh.clicked.connect(lambda *_: self._safe(self.refresh_nodes))
        selection = QtWidgets.QPushButton("From selection")
        selection.clicked.connect(lambda *_: self._safe(self.use_selection))
        self.start_spin = _frame_spin("exportStart", 1.0)
        self.end_spin = _frame_spin("exportEnd", 120.0)
        playback = QtWidgets.QPushButton("Playback range")
        playback.setToolTip("Use the time slider's playback range.")
        playback.clicked.connect(lambda *_: self._safe(self.use_playback_range))
        self.audio_edit = QtWidgets.QLineEdit()
        self.audio_edit.setObjectName("exportAudio")
        self.audio_edit.setPlaceholderText("an audio file or a sound node; empty = the sound on the time slider")
        audio_browse = QtWidgets.QPushButton("Browse...")
        audio_browse.clicked.connect(lambda *_: self._browse_audio())
        self.folder_edit = QtWidgets.QLineEdit()
        self.folder_edit.setObjectName("exportFolder")
        self.folder_edit.setPlaceholderText("dataset folder (created if missing; clips are added to it)")
        folder_browse = QtWidgets.QPushButton("Browse...")
        folder_browse.clicked.connect(lambda *_: self._browse_folder())
        self.name_edit = QtWidgets.QLineEdit()
        self.name_edit.setObjectName("exportName")
        self.name_edit.setPlaceholderText("clip name, e.g. shot010 (default: the audio file's name)")

        box = QtWidgets.QGroupBox("Training data from the rig")
        form = QtWidgets.QFormLayout(box)
        form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("blendShape", self.node_combo)
        form.addRow("", row(refresh, selection, stretch=None))
        form.addRow("Frames", row(self.start_spin, QtWidgets.QLabel("to"), self.end_spin, playback, stretch=None))
        form.addRow("Audio", row(self.audio_edit, audio_browse))
        form.addRow("Dataset folder", row(self.folder_edit, folder_browse))
        form.addRow("Clip name", self.name_edit)
        self.export_button = QtWidgets.QPushButton("Export clip")
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(lambda *_: self._safe(self.export))
        help_text = QtWidgets.QLabel(
            "Each export adds one clip (the node's weights per frame and its audio) to the dataset folder. "
            "Train on the folder in the Train tab."
        )
        help_text.setWordWrap(True)
        content = QtWidgets.QWidget()
        content_layout = QtWidgets.QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(box)
        content_layout.addWidget(help_text)
        content_layout.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(scrolling(content), 1)
        layout.addWidget(row(QtWidgets.QWidget(), self.export_button))
        layout.addWidget(self.message)
        if self.host.name != "maya":
            self.message.show_message(
                "Exporting training data reads a rig's weights and needs Maya (or mayapy with the module).",
                "warning",
            )

    def _safe(self, fn: Any) -> None:
        guarded(self.message, fn)()

    def _restore(self) -> None:
        self.folder_edit.setText(self.store.get("export/folder", ""))
        self.refresh_nodes(prefer=self.store.get("export/node", ""))
        if not self.use_playback_range(quiet=True):
            self.start_spin.setValue(self.store.get("export/start", 1.0))
            self.end_spin.setValue(self.store.get("export/end", 120.0))

    def save_settings(self) -> None:
        """Remember the folder, node and range."""
        self.store.set("export/folder", self.folder_edit.text())
        self.store.set("export/node", self.node_combo.currentText())
        self.store.set("export/start", self.start_spin.value())
        self.store.set("export/end", self.end_spin.value())

    def refresh_nodes(self, prefer: str = "") -> None:
        """List the blendShape nodes again."""
        current = prefer or self.node_combo.currentText()
        nodes = list(self.host.blendshape_nodes())
        selected = list(self.host.selected_blendshape_nodes())
        self.node_combo.clear()
        self.node_combo.addItems(nodes)
        choice = current if current in nodes else (selected[0] if selected else (nodes[0] if nodes else ""))
        self.node_combo.setCurrentText(choice)

    def use_selection(self) -> str:
        """Pick the selected blendShape node."""
        selected = list(self.host.selected_blendshape_nodes())
        if not selected:
            raise Audio2FaceError("nothing selected: select a mesh that has a blendShape, or the blendShape node")
        self.refresh_nodes(prefer=selected[0])
        return selected[0]

    def use_playback_range(self, quiet: bool = False) -> bool:
        """Set the frames to the playback range; returns whether there was one."""
        frames = self.host.playback_range()
        if frames is None:
            if not quiet:
                raise Audio2FaceError("there is no scene here, so no playback range: type the frames")
            return False
        self.start_spin.setValue(float(frames[0]))
        self.end_spin.setValue(float(frames[1]))
        return True

    def _browse_audio(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Clip audio", self.audio_edit.text(),
                                                        f"{AUDIO_FILTER};;All files (*)")
        if path:
            self.audio_edit.setText(path)

    def _browse_folder(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Dataset folder", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)
            self.store.set("export/folder", folder)

    def clip_name(self) -> str:
        """The clip name typed, or the audio file's name."""
        name = self.name_edit.text().strip()
        if not name and self.audio_edit.text().strip():
            name = Path(self.audio_edit.text().strip()).stem
        return name

    def export(self, ask_folder: bool = False) -> Optional[Path]:
        """Export one clip; returns the dataset folder (``None`` when the folder dialog was dismissed)."""
        node = self.node_combo.currentText().strip()
        if not node:
            raise Audio2FaceError("choose a blendShape node first")
        start, end = self.start_spin.value(), self.end_spin.value()
        if end <= start:
            raise Audio2FaceError(f"the last frame ({end:g}) must come after the first ({start:g})")
        audio = self.audio_edit.text().strip() or None
        if audio is not None and os.path.isfile(audio) and not is_audio_path(audio):
            raise Audio2FaceError("not an audio file", audio)
        if audio is not None and not os.path.isfile(audio) and (is_audio_path(audio) or re.search(r"[\\/]", audio)):
            raise Audio2FaceError("audio file not found", audio)
        folder = self.folder_edit.text().strip()
        if not folder and ask_folder:
            self._browse_folder()
            folder = self.folder_edit.text().strip()
        if not folder:
            raise Audio2FaceError("choose the dataset folder to write into")
        name = self.clip_name() or node.split(":")[-1].split("|")[-1]
        if not _CLIP_NAME.match(name):
            raise Audio2FaceError(f"clip name {name!r} may hold only letters, digits, '_', '-' and '.'")
        self.save_settings()
        QtWidgets.QApplication.setOverrideCursor(QtGui.QCursor(QtCore.Qt.CursorShape.WaitCursor))
        try:
            written = self.host.export_dataset(node, start, end, audio, folder, name)
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        self.message.show_message(f"Clip {name!r} ({start:g}-{end:g}) written to {written}.", "info")
        self.exported.emit(str(written))
        return Path(written)

    def export_from_selection(self) -> Optional[Path]:
        """Shelf action: the selected rig over the playback range into the remembered (or asked) folder."""
        self.use_selection()
        self.use_playback_range(quiet=True)
        return self.export(ask_folder=True)


def _frame_spin(name: str, value: float) -> QtWidgets.QDoubleSpinBox:
    spin = QtWidgets.QDoubleSpinBox()
    spin.setObjectName(name)
    spin.setRange(-1e6, 1e6)
    spin.setDecimals(1)
    spin.setValue(value)
    return spin
