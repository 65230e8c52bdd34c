"""The trainer as a ``QProcess``: JSON-line events in, signals out, never blocking the UI."""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Optional, Sequence

from audio2face import training
from audio2face.errors import Audio2FaceError

from audio2face_maya.vendor.Qt import QtCore

logger = logging.getLogger(__name__)

KILL_AFTER_MS = 20000
"""How long a cancelled trainer may take to save its checkpoint before it is killed."""


class TrainerProcess(QtCore.QObject):
    """Starts ``python -m audio2face_trainer train ...`` and turns its stdout into events.

    Signals:
        event_received(dict): one parsed protocol event (``training.parse_event``). Not named ``event``:
            that would hide ``QObject.event``, which PySide2 then tries to call for every Qt event.
        log(str): a line for the log view (stderr, and stdout lines that are not events).
        ended(int, str): exit code and the outcome: "done", "cancelled" or "error".
        failed(str): a plain-words error (the trainer's ``error`` event, a start failure or a crash).
    """

    event_received = QtCore.Signal(dict)
    log = QtCore.Signal(str)
    ended = QtCore.Signal(int, str)
    failed = QtCore.Signal(str)

    def __init__(self, parent: Optional[QtCore.QObject] = None) -> None:
        super().__init__(parent)
        self.process: Optional[QtCore.QProcess] = None
        self.command: List[str] = []
        self.events: List[Dict[str, Any]] = []
        self._buffers = {"out": b"", "err": b""}
        self._terminal: Optional[str] = None
        self._stderr_tail: List[str] = []
        self._kill_timer = QtCore.QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self._kill)

    def running(self) -> bool:
        """Whether a trainer process is alive."""
        return self.process is not None and self.process.state() != QtCore.QProcess.ProcessState.NotRunning

    def start(
        self,
        python: str,
        data_dirs: Sequence[str],
        out: str,
        epochs: Optional[int] = None,
        resume: bool = False,
        val_clips: Sequence[str] = (),
        extra: Sequence[str] = (),
        program: Sequence[str] = training.DEFAULT_PROGRAM,
    ) -> List[str]:
        """Start the trainer; returns its argument list. Raises ``Audio2FaceError`` on bad input."""
        if self.running():
            raise Audio2FaceError("the trainer is already running")
        if not python:
            raise Audio2FaceError("choose the Python interpreter that has TensorFlow installed")
        if not os.path.isfile(python):
            raise Audio2FaceError("Python interpreter not found", python)
        if not out:
            raise Audio2FaceError("choose the folder where the trained model is written")
        command = training.trainer_command(
            python, data_dirs, out, epochs, resume, val_clips, extra, program=program
        )
        self.command = command
        self.events = []
        self._buffers = {"out": b"", "err": b""}
        self._terminal = None
        self._stderr_tail = []
        process = QtCore.QProcess(self)
        environment = QtCore.QProcessEnvironment()
        for key, value in training.trainer_env().items():
            environment.insert(key, value)
        process.setProcessEnvironment(environment)
        process.readyReadStandardOutput.connect(self._read_stdout)
        process.readyReadStandardError.connect(self._read_stderr)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self.process = process
        self.log.emit("$ " + " ".join(_quote(part) for part in command))
        process.start(command[0], command[1:])
        return command

    def cancel(self) -> None:
        """Ask the trainer to save a checkpoint and stop; kill it if it does not within ``KILL_AFTER_MS``."""
        if not self.running():
            return
        assert self.process is not None
        self.log.emit("Cancelling: the trainer saves a checkpoint first (Resume continues from it).")
        self.process.write((training.CANCEL_LINE + "\n").encode("utf-8"))
        self._kill_timer.start(KILL_AFTER_MS)

    def kill(self) -> None:
        """Stop the trainer at once."""
        self._kill()

    def _kill(self) -> None:
        if self.running():
            assert self.process is not None
            self.log.emit("The trainer did not stop in time; killing it.")
            self.process.kill()

    def _lines(self, key: str, data: bytes) -> List[str]:
        buffer = self._buffers[key] + data
        *lines, rest = buffer.split(b"\n")
        self._buffers[key] = rest
        return [line.decode("utf-8", errors="replace").rstrip("\r") for line in lines]

    def _read_stdout(self) -> None:
        assert self.process is not None
        for line in self._lines("out", bytes(self.process.readAllStandardOutput().data())):
            self._handle_stdout_line(line)

    def _read_stderr(self) -> None:
        assert self.process is not None
        for line in self._lines("err", bytes(self.process.readAllStandardError().data())):
            self._handle_stderr_line(line)

    def _handle_stdout_line(self, line: str) -> None:
        event = training.parse_event(line)
        if event is None:
            if line.strip():
                self.log.emit(line)
            return
        self.events.append(event)
        name = event["event"]
        if name in training.TERMINAL_EVENTS:
            self._terminal = name
        if name == "error":
            self.log.emit(f"ERROR: {event['message']}")
            self.failed.emit(str(event["message"]))
        elif name == "warning":
            self.log.emit(f"Warning: {event['message']}")
        self.event_received.emit(event)

    def _handle_stderr_line(self, line: str) -> None:
        if line.strip():
            self._stderr_tail = (self._stderr_tail + [line])[-5:]
            self.log.emit(line)

    def _flush(self) -> None:
        if self.process is None:
            return
        self._read_stdout()
        self._read_stderr()
        for key, handle in (("out", self._handle_stdout_line), ("err", self._handle_stderr_line)):
            rest = self._buffers[key]
            self._buffers[key] = b""
            if rest.strip():
                handle(rest.decode("utf-8", errors="replace"))

    def _finished(self, code: int, status: Any = None) -> None:
        self._kill_timer.stop()
        self._flush()
        crashed = status == QtCore.QProcess.ExitStatus.CrashExit
        if self._terminal is None:
            if code == training.EXIT_CANCELLED:
                self._terminal = "cancelled"
            else:
                message = (
                    "the trainer stopped (killed or crashed)" if crashed
                    else f"the trainer exited with code {code} before finishing"
                )
                if self._stderr_tail:
                    message += ": " + " | ".join(self._stderr_tail[-3:])
                self._terminal = "error"
                self.log.emit(f"ERROR: {message}")
                self.failed.emit(message)
        self.ended.emit(int(code), self._terminal)

    def _error(self, error: Any) -> None:
        if error == QtCore.QProcess.ProcessError.FailedToStart:
            self._terminal = "error"
            program = self.command[0] if self.command else "python"
            message = f"{program}: the trainer could not be started (is this a Python interpreter?)"
            self.log.emit(f"ERROR: {message}")
            self.failed.emit(message)
            self.ended.emit(-1, "error")


def _quote(part: str) -> str:
    return f'"{part}"' if " " in part else part
