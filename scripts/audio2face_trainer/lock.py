"""One training run per bundle folder: ``<out>.lock`` beside it, held with an OS lock for the whole run.

The OS lock (``fcntl.flock``, ``msvcrt.locking`` on Windows) is released by the kernel when the process
dies, even by SIGKILL, so a lock file left by a killed run is detected as stale and taken over. The file
holds the holder's pid, host and start time, named in the refusal a second run gets.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from pathlib import Path
from typing import IO, Any, Dict, Optional

from audio2face.errors import Audio2FaceError, PathLike

logger = logging.getLogger(__name__)


def lock_path(out: PathLike) -> Path:
    """The lock file of bundle folder ``out``."""
    target = Path(out)
    return target.with_name(target.name + ".lock")


def _try_lock(handle: IO[str]) -> bool:
    if os.name == "nt":
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _holder(text: str) -> Dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _same_file(handle: IO[str], path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:
        return False


class TrainingLock:
    """Hold ``<out>.lock`` while training into ``out``.

    Raises (from ``acquire``):
        Audio2FaceError: another live run holds it (naming its pid and host), or the file cannot be made.
    """

    def __init__(self, out: PathLike) -> None:
        self.path = lock_path(out)
        self._handle: Optional[IO[str]] = None
        self.stale: Dict[str, Any] = {}

    def acquire(self) -> TrainingLock:
        """Take the lock (a stale one left by a killed run is taken over with a warning)."""
        for _ in range(10):
            if self._acquire_once():
                return self
        raise Audio2FaceError("the training lock keeps changing hands; try again", self.path)

    def _acquire_once(self) -> bool:
        """True when locked; False when the file was replaced while we locked it (the holder just left)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Audio2FaceError(f"cannot create the output folder ({exc.strerror or exc})", self.path) from None
        try:
            handle = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            raise Audio2FaceError(f"cannot create the training lock ({exc.strerror or exc})", self.path) from None
        handle.seek(0)
        previous = _holder(handle.read())
        if not _try_lock(handle):
            handle.close()
            who = f"pid {previous.get('pid', '?')} on {previous.get('host', '?')}"
            since = f", started {previous['started']}" if previous.get("started") else ""
            raise Audio2FaceError(
                f"another training run ({who}{since}) is writing this bundle; wait for it or choose another --out",
                self.path.with_suffix(""),
            )
        if not _same_file(handle, self.path):
            handle.close()
            return False
        if previous:
            self.stale = previous
            logger.warning("%s: taking over a stale lock of pid %s on %s (that run was killed)", self.path,
                           previous.get("pid"), previous.get("host"))
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}) + "\n")
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        """Give the lock up and remove the file."""
        if self._handle is None:
            return
        try:
            self.path.unlink()
        except OSError:
            pass
        self._handle.close()  # closing releases the OS lock
        self._handle = None

    def __enter__(self) -> TrainingLock:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()
