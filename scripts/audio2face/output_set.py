"""All outputs of one run, or none: finished temporary files are moved into place together at the end.

``atomic.atomic_path`` hands its finished temporary file to the set open in this context (if any) instead of
renaming it. ``commit`` renames them all; when one rename fails (or Ctrl-C / SIGTERM arrives between two), the
files already renamed are put back as they were: an output that existed gets its old content again, a new
one is removed. So a writer that refuses (0 frames, a bad alias, a full disk) leaves none of the others.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import shutil
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from .errors import write_error

logger = logging.getLogger(__name__)

_CURRENT: contextvars.ContextVar[Optional[OutputSet]] = contextvars.ContextVar("audio2face_output_set", default=None)


class OutputSet:
    """Finished temporary files waiting to be moved onto their targets."""

    def __init__(self) -> None:
        self._pending: List[Tuple[Path, Path]] = []

    def add(self, tmp: Path, target: Path) -> None:
        """Move ``tmp`` onto ``target`` at ``commit`` (``tmp`` is removed on ``discard``)."""
        self._pending.append((tmp, target))

    def discard(self) -> None:
        """Remove every waiting temporary file; no target is touched."""
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._pending.clear()

    def commit(self) -> List[Path]:
        """Move every file into place, or (on any failure) none; returns the targets.

        Raises:
            Audio2FaceError: a rename failed (naming its file); every target is as it was before.
        """
        placed: List[Tuple[Path, Optional[Path]]] = []
        current: Optional[Path] = None
        try:
            for tmp, target in self._pending:
                current = target
                backup = _backup(tmp, target) if target.exists() else None
                placed.append((target, backup))
                os.replace(tmp, target)
        except BaseException as exc:
            _roll_back(placed)
            self.discard()
            if isinstance(exc, OSError):
                raise write_error(exc, current or "output") from None
            raise
        for _, backup in placed:
            if backup is not None:
                with contextlib.suppress(OSError):
                    backup.unlink()
        targets = [target for _, target in self._pending]
        self._pending.clear()
        return targets


def _backup(tmp: Path, target: Path) -> Path:
    """A second name for ``target``'s current content (a hard link, or a copy where links are not allowed)."""
    backup = tmp.with_name(tmp.name[: -len(".tmp")] + ".bak.tmp")
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)
    return backup


def _roll_back(placed: List[Tuple[Path, Optional[Path]]]) -> None:
    for target, backup in reversed(placed):
        try:
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        except OSError as exc:  # nothing better to do than say so
            logger.error("%s: could not be put back as it was (%s)", target, exc.strerror or exc)


def current() -> Optional[OutputSet]:
    """The set open in this context, if any."""
    return _CURRENT.get()


@contextlib.contextmanager
def all_or_nothing() -> Iterator[OutputSet]:
    """Inside, atomic writes wait; at the end they are all moved into place, or none when anything failed.

    Nested, it joins the set already open (the outermost one commits).
    """
    outer = _CURRENT.get()
    if outer is not None:
        yield outer
        return
    outputs = OutputSet()
    token = _CURRENT.set(outputs)
    try:
        yield outputs
    except BaseException:
        outputs.discard()
        raise
    finally:
        _CURRENT.reset(token)
    outputs.commit()
