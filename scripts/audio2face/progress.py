"""Progress reporting and cancellation shared by long operations."""

from __future__ import annotations

import threading
from typing import Callable, Optional

from .errors import Cancelled

ProgressFn = Callable[[int, int], None]
"""Called as ``progress(done, total)``."""


class CancelToken:
    """A thread-safe flag a caller sets to stop long work at the next check."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel`` was called."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if ``cancel`` was called."""
        if self._event.is_set():
            raise Cancelled("cancelled")


def check(cancel: Optional[CancelToken]) -> None:
    """Raise ``Cancelled`` when ``cancel`` is set (``None`` never cancels)."""
    if cancel is not None:
        cancel.check()


def report(progress: Optional[ProgressFn], done: int, total: int) -> None:
    """Call ``progress`` when given."""
    if progress is not None:
        progress(done, total)
