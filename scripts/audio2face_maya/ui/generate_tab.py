"""Generate tab: drop speech, pick model and rig, adjust the knobs, preview the curves, key the rig."""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

from audio2face import pipeline, retarget
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.formats.registry import file_filter

from audio2face_maya.host import APPLY_MODES, ApplyOptions, ApplyReport, Host
from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .curve_plot import CurvePlot
from .drop_zone import AUDIO_FILTER, DropZone
from .form_rows import row
from .knobs import PostKnobs
from .live_controls import LiveControls, LiveRequest
from .mapping_table import MappingTable
from .messages import MessageBar, guarded
from .model_catalog import ModelCatalog, ModelInfo
from .qc_view import QcView, ShotQc, measure
from .settings_store import SettingsStore
from .workers import Job

logger = logging.getLogger(__name__)

OUTPUT_FILTER = file_filter(first="ma")
MAPPING_FILTER = "Mapping (*.json);;All files (*)"
REGENERATE_DELAY_MS = 400
NO_MODEL_TEXT = "No model yet: the default model is not installed. Add a model bundle folder, or train one."
_MODE_LABELS = {"range": "Replace keys in the clip's range", "curve": "Replace whole curves"}


class GenerateTab(QtWidgets.QWidget):
    """Audio in, curves out: on the rig through ``host.apply`` (Maya) or into a file (``FileHost``).

    Attributes:
        animate_fn: The function run off the UI thread (``pipeline.animate``).

    Signals:
        curves_ready(object): new ``Curves`` are previewed (their QC report is in ``qc_view``).
        applied(object): the ``ApplyReport`` of an Apply.
        busy_changed(bool): generation started or ended.
    """

    curves_ready = QtCore.Signal(object)
    applied = QtCore.Signal(object)
    busy_changed = QtCore.Signal(bool)

    def __init__(self, host: Host, store: SettingsStore, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.host = host
        self.store = store
        self.catalog = ModelCatalog()
        self.audio_path: Optional[str] = None
        self.model_info: Optional[ModelInfo] = None
        self._curves: Optional[Curves] = None
        self._curves_key: Any = None
        self._job: Optional[Job] = None
        self._jobs: List[Job] = []
        self._apply_when_done = False
        self._mapping_dir = tempfile.TemporaryDirectory(prefix="audio2face_panel_")
        self._mapped_for: Tuple = ()
        self.animate_fn: Callable[..., Curves] = pipeline.animate
        self._restoring = True
        self._build()
        self._restore()
        self._restoring = False

    # -- construction -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.message = MessageBar()
        self.drop_zone = DropZone("audio")
        self.drop_zone.paths_dropped.connect(lambda paths: self._safe(lambda: self.load_audio(paths[0])))
        self.drop_zone.rejected.connect(lambda text: self.message.show_message(text, "error"))

        self.model_combo = QtWidgets.QComboBox()
        self.model_combo.setObjectName("modelPicker")
        self.model_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model_combo.currentIndexChanged.connect(lambda *_: self._safe(self._model_changed))
        self.model_browse = QtWidgets.QPushButton("Add model...")
        self.model_browse.setToolTip("Any model bundle folder (holding model.onnx and model.json).")
        self.model_browse.clicked.connect(lambda *_: self._safe(self._browse_model))

        self.node_combo = QtWidgets.QComboBox()
        self.node_combo.setObjectName("nodePicker")
        self.node_combo.setEditable(self.host.name != "maya")
        self.node_combo.currentTextChanged.connect(lambda *_: self._safe(self._node_changed))
        self.refresh_button = QtWidgets.QPushButton("Refresh")
        self.refresh_button.setToolTip("List the scene's blendShape nodes again.")
        self.refresh_button.clicked.connect(lambda *_: self._safe(self.refresh_nodes))
        self.selection_button = QtWidgets.QPushButton("From selection")
        self.selection_button.setToolTip("Use the blendShape of the selected mesh (or the selected node).")
        self.selection_button.clicked.connect(lambda *_: self._safe(self.use_selection))
        self.targets_button = QtWidgets.QPushButton("Load target names...")
        self.targets_button.setToolTip("A text file with one rig target name per line, or a curves file.")
        self.targets_button.clicked.connect(lambda *_: self._safe(self._browse_targets))
        self.targets_button.setVisible(hasattr(self.host, "load_targets"))

        self.output_edit = QtWidgets.QLineEdit()
        self.output_edit.setObjectName("outputFile")
        self.output_edit.setPlaceholderText("shot010.ma  (.ma, .json or .anim)")
        self.output_edit.editingFinished.connect(lambda: self.store.set("generate/output", self.output_edit.text()))
        self.output_browse = QtWidgets.QPushButton("Save as...")
        self.output_browse.clicked.connect(lambda *_: self._safe(self._browse_output))
        self.start_frame = QtWidgets.QDoubleSpinBox()
        self.start_frame.setObjectName("startFrame")
        self.start_frame.setRange(-1e6, 1e6)
        self.start_frame.setDecimals(1)
        self.start_frame.setValue(1.0)
        self.start_frame.setKeyboardTracking(False)
        self.start_frame.valueChanged.connect(lambda *_: self._settings_changed())
        self.mode_combo = QtWidgets.QComboBox()
        for mode in APPLY_MODES:
            self.mode_combo.addItem(_MODE_LABELS.get(mode, mode), mode)
        self.sound_check = QtWidgets.QCheckBox("Put the audio on the time slider")
        self.sound_check.setChecked(True)
        self.layer_edit = QtWidgets.QLineEdit()
        self.layer_edit.setPlaceholderText("base layer")
        self.layer_edit.setToolTip("Animation layer to key on (created if missing); empty = the base layer.")

        rig = QtWidgets.QGroupBox("Model and rig")
        form = QtWidgets.QFormLayout(rig)
        form.addRow("Model", row(self.model_combo, self.model_browse))
        form.addRow("blendShape", row(self.node_combo, self.refresh_button, self.selection_button,
                                       self.targets_button))
        in_maya = self.host.name == "maya"
        if not in_maya:
            form.addRow("Output file", row(self.output_edit, self.output_browse))
        form.addRow("Start frame", row(self.start_frame, self.mode_combo))
        if in_maya:
            form.addRow("Sound", self.sound_check)
            form.addRow("Layer", self.layer_edit)

        self.mapping_table = MappingTable()
        self.mapping_table.mapping_changed.connect(self._settings_changed)
        self.mapping_table.itemSelectionChanged.connect(self._highlight_selected_rows)
        auto = QtWidgets.QPushButton("Auto-match")
        auto.clicked.connect(lambda *_: self._safe(self.mapping_table.auto_match))
        load = QtWidgets.QPushButton("Load...")
        load.clicked.connect(lambda *_: self._safe(self._load_mapping))
        save = QtWidgets.QPushButton("Save...")
        save.clicked.connect(lambda *_: self._safe(self._save_mapping))
        self.unmatched_label = QtWidgets.QLabel()
        mapping_box = QtWidgets.QGroupBox("Mapping (model channel -> rig target)")
        mapping_layout = QtWidgets.QVBoxLayout(mapping_box)
        mapping_layout.addWidget(self.mapping_table)
        mapping_layout.addWidget(row(auto, load, save, self.unmatched_label, stretch=-1))

        self.knobs = PostKnobs()
        self.knobs.changed.connect(self._settings_changed)
        self.live_check = QtWidgets.QCheckBox("Update the preview as I change things")
        self.live_check.setChecked(True)
        knobs_box = QtWidgets.QGroupBox("Post-processing")
        knobs_layout = QtWidgets.QVBoxLayout(knobs_box)
        knobs_layout.addWidget(self.knobs)
        knobs_layout.addWidget(self.live_check)
        knobs_layout.addStretch(1)

        middle = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        middle.addWidget(mapping_box)
        middle.addWidget(knobs_box)
        middle.setStretchFactor(0, 3)
        middle.setStretchFactor(1, 2)

        self.plot = CurvePlot()
        self.qc_view = QcView()
        self.views = QtWidgets.QTabWidget()
        self.views.addTab(self.plot, "Curves")
        self.views.addTab(self.qc_view, "QC")
        self.qc_view.changed.connect(lambda title: self.views.setTabText(1, title))
        self.live = LiveControls(self.host, self._live_request, self.message)
        self.live.trace_changed.connect(self.plot.set_curves)
        self.live.active_changed.connect(self._live_active)
        self.live.stopped.connect(self._live_stopped)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat("idle")
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(lambda *_: self.cancel())
        self.generate_button = QtWidgets.QPushButton("Generate")
        self.generate_button.clicked.connect(lambda *_: self._safe(self.generate))
        self.apply_button = QtWidgets.QPushButton("Apply to rig" if in_maya else "Write file")
        self.apply_button.setObjectName("applyButton")
        self.apply_button.setToolTip(
            "Key the curves on the blendShape (one undo step)." if in_maya
            else "Write the curves to the output file (.ma / .json / .anim)."
        )
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(lambda *_: self._safe(self.apply))

        self._regenerate_timer = QtCore.QTimer(self)
        self._regenerate_timer.setSingleShot(True)
        self._regenerate_timer.setInterval(REGENERATE_DELAY_MS)
        self._regenerate_timer.timeout.connect(lambda: self._safe(self._regenerate_if_live))

        vertical = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        top = QtWidgets.QWidget()
        top_layout = QtWidgets.QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(rig)
        top_layout.addWidget(middle, 1)
        vertical.addWidget(top)
        vertical.addWidget(self.views)
        vertical.setStretchFactor(0, 3)
        vertical.setStretchFactor(1, 2)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.drop_zone)
        layout.addWidget(vertical, 1)
        layout.addWidget(self.live)
        layout.addWidget(row(self.progress, self.cancel_button, self.generate_button, self.apply_button))
        layout.addWidget(self.message)

    def _safe(self, fn: Any) -> None:
        guarded(self.message, fn)()

    # -- settings -----------------------------------------------------------------------------------
    def _restore(self) -> None:
        self.knobs.restore(self.store)
        self.output_edit.setText(self.store.get("generate/output", ""))
        self.start_frame.setValue(self.store.get("generate/start_frame", 1.0))
        mode = self.store.get("generate/mode", APPLY_MODES[0])
        self.mode_combo.setCurrentIndex(max(self.mode_combo.findData(mode), 0))
        self.live_check.setChecked(self.store.get("generate/live", True))
        self.sound_check.setChecked(self.store.get("generate/sound", True))
        self.layer_edit.setText(self.store.get("generate/layer", ""))
        self.drop_zone.start_dir = self.store.get("generate/audio_dir", "")
        self._populate_models(self.store.get("generate/model", ""))
        self.refresh_nodes(prefer=self.store.get("generate/node", ""))

    def save_settings(self) -> None:
        """Remember every knob and choice."""
        self.knobs.save(self.store)
        self.store.set("generate/output", self.output_edit.text())
        self.store.set("generate/start_frame", self.start_frame.value())
        self.store.set("generate/mode", self.mode_combo.currentData())
        self.store.set("generate/live", self.live_check.isChecked())
        self.store.set("generate/sound", self.sound_check.isChecked())
        self.store.set("generate/layer", self.layer_edit.text())
        self.store.set("generate/model", self.current_model_path() or "")
        self.store.set("generate/node", self.node_combo.currentText())
        self.store.set("generate/audio_dir", self.drop_zone.start_dir)

    # -- models -------------------------------------------------------------------------------------
    def _populate_models(self, select: str = "") -> None:
        self.model_combo.blockSignals(True)
        try:
            self.model_combo.clear()
            if ModelCatalog.default_available():
                self.model_combo.addItem(self.catalog.info(None).label, "")
            for path in self.store.paths("generate/models"):
                try:
                    label = self.catalog.info(path).label
                except Audio2FaceError:
                    logger.info("remembered model %s is gone", path)
                    continue
                self.model_combo.addItem(label, path)
                self.model_combo.setItemData(self.model_combo.count() - 1, path, QtCore.Qt.ItemDataRole.ToolTipRole)
            index = self.model_combo.findData(select)
            self.model_combo.setCurrentIndex(index if index >= 0 else 0)
        finally:
            self.model_combo.blockSignals(False)
        if self.model_combo.count() == 0:
            self.message.show_message(NO_MODEL_TEXT, "warning")
        elif self.message.text() == NO_MODEL_TEXT:
            self.message.clear_message()
        self._model_changed()

    def add_model(self, path: str, select: bool = True) -> None:
        """Offer a bundle folder in the picker (checked first) and remember it."""
        self.catalog.info(path)
        self.store.remember_path("generate/models", str(path))
        self._populate_models(str(path) if select else (self.current_model_path() or ""))

    def current_model_path(self) -> Optional[str]:
        """The selected bundle folder (``None`` = the default model)."""
        data = self.model_combo.currentData()
        return str(data) if data else None

    def _browse_model(self) -> None:
        start = self.store.get("generate/model_dir", "")
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Model bundle folder", start)
        if folder:
            self.store.set("generate/model_dir", str(Path(folder).parent))
            self.add_model(folder)

    def _model_changed(self) -> None:
        if self.model_combo.count() == 0:
            self.model_info = None
            self._fill_mapping()
            return
        self.model_info = self.catalog.info(self.current_model_path())
        self.knobs.set_emotion_presets(self.model_info.emotion_presets)
        self._fill_mapping()
        if not self._restoring:
            self.store.set("generate/model", self.current_model_path() or "")

    # -- rig ----------------------------------------------------------------------------------------
    def refresh_nodes(self, prefer: str = "") -> None:
        """List blendShape nodes again, keeping the current one (else the selected one)."""
        current = prefer or self.node_combo.currentText()
        nodes = list(self.host.blendshape_nodes())
        selected = list(self.host.selected_blendshape_nodes())
        self.node_combo.blockSignals(True)
        try:
            self.node_combo.clear()
            self.node_combo.addItems(nodes)
            choice = current if current in nodes or self.node_combo.isEditable() and current else ""
            choice = choice or (selected[0] if selected else (nodes[0] if nodes else ""))
            if self.node_combo.findText(choice) < 0 and choice:
                self.node_combo.addItem(choice)
            self.node_combo.setCurrentText(choice)
        finally:
            self.node_combo.blockSignals(False)
        self._node_changed()

    def use_selection(self) -> str:
        """Pick the selected blendShape node; raises ``Audio2FaceError`` when nothing suitable is selected."""
        selected = list(self.host.selected_blendshape_nodes())
        if not selected:
            raise Audio2FaceError("nothing selected: select a mesh that has a blendShape, or the blendShape node")
        self.refresh_nodes(prefer=selected[0])
        return selected[0]

    def current_node(self) -> str:
        """The blendShape node the curves go to."""
        return self.node_combo.currentText().strip()

    def _node_changed(self) -> None:
        if not self._restoring:
            self.store.set("generate/node", self.node_combo.currentText())
        self._fill_mapping()

    def _browse_targets(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Rig target names", "", "Target names (*.txt);;Curves (*.json *.ma *.anim *.csv);;All files (*)"
        )
        if path:
            self.load_target_names(path)

    def load_target_names(self, path: str) -> List[str]:
        """Outside Maya: read the rig's target names from a file (``FileHost.load_targets``)."""
        loader = getattr(self.host, "load_targets", None)
        if loader is None:
            raise Audio2FaceError("target names come from the scene here")
        names = list(loader(path))
        self._fill_mapping()
        self.message.show_message(f"{len(names)} rig targets read from {Path(path).name}.", "info")
        return names

    def rig_targets(self) -> List[str]:
        """The targets of the chosen node, or the model's channels when the rig names none."""
        node = self.current_node()
        targets = list(self.host.targets(node)) if node else []
        if not targets and self.model_info is not None:
            targets = list(self.model_info.channels)
        return targets

    def _fill_mapping(self, force: bool = False) -> None:
        """Auto-match the table for the current model and rig (kept as edited when neither changed)."""
        channels = self.model_info.channels if self.model_info else []
        targets = self.rig_targets()
        key = (tuple(channels), self.current_node(), tuple(targets))
        if key == self._mapped_for and not force:
            return
        self._mapped_for = key
        self.mapping_table.set_rows(targets, channels, retarget.auto_match(channels, targets) if channels else {})
        self._update_unmatched()

    def _update_unmatched(self) -> None:
        unmatched = self.mapping_table.unmatched()
        total = len(self.mapping_table.targets())
        text = f"{total - len(unmatched)} of {total} targets driven"
        self.unmatched_label.setText(text + (f"; {len(unmatched)} unmatched" if unmatched else ""))

    def _highlight_selected_rows(self) -> None:
        rows = sorted({index.row() for index in self.mapping_table.selectedIndexes()})
        targets = self.mapping_table.targets()
        self.plot.set_highlight([targets[r] for r in rows if r < len(targets)])

    def _load_mapping(self) -> None:
        start = self.store.get("generate/mapping_dir", "")
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load mapping", start, MAPPING_FILTER)
        if path:
            self.store.set("generate/mapping_dir", str(Path(path).parent))
            self.mapping_table.load_file(path)
            self.message.show_message(f"Mapping loaded from {Path(path).name}.", "info")

    def _save_mapping(self) -> None:
        start = self.store.get("generate/mapping_dir", "")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save mapping", start, MAPPING_FILTER)
        if path:
            if not Path(path).suffix:
                path += ".json"
            self.store.set("generate/mapping_dir", str(Path(path).parent))
            self.mapping_table.save_file(path)
            self.message.show_message(f"Mapping saved to {path}.", "info")

    # -- generation ---------------------------------------------------------------------------------
    def load_audio(self, path: str, apply_when_done: bool = False) -> None:
        """Use ``path`` as the speech clip and generate its curves (then apply them when asked)."""
        if not os.path.isfile(path):
            raise Audio2FaceError("audio file not found", path)
        self.audio_path = str(path)
        self.drop_zone.set_current(self.audio_path)
        self.drop_zone.start_dir = str(Path(path).parent)
        self.store.set("generate/audio_dir", self.drop_zone.start_dir)
        if not self.output_edit.text().strip() and self.host.name != "maya":
            self.output_edit.setText(str(Path(path).with_suffix(".ma")))
        self.generate(apply_when_done=apply_when_done)

    def animate_settings(self) -> pipeline.AnimateSettings:
        """The panel's state as ``AnimateSettings`` (the mapping table goes through a mapping file)."""
        invalid = self.mapping_table.invalid()
        if invalid:
            raise Audio2FaceError(f"fix the mapping rows marked red first: {', '.join(invalid)}")
        mapping_path = None
        if self.mapping_table.targets():
            mapping_path = os.path.join(self._mapping_dir.name, "mapping.json")
            retarget.save_mapping(mapping_path, self.mapping_table.mapping())
        return pipeline.AnimateSettings(
            model=self.current_model_path(),
            fps=self.host.scene_fps(),
            mapping=mapping_path,
            targets=None,
            emotion=self.knobs.emotion_choice(),
            start_frame=self.start_frame.value(),
            post=self.knobs.post_settings(),
            secondary=self.knobs.secondary_settings(),
            reduce=self.knobs.reduce_tolerance(),
            key_rest_targets=self.knobs.key_rest_targets(),
        )

    def _settings_key(self, settings: pipeline.AnimateSettings) -> Tuple:
        mapping = self.mapping_table.mapping() if self.mapping_table.targets() else {}
        fields = dataclasses.asdict(dataclasses.replace(settings, mapping=None))
        return (self.audio_path, repr(sorted(fields.items())), repr(sorted(mapping.items())))

    def generate(self, apply_when_done: bool = False) -> None:
        """Compute curves for the loaded audio off the UI thread (a running job is cancelled first)."""
        if not self.audio_path:
            raise Audio2FaceError("drop a speech file first (or use Browse...)")
        if self.model_combo.count() == 0:
            raise Audio2FaceError("no model to run: add a model bundle folder first")
        self._regenerate_timer.stop()
        settings = self.animate_settings()
        key = self._settings_key(settings)
        audio = self.audio_path
        animate = self.animate_fn
        self._stop_job()
        self._apply_when_done = apply_when_done

        def work(progress: Any, cancel: Any) -> Tuple[Curves, ShotQc]:
            curves = animate(audio, settings, progress=progress, cancel=cancel)
            return curves, measure(audio, curves, cancel)

        job = Job(work, name="generate", parent=self)
        job.progressed.connect(lambda done, total, j=job: self._job_progress(j, done, total))
        job.succeeded.connect(lambda result, j=job, k=key: self._job_succeeded(j, result, k))
        job.failed.connect(lambda text, j=job: self._job_failed(j, text))
        job.cancelled.connect(lambda j=job: self._job_cancelled(j))
        job.finished.connect(lambda j=job: self._job_finished(j))
        self._job = job
        self._jobs.append(job)
        self._set_busy(True)
        self.progress.setValue(0)
        self.progress.setFormat(f"Generating {Path(audio).name}... %p%")
        self.message.clear_message()
        job.start()

    def job(self) -> Optional[Job]:
        """The generation running now, if any."""
        return self._job

    def cancel(self) -> None:
        """Stop the running generation; nothing is keyed or written."""
        self._apply_when_done = False
        if self._job is not None:
            self._job.cancel()
            self.progress.setFormat("Cancelling...")

    def _stop_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None
            self._set_busy(False)

    def _end_job(self, job: Job) -> bool:
        """Whether ``job`` is the current one; if so it stops being current."""
        if job is not self._job:
            return False
        self._job = None
        self._set_busy(False)
        return True

    def _set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        self.busy_changed.emit(busy)

    def _job_progress(self, job: Job, done: int, total: int) -> None:
        if job is self._job and total > 0:
            self.progress.setValue(int(1000 * min(done, total) / total))

    def _job_succeeded(self, job: Job, result: Tuple[Curves, ShotQc], key: Tuple) -> None:
        if not self._end_job(job):
            return
        curves, qc = result
        self._curves = curves
        self._curves_key = key
        if not self.live.active:
            self.plot.set_curves(curves)
        self.qc_view.set_qc(qc)
        self.apply_button.setEnabled(not self.live.active)
        self.progress.setValue(1000)
        self.progress.setFormat("Preview ready")
        unmatched = list(curves.unmatched)
        text = (f"{curves.frame_count} frames at {curves.fps:g} fps "
                f"({curves.frame_count / curves.fps:.2f} s) on {len(curves.names)} targets.")
        if unmatched:
            text += f" Not driven: {', '.join(unmatched[:6])}{' ...' if len(unmatched) > 6 else ''}."
        self.message.show_message(text, "warning" if unmatched else "info")
        self.curves_ready.emit(curves)
        if self._apply_when_done:
            self._apply_when_done = False
            self._safe(self.apply)

    def _job_failed(self, job: Job, text: str) -> None:
        if not self._end_job(job):
            return
        self._apply_when_done = False
        self.progress.setValue(0)
        self.progress.setFormat("Failed")
        self.message.show_message(text, "error")

    def _job_cancelled(self, job: Job) -> None:
        if not self._end_job(job):
            return
        self.progress.setValue(0)
        self.progress.setFormat("Cancelled")
        self.message.show_message("Cancelled: nothing was keyed or written.", "info")

    def _job_finished(self, job: Job) -> None:
        self._end_job(job)
        if job in self._jobs:
            self._jobs.remove(job)
        job.deleteLater()

    def _settings_changed(self) -> None:
        self._update_unmatched()
        if self._restoring:
            return
        self.knobs.save(self.store)
        if self.audio_path and self.live_check.isChecked():
            self._regenerate_timer.start()

    def _regenerate_if_live(self) -> None:
        if self.audio_path and self.live_check.isChecked() and not self.mapping_table.invalid():
            self.generate()

    # -- applying -----------------------------------------------------------------------------------
    def curves(self) -> Optional[Curves]:
        """The previewed curves."""
        return self._curves

    def is_stale(self) -> bool:
        """Whether the knobs, mapping or audio changed since the preview was made."""
        if self._curves is None:
            return True
        return self._settings_key(self.animate_settings()) != self._curves_key

    def apply_options(self) -> ApplyOptions:
        """How ``apply`` puts the curves on the rig (or into the file)."""
        in_maya = self.host.name == "maya"
        output = self.output_edit.text().strip() or None
        return ApplyOptions(
            mode=str(self.mode_combo.currentData() or APPLY_MODES[0]),
            sound=self.audio_path if in_maya and self.sound_check.isChecked() else None,
            layer=(self.layer_edit.text().strip() or None) if in_maya else None,
            output=None if in_maya else output,
        )

    def apply(self) -> Optional[ApplyReport]:
        """Key the previewed curves (one undo step in Maya) or write them to the output file.

        Targets the mapping leaves undriven are not keyed, so their existing animation stays. When the
        preview is out of date it is generated again first and applied when ready.
        """
        if self._job is not None:
            self._apply_when_done = True
            self.message.show_message("Still generating: the curves are applied when ready.", "info")
            return None
        if self._curves is None or self.is_stale():
            self.generate(apply_when_done=True)
            return None
        node = self.current_node()
        if not node:
            raise Audio2FaceError("choose a blendShape node first")
        options = self.apply_options()
        if self.host.name != "maya" and not options.output:
            self._browse_output()
            options = self.apply_options()
            if not options.output:
                return None
        curves, unmatched = driven_curves(self._curves)
        report = self.host.apply(curves, node, options)
        report.unmatched = list(dict.fromkeys(list(report.unmatched) + unmatched))
        text = report.summary()
        if report.notes:
            text += "\n" + "\n".join(report.notes)
        self.message.show_message(text, "warning" if report.skipped else "info")
        self.save_settings()
        self.applied.emit(report)
        return report

    # -- live ---------------------------------------------------------------------------------------
    def _live_request(self) -> LiveRequest:
        """What Live drives and how a recorded take is keyed: the Generate settings and Apply options."""
        node = self.current_node()
        if not node:
            raise Audio2FaceError("choose a blendShape node first")
        options = self.apply_options()
        if self.live.input_combo.currentData() != "file":
            options = dataclasses.replace(options, sound=None)
        return LiveRequest(node, self.animate_settings(), options, self.audio_path)

    def _live_active(self, active: bool) -> None:
        for widget in (self.node_combo, self.model_combo, self.model_browse, self.refresh_button,
                       self.selection_button):
            widget.setEnabled(not active)
        self.apply_button.setEnabled(not active and self._curves is not None)

    def _live_stopped(self, preview: Any) -> None:
        if preview.report is None:
            self.plot.set_curves(self._curves)

    def _browse_output(self) -> None:
        start = self.output_edit.text() or (str(Path(self.audio_path).with_suffix(".ma")) if self.audio_path else "")
        path, chosen = QtWidgets.QFileDialog.getSaveFileName(self, "Write curves to", start, OUTPUT_FILTER)
        if path:
            if not Path(path).suffix:
                path += ".json" if "json" in chosen else ".anim" if "anim" in chosen else ".ma"
            self.output_edit.setText(path)
            self.store.set("generate/output", path)

    def animate_selection_from_file(self, path: Optional[str] = None) -> None:
        """Shelf action: key the selected rig from an audio file chosen in a dialog."""
        self.use_selection()
        if path is None:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(
                self, "Speech audio", self.drop_zone.start_dir, f"{AUDIO_FILTER};;All files (*)"
            )
            if not path:
                return
        self.load_audio(path, apply_when_done=True)

    def showEvent(self, event: Any) -> None:
        """Catch up with the scene (new blendShape nodes) whenever the tab comes into view."""
        super().showEvent(event)
        if self.host.name == "maya":
            self._safe(self.refresh_nodes)

    def closeEvent(self, event: Any) -> None:
        """A tab shown on its own (tests, embedding) stops its work when closed."""
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Stop background work (the panel is closing)."""
        self.live.shutdown(wait_ms)
        self._regenerate_timer.stop()
        self._stop_job()
        for job in list(self._jobs):
            job.wait(wait_ms)
        self.save_settings()



def driven_curves(curves: Curves) -> Tuple[Curves, List[str]]:
    """``curves`` without the targets no model channel drives, and those targets' names."""
    unmatched = [n for n in curves.unmatched if n in curves.names]
    if not unmatched:
        return curves, []
    keep = [n for n in curves.names if n not in unmatched]
    if not keep:
        raise Audio2FaceError("no rig target is driven by a model channel: check the mapping")
    selected = curves.select(keep)
    if curves.keys:
        selected = dataclasses.replace(selected, keys={n: k for n, k in curves.keys.items() if n in keep})
    return selected, unmatched
