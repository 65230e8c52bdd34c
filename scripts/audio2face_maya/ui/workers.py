"""Long work off the UI thread, with progress and cancel (``audio2face.progress.CancelToken``)."""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Optional

from audio2face.errors import Cancelled
from audio2face.progress import CancelToken, ProgressFn

from audio2face_maya.vendor.Qt import QtCore

from .messages import plain_message

logger = logging.getLogger(__name__)

JobFn = Callable[[ProgressFn, CancelToken], Any]
"""Work to run: called as ``fn(progress, cancel)``; returns the result."""


class Job(QtCore.QThread):
    """Runs ``fn(progress, cancel)`` in a worker thread; results arrive as signals on the UI thread.

    Signals:
        progressed(int, int): done, total (at most ~20 per second).
        succeeded(object): the result.
        failed(str): the error in plain words.
        cancelled(): the work stopped because ``cancel()`` was called.
    """

    progressed = QtCore.Signal(int, int)
    succeeded = QtCore.Signal(object)
    failed = QtCore.Signal(str)
    cancelled = QtCore.Signal()

    def __init__(self, fn: JobFn, name: str = "job", parent: Optional[QtCore.QObject] = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self.name = name
        self.token = CancelToken()
        self._last_emit = 0.0
        self.outcome = ""

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self.token.cancel()

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_emit >= 0.05:
            self._last_emit = now
            self.progressed.emit(int(done), int(total))
        self.token.check()

    def run(self) -> None:
        """Thread body: never lets an exception escape."""
        try:
            result = self._fn(self._progress, self.token)
            if self.token.cancelled:
                raise Cancelled("cancelled")
        except Cancelled:
            self.outcome = "cancelled"
            self.cancelled.emit()
        except Exception as exc:  # shown in plain words; a bug is logged with its traceback
            if not _is_user_error(exc):
                logger.exception("%s failed", self.name)
            self.outcome = "failed"
            self.failed.emit(plain_message(exc))
        else:
            self.outcome = "succeeded"
            self.succeeded.emit(result)


def _is_user_error(exc: BaseException) -> bool:
    from audio2face.errors import Audio2FaceError

    return isinstance(exc, (Audio2FaceError, OSError))
