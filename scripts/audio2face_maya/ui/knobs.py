"""The panel's knobs: one widget per knob of the settings schema on the ``panel`` surface.

Built from ``audio2face.settings_io.knobs_on("panel")``: numbers become spin boxes with the knob's range,
unit, step and tooltip; switches become check boxes; text (a node name) a line edit; the emotion a list of
the model's presets. A knob
added to the schema shows up here without touching this file.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Dict, List, Optional

from audio2face.post import PostSettings
from audio2face.secondary import SecondarySettings
from audio2face.settings_io import FlatKnob, knobs_on

from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .settings_store import SettingsStore

logger = logging.getLogger(__name__)

NEUTRAL = "neutral"


def _spin(entry: FlatKnob) -> QtWidgets.QDoubleSpinBox:
    knob, panel = entry.knob, entry.knob.panel
    assert panel is not None
    spin = QtWidgets.QDoubleSpinBox()
    low = knob.minimum if knob.minimum is not None else -1e9
    spin.setRange(low, knob.maximum if knob.maximum is not None else 1e9)
    spin.setSingleStep(panel.step)
    spin.setDecimals(0 if knob.kind == "int" else panel.decimals)
    if knob.unit:
        spin.setSuffix(f" {knob.unit}")
    if panel.off_text:
        spin.setSpecialValueText(panel.off_text)
    default = entry.default
    spin.setValue(float(default) if default is not None else low)
    spin.setKeyboardTracking(False)
    return spin


class PostKnobs(QtWidgets.QWidget):
    """Every panel knob of the schema (post-processing, emotion, key reduction, keying of rest targets).

    Attributes:
        spins: Number knobs by name (``reduce`` is among them as ``self.reduce`` too).
        checks: Switches by name (``silence_gate`` is ``self.silence_gate`` too).
        emotion: The emotion preset list.

    Signals:
        changed(): any knob moved.
    """

    changed = QtCore.Signal()

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QFormLayout(self)
        layout.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # in a narrow dock a label goes above its field instead of pushing the panel wider
        layout.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        self.entries: Dict[str, FlatKnob] = {}
        self.spins: Dict[str, QtWidgets.QDoubleSpinBox] = {}
        self.checks: Dict[str, QtWidgets.QCheckBox] = {}
        self.texts: Dict[str, QtWidgets.QLineEdit] = {}
        self.emotion = QtWidgets.QComboBox()
        order = {"post": 0, "animate": 1, "secondary": 2}  # post-processing first, secondary motion last
        for entry in sorted(knobs_on("panel"), key=lambda e: order[e.owner]):
            knob = entry.knob
            self.entries[entry.name] = entry
            widget: QtWidgets.QWidget
            if knob.kind in ("float", "int"):
                spin = _spin(entry)
                spin.valueChanged.connect(lambda *_: self.changed.emit())
                self.spins[entry.name] = widget = spin
            elif knob.kind == "bool":
                check = QtWidgets.QCheckBox()  # the row's label names it; what it does is the tooltip (narrow docks)
                check.setAccessibleName(knob.label)
                check.setChecked(bool(entry.default))
                check.toggled.connect(lambda *_: self.changed.emit())
                self.checks[entry.name] = widget = check
            elif knob.kind == "text":
                line = QtWidgets.QLineEdit(entry.default or "")
                line.setPlaceholderText("off" if knob.optional else "")
                line.editingFinished.connect(self.changed.emit)
                self.texts[entry.name] = widget = line
            elif knob.kind == "emotion":
                self.emotion.addItem(NEUTRAL)
                self.emotion.currentTextChanged.connect(lambda *_: self.changed.emit())
                widget = self.emotion
            else:
                raise TypeError(f"no panel widget for {entry.name} ({knob.kind})")
            widget.setObjectName(entry.name)
            span = f" ({knob.range_text()})" if knob.range_text() else ""
            widget.setToolTip(f"{knob.help[:1].upper()}{knob.help[1:]}{span}. Setting: {entry.name}.")
            layout.addRow(knob.label, widget)
        self.silence_gate = self.checks["silence_gate"]
        self.reduce = self.spins["reduce"]

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

    def values(self) -> Dict[str, Any]:
        """Every knob's value by its flat name (``animate_settings_from_dict`` takes them as they are)."""
        out: Dict[str, Any] = {}
        for name, spin in self.spins.items():
            entry = self.entries[name]
            value: Any = spin.value()
            if entry.knob.panel and entry.knob.panel.off_text and value <= spin.minimum():
                value = None
            elif entry.knob.kind == "int":
                value = int(round(value))
            out[name] = value
        out.update({name: check.isChecked() for name, check in self.checks.items()})
        out.update({name: line.text().strip() or None for name, line in self.texts.items()})
        if "emotion" in self.entries:
            out["emotion"] = self.emotion_choice()
        return out

    def post_settings(self) -> PostSettings:
        """The post-processing knobs as ``PostSettings`` (fields the panel does not show keep their defaults)."""
        values = {k: v for k, v in self.values().items() if self.entries[k].owner == "post"}
        return dataclasses.replace(PostSettings(), **values)

    def secondary_settings(self) -> SecondarySettings:
        """Blinks, eye darts, brows and head motion as ``SecondarySettings``."""
        values = {k: v for k, v in self.values().items() if self.entries[k].owner == "secondary"}
        return dataclasses.replace(SecondarySettings(), **values)

    def emotion_choice(self) -> Optional[str]:
        """The preset name, or ``None`` for neutral."""
        text = self.emotion.currentText()
        return None if text in ("", NEUTRAL) else text

    def reduce_tolerance(self) -> Optional[float]:
        """Key reduction tolerance, or ``None`` for a key on every frame."""
        return self.values()["reduce"]

    def save(self, store: SettingsStore, prefix: str = "generate/post/") -> None:
        """Remember the knobs."""
        for field, spin in self.spins.items():
            store.set(prefix + field, spin.value())
        for field, check in self.checks.items():
            store.set(prefix + field, check.isChecked())
        for field, line in self.texts.items():
            store.set(prefix + field, line.text())
        store.set(prefix + "emotion", self.emotion.currentText())

    def restore(self, store: SettingsStore, prefix: str = "generate/post/") -> None:
        """Put back remembered knobs (missing ones keep their defaults)."""
        self.blockSignals(True)
        try:
            for field, spin in self.spins.items():
                spin.setValue(store.get(prefix + field, spin.value()))
            for field, check in self.checks.items():
                check.setChecked(store.get(prefix + field, check.isChecked()))
            for field, line in self.texts.items():
                line.setText(str(store.get(prefix + field, line.text()) or ""))
            emotion = store.get(prefix + "emotion", NEUTRAL)
            if self.emotion.findText(emotion) < 0:
                self.emotion.addItem(emotion)
            self.emotion.setCurrentText(emotion)
        finally:
            self.blockSignals(False)
