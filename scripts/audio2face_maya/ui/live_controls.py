"""The Generate tab's Live group: the rig follows the audio while it plays, and Record keys the take.

Live drives the chosen blendShape's target weights directly (``audio2face_maya.live_preview.LivePreview``):
no keys and nothing on the undo queue while live, every weight put back when Live stops. The UI thread
never waits: the model is loaded by a worker ``Job``, the audio is read and the model run by the preview's
own thread, and a ``QTimer`` on the UI thread writes the newest frame at the scene's frame rate (the
preview's ``MANUAL`` schedule). With **Record** on, stopping keys the take through ``host.apply`` - the path
Generate uses - as one undo step.

**Latency** is the panel's ``audio2face live --latency-ms``: a budget picks the shipped model that fits it
(``streaming.live_model``, the CLI's own rule: a budget cannot be combined with a model of one's own), and
the line under it says which model runs and how late its frames come, then what the last run measured.

Outside Maya there is no rig to drive: the group is shown disabled, with a tooltip saying so.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
from pathlib import Path
from typing import Any, Callable, Deque, List, Optional, Tuple

import numpy as np
from audio2face.bundle import default_model_path
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.live.inputs import DEFAULT_BLOCK_MS
from audio2face.pipeline import AnimateSettings
from audio2face.streaming import PROCESSING_ALLOWANCE_MS, LiveFrame, live_bundle, live_model, model_lookahead_ms

from audio2face_maya.host import ApplyOptions, Host
from audio2face_maya.live_preview import MANUAL, LivePreview
from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .form_rows import row
from .messages import MessageBar, guarded
from .workers import Job

logger = logging.getLogger(__name__)

INPUT_FILE, INPUT_MIC = "file", "mic"
NEEDS_MAYA = "Live drives the weights of a rig in the open Maya scene, so it needs Maya."
TRACE_SECONDS = 8.0
LATENCY_MAX_MS = 2000
LATENCY_NAMES = ("A latency budget", "the model picked under Model and rig: pick the default model there, "
                 "or set Latency to off")
"""How ``streaming.live_model`` names the budget and the model in its error, in the panel's words."""


@dataclasses.dataclass
class LiveRequest:
    """What Live needs from the tab: the node, the Generate settings, how a take is keyed, the dropped file."""

    node: str
    settings: AnimateSettings
    options: ApplyOptions
    audio: Optional[str] = None


def microphone_available() -> bool:
    """Whether ``sounddevice`` can be imported (the ``live`` extra); the device itself is checked on start."""
    return importlib.util.find_spec("sounddevice") is not None


def open_source(kind: str, audio: Optional[str]) -> Any:
    """The audio source for ``kind``: the dropped file paced at real time, or the microphone."""
    from audio2face.live.inputs import FileSource, MicSource

    if kind == INPUT_MIC:
        return MicSource()
    if not audio:
        raise Audio2FaceError("drop a speech file first (or pick the microphone)")
    return FileSource(audio, realtime=True)


class LiveTrace:
    """The last ``seconds`` of live frames as ``Curves`` for the plot (stream frame numbers on the time axis).

    A tick writes the newest frame only, so frames between two ticks are drawn holding the earlier values.
    """

    def __init__(self, names: List[str], fps: float, seconds: float = TRACE_SECONDS) -> None:
        from collections import deque

        self.names = list(names)
        self.fps = float(fps)
        self._rows: Deque[np.ndarray] = deque(maxlen=max(int(round(seconds * fps)), 2))
        self._last: Optional[int] = None

    def add(self, frame: LiveFrame) -> None:
        """Append ``frame`` (and hold the previous values over the frames it skipped)."""
        weights = np.asarray(frame.weights, dtype=np.float32)
        if self._last is not None and self._rows:
            held = self._rows[-1]
            for _ in range(min(int(frame.index) - self._last - 1, self._rows.maxlen or 0)):
                self._rows.append(held)
        self._rows.append(weights)
        self._last = int(frame.index)

    def curves(self) -> Optional[Curves]:
        """The frames kept, or ``None`` before the first one."""
        if self._last is None:
            return None
        rows = np.stack(list(self._rows))
        return Curves(self.names, self.fps, rows, start_frame=float(self._last - rows.shape[0] + 1),
                      source={"live": True})


def describe_stop(preview: LivePreview, take: Optional[Curves]) -> Tuple[str, str]:
    """What happened, in plain words, and the message level (info, warning, error)."""
    parts: List[str] = []
    level = "info"
    if preview.error:
        parts.append(f"Live stopped: {preview.error}.")
        level = "error"
    if take is not None and preview.report is not None:
        parts.append(f"Recorded {take.frame_count} frames ({take.frame_count / take.fps:.2f} s) from frame "
                     f"{take.start_frame:g}: {preview.report.summary()}. Undo removes the take in one step.")
        parts.extend(preview.report.notes)
    elif preview.record:
        parts.append("Nothing was recorded: no frame came out before Live stopped.")
    else:
        parts.append(f"Live stopped after {preview.frames_applied} frames; every weight is back to what it was.")
    meter = getattr(preview, "latency", None)
    if meter is not None and meter.count:
        parts.append(meter.summary()[:1].upper() + meter.summary()[1:] + ".")
    if preview.skipped:
        level = "warning" if level == "info" else level
        parts.append("Left alone: " + "; ".join(f"{name} ({why})" for name, why in preview.skipped.items()) + ".")
    if preview.unmatched:
        parts.append(f"Not driven (no model channel): {', '.join(preview.unmatched)}.")
    return " ".join(parts), level


class LiveControls(QtWidgets.QGroupBox):
    """The Live toggle, the input picker and Record.

    Args:
        host: The scene (``MayaHost``; with any other host the controls are disabled).
        request: Called when Live is switched on: the node, settings and apply options to use.
        message: Where results and errors are shown.

    Attributes:
        source_fn: ``(kind, audio) -> source``; tests replace it.
        bundle_fn: ``(model, threads) -> Bundle``, run in the worker; tests replace it.
        preview: The running ``LivePreview``, if any.
        latency_spin: The latency budget in ms (its minimum, "off", runs the model picked under Model and rig).
        latency_info: Which model Live runs, its latency, and what the last run measured.

    Signals:
        active_changed(bool): Live started loading / ended (the tab locks the rig and model meanwhile).
        trace_changed(object): ``Curves`` of the last seconds, after each frame is on the rig.
        stopped(object): the ``LivePreview`` that just stopped (its ``report``, ``error``, ``skipped``...).
    """

    active_changed = QtCore.Signal(bool)
    trace_changed = QtCore.Signal(object)
    stopped = QtCore.Signal(object)

    def __init__(self, host: Host, request: Callable[[], LiveRequest], message: MessageBar,
                 parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__("Live", parent)
        self.host = host
        self._request = request
        self.message = message
        self.source_fn: Callable[[str, Optional[str]], Any] = open_source
        self.bundle_fn: Callable[[Optional[str], int], Any] = live_bundle
        self.preview: Optional[LivePreview] = None
        self._loading: Optional[Job] = None
        self._jobs: List[Job] = []
        self._trace: Optional[LiveTrace] = None
        self._timer = QtCore.QTimer(self)
        self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(guarded(message, self._tick))

        self.button = QtWidgets.QPushButton("Live")
        self.button.setObjectName("liveButton")
        self.button.setCheckable(True)
        self.button.setToolTip("Drive the blendShape's weights from the audio while it plays: no keys, nothing "
                               "on the undo queue; every weight goes back when Live stops.")
        self.button.toggled.connect(self._toggled)
        self.input_combo = QtWidgets.QComboBox()
        self.input_combo.addItem("Dropped file, at real time", INPUT_FILE)
        if microphone_available():
            self.input_combo.addItem("Microphone", INPUT_MIC)
        self.input_combo.setToolTip("The file plays at the speed it would be heard (play the sound alongside); "
                                    "the microphone needs the sounddevice package.")
        self.record_check = QtWidgets.QCheckBox("Record")
        self.record_check.setToolTip("Key the take when Live stops, from the frame that was current when Live "
                                     "started, as one undo step (the way Apply keys).")
        self.record_check.toggled.connect(self._record_toggled)
        self.status = QtWidgets.QLabel("")
        self.status.setWordWrap(True)
        self.latency_spin = QtWidgets.QSpinBox()
        self.latency_spin.setObjectName("liveLatency")
        self.latency_spin.setRange(0, LATENCY_MAX_MS)
        self.latency_spin.setSingleStep(10)
        self.latency_spin.setSuffix(" ms")
        self.latency_spin.setSpecialValueText("off")
        self.latency_spin.setKeyboardTracking(False)
        self.latency_spin.setAccessibleName("Latency budget")
        self.latency_spin.setToolTip(
            "Most delay wanted from a frame's audio to the rig (audio2face live --latency-ms): picks the shipped "
            f"model whose lookahead fits with the {DEFAULT_BLOCK_MS:g} ms block and "
            f"{PROCESSING_ALLOWANCE_MS:g} ms of processing (110 ms or more: the low-latency model, 80 ms ahead; "
            "290 ms or more: the default, 260 ms ahead). Off: the model picked under Model and rig.")
        self.latency_spin.valueChanged.connect(lambda *_: self.update_latency_info())
        latency_label = QtWidgets.QLabel("&Latency")
        latency_label.setBuddy(self.latency_spin)
        self.latency_info = QtWidgets.QLabel("")
        self.latency_info.setObjectName("liveLatencyInfo")
        self.latency_info.setWordWrap(True)
        self._chosen_model: Optional[str] = None
        self._measured = ""
        layout = QtWidgets.QVBoxLayout(self)  # short rows: the controls fit a narrow dock
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(row(self.button, self.input_combo, stretch=-1))
        layout.addWidget(row(self.record_check, self.status, stretch=-1))
        layout.addWidget(row(latency_label, self.latency_spin, stretch=None))
        layout.addWidget(self.latency_info)
        self.update_latency_info()
        if host.name != "maya":
            for widget in (self.button, self.input_combo, self.record_check, self.latency_spin):
                widget.setEnabled(False)
            self.setToolTip(NEEDS_MAYA)
            self.status.setText("needs Maya")

    # -- state --------------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Loading the model or live."""
        return self._loading is not None or self.preview is not None

    def latency_budget(self) -> Optional[float]:
        """The latency budget in ms, or ``None`` when it is off."""
        value = self.latency_spin.value()
        return None if value <= self.latency_spin.minimum() else float(value)

    def set_chosen_model(self, model: Optional[str]) -> None:
        """The model picked under Model and rig (``None`` = the default model): what Live runs with no budget."""
        self._chosen_model = model
        self.update_latency_info()

    def live_model(self, model: Optional[str]) -> Optional[str]:
        """The model Live runs for ``model`` and the latency budget (``streaming.live_model``, as the CLI).

        Raises:
            Audio2FaceError: A budget with a model of one's own, or a budget no shipped model fits.
        """
        return live_model(model, self.latency_budget(), DEFAULT_BLOCK_MS, names=LATENCY_NAMES)

    def update_latency_info(self) -> None:
        """Say which model Live will run, how late its frames come, and what the last run measured."""
        try:
            model = self.live_model(self._chosen_model)
            folder = Path(model) if model else default_model_path()
            ahead = model_lookahead_ms(folder)
        except Audio2FaceError as exc:
            self.latency_info.setText(f"Live cannot start: {exc}.")
            return
        picked = "Picks" if self.latency_budget() is not None else "Runs"
        text = (f"{picked} the {folder.name} model: frames reach the rig about "
                f"{ahead + DEFAULT_BLOCK_MS + PROCESSING_ALLOWANCE_MS:g} ms after their audio ({ahead:g} ms "
                f"lookahead + {DEFAULT_BLOCK_MS:g} ms block + processing).")
        if self._measured:
            text += f" Last run: {self._measured}."
        self.latency_info.setText(text)

    def _set_button(self, on: bool) -> None:
        self.button.blockSignals(True)
        self.button.setChecked(on)
        self.button.blockSignals(False)

    def _toggled(self, on: bool) -> None:
        if on:
            guarded(self.message, self.start)()
            if not self.active:
                self._set_button(False)
        else:
            guarded(self.message, self.stop)()

    def _record_toggled(self, on: bool) -> None:
        if self.preview is not None:
            self.preview.record = on

    # -- start --------------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the model off the UI thread, then start driving the rig."""
        if self.host.name != "maya":
            raise Audio2FaceError(NEEDS_MAYA)
        if self.active:
            return
        request = self._request()
        kind = str(self.input_combo.currentData() or INPUT_FILE)
        if kind == INPUT_FILE and not request.audio:
            raise Audio2FaceError("drop a speech file first: Live plays it at real time")
        model = self.live_model(request.settings.model)
        request = dataclasses.replace(request, settings=dataclasses.replace(request.settings, model=model))
        load = self.bundle_fn
        threads = request.settings.threads or 1

        def work(progress: Any, cancel: Any) -> Any:
            return load(model, threads)

        job = Job(work, name="live model", parent=self)
        job.succeeded.connect(lambda bundle, j=job: guarded(self.message, lambda: self._loaded(j, bundle, request,
                                                                                               kind))())
        job.failed.connect(lambda text, j=job: self._load_failed(j, text))
        job.finished.connect(lambda j=job: self._job_finished(j))
        self._loading = job
        self._jobs.append(job)
        self._set_button(True)
        self.status.setText("loading the model...")
        self.active_changed.emit(True)
        job.start()

    def _loaded(self, job: Job, bundle: Any, request: LiveRequest, kind: str) -> None:
        if job is not self._loading:
            return  # stopped while loading
        self._loading = None
        try:
            source = self.source_fn(kind, request.audio)
            preview = LivePreview(self.host, request.node, bundle, request.settings,
                                  record=self.record_check.isChecked(), apply_options=request.options,
                                  schedule=MANUAL)
            preview.add_frame_callback(self._frame)
            preview.add_finished_callback(lambda: QtCore.QTimer.singleShot(0, guarded(self.message, self._ended)))
            try:
                preview.start(source)
            except BaseException:
                source.close()
                raise
        except BaseException:
            self._reset()
            raise
        self.preview = preview
        self._trace = LiveTrace(preview.names, preview.session.fps if preview.session else 30.0)
        fps = preview.session.fps if preview.session else 30.0
        self._timer.start(max(int(round(1000.0 / fps)), 5))
        self.status.setText(f"live: {getattr(source, 'description', kind)}")
        self.message.clear_message()

    def _load_failed(self, job: Job, text: str) -> None:
        if job is not self._loading:
            return
        self._loading = None
        self._reset()
        self.message.show_message(text, "error")

    def _job_finished(self, job: Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        job.deleteLater()

    # -- live ---------------------------------------------------------------------------------------
    def _tick(self) -> None:
        if self.preview is not None:
            self.preview.tick()

    def _frame(self, frame: LiveFrame) -> None:
        if self._trace is None or self.preview is None:
            return
        self._trace.add(frame)
        self.trace_changed.emit(self._trace.curves())
        recording = f", {self.preview.frames_recorded} recorded" if self.preview.record else ""
        self.status.setText(f"live: frame {frame.index}{recording}")

    def _ended(self) -> None:
        if self.preview is not None and self.preview.finished:
            self.stop()

    # -- stop ---------------------------------------------------------------------------------------
    def stop(self) -> Optional[Curves]:
        """Stop Live: every weight goes back; with Record on the take is keyed (one undo step) and returned."""
        if self._loading is not None:
            self._loading.cancel()
            self._loading = None
            self._reset()
            self.message.show_message("Live cancelled before it started.", "info")
            return None
        preview = self.preview
        if preview is None:
            self._set_button(False)
            return None
        self._timer.stop()
        self.preview = None
        take: Optional[Curves] = None
        try:
            take = preview.stop()
        except (Audio2FaceError, RuntimeError) as exc:  # keying the take failed; the weights are back already
            logger.warning("the live take could not be keyed: %s", exc)
            self._reset()
            self.message.show_message(f"The take could not be keyed: {exc}", "error")
            self.stopped.emit(preview)
            return None
        self._reset()
        self._remember_latency(preview)
        text, level = describe_stop(preview, take)
        self.message.show_message(text, level)
        if take is not None:
            self.trace_changed.emit(take)
        self.stopped.emit(preview)
        return take

    def _remember_latency(self, preview: LivePreview) -> None:
        meter = getattr(preview, "latency", None)
        if meter is not None and meter.count:
            self._measured = (f"p50 {meter.percentile_ms(50):.0f} ms, p99 {meter.percentile_ms(99):.0f} ms "
                              f"over {meter.count} frames")
            self.update_latency_info()

    def _reset(self) -> None:
        self._timer.stop()
        self._trace = None
        self._set_button(False)
        self.status.setText("")
        self.active_changed.emit(False)

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Stop Live (keying a take being recorded) and wait for the model loader (the panel is closing)."""
        self.stop()
        for job in list(self._jobs):
            job.wait(wait_ms)
