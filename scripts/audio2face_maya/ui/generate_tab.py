"""Generate tab: drop speech, pick model and rig, adjust the knobs, preview the curves, key the rig.

The view only: what the choices mean (settings, the cached prediction, staleness, output names, apply) is in
``generate_state.GenerateState``, which has no Qt.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from audio2face import retarget
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.formats.registry import file_filter, format_for_filter

from audio2face_maya.host import APPLY_MODES, ApplyOptions, ApplyReport, Host
from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .drop_zone import AUDIO_FILTER, DropZone
from .form_rows import row
from .generate_state import (
    ClipBatch,
    GenerateState,
    Inputs,
    Result,
    plan_batch,
    read_settings_file,
    rest_targets,
    write_settings_file,
)
from .live_controls import LiveControls, LiveRequest
from .mapping_section import MappingSection
from .messages import MessageBar, MessageLog, guarded
from .model_catalog import ModelCatalog, ModelInfo
from .post_section import PostSection
from .preview_pane import PreviewPane
from .qc_view import measure
from .rig_form import WIDGETS as RIG_WIDGETS
from .rig_form import RigForm
from .sections import Section, StackWhenNarrow, scrolling
from .settings_store import SettingsStore
from .transcript_box import GUIDE_ON_STRENGTH, TranscriptBox
from .workers import Job

logger = logging.getLogger(__name__)

OUTPUT_FILTER = file_filter(first="ma")
SETTINGS_FILTER = "Settings (*.json);;All files (*)"
REGENERATE_DELAY_MS = 400
NO_MODEL_TEXT = "No model yet: the default model is not installed. Add a model bundle folder, or train one."


class GenerateTab(QtWidgets.QWidget):
    """Audio in, curves out: on the rig through ``host.apply`` (Maya) or into a file (``FileHost``).

    Attributes:
        state: The Qt-free ``GenerateState`` (its ``predict_fn``/``finish_fn`` run off the UI thread).
        clips: The clips of the last drop (a drop of several files is a batch).

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
        self.state = GenerateState(qc_fn=measure)
        self.audio_path: Optional[str] = None
        self.clips: List[str] = []
        self.model_info: Optional[ModelInfo] = None
        self._job: Optional[Job] = None
        self._jobs: List[Job] = []
        self._apply_when_done = False
        self._batch: Optional[ClipBatch] = None
        self._mapped_for: tuple = ()
        self._transcripts: Dict[str, str] = {}
        self._restoring = True
        self._build()
        self._restore()
        self._restoring = False
        self._refresh_preview_state()

    @property
    def in_maya(self) -> bool:
        """Whether the curves go onto a Maya rig (else into files)."""
        return self.host.name == "maya"

    # -- construction -----------------------------------------------------------------------------
    def _build(self) -> None:
        in_maya = self.in_maya
        self.message = MessageBar()
        self.drop_zone = DropZone("audio")
        self.drop_zone.paths_dropped.connect(lambda paths: self._safe(lambda: self.load_clips(paths)))
        self.drop_zone.rejected.connect(lambda text: self.message.show_message(text, "error"))
        self.clip_combo = QtWidgets.QComboBox()
        self.clip_combo.setObjectName("clipPicker")
        self.clip_combo.setToolTip("The clips of the last drop: pick one to preview it.")
        self.clip_combo.activated.connect(lambda index: self._safe(lambda: self._clip_picked(index)))
        self.write_all_button = QtWidgets.QPushButton("Write all")
        self.write_all_button.setToolTip("Generate every clip of the batch and write each into the output folder.")
        self.write_all_button.clicked.connect(lambda *_: self._safe(self.write_all))
        self.write_all_button.setVisible(not in_maya)
        self.clip_row = row(QtWidgets.QLabel("Clip"), self.clip_combo, self.write_all_button, stretch=1)
        self.clip_row.setVisible(False)

        self.rig_form = RigForm(in_maya, hasattr(self.host, "load_targets"))
        rig = self.rig_form
        for name in RIG_WIDGETS:
            setattr(self, name, getattr(rig, name))
        self.model_combo.currentIndexChanged.connect(lambda *_: self._safe(self._model_changed))
        self.model_browse.clicked.connect(lambda *_: self._safe(self._browse_model))
        self.node_combo.currentTextChanged.connect(lambda *_: self._safe(self._node_changed))
        self.refresh_button.clicked.connect(lambda *_: self._safe(self.refresh_nodes))
        self.selection_button.clicked.connect(lambda *_: self._safe(self.use_selection))
        self.targets_button.clicked.connect(lambda *_: self._safe(self._browse_targets))
        self.output_edit.textEdited.connect(lambda text: self._safe(lambda: self._output_typed(text)))
        self.output_browse.clicked.connect(lambda *_: self._safe(self._browse_output))
        self.fps_combo.currentTextChanged.connect(lambda *_: self._inputs_changed())
        self.start_frame.valueChanged.connect(lambda *_: self._inputs_changed())
        self.key_rest_check.toggled.connect(lambda *_: self._inputs_changed())

        self.mapping_section = MappingSection(self.store, self.message)
        self.mapping_table = self.mapping_section.table
        self.mapping_table.mapping_changed.connect(self._inputs_changed)
        self.mapping_table.itemSelectionChanged.connect(self._highlight_selected_rows)

        self.transcript_box = TranscriptBox()
        self.transcript_box.changed.connect(self._transcript_changed)
        self.transcript_box.guide_requested.connect(self._turn_guide_on)
        self.transcript_box.failed.connect(lambda text: self.message.show_message(text, "error"))

        self.post_section = PostSection()
        self.knobs, self.live_check = self.post_section.knobs, self.post_section.live_check
        self.save_settings_button = self.post_section.save_button
        self.load_settings_button = self.post_section.load_button
        self.knobs.changed.connect(self._show_guide_state)
        self.knobs.changed.connect(self._inputs_changed)
        self.save_settings_button.clicked.connect(lambda *_: self._safe(self._save_settings_dialog))
        self.load_settings_button.clicked.connect(lambda *_: self._safe(self._load_settings_dialog))

        self.preview = PreviewPane(self.in_maya)
        self.preview.qc_changed.connect(self._refresh_preview_state)
        self.plot, self.qc_view, self.views = self.preview.plot, self.preview.qc_view, self.preview.views
        self.playback = self.preview.playback

        self.live = LiveControls(self.host, self._live_request, self.message)
        self.live.setTitle("")  # the section header says "Live"
        self.live.trace_changed.connect(self.plot.set_curves)
        self.live.active_changed.connect(self._live_active)
        self.live.stopped.connect(self._live_stopped)
        self.log_view = MessageLog(self.message)

        self.sections = {
            "rig": Section("Model and rig", self.rig_form),
            "transcript": Section("Transcript (for the phone guide)", self.transcript_box),
            "mapping": Section("Mapping (model channel -> rig target)", self.mapping_section),
            "post": Section("Post-processing", self.post_section),
            "preview": Section("Preview", self.preview),
            "live": Section("Live", self.live, expanded=in_maya),
            "log": Section("Messages", self.log_view, expanded=False),
        }
        self.middle = StackWhenNarrow(self.sections["mapping"], self.sections["post"])
        content = QtWidgets.QWidget()
        content_layout = QtWidgets.QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 4, 0)
        content_layout.addWidget(self.sections["rig"])
        content_layout.addWidget(self.sections["transcript"])
        content_layout.addWidget(self.middle, 2)
        content_layout.addWidget(self.sections["live"])
        content_layout.addWidget(self.sections["log"])
        content_layout.addStretch(0)
        self.scroll = scrolling(content)
        self.scroll.setObjectName("generateScroll")
        # The settings scroll; the preview stays in view below them (drag the handle to share the height).
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.splitter.addWidget(self.scroll)
        self.splitter.addWidget(self.sections["preview"])
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.sections["preview"].toggled.connect(self._preview_folded)

        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat("idle")
        self.progress.setMinimumWidth(60)
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

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.drop_zone)
        layout.addWidget(self.clip_row)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message)  # above the buttons, so they never move when a message comes or goes
        layout.addWidget(row(self.progress, self.cancel_button, self.generate_button, self.apply_button))
        self._set_tab_order()

    def _preview_folded(self, expanded: bool) -> None:
        """A folded preview gives its height to the settings (and takes it back when unfolded)."""
        total = sum(self.splitter.sizes()) or self.height()
        header = self.sections["preview"].header.sizeHint().height()
        self.splitter.setSizes([total * 3 // 5, total * 2 // 5] if expanded else [total - header, header])

    def _set_tab_order(self) -> None:
        """Tab follows the page from top to bottom, then the action buttons."""
        chain = [self.drop_zone.browse_button, self.clip_combo, self.write_all_button,
                 self.sections["rig"].header, self.model_combo, self.model_browse, self.node_combo,
                 self.refresh_button, self.selection_button, self.targets_button, self.output_edit,
                 self.output_browse, self.fps_combo, self.start_frame, self.mode_combo, self.key_rest_check,
                 self.sound_check, self.layer_edit, self.sections["transcript"].header]
        chain += self.transcript_box.focus_chain() + [self.sections["mapping"].header, self.mapping_table]
        chain += self.mapping_section.buttons()
        chain += [self.sections["post"].header]
        chain += self.post_section.focus_chain() + [self.sections["preview"].header]
        chain += self.preview.focus_chain()
        chain += [self.sections["live"].header]
        chain += [w for w in self.live.findChildren(QtWidgets.QWidget)
                  if w.focusPolicy() != QtCore.Qt.FocusPolicy.NoFocus and isinstance(
                      w, (QtWidgets.QAbstractButton, QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox))]
        chain += [self.sections["log"].header, self.log_view, self.cancel_button, self.generate_button,
                  self.apply_button]
        chain = [w for w in chain if self.isAncestorOf(w)]
        for first, second in zip(chain, chain[1:]):
            QtWidgets.QWidget.setTabOrder(first, second)

    def _safe(self, fn: Any) -> None:
        guarded(self.message, fn)()

    # -- settings -----------------------------------------------------------------------------------
    def _restore(self) -> None:
        self.knobs.restore(self.store)
        self.state.output_dir = self.store.get("generate/output_dir", "")
        self.state.output_extension = self.store.get("generate/output_ext", ".ma")
        self.fps_combo.setCurrentText(self.store.get("generate/fps", "30"))
        self.start_frame.setValue(self.store.get("generate/start_frame", 1.0))
        mode = self.store.get("generate/mode", APPLY_MODES[0])
        self.mode_combo.setCurrentIndex(max(self.mode_combo.findData(mode), 0))
        self.key_rest_check.setChecked(self.store.get("generate/key_rest_targets", False))
        self.live_check.setChecked(self.store.get("generate/live", True))
        self.live.latency_spin.setValue(int(self.store.get("generate/live_latency_ms", 0) or 0))
        self.transcript_box.start_dir = self.store.get("generate/transcript_dir", "")
        self._show_guide_state()
        self.sound_check.setChecked(self.store.get("generate/sound", True))
        self.layer_edit.setText(self.store.get("generate/layer", ""))
        self.drop_zone.start_dir = self.store.get("generate/audio_dir", "")
        for name, section in self.sections.items():
            section.set_expanded(self.store.get(f"generate/section/{name}", section.is_expanded()))
        self._populate_models(self.store.get("generate/model", ""))
        self.refresh_nodes(prefer=self.store.get("generate/node", ""))
        self._show_output()

    def save_settings(self) -> None:
        """Remember every knob and choice."""
        self.knobs.save(self.store)
        self.store.set("generate/output_dir", self.state.output_dir)
        self.store.set("generate/output_ext", self.state.output_extension)
        self.store.set("generate/fps", self.fps_combo.currentText())
        self.store.set("generate/start_frame", self.start_frame.value())
        self.store.set("generate/mode", self.mode_combo.currentData())
        self.store.set("generate/key_rest_targets", self.key_rest_check.isChecked())
        self.store.set("generate/live", self.live_check.isChecked())
        self.store.set("generate/live_latency_ms", self.live.latency_spin.value())
        self.store.set("generate/transcript_dir", self.transcript_box.start_dir)
        self.store.set("generate/sound", self.sound_check.isChecked())
        self.store.set("generate/layer", self.layer_edit.text())
        self.store.set("generate/model", self.current_model_path() or "")
        self.store.set("generate/node", self.node_combo.currentText())
        self.store.set("generate/audio_dir", self.drop_zone.start_dir)
        for name, section in self.sections.items():
            self.store.set(f"generate/section/{name}", section.is_expanded())

    # -- models -------------------------------------------------------------------------------------
    def _populate_models(self, select: str = "") -> None:
        entries = [(self.catalog.info(None).label, "")] if ModelCatalog.default_available() else []
        for path in self.store.paths("generate/models"):
            try:
                entries.append((self.catalog.info(path).label, path))
            except Audio2FaceError:
                logger.info("remembered model %s is gone", path)
        found = self.rig_form.set_models(entries, select)
        if not entries:
            self.message.show_message(NO_MODEL_TEXT, "warning")
        elif self.message.text() == NO_MODEL_TEXT:
            self.message.clear_message()
        if select and not found and entries:
            self.message.show_message(
                f"The model used last time is gone ({select}); using {self.model_combo.currentText()} instead.",
                "warning")
        self._model_changed()

    def add_model(self, path: str, select: bool = True) -> None:
        """Offer a bundle folder in the picker (checked first) and remember it."""
        self.catalog.info(path)
        self.store.remember_path("generate/models", str(path))
        self._populate_models(str(path) if select else (self.current_model_path() or ""))

    def current_model_path(self) -> Optional[str]:
        """The selected bundle folder (``None`` = the default model)."""
        return self.rig_form.current_model_path()

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
        self.live.set_chosen_model(self.current_model_path())
        self.model_info = self.catalog.info(self.current_model_path())
        self.knobs.set_emotion_presets(self.model_info.emotion_presets)
        self.state.forget_prediction()
        self._fill_mapping()
        if not self._restoring:
            self.store.set("generate/model", self.current_model_path() or "")

    # -- rig ----------------------------------------------------------------------------------------
    def refresh_nodes(self, prefer: str = "") -> None:
        """List blendShape nodes again, keeping the current one (else the selected one)."""
        self.rig_form.set_nodes(list(self.host.blendshape_nodes()), list(self.host.selected_blendshape_nodes()),
                                prefer)
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
        return self.rig_form.current_node()

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

    def _highlight_selected_rows(self) -> None:
        rows = sorted({index.row() for index in self.mapping_table.selectedIndexes()})
        targets = self.mapping_table.targets()
        self.plot.set_highlight([targets[r] for r in rows if r < len(targets)])

    # -- clips and output ---------------------------------------------------------------------------
    def load_clips(self, paths: List[str]) -> None:
        """A drop: one file is previewed; several become a batch (the first is previewed, Write all does all)."""
        paths = [str(p) for p in paths]
        self.clips = paths
        self.clip_combo.clear()
        for index, path in enumerate(paths):
            self.clip_combo.addItem(f"{index + 1}/{len(paths)}  {Path(path).name}", path)
        self.clip_row.setVisible(len(paths) > 1)
        if len(paths) > 1:
            what = "pick one under Clip to preview it, or Write all" if not self.in_maya else (
                "pick one under Clip to preview and apply it")
            self.message.show_message(f"{len(paths)} files dropped: a batch of {len(paths)} clips; {what}.", "info")
        self.load_audio(paths[0], keep_message=len(paths) > 1)

    def _clip_picked(self, index: int) -> None:
        path = self.clip_combo.itemData(index)
        if path and path != self.audio_path:
            self.load_audio(str(path))

    def load_audio(self, path: str, apply_when_done: bool = False, keep_message: bool = False) -> None:
        """Use ``path`` as the speech clip and generate its curves (then apply them when asked)."""
        if not os.path.isfile(path):
            raise Audio2FaceError("audio file not found", path)
        previous = self.audio_path
        self.audio_path = str(path)
        self.state.new_clip(self.audio_path)
        if previous != self.audio_path:
            self._show_transcript_of(self.audio_path, previous)
        if self.state.curves is not None and previous != self.audio_path:
            self.state.mark_stale(f"these curves are of {Path(previous or '').name}; {Path(path).name} is new")
        self.drop_zone.set_current(self.audio_path)
        self.drop_zone.start_dir = str(Path(path).parent)
        self.store.set("generate/audio_dir", self.drop_zone.start_dir)
        index = self.clip_combo.findData(self.audio_path)
        if index >= 0:
            self.clip_combo.setCurrentIndex(index)
        self._show_output()
        self.playback.set_audio(self.audio_path)
        self.generate(apply_when_done=apply_when_done, keep_message=keep_message)

    def _show_output(self) -> None:
        self.output_edit.setText(self.state.output_path(self.audio_path) or "")
        folder = self.state.output_dir
        self.output_edit.setToolTip(
            f"Written into {folder} as <clip name>{self.state.output_extension} unless you name the file."
            if folder else "No output folder yet: Save as... picks one (files are never put beside the audio "
                           "unless you choose that folder).")

    def set_output(self, path: str) -> None:
        """Write the current clip to ``path`` (its folder becomes the output folder for the next clips)."""
        self.state.choose_output(path)
        self._show_output()
        self.save_settings()

    def _output_typed(self, text: str) -> None:
        if text.strip():
            self.state.choose_output(text.strip())
        else:
            self.state.output_name = None

    def _browse_output(self) -> None:
        stem = Path(self.audio_path).stem if self.audio_path else "shot"
        start = self.state.output_path(self.audio_path) or str(Path.home() / (stem + self.state.output_extension))
        path, chosen = QtWidgets.QFileDialog.getSaveFileName(self, "Write curves to", start, OUTPUT_FILTER)
        if path:
            if not Path(path).suffix:
                fmt = format_for_filter(chosen)
                path += fmt.extensions[0] if fmt is not None else ".ma"
            self.set_output(path)

    def confirm(self, question: str) -> bool:
        """Ask the user a yes/no question (tests replace this)."""
        answer = QtWidgets.QMessageBox.question(self, "Audio2Face", question)
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    # -- transcript ---------------------------------------------------------------------------------
    def _show_transcript_of(self, audio: str, previous: Optional[str]) -> None:
        """A clip's own line in the box: the one typed for it earlier in this session, else empty.

        Text typed before the first clip is loaded is that clip's line.
        """
        if previous is None:
            self._transcripts[audio] = self.transcript_box.edit.toPlainText()
        had_line = bool(previous) and self.transcript_box.text() is not None
        self.transcript_box.blockSignals(True)
        try:
            self.transcript_box.set_text(self._transcripts.get(audio, ""))
        finally:
            self.transcript_box.blockSignals(False)
        self.transcript_box.set_clip(Path(audio).name, Path(previous).name if had_line and previous else "")

    def _transcript_changed(self) -> None:
        if self.audio_path:
            self._transcripts[self.audio_path] = self.transcript_box.edit.toPlainText()
        self._inputs_changed()

    def _show_guide_state(self) -> None:
        self.transcript_box.set_guide_on(self.knobs.values().get("guide_strength") or 0.0)

    def _turn_guide_on(self) -> None:
        self.knobs.spins["guide_strength"].setValue(GUIDE_ON_STRENGTH)
        self.message.show_message(f"Phone guide on ({GUIDE_ON_STRENGTH:g}): Generate aligns the phones to the "
                                  "transcript.", "info")

    # -- inputs -------------------------------------------------------------------------------------
    def fps(self) -> Optional[float]:
        """The frame rate of the curves: the scene's in Maya, the Frame rate field outside."""
        if self.in_maya:
            return self.host.scene_fps()
        text = self.fps_combo.currentText().strip()
        try:
            value = float(text)
        except ValueError:
            raise Audio2FaceError(f"frame rate {text!r} is not a number (for example 24, 25, 29.97, 30)") from None
        if not 1.0 <= value <= 240.0:
            raise Audio2FaceError(f"frame rate {value:g} is out of range (1 to 240 fps)")
        return value

    def inputs(self) -> Inputs:
        """The choices in the views (raises ``Audio2FaceError`` when a mapping row or the frame rate is bad)."""
        invalid = self.mapping_table.invalid()
        if invalid:
            raise Audio2FaceError(f"fix the mapping rows marked red first: {', '.join(invalid)}")
        return Inputs(
            audio=self.audio_path,
            model=self.current_model_path(),
            fps=self.fps(),
            mapping=self.mapping_table.mapping() if self.mapping_table.targets() else None,
            emotion=self.knobs.emotion_choice(),
            start_frame=self.start_frame.value(),
            post=self.post_section.post(),
            secondary=self.knobs.secondary_settings(),
            reduce=self.knobs.reduce_tolerance(),
            key_rest_targets=self.key_rest_check.isChecked(),
            transcript=self.transcript_box.text(),
        )

    # -- settings files -----------------------------------------------------------------------------
    def save_settings_file(self, path: str) -> None:
        """Write every Generate setting (the mapping by value) as one settings file."""
        inputs = self.inputs()
        write_settings_file(path, self.state.settings(inputs), inputs.mapping)
        self.message.show_message(f"Settings saved to {path}.", "info")

    def load_settings_file(self, path: str) -> None:
        """Put a settings file's values into the views (the same file the CLI and batch jobs read)."""
        settings, mapping = read_settings_file(path)
        if settings.model:
            self.add_model(settings.model)
        elif self.model_combo.findData("") >= 0:
            self.model_combo.setCurrentIndex(self.model_combo.findData(""))
        if settings.fps and not self.in_maya:
            self.fps_combo.setCurrentText(f"{settings.fps:g}")
        self.start_frame.setValue(float(settings.start_frame))
        self.post_section.show_settings(settings, path)
        self._show_guide_state()
        self.key_rest_check.setChecked(settings.key_rest_targets)
        if settings.transcript:
            self.transcript_box.load_file(settings.transcript)
        if mapping is not None and self.mapping_table.targets():
            self.mapping_table.apply_mapping(mapping, where=path)
        self._inputs_changed()
        self.message.show_message(f"Settings loaded from {Path(path).name}.", "info")

    def _save_settings_dialog(self) -> None:
        start = self.store.get("generate/settings_dir", "")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save settings", start, SETTINGS_FILTER)
        if path:
            path = path if Path(path).suffix else path + ".json"
            self.store.set("generate/settings_dir", str(Path(path).parent))
            self.save_settings_file(path)

    def _load_settings_dialog(self) -> None:
        start = self.store.get("generate/settings_dir", "")
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load settings", start, SETTINGS_FILTER)
        if path:
            self.store.set("generate/settings_dir", str(Path(path).parent))
            self.load_settings_file(path)

    def animate_settings(self) -> Any:
        """The panel's state as ``AnimateSettings``."""
        return self.state.settings(self.inputs())

    def _inputs_changed(self) -> None:
        self._refresh_preview_state()
        if self._restoring:
            return
        self.knobs.save(self.store)
        if self.audio_path and self.live_check.isChecked():
            self._regenerate_timer.start()

    def _refresh_preview_state(self) -> None:
        """Grey out the preview and disable Apply/Write while it does not match the inputs."""
        if self.in_maya:
            fps = self.host.scene_fps()
            self.fps_label.setText(f"{fps:g} fps (the scene's)" if fps else "the model's rate (no scene rate)")
        result = self.state.result
        reason = self.stale_reason()
        current = result is not None and not reason
        self.preview.mark(result is not None, reason)
        self.playback.set_ready(current)
        if result is not None and self._job is None:
            self.progress.setFormat("Out of date" if reason else "Preview ready")
        self.apply_button.setEnabled(current and not self.live.active and self._job is None)
        self.apply_button.setToolTip(
            ("Key the curves on the blendShape (one undo step)." if self.in_maya
             else "Write the curves to the output file (.ma / .json / .anim).") if current else
            f"The preview is out of date ({reason}): Generate first." if result is not None else
            "Nothing to apply yet: drop a speech file.")

    def stale_reason(self) -> str:
        """Why the preview does not match the inputs ("" when it does, or when there is none)."""
        if self.state.result is None:
            return self.state.stale_reason
        if self.state.stale_reason:
            return self.state.stale_reason
        try:
            inputs = self.inputs()
        except Audio2FaceError as exc:
            return str(exc)
        return "" if self.state.is_current(inputs) else "the settings changed since it was made"

    def is_stale(self) -> bool:
        """Whether the knobs, mapping or audio changed since the preview was made."""
        return self.state.result is None or bool(self.stale_reason())

    # -- generation ---------------------------------------------------------------------------------
    def generate(self, apply_when_done: bool = False, keep_message: bool = False) -> None:
        """Compute curves for the loaded audio off the UI thread (a running job is cancelled first).

        Only post-processing runs again when the audio, model, frame rate and emotion are unchanged.
        """
        if not self.audio_path:
            raise Audio2FaceError("drop a speech file first (or use Browse...)")
        if self.model_combo.count() == 0:
            raise Audio2FaceError("no model to run: add a model bundle folder first")
        self._regenerate_timer.stop()
        inputs = self.inputs()
        work = self.state.work(inputs)
        audio = self.audio_path
        self._stop_job()
        self._apply_when_done = apply_when_done
        job = Job(work, name="generate", parent=self)
        job.progressed.connect(lambda done, total, j=job: self._job_progress(j, done, total))
        job.succeeded.connect(lambda result, j=job, a=audio: self._job_succeeded(j, result, a))
        job.failed.connect(lambda text, j=job, a=audio: self._job_failed(j, text, a))
        job.cancelled.connect(lambda j=job: self._job_cancelled(j))
        job.finished.connect(lambda j=job: self._job_finished(j))
        self._job = job
        self._jobs.append(job)
        self._set_busy(True)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.progress.setToolTip(f"Generating {Path(audio).name}")
        if not keep_message:
            self.message.clear_message()
        job.start()

    def job(self) -> Optional[Job]:
        """The generation running now, if any."""
        return self._job

    def cancel(self) -> None:
        """Stop the running generation (and a Write all); nothing is keyed or written."""
        self._apply_when_done = False
        self._batch = None
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
        self._refresh_preview_state()
        self.busy_changed.emit(busy)

    def _job_progress(self, job: Job, done: int, total: int) -> None:
        if job is self._job and total > 0:
            self.progress.setValue(int(1000 * min(done, total) / total))

    def _job_succeeded(self, job: Job, result: Result, audio: str) -> None:
        if job is not self._job:
            return
        self.state.accept(result, audio)
        self._end_job(job)
        curves = result.curves
        self.preview.show_result(curves, result.qc, plot=not self.live.active)
        self.mapping_table.set_rest_targets([n for n in rest_targets(curves) if n not in curves.unmatched])
        self.progress.setValue(1000)
        self.progress.setFormat("Preview ready")
        self.progress.setToolTip(
            "" if result.predicted else "Only post-processing ran again (the model's output was reused).")
        self._refresh_preview_state()
        unmatched = list(curves.unmatched)
        text = (f"{curves.frame_count} frames at {curves.fps:g} fps "
                f"({curves.frame_count / curves.fps:.2f} s) on {len(curves.names)} targets.")
        if unmatched:
            text += f" Not driven: {', '.join(unmatched[:6])}{' ...' if len(unmatched) > 6 else ''}."
        if self._batch is None:
            self.message.show_message(text, "warning" if unmatched else "info")
        self.curves_ready.emit(curves)
        if self._apply_when_done:
            self._apply_when_done = False
            self._safe(self.apply)

    def _job_failed(self, job: Job, text: str, audio: str) -> None:
        if not self._end_job(job):
            return
        self._apply_when_done = False
        if audio == self.audio_path:
            self.state.clear(f"{Path(audio).name} could not be used")
            self.state.forget_prediction()
            self.preview.clear()
        self._refresh_preview_state()
        self.progress.setValue(0)
        self.progress.setFormat("Failed")
        self.message.show_message(text, "error")
        self._next_in_batch()

    def _job_cancelled(self, job: Job) -> None:
        if not self._end_job(job):
            return
        if self.state.result is not None:
            self.state.mark_stale("cancelled before the new curves were made")
        self._refresh_preview_state()
        self.progress.setValue(0)
        self.progress.setFormat("Cancelled")
        self.message.show_message("Cancelled: nothing was keyed or written.", "info")

    def _job_finished(self, job: Job) -> None:
        self._end_job(job)
        if job in self._jobs:
            self._jobs.remove(job)
        job.deleteLater()

    def _regenerate_if_live(self) -> None:
        if self.audio_path and self.live_check.isChecked() and not self.mapping_table.invalid():
            self.generate()

    # -- applying -----------------------------------------------------------------------------------
    def curves(self) -> Optional[Curves]:
        """The previewed curves."""
        return self.state.curves

    def apply_options(self) -> ApplyOptions:
        """How ``apply`` puts the curves on the rig (or into the file)."""
        in_maya = self.in_maya
        return ApplyOptions(
            mode=str(self.mode_combo.currentData() or APPLY_MODES[0]),
            sound=self.audio_path if in_maya and self.sound_check.isChecked() else None,
            layer=(self.layer_edit.text().strip() or None) if in_maya else None,
            output=None if in_maya else self.state.output_path(self.audio_path),
        )

    def apply(self) -> Optional[ApplyReport]:
        """Key the previewed curves (one undo step in Maya) or write them to the output file.

        Targets no channel drives, and targets the model leaves at rest (unless asked), are not keyed, so
        their existing animation stays. An existing file is replaced only after the user agrees. When the
        preview is out of date it is generated again first and applied when ready.
        """
        if self._job is not None:
            self._apply_when_done = True
            self.message.show_message("Still generating: the curves are applied when ready.", "info")
            return None
        if self.is_stale():
            self.generate(apply_when_done=True)
            return None
        options = self.apply_options()
        if not self.in_maya and not options.output:
            self._browse_output()
            options = self.apply_options()
            if not options.output:
                return None
        confirm = (lambda _q: True) if self._batch is not None and self._batch.overwrite else self.confirm
        report = self.state.apply(self.host, self.current_node(), options, confirm=confirm)
        if report is None:
            self.message.show_message(f"Not written: {options.output} was kept.", "info")
            self._next_in_batch()
            return None
        text = report.summary()
        if report.notes:
            text += "\n" + "\n".join(report.notes)
        self.message.show_message(text, "warning" if report.skipped else "info")
        self.save_settings()
        self.applied.emit(report)
        self._next_in_batch()
        return report

    def write_all(self) -> None:
        """Outside Maya: generate every clip of the batch and write each into the output folder."""
        if not self.clips:
            raise Audio2FaceError("drop speech files first")
        if not self.state.output_dir:
            self._browse_output()
            if not self.state.output_dir:
                return
        self.state.output_name = None
        batch = plan_batch(self.clips, self.state.output_path, self.confirm)
        if batch.current is None:
            self.message.show_message("Nothing written: every file exists and was kept.", "info")
            return
        self._batch = batch
        self.load_audio(batch.current, apply_when_done=True, keep_message=True)

    def _next_in_batch(self) -> None:
        batch = self._batch
        if batch is None:
            return
        clip = batch.advance()
        if clip is None:
            self._batch = None
            self.message.show_message(f"Batch done: {batch.total} clips, files in {self.state.output_dir}.", "info")
            return
        self.load_audio(clip, apply_when_done=True, keep_message=True)

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
        self._refresh_preview_state()

    def _live_stopped(self, preview: Any) -> None:
        if preview.report is None:
            self.plot.set_curves(self.state.curves)

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
        """Catch up with the scene (new blendShape nodes, its frame rate) whenever the tab comes into view."""
        super().showEvent(event)
        if self.in_maya:
            self._safe(self.refresh_nodes)
            self._refresh_preview_state()

    def closeEvent(self, event: Any) -> None:
        """A tab shown on its own (tests, embedding) stops its work when closed."""
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Stop background work (the panel is closing)."""
        self.live.shutdown(wait_ms)
        self.playback.stop()
        self._regenerate_timer.stop()
        self._batch = None
        self._stop_job()
        for job in list(self._jobs):
            job.wait(wait_ms)
        self.save_settings()
