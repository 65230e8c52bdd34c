"""The Audio2Face panel: Generate, Train and Export tabs over one host and one settings store."""

from __future__ import annotations

import logging
from typing import Optional

from audio2face_maya.host import Host, current_host
from audio2face_maya.vendor.Qt import QtCore, QtGui, QtWidgets

from .export_tab import ExportTab
from .generate_tab import GenerateTab
from .icons import icon
from .messages import guarded
from .settings_store import SettingsStore
from .train_tab import TrainTab

logger = logging.getLogger(__name__)

PANEL_OBJECT_NAME = "audio2facePanel"
"""Fixed object name: Maya names the dock ``audio2facePanelWorkspaceControl`` after it."""
TITLE = "Audio2Face"
TABS = ("generate", "train", "export")


class Audio2FacePanel(QtWidgets.QWidget):
    """Generate / Train / Export in one widget; docked inside Maya, a plain window outside.

    Args:
        host: Where curves go (default: ``current_host()``: Maya's scene, else files).
        store: Settings (default: the per-user ``QSettings``).
        parent: Qt parent.
    """

    def __init__(
        self,
        host: Optional[Host] = None,
        store: Optional[SettingsStore] = None,
        parent: Optional[QtWidgets.QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(PANEL_OBJECT_NAME)
        self.setWindowTitle(TITLE)
        self.setWindowIcon(icon("audio2face_panel"))
        self.host = host if host is not None else current_host()
        self.store = store if store is not None else SettingsStore()
        self.generate_tab = GenerateTab(self.host, self.store)
        self.train_tab = TrainTab(self.store)
        self.export_tab = ExportTab(self.host, self.store)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(self.generate_tab, icon("audio2face_animate"), "Generate")
        self.tabs.addTab(self.train_tab, icon("audio2face_panel"), "Train")
        self.tabs.addTab(self.export_tab, icon("audio2face_export"), "Export")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)
        self.train_tab.model_trained.connect(self._model_trained)
        self.tabs.currentChanged.connect(lambda index: self.store.set("panel/tab", TABS[index]))
        self.show_tab(self.store.get("panel/tab", TABS[0]))
        self._shut_down = False

    def sizeHint(self) -> QtCore.QSize:
        """A first size that fits a 1366x768 screen; the panel works down to a 350 px wide Maya dock."""
        return QtCore.QSize(720, 680)

    def show_tab(self, name: str) -> None:
        """Bring a tab to the front: "generate", "train" or "export"."""
        if name in TABS:
            self.tabs.setCurrentIndex(TABS.index(name))

    def _model_trained(self, bundle: str) -> None:
        guarded(self.generate_tab.message, lambda: self.generate_tab.add_model(bundle))()

    def save_settings(self) -> None:
        """Write every tab's settings now."""
        self.generate_tab.save_settings()
        self.train_tab.save_settings()
        self.export_tab.save_settings()
        self.store.set("panel/geometry", bytes(self.saveGeometry().toBase64().data()).decode("ascii"))
        self.store.sync()

    def restore_geometry(self) -> None:
        """Put the desktop window back where it was."""
        text = self.store.get("panel/geometry", "")
        if text:
            self.restoreGeometry(QtCore.QByteArray.fromBase64(text.encode("ascii")))

    def shutdown(self) -> None:
        """Stop background work and save settings (idempotent)."""
        if self._shut_down:
            return
        self._shut_down = True
        self.generate_tab.shutdown()
        self.train_tab.shutdown()
        self.save_settings()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        """Save and stop before closing."""
        self.shutdown()
        super().closeEvent(event)
