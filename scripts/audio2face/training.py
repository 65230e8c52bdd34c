"""Client for the trainer process (``python -m audio2face_trainer``), which speaks JSON lines on stdout.

The trainer runs in its own Python (one with TensorFlow); this module never imports TensorFlow. The
protocol is documented in ``docs/trainer.md``: one JSON object per stdout line with an ``event`` field
(``started``, ``prepared``, ``progress``, ``epoch``, ``checkpoint``, ``warning``, ``cancelled``, ``done``, ``error``);
human-readable logs go to stderr.

Cancelling: write the line ``cancel`` to the trainer's stdin (what ``TrainerClient.cancel`` does; works on
every platform, and from ``QProcess.write``). SIGINT (Ctrl+C) does the same on Linux/macOS, and
CTRL_BREAK_EVENT on Windows when the trainer was started in its own process group. Either way the trainer
saves a checkpoint, prints ``checkpoint`` and ``cancelled`` and exits with ``EXIT_CANCELLED``;
``--resume`` continues from that checkpoint.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Deque, Dict, Iterator, List, Mapping, Optional, Sequence

from .errors import Audio2FaceError, PathLike

logger = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
CANCEL_LINE = "cancel"
EXIT_DONE = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 3

EVENT_FIELDS: Dict[str, Dict[str, tuple]] = {
    "started": {"out": (str,), "epochs": (int,)},
    "prepared": {"train_frames": (int,)},
    "progress": {"stage": (str,), "done": (int,), "total": (int,)},
    "epoch": {"epoch": (int,), "epochs": (int,), "train_loss": (int, float)},
    "checkpoint": {"epoch": (int,), "path": (str,)},
    "warning": {"message": (str,)},
    "cancelled": {"epoch": (int,)},
    "done": {"bundle": (str,)},
    "error": {"message": (str,)},
}
"""Known events and the fields each must carry, with their JSON types."""

TERMINAL_EVENTS = ("done", "error", "cancelled")
SCRIPTS_DIR = Path(__file__).resolve().parent.parent
"""The folder holding the ``audio2face`` and ``audio2face_trainer`` packages."""
DEFAULT_PROGRAM = ("-m", "audio2face_trainer")


def trainer_command(
    python: PathLike,
    data_dirs: Sequence[PathLike],
    out: PathLike,
    epochs: Optional[int] = None,
    resume: bool = False,
    val_clips: Sequence[str] = (),
    extra: Sequence[str] = (),
    *,
    program: Sequence[str] = DEFAULT_PROGRAM,
) -> List[str]:
    """The trainer's argument list (run it without a shell, with ``trainer_env()`` as its environment).

    Args:
        python: The interpreter that has TensorFlow.
        data_dirs: Dataset folders (either layout).
        out: The bundle folder to write.
        epochs: Maximum epochs (``None`` = the trainer's default).
        resume: Continue from the checkpoint of an earlier run with the same ``out``.
        val_clips: Clip names held out for validation (default: the trainer picks one).
        extra: More trainer arguments, passed as they are.
        program: What follows the interpreter (default ``-m audio2face_trainer``; tests pass a script).
    """
    if not data_dirs:
        raise Audio2FaceError("the trainer needs at least one dataset folder")
    command = [os.fspath(python), *program, "train", "--data"]
    command += [os.path.abspath(os.fspath(d)) for d in data_dirs]
    command += ["--out", os.path.abspath(os.fspath(out))]
    if epochs is not None:
        command += ["--epochs", str(int(epochs))]
    if resume:
        command.append("--resume")
    if val_clips:
        command += ["--val-clip", *[str(v) for v in val_clips]]
    command += [str(e) for e in extra]
    return command


INHERITED_PYTHON_VARS = ("PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONEXECUTABLE", "PYTHONPLATLIBDIR",
                         "PYTHONSAFEPATH", "PYTHONINSPECT")
"""Variables a host application (Maya sets PYTHONHOME) passes down that would point another Python at the
host's own interpreter or packages; never given to the trainer."""
LIBRARY_PATH_VARS = ("PATH", "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "DYLD_FRAMEWORK_PATH")
"""Search paths from which the host's own folders (under ``MAYA_LOCATION``) are removed."""


def _outside(folder: str, roots: Sequence[str]) -> bool:
    norm = os.path.normcase(os.path.abspath(folder))
    return not any(norm == root or norm.startswith(root + os.sep) for root in roots)


def trainer_env(base: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """A clean environment for the trainer's own Python (a TensorFlow env, not the host's).

    Starts from ``base`` (default ``os.environ``) so SYSTEMROOT, PATH, HOME, proxies and CUDA settings
    stay, but drops what ties a child Python to the host's interpreter: ``INHERITED_PYTHON_VARS``,
    a ``PYTHONPATH`` holding the host's packages (it becomes this package's folder only), and the
    host's folders (``MAYA_LOCATION``) in the library search paths. ``PYTHONNOUSERSITE`` keeps the
    user's site-packages (possibly built for the host's Python) out; events arrive unbuffered in UTF-8.
    """
    env = dict(os.environ if base is None else base)
    for name in INHERITED_PYTHON_VARS:
        env.pop(name, None)
    roots = [os.path.normcase(os.path.abspath(env[name])) for name in ("MAYA_LOCATION",) if env.get(name)]
    if roots:
        for name in LIBRARY_PATH_VARS:
            if name in env:
                kept = [p for p in env[name].split(os.pathsep) if p and _outside(p, roots)]
                if kept:
                    env[name] = os.pathsep.join(kept)
                else:
                    env.pop(name)
    env["PYTHONPATH"] = str(SCRIPTS_DIR)
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def parse_event(line: Any) -> Optional[Dict[str, Any]]:
    """Parse one stdout line of the trainer.

    Returns:
        The event dict, or ``None`` for lines that are not events (non-JSON output, unknown event names,
        events missing a required field), which callers skip.
    """
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    if not isinstance(line, str):
        return None
    text = line.strip()
    if not text.startswith("{"):
        return None
    try:
        event = json.loads(text)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    name = event.get("event")
    fields = EVENT_FIELDS.get(name) if isinstance(name, str) else None
    if fields is None:
        logger.debug("ignoring unknown trainer event %r", name)
        return None
    for key, kinds in fields.items():
        value = event.get(key)
        if not isinstance(value, kinds) or isinstance(value, bool):
            logger.debug("ignoring %s event without a valid %r", name, key)
            return None
    return event


class TrainerClient:
    """Start the trainer, read its events, cancel it.

    Example::

        client = TrainerClient(["/data/shots"], "/models/mine", python="/envs/tf/bin/python", epochs=30)
        client.start()
        for event in client.events():
            print(event["event"], event)
        code = client.wait()
    """

    def __init__(
        self,
        data_dirs: Sequence[PathLike],
        out: PathLike,
        python: PathLike = sys.executable,
        epochs: Optional[int] = None,
        resume: bool = False,
        val_clips: Sequence[str] = (),
        extra: Sequence[str] = (),
        *,
        program: Sequence[str] = DEFAULT_PROGRAM,
        env: Optional[Mapping[str, str]] = None,
        cwd: Optional[PathLike] = None,
    ) -> None:
        self.command = trainer_command(
            python, data_dirs, out, epochs, resume, val_clips, extra, program=program
        )
        self.env = trainer_env(env)
        self.cwd = os.fspath(cwd) if cwd is not None else None
        self.process: Optional[subprocess.Popen] = None
        self.last_event: Optional[Dict[str, Any]] = None
        self._stderr_tail: Deque[str] = collections.deque(maxlen=40)
        self._stderr_thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()

    def start(self) -> TrainerClient:
        """Start the trainer process. Raises ``Audio2FaceError`` when the interpreter cannot be run."""
        if self.process is not None:
            raise RuntimeError("the trainer was already started")
        flags = 0
        if os.name == "nt":  # its own group (CTRL_BREAK cancels it) and no console window over Maya
            flags = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) | getattr(subprocess, "CREATE_NO_WINDOW", 0)
        try:
            self.process = subprocess.Popen(  # noqa: S603 - an argument list, never a shell
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env,
                cwd=self.cwd,
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
                creationflags=flags,
            )
        except OSError as exc:
            raise Audio2FaceError(f"cannot start the trainer: {exc}", self.command[0]) from None
        self._stderr_thread = threading.Thread(target=self._read_stderr, name="trainer-stderr", daemon=True)
        self._stderr_thread.start()
        return self

    def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:
            line = line.rstrip("\n")
            with self._lock:
                self._stderr_tail.append(line)
            logger.info("trainer: %s", line)

    @property
    def stderr_tail(self) -> str:
        """The last lines the trainer logged on stderr."""
        with self._lock:
            return "\n".join(self._stderr_tail)

    def events(self) -> Iterator[Dict[str, Any]]:
        """Yield the trainer's events until it exits.

        When the process ends without a ``done``, ``cancelled`` or ``error`` event (it crashed, or the
        interpreter has no TensorFlow), a final ``error`` event is made up from its exit code and the
        tail of its stderr.
        """
        if self.process is None or self.process.stdout is None:
            raise RuntimeError("start the trainer first")
        terminal = False
        for line in self.process.stdout:
            event = parse_event(line)
            if event is None:
                if line.strip():
                    logger.debug("trainer stdout: %s", line.rstrip())
                continue
            self.last_event = event
            terminal = terminal or event["event"] in TERMINAL_EVENTS
            yield event
        code = self.wait()
        if not terminal:
            if self._stderr_thread is not None:
                self._stderr_thread.join(timeout=5)
            tail = self.stderr_tail.strip().splitlines()[-5:]
            message = f"the trainer exited with code {code} before finishing"
            if tail:
                message += ": " + " | ".join(tail)
            event = {"event": "error", "message": message, "exit_code": code}
            self.last_event = event
            yield event

    def cancel(self) -> None:
        """Ask the trainer to save a checkpoint and exit (writes ``cancel`` on its stdin)."""
        process = self.process
        if process is None or process.poll() is not None or process.stdin is None:
            return
        try:
            process.stdin.write(CANCEL_LINE + "\n")
            process.stdin.flush()
        except (OSError, ValueError):
            logger.debug("trainer stdin already closed")

    def kill(self) -> None:
        """Stop the trainer at once (no checkpoint); use ``cancel`` for a clean stop."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()

    def wait(self, timeout: Optional[float] = None) -> int:
        """Wait for the trainer to exit and return its exit code (``EXIT_DONE``, ``EXIT_CANCELLED``...)."""
        if self.process is None:
            raise RuntimeError("start the trainer first")
        code = self.process.wait(timeout)
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        return int(code)

    @property
    def returncode(self) -> Optional[int]:
        """The exit code, or ``None`` while running."""
        return None if self.process is None else self.process.poll()

    def __enter__(self) -> TrainerClient:
        return self if self.process is not None else self.start()

    def __exit__(self, *exc: Any) -> None:
        if self.process is not None and self.process.poll() is None:
            self.cancel()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
                self.process.wait()
