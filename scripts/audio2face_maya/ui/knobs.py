"""The post-processing knobs: one widget per ``PostSettings`` field the panel exposes, plus key reduction."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Dict, List, Optional

from audio2face.post import PostSettings

from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .settings_store import SettingsStore

logger = logging.getLogger(__name__)

NEUTRAL = "neutral"

# field -> (label, minimum, maximum, step, decimals, suffix, tooltip)
_SPINS = {
    "strength": ("Strength", 0.0, 3.0, 0.05, 2, "", "Scales every weight around the rest pose."),
    "smoothing_ms": ("Smoothing", 0.0, 250.0, 5.0, 0, " ms", "Gaussian smoothing along time; 0 = off."),
    "lip_open_offset": ("Lip-open offset", -1.0, 1.0, 0.01, 2, "",
                        "Added to the jaw-open channel while the mouth moves."),
    "time_offset_ms": ("Time offset", -500.0, 500.0, 5.0, 0, " ms",
                       "+ = animation later than the audio, - = earlier (lips lead the sound)."),
}


class PostKnobs(QtWidgets.QWidget):
    """Strength, smoothing, lip-open offset, time offset, silence gate, emotion preset and key reduction.

    Signals:
        changed(): any knob moved.
    """

    changed = QtCore.Signal()

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        defaults = PostSettings()
        layout = QtWidgets.QFormLayout(self)
        layout.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.spins: Dict[str, QtWidgets.QDoubleSpinBox] = {}
        for field, (label, low, high, step, decimals, suffix, tip) in _SPINS.items():
            spin = QtWidgets.QDoubleSpinBox()
            spin.setObjectName(field)
            spin.setRange(low, high)
            spin.setSingleStep(step)
            spin.setDecimals(decimals)
            spin.setSuffix(suffix)
            spin.setValue(float(getattr(defaults, field)))
            spin.setToolTip(tip)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda *_: self.changed.emit())
            self.spins[field] = spin
            layout.addRow(label, spin)
        self.silence_gate = QtWidgets.QCheckBox("Relax the face in silences")
        self.silence_gate.setObjectName("silence_gate")
        self.silence_gate.setChecked(bool(defaults.silence_gate))
        self.silence_gate.toggled.connect(lambda *_: self.changed.emit())
        layout.addRow("Silence gate", self.silence_gate)
        self.emotion = QtWidgets.QComboBox()
        self.emotion.setObjectName("emotion")
        self.emotion.addItem(NEUTRAL)
        self.emotion.currentTextChanged.connect(lambda *_: self.changed.emit())
        layout.addRow("Emotion", self.emotion)
        self.reduce = QtWidgets.QDoubleSpinBox()
        self.reduce.setObjectName("reduce")
        self.reduce.setRange(0.0, 0.1)
        self.reduce.setDecimals(3)
        self.reduce.setSingleStep(0.001)
        self.reduce.setSpecialValueText("off (a key on every frame)")
        self.reduce.setToolTip("Key reduction tolerance in weight units: fewer keys, same motion within it.")
        self.reduce.setKeyboardTracking(False)
        self.reduce.valueChanged.connect(lambda *_: self.changed.emit())
        layout.addRow("Key reduction", self.reduce)
        self._defaults = defaults

    def set_emotion_presets(self, names: List[str]) -> None:
        """Offer ``neutral`` plus the model's presets, keeping the current choice when it still exists."""
        current = self.emotion.currentText()
        self.emotion.blockSignals(True)
        try:
            self.emotion.clear()
            self.emotion.addItem(NEUTRAL)
            self.emotion.addItems([n for n in names if n != NEUTRAL])
            index = self.emotion.findText(current)
            self.emotion.setCurrentIndex(max(index, 0))
        finally:
            self.emotion.blockSignals(False)
        if self.emotion.currentText() != current:
            self.changed.emit()

    def post_settings(self) -> PostSettings:
        """The knobs as ``PostSettings`` (fields the panel does not show keep their defaults)."""
        values: Dict[str, Any] = {field: spin.value() for field, spin in self.spins.items()}
        values["silence_gate"] = self.silence_gate.isChecked()
        return dataclasses.replace(self._defaults, **values)

    def emotion_choice(self) -> Optional[str]:
        """The preset name, or ``None`` for neutral."""
        text = self.emotion.currentText()
        return None if text in ("", NEUTRAL) else text

    def reduce_tolerance(self) -> Optional[float]:
        """Key reduction tolerance, or ``None`` for a key on every frame."""
        value = self.reduce.value()
        return value if value > 0 else None

    def save(self, store: SettingsStore, prefix: str = "generate/post/") -> None:
        """Remember the knobs."""
        for field, spin in self.spins.items():
            store.set(prefix + field, spin.value())
        store.set(prefix + "silence_gate", self.silence_gate.isChecked())
        store.set(prefix + "emotion", self.emotion.currentText())
        store.set(prefix + "reduce", self.reduce.value())

    def restore(self, store: SettingsStore, prefix: str = "generate/post/") -> None:
        """Put back remembered knobs (missing ones keep their defaults)."""
        self.blockSignals(True)
        try:
            for field, spin in self.spins.items():
                spin.setValue(store.get(prefix + field, spin.value()))
            self.silence_gate.setChecked(store.get(prefix + "silence_gate", self.silence_gate.isChecked()))
            emotion = store.get(prefix + "emotion", NEUTRAL)
            if self.emotion.findText(emotion) < 0:
                self.emotion.addItem(emotion)
            self.emotion.setCurrentText(emotion)
            self.reduce.setValue(store.get(prefix + "reduce", 0.0))
        finally:
            self.blockSignals(False)
