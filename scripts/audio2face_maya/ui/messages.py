"""Errors and notes shown inside the panel in plain words, never as a traceback dialog."""

from __future__ import annotations

import functools
import logging
import time
from typing import Any, Callable, List, Optional, Tuple

from audio2face.errors import Audio2FaceError, Cancelled

from audio2face_maya.vendor.Qt import QtCore, QtWidgets

logger = logging.getLogger(__name__)

HISTORY_LENGTH = 500

_STYLES = {
    "error": "background:#5a1f1f; color:#ffd9d9; border:1px solid #a33; border-radius:3px; padding:4px;",
    "warning": "background:#4d3d12; color:#ffe9b0; border:1px solid #a82; border-radius:3px; padding:4px;",
    "info": "background:#1f3a4d; color:#d9efff; border:1px solid #37a; border-radius:3px; padding:4px;",
}


def plain_message(error: BaseException) -> str:
    """The words shown for ``error``: the ``Audio2FaceError`` text, or a short note for anything else."""
    if isinstance(error, Audio2FaceError):
        return str(error)
    if isinstance(error, Cancelled):
        return "Cancelled."
    if isinstance(error, OSError):
        where = f"{error.filename}: " if getattr(error, "filename", None) else ""
        return f"{where}{error.strerror or error}"
    return f"Unexpected problem ({type(error).__name__}: {error}). Details are in the log."


class MessageBar(QtWidgets.QLabel):
    """A banner for the latest error, warning or result; every message is also kept in ``history``.

    Signals:
        posted(str, str): level and text of each message shown.
    """

    posted = QtCore.Signal(str, str)

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.level = ""
        self.history: List[Tuple[float, str, str]] = []
        self.clear_message()

    def show_message(self, text: str, level: str = "info") -> None:
        """Show ``text`` styled by ``level`` (info, warning, error) and keep it in the history."""
        self.level = level
        self.setStyleSheet(_STYLES.get(level, _STYLES["info"]))
        self.setText(text)
        self.setVisible(True)
        self.history.append((time.time(), level, text))
        del self.history[:-HISTORY_LENGTH]
        log = logger.warning if level in ("error", "warning") else logger.info
        log("%s", text)
        self.posted.emit(level, text)

    def show_error(self, error: Any) -> None:
        """Show an exception (or text) as an error."""
        self.show_message(error if isinstance(error, str) else plain_message(error), "error")

    def clear_message(self) -> None:
        """Hide the banner."""
        self.level = ""
        self.setText("")
        self.setVisible(False)


def guarded(bar: MessageBar, fn: Callable[[], Any]) -> Callable[..., None]:
    """Wrap ``fn`` for a signal: ignore the signal's arguments and show any error on ``bar``."""

    @functools.wraps(fn)
    def slot(*_args: Any) -> None:
        try:
            fn()
        except (Audio2FaceError, Cancelled, OSError) as exc:
            bar.show_error(exc)
        except Exception as exc:  # a bug must not escape into Maya's event loop as a traceback dialog
            logger.exception("unexpected error in the panel")
            bar.show_error(exc)

    return slot


class MessageLog(QtWidgets.QPlainTextEdit):
    """Every message a ``MessageBar`` showed, oldest first, with its time and level (read-only)."""

    def __init__(self, bar: MessageBar, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageLog")
        self.setReadOnly(True)
        self.setMaximumBlockCount(HISTORY_LENGTH)
        self.setMinimumHeight(60)
        self.setTabChangesFocus(True)
        for when, level, text in bar.history:
            self._add(when, level, text)
        bar.posted.connect(lambda level, text: self._add(time.time(), level, text))

    def _add(self, when: float, level: str, text: str) -> None:
        self.appendPlainText(f"{time.strftime('%H:%M:%S', time.localtime(when))}  {level:<7}  {text}")

    def lines(self) -> List[str]:
        """The log's lines."""
        return self.toPlainText().splitlines()
