"""Train tab: datasets, the trainer's Python, options; Start / Cancel / Resume with live loss and log."""

from __future__ import annotations

import logging
import os
import shlex
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from audio2face import training
from audio2face.errors import Audio2FaceError

from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .drop_zone import DropZone
from .form_rows import row
from .loss_plot import LossPlot
from .messages import MessageBar, guarded
from .sections import scrolling
from .settings_store import SettingsStore
from .trainer_process import TrainerProcess
from .trainer_python import REQUIRED_MODULE, candidates, find_python, has_checkpoint, interpreter_problem

logger = logging.getLogger(__name__)

LOG_LINES = 5000


def default_python() -> str:
    """A guess for the trainer's interpreter: this Python unless it is Maya's own executable."""
    exe = sys.executable or ""
    name = Path(exe).name.lower()
    return "" if name.startswith("maya") and not name.startswith("mayapy") else exe


def format_eta(seconds: Optional[float]) -> str:
    """'2 min 5 s' style text for a remaining time."""
    if seconds is None or seconds < 0:
        return ""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class TrainTab(QtWidgets.QWidget):
    """Runs the trainer through ``QProcess`` and shows its JSON events.

    Signals:
        model_trained(str): the bundle folder of a finished training.

    Attributes:
        program: What follows the interpreter on the command line (tests run a stand-in script).
    """

    model_trained = QtCore.Signal(str)

    def __init__(self, store: SettingsStore, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.store = store
        self.program: Sequence[str] = training.DEFAULT_PROGRAM
        self.required_module: Optional[str] = REQUIRED_MODULE
        self._checked_python = False
        self._checkpointed: set = set()
        self.trainer = TrainerProcess(self)
        self.trainer.event_received.connect(self._on_event)
        self.trainer.log.connect(self.append_log)
        self.trainer.failed.connect(lambda text: self.message.show_message(text, "error"))
        self.trainer.ended.connect(self._on_ended)
        self._epochs = 0
        self._epochs_done = 0
        self._build()
        self._restore()

    # -- construction -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.message = MessageBar()
        self.dataset_zone = DropZone("folder", "Drop dataset folders here (ours or FACEGOOD's layout)")
        self.dataset_zone.paths_dropped.connect(lambda paths: self._safe(lambda: self.add_datasets(paths)))
        self.dataset_zone.rejected.connect(lambda text: self.message.show_message(text, "error"))
        self.dataset_list = QtWidgets.QListWidget()
        self.dataset_list.setObjectName("datasets")
        self.dataset_list.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.dataset_list.setMaximumHeight(110)
        remove = QtWidgets.QPushButton("Remove")
        remove.clicked.connect(lambda *_: self._remove_selected())

        self.python_edit = QtWidgets.QLineEdit()
        self.python_edit.setObjectName("python")
        self.python_edit.setPlaceholderText("python with TensorFlow (e.g. /envs/tf/bin/python)")
        self.python_edit.editingFinished.connect(lambda: self.store.set("train/python", self.python_edit.text()))
        python_browse = QtWidgets.QPushButton("Browse...")
        python_browse.clicked.connect(lambda *_: self._browse_python())
        self.out_edit = QtWidgets.QLineEdit()
        self.out_edit.setObjectName("outFolder")
        self.out_edit.setPlaceholderText("folder for the new model bundle")
        self.out_edit.editingFinished.connect(lambda: self.store.set("train/out", self.out_edit.text()))
        self.out_edit.textChanged.connect(lambda *_: self.update_resume())
        out_browse = QtWidgets.QPushButton("Browse...")
        out_browse.clicked.connect(lambda *_: self._browse_out())
        self.epochs_spin = QtWidgets.QSpinBox()
        self.epochs_spin.setObjectName("epochs")
        self.epochs_spin.setRange(0, 100000)
        self.epochs_spin.setSpecialValueText("trainer default")
        self.val_edit = QtWidgets.QLineEdit()
        self.val_edit.setPlaceholderText("clip names held out for validation, comma separated (default: auto)")
        self.extra_edit = QtWidgets.QLineEdit()
        self.extra_edit.setPlaceholderText("more trainer options, e.g. --batch-size 64")
        self.extra_edit.textChanged.connect(lambda *_: self.update_resume())

        form_box = QtWidgets.QGroupBox("Training")
        form = QtWidgets.QFormLayout(form_box)
        form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Datasets", self.dataset_zone)
        self.check_button = QtWidgets.QPushButton("Check")
        self.check_button.setToolTip("Frame rates, length mismatches, static curves, emotions and phone coverage "
                                     "of the datasets (audio2face dataset check), in the log below.")
        self.check_button.clicked.connect(lambda *_: self._safe(self.check_datasets))
        form.addRow("", row(self.dataset_list, remove, self.check_button))
        form.addRow("Python", row(self.python_edit, python_browse))
        form.addRow("Output model", row(self.out_edit, out_browse))
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Validation clips", self.val_edit)
        form.addRow("Other options", self.extra_edit)

        self.start_button = QtWidgets.QPushButton("Start")
        self.start_button.clicked.connect(lambda *_: self._safe(lambda: self.start(resume=False)))
        self.resume_button = QtWidgets.QPushButton("Resume")
        self.resume_button.setToolTip("Continue from the checkpoint of an earlier run into the same output folder.")
        self.resume_button.setEnabled(False)
        self.resume_button.clicked.connect(lambda *_: self._safe(lambda: self.start(resume=True)))
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(lambda *_: self.cancel())
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFormat("idle")
        self.progress.setTextVisible(True)
        self.status = QtWidgets.QLabel("")

        self.loss_plot = LossPlot()
        self.log_view = QtWidgets.QPlainTextEdit()
        self.log_view.setObjectName("trainerLog")
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(LOG_LINES)
        self.log_view.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        splitter.addWidget(self.loss_plot)
        splitter.addWidget(self.log_view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        splitter.setMinimumHeight(260)
        content = QtWidgets.QWidget()
        content_layout = QtWidgets.QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(form_box)
        content_layout.addWidget(self.status)
        content_layout.addWidget(splitter, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(scrolling(content), 1)  # the buttons and the bar stay in view in a small dock
        layout.addWidget(self.progress)
        layout.addWidget(row(self.start_button, self.resume_button, self.cancel_button, stretch=None))
        layout.addWidget(self.message)

    def _safe(self, fn: Any) -> None:
        guarded(self.message, fn)()

    # -- settings -----------------------------------------------------------------------------------
    def _restore(self) -> None:
        remembered = self.store.get("train/python", "")
        self.python_edit.setText(remembered or default_python())
        self.out_edit.setText(self.store.get("train/out", ""))
        self.epochs_spin.setValue(self.store.get("train/epochs", 0))
        self.val_edit.setText(self.store.get("train/val_clips", ""))
        self.extra_edit.setText(self.store.get("train/extra", ""))
        for path in self.store.paths("train/datasets"):
            self._add_item(path)
        self.update_resume()

    def find_interpreter(self) -> Optional[str]:
        """Put the first interpreter that has TensorFlow in the Python field (``None``: none found, say so)."""
        found = find_python(candidates(self.python_edit.text().strip()), self.required_module)
        if found:
            self.python_edit.setText(found)
            self.store.set("train/python", found)
        else:
            self.message.show_message(
                "No Python with TensorFlow found: pick one with Browse..., or install the trainer's packages "
                "into one (python -m pip install \".[train]\").", "warning")
        return found

    def check_interpreter(self) -> None:
        """Raise ``Audio2FaceError`` in plain words when the chosen Python cannot run the trainer."""
        problem = interpreter_problem(self.python_edit.text().strip(), self.required_module)
        if problem is None:
            return
        other = find_python([c for c in candidates() if c != self.python_edit.text().strip()], self.required_module)
        hint = f" {other} has it: choose it." if other else ""
        raise Audio2FaceError(problem + "." + hint)

    def update_resume(self) -> None:
        """Resume is offered only when an earlier run into the output folder left a checkpoint."""
        out = self.out_edit.text().strip()
        available = out in self._checkpointed or has_checkpoint(out, self.extra_edit.text())
        self.resume_button.setEnabled(available and not self.running())
        self.resume_button.setToolTip(
            "Continue from the checkpoint of an earlier run into the same output folder." if available else
            "No checkpoint in the output folder yet: Resume continues a cancelled run.")

    def save_settings(self) -> None:
        """Remember the interpreter, datasets and options."""
        self.store.set("train/python", self.python_edit.text())
        self.store.set("train/out", self.out_edit.text())
        self.store.set("train/epochs", self.epochs_spin.value())
        self.store.set("train/val_clips", self.val_edit.text())
        self.store.set("train/extra", self.extra_edit.text())
        self.store.set("train/datasets", self.datasets())

    # -- datasets -----------------------------------------------------------------------------------
    def datasets(self) -> List[str]:
        """Dataset folders, in list order."""
        return [self.dataset_list.item(i).text() for i in range(self.dataset_list.count())]

    def add_datasets(self, paths: Sequence[str]) -> None:
        """Add dataset folders (duplicates are ignored)."""
        for path in paths:
            if not os.path.isdir(path):
                raise Audio2FaceError("dataset folder not found", path)
            self._add_item(path)
        self.store.set("train/datasets", self.datasets())

    def _add_item(self, path: str) -> None:
        if path not in self.datasets():
            self.dataset_list.addItem(path)

    def _remove_selected(self) -> None:
        for item in self.dataset_list.selectedItems():
            self.dataset_list.takeItem(self.dataset_list.row(item))
        self.store.set("train/datasets", self.datasets())

    def check_datasets(self) -> Any:
        """Run ``audio2face dataset check`` on the listed folders in a worker; its lines go to the log."""
        from audio2face.commands.dataset import check_datasets, summary_lines

        from .workers import Job

        folders = [Path(p) for p in self.datasets()]
        if not folders:
            raise Audio2FaceError("add at least one dataset folder first")
        self.check_button.setEnabled(False)
        job = Job(lambda progress, cancel: check_datasets(
            folders, progress=lambda done, total, _name: progress(done, total), cancel=cancel), "dataset check", self)

        def done(report: Any) -> None:
            for line in summary_lines(report):
                self.append_log(line)
            problems = len(report["problems"])
            self.message.show_message(f"dataset check: {problems} problem{'s' if problems != 1 else ''}"
                                      if problems else "dataset check: no problems",
                                      "warning" if problems else "info")

        job.succeeded.connect(done)
        job.failed.connect(lambda text: self.message.show_message(text, "error"))
        job.finished.connect(lambda: self.check_button.setEnabled(True))
        self._check_job = job
        job.start()
        return job

    def _browse_python(self) -> None:
        title = "Python interpreter with TensorFlow"
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, title, self.python_edit.text())
        if path:
            self.python_edit.setText(path)
            self.store.set("train/python", path)

    def _browse_out(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "Folder for the new model", self.out_edit.text())
        if folder:
            self.out_edit.setText(folder)
            self.store.set("train/out", folder)

    # -- running ------------------------------------------------------------------------------------
    def running(self) -> bool:
        """Whether the trainer is running."""
        return self.trainer.running()

    def start(self, resume: bool = False) -> List[str]:
        """Start the trainer with the tab's options; returns the command line."""
        datasets = self.datasets()
        if not datasets:
            raise Audio2FaceError("add at least one dataset folder first")
        try:
            extra = shlex.split(self.extra_edit.text(), posix=os.name != "nt")
        except ValueError as exc:
            raise Audio2FaceError(f"cannot read the other options: {exc}") from None
        val_clips = [v.strip() for v in self.val_edit.text().split(",") if v.strip()]
        if resume and not (self.out_edit.text().strip() in self._checkpointed
                           or has_checkpoint(self.out_edit.text(), self.extra_edit.text())):
            raise Audio2FaceError("nothing to resume: no checkpoint from an earlier run in the output folder")
        self.check_interpreter()
        self.save_settings()
        command = self.trainer.start(
            self.python_edit.text().strip(),
            datasets,
            self.out_edit.text().strip(),
            epochs=self.epochs_spin.value() or None,
            resume=resume,
            val_clips=val_clips,
            extra=extra,
            program=self.program,
        )
        if not resume:
            self.loss_plot.clear()
        self._epochs = self.epochs_spin.value()
        self._epochs_done = 0
        self.progress.setValue(0)
        self.progress.setFormat("Starting the trainer...")
        self.status.setText("")
        self.message.clear_message()
        self._set_running(True)
        return command

    def cancel(self) -> None:
        """Ask the trainer to stop after saving a checkpoint."""
        self.trainer.cancel()
        self.progress.setFormat("Cancelling...")

    def append_log(self, line: str) -> None:
        """Add a line to the log view."""
        self.log_view.appendPlainText(line)

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if running:
            self.resume_button.setEnabled(False)
        else:
            self.update_resume()

    def _on_event(self, event: Dict[str, Any]) -> None:
        name = event["event"]
        if name == "started":
            self._epochs = int(event["epochs"]) or self._epochs
            self.progress.setFormat(f"Epoch 0 / {self._epochs}")
            self.append_log(f"Training into {event['out']} for up to {self._epochs} epochs.")
        elif name == "progress":
            self._on_progress(event)
        elif name == "epoch":
            self._on_epoch(event)
        elif name == "checkpoint":
            self.append_log(f"Checkpoint after epoch {event['epoch']}: {event['path']}")
            self._checkpointed.add(self.out_edit.text().strip())
        elif name == "cancelled":
            self.message.show_message(
                f"Training cancelled after epoch {event['epoch']}; Resume continues from the checkpoint.", "info"
            )
        elif name == "done":
            bundle = str(event["bundle"])
            self.progress.setValue(1000)
            self.progress.setFormat("Done")
            self.append_log(f"Model written: {bundle}")
            self.message.show_message(f"New model ready: {bundle}. It is now in the Generate tab's model list.", "info")
            self.model_trained.emit(bundle)

    def _on_progress(self, event: Dict[str, Any]) -> None:
        total = max(int(event["total"]), 1)
        fraction = min(int(event["done"]), total) / total
        if self._epochs > 0 and event["stage"] == "train":
            overall = (self._epochs_done + fraction) / self._epochs
            self.progress.setFormat(f"Epoch {self._epochs_done + 1} / {self._epochs}: %p%")
        else:
            overall = fraction
            self.progress.setFormat(f"{event['stage']}: {event['done']} / {event['total']}")
        self.progress.setValue(int(1000 * min(overall, 1.0)))

    def _on_epoch(self, event: Dict[str, Any]) -> None:
        epoch, epochs = int(event["epoch"]), int(event["epochs"])
        self._epochs, self._epochs_done = epochs, epoch
        train_loss = float(event["train_loss"])
        val_loss = event.get("val_loss")
        val_loss = float(val_loss) if isinstance(val_loss, (int, float)) and not isinstance(val_loss, bool) else None
        self.loss_plot.add_point(epoch, train_loss, val_loss)
        self.progress.setValue(int(1000 * min(epoch / max(epochs, 1), 1.0)))
        self.progress.setFormat(f"Epoch {epoch} / {epochs}")
        parts = [f"Epoch {epoch} / {epochs}", f"train loss {train_loss:.4g}"]
        if val_loss is not None:
            parts.append(f"validation loss {val_loss:.4g}")
        eta = format_eta(event.get("eta_s") if isinstance(event.get("eta_s"), (int, float)) else None)
        if eta:
            parts.append(f"about {eta} left")
        text = " - ".join(parts)
        self.status.setText(text)
        self.append_log(text)

    def _on_ended(self, code: int, outcome: str) -> None:
        self._set_running(False)
        if outcome == "cancelled":
            self.progress.setFormat("Cancelled")
        elif outcome == "error":
            self.progress.setValue(0)
            self.progress.setFormat("Failed: see the message and the log")

    def showEvent(self, event: Any) -> None:
        """The first time the tab is seen, look for a Python with TensorFlow when the field has none that works."""
        super().showEvent(event)
        if not self._checked_python:
            self._checked_python = True
            if interpreter_problem(self.python_edit.text().strip(), self.required_module) is not None:
                self.find_interpreter()

    def shutdown(self) -> None:
        """Stop the trainer (the panel is closing)."""
        self.save_settings()
        process = self.trainer.process
        if self.trainer.running() and process is not None:
            self.trainer.cancel()
            if not process.waitForFinished(10000):
                self.trainer.kill()
                process.waitForFinished(3000)
