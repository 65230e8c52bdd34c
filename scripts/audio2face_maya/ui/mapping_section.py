"""The Generate tab's mapping part: the table, Auto-match / Load... / Save..., and how many targets are driven."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from audio2face_maya.vendor.Qt import QtWidgets

from .form_rows import row
from .mapping_table import MappingTable
from .messages import MessageBar, guarded
from .settings_store import SettingsStore

logger = logging.getLogger(__name__)

MAPPING_FILTER = "Mapping (*.json);;All files (*)"


class MappingSection(QtWidgets.QWidget):
    """``table`` with its buttons; mapping files are read and written here (their folder is remembered)."""

    def __init__(self, store: SettingsStore, message: MessageBar, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.store = store
        self.message = message
        self.table = MappingTable()
        self.table.setMinimumHeight(120)
        self.table.mapping_changed.connect(self.update_summary)
        self.auto_button = QtWidgets.QPushButton("Auto-match")
        self.auto_button.clicked.connect(guarded(message, self.table.auto_match))
        self.load_button = QtWidgets.QPushButton("Load...")
        self.load_button.clicked.connect(guarded(message, self._load_dialog))
        self.save_button = QtWidgets.QPushButton("Save...")
        self.save_button.clicked.connect(guarded(message, self._save_dialog))
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(row(self.auto_button, self.load_button, self.save_button, stretch=None))
        layout.addWidget(self.summary)

    def buttons(self) -> list:
        """The buttons, in Tab order."""
        return [self.auto_button, self.load_button, self.save_button]

    def update_summary(self) -> None:
        """Say how many targets a channel drives."""
        unmatched = self.table.unmatched()
        total = len(self.table.targets())
        text = f"{total - len(unmatched)} of {total} targets driven"
        self.summary.setText(text + (f"; {len(unmatched)} unmatched" if unmatched else ""))

    def _load_dialog(self) -> None:
        start = self.store.get("generate/mapping_dir", "")
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load mapping", start, MAPPING_FILTER)
        if path:
            self.store.set("generate/mapping_dir", str(Path(path).parent))
            self.table.load_file(path)
            self.message.show_message(f"Mapping loaded from {Path(path).name}.", "info")

    def _save_dialog(self) -> None:
        start = self.store.get("generate/mapping_dir", "")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save mapping", start, MAPPING_FILTER)
        if path:
            if not Path(path).suffix:
                path += ".json"
            self.store.set("generate/mapping_dir", str(Path(path).parent))
            self.table.save_file(path)
            self.message.show_message(f"Mapping saved to {path}.", "info")
