"""The Generate tab's post-processing part: the knobs, live update, and Save / Load settings buttons."""

from __future__ import annotations

import dataclasses
import logging
from typing import List, Optional

from audio2face.errors import Audio2FaceError
from audio2face.pipeline import AnimateSettings
from audio2face.post import PostSettings
from audio2face.settings_io import knob_holder

from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .form_rows import row
from .knobs import NEUTRAL, PostKnobs

logger = logging.getLogger(__name__)


class PostSection(QtWidgets.QWidget):
    """``knobs`` (the schema's knobs), ``live_check`` and the settings-file buttons."""

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.knobs = PostKnobs()
        self.live_check = QtWidgets.QCheckBox("Update the preview as I change things")
        self.live_check.setChecked(True)
        self.save_button = QtWidgets.QPushButton("Save settings...")
        self.save_button.setToolTip(
            "Model, frame rate, mapping (with gains and offsets), emotion, post-processing and key reduction in "
            "one JSON file of the setting names batch jobs use (audio2face.settings_io).")
        self.load_button = QtWidgets.QPushButton("Load settings...")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.knobs)
        layout.addWidget(self.live_check)
        layout.addWidget(row(self.save_button, self.load_button, stretch=None))
        layout.addStretch(1)
        self._base: Optional[PostSettings] = None

    def focus_chain(self) -> List[QtWidgets.QWidget]:
        """Widgets that take keyboard focus, in order."""
        knobs = [w for w in self.knobs.findChildren(QtWidgets.QWidget)
                 if w.focusPolicy() != QtCore.Qt.FocusPolicy.NoFocus and w.parent() is self.knobs]
        return knobs + [self.live_check, self.save_button, self.load_button]

    def post(self) -> PostSettings:
        """The knobs' ``PostSettings``; fields the knobs do not show come from a loaded settings file."""
        post = self.knobs.post_settings()
        if self._base is None:
            return post
        shown = [name for name, entry in self.knobs.entries.items() if entry.owner == "post"]
        return dataclasses.replace(self._base, **{name: getattr(post, name) for name in shown})

    def show_settings(self, settings: AnimateSettings, where: str) -> None:
        """Put a settings file's post-processing, emotion and key reduction into the knobs (no signal)."""
        post = settings.post
        emotion = settings.emotion if isinstance(settings.emotion, str) else NEUTRAL
        if self.knobs.emotion.findText(emotion) < 0:
            raise Audio2FaceError(f"this model has no emotion preset {emotion!r}", where)
        self.knobs.blockSignals(True)
        try:
            for name, spin in self.knobs.spins.items():
                value = getattr(knob_holder(settings, name), name)
                spin.setValue(spin.minimum() if value is None else float(value))
            for name, check in self.knobs.checks.items():
                check.setChecked(bool(getattr(knob_holder(settings, name), name)))
            for name, line in self.knobs.texts.items():
                line.setText(getattr(knob_holder(settings, name), name) or "")
            self.knobs.emotion.setCurrentText(emotion)
        finally:
            self.knobs.blockSignals(False)
        self._base = post
