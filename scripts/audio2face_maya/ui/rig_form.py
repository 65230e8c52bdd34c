"""The Generate tab's "Model and rig" form: model, blendShape node, output file, frame rate, start frame, keys."""

from __future__ import annotations

import logging
from typing import List, Optional, Sequence, Tuple

from audio2face_maya.host import APPLY_MODES
from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .form_rows import row
from .generate_state import FPS_CHOICES

logger = logging.getLogger(__name__)

KEY_REST_TEXT = "Also key targets the model leaves at rest"
MODE_LABELS = {"range": "Replace keys in the clip's range", "curve": "Replace whole curves"}
WIDGETS = (
    "model_combo",
    "model_browse",
    "node_combo",
    "refresh_button",
    "selection_button",
    "targets_button",
    "output_edit",
    "output_browse",
    "fps_combo",
    "fps_label",
    "start_frame",
    "mode_combo",
    "key_rest_check",
    "sound_check",
    "layer_edit",
)
"""The form's controls (the Generate tab exposes them under the same names)."""


class RigForm(QtWidgets.QWidget):
    """The controls only; the Generate tab connects them and reads them.

    Args:
        in_maya: Keys go onto a Maya rig (sound and layer rows; the scene's frame rate) rather than a file.
        can_load_targets: The host reads rig target names from a file (outside Maya).
    """

    def __init__(self, in_maya: bool, can_load_targets: bool, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.model_combo = QtWidgets.QComboBox()
        self.model_combo.setObjectName("modelPicker")
        self.model_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model_combo.setMinimumContentsLength(12)
        self.model_browse = QtWidgets.QPushButton("Add model...")
        self.model_browse.setToolTip("Any model bundle folder (holding model.onnx and model.json).")

        self.node_combo = QtWidgets.QComboBox()
        self.node_combo.setObjectName("nodePicker")
        self.node_combo.setEditable(not in_maya)
        self.node_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.node_combo.setMinimumContentsLength(10)
        self.refresh_button = QtWidgets.QPushButton("Refresh")
        self.refresh_button.setToolTip("List the scene's blendShape nodes again.")
        self.selection_button = QtWidgets.QPushButton("From selection")
        self.selection_button.setToolTip("Use the blendShape of the selected mesh (or the selected node).")
        self.refresh_button.setVisible(in_maya)
        self.selection_button.setVisible(in_maya)
        self.targets_button = QtWidgets.QPushButton("Load target names...")
        self.targets_button.setToolTip("A text file with one rig target name per line, or a curves file.")
        self.targets_button.setVisible(can_load_targets)

        self.output_edit = QtWidgets.QLineEdit()
        self.output_edit.setObjectName("outputFile")
        self.output_edit.setPlaceholderText("choose where files go: Save as...")
        self.output_edit.setToolTip("Each clip is written as <clip name>.<ext> into the output folder unless you "
                                    "name its file here. An existing file is replaced only after you agree.")
        self.output_browse = QtWidgets.QPushButton("Save as...")
        self.fps_combo = QtWidgets.QComboBox()
        self.fps_combo.setObjectName("fps")
        self.fps_combo.setEditable(True)
        self.fps_combo.addItems([f"{f:g}" for f in FPS_CHOICES])
        self.fps_combo.setToolTip("Frame rate of the written file (the scene's rate inside Maya).")
        self.fps_label = QtWidgets.QLabel()
        self.fps_label.setObjectName("sceneFps")
        self.start_frame = QtWidgets.QDoubleSpinBox()
        self.start_frame.setObjectName("startFrame")
        self.start_frame.setRange(-1e6, 1e6)
        self.start_frame.setDecimals(1)
        self.start_frame.setValue(1.0)
        self.start_frame.setKeyboardTracking(False)
        self.mode_combo = QtWidgets.QComboBox()
        for mode in APPLY_MODES:
            self.mode_combo.addItem(MODE_LABELS.get(mode, mode), mode)
        self.mode_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mode_combo.setMinimumContentsLength(12)
        self.key_rest_check = QtWidgets.QCheckBox(KEY_REST_TEXT)
        self.key_rest_check.setObjectName("keyRestTargets")
        self.key_rest_check.setToolTip(
            "Off: targets no channel drives or the model never moves keep their animation (blinks, eye darts).")
        self.sound_check = QtWidgets.QCheckBox("Put the audio on the time slider")
        self.sound_check.setChecked(True)
        self.layer_edit = QtWidgets.QLineEdit()
        self.layer_edit.setPlaceholderText("base layer")
        self.layer_edit.setToolTip("Animation layer to key on (created if missing); empty = the base layer.")

        form = QtWidgets.QFormLayout(self)
        form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Model", row(self.model_combo, self.model_browse))
        form.addRow("blendShape", self.node_combo)
        form.addRow("", row(self.refresh_button, self.selection_button, self.targets_button, stretch=None))
        if not in_maya:
            form.addRow("Output file", row(self.output_edit, self.output_browse))
            form.addRow("Frame rate", row(self.fps_combo, QtWidgets.QLabel("fps"), stretch=None))
        else:
            form.addRow("Frame rate", self.fps_label)
        form.addRow("Start frame", row(self.start_frame, stretch=None))
        form.addRow("Keys", self.mode_combo)
        form.addRow("", self.key_rest_check)
        if in_maya:
            form.addRow("Sound", self.sound_check)
            form.addRow("Layer", self.layer_edit)

    # -- filling the pickers (the Generate tab says what to list) -----------------------------------
    def set_models(self, entries: Sequence[Tuple[str, str]], select: str) -> bool:
        """List (label, bundle folder) entries ("" = the default model); whether ``select`` was among them."""
        combo = self.model_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            for label, path in entries:
                combo.addItem(label, path)
                if path:
                    combo.setItemData(combo.count() - 1, path, QtCore.Qt.ItemDataRole.ToolTipRole)
            index = combo.findData(select)
            combo.setCurrentIndex(index if index >= 0 else 0)
        finally:
            combo.blockSignals(False)
        return index >= 0

    def current_model_path(self) -> Optional[str]:
        """The selected bundle folder (``None`` = the default model)."""
        data = self.model_combo.currentData()
        return str(data) if data else None

    def set_nodes(self, nodes: List[str], selected: List[str], prefer: str = "") -> None:
        """List blendShape nodes, keeping ``prefer`` (or the current one), else the selected one, else the first."""
        combo = self.node_combo
        current = prefer or combo.currentText()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItems(nodes)
            choice = current if current in nodes or combo.isEditable() and current else ""
            choice = choice or (selected[0] if selected else (nodes[0] if nodes else ""))
            if combo.findText(choice) < 0 and choice:
                combo.addItem(choice)
            combo.setCurrentText(choice)
        finally:
            combo.blockSignals(False)

    def current_node(self) -> str:
        """The blendShape node the curves go to."""
        return self.node_combo.currentText().strip()
