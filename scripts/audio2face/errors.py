"""The one exception type for errors a user can cause."""

from __future__ import annotations

import os
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]


class Audio2FaceError(Exception):
    """A problem with the user's input, named in plain words.

    The CLI, the panel and the batch print ``str(error)`` and never a traceback.
    """

    def __init__(self, message: str, path: PathLike | None = None) -> None:
        self.path = os.fspath(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path else message)


class Cancelled(Exception):
    """Raised when the user cancels long work; nothing was written."""


def write_error(error: OSError, path: PathLike) -> Audio2FaceError:
    """The one-line error for an ``OSError`` while writing ``path`` (disk full, read-only, no permission...)."""
    reason = error.strerror or str(error) or type(error).__name__
    if "requested and" in reason and "written" in reason:  # numpy's short write says only this
        reason += ": the disk is full or the file size limit reached"
    return Audio2FaceError(f"cannot write ({reason})", path)
