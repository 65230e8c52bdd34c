"""Atomic file writing: a temporary file in the same folder, then ``os.replace``.

Temporary names are ``.<name>.<pid>@<host>.<random><suffix>.tmp``; before writing ``name``, those left by a
process of this host that no longer runs (killed with SIGKILL, a crash, a power cut), or older than a day
whoever wrote them, are removed.
Inside ``output_set.all_or_nothing()`` the rename waits for the set's commit.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import socket
import tempfile
import time
from pathlib import Path
from typing import IO, Iterator

from . import output_set
from .errors import Audio2FaceError, PathLike, write_error

logger = logging.getLogger(__name__)

STALE_TEMP_SECONDS = 24 * 3600.0
"""A temporary file this old is stale whoever wrote it."""


def umask_mode(mode: int = 0o666) -> int:
    """``mode`` less the process umask: what ``open`` would give a new file (``mkstemp`` gives 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return mode & ~mask


def pid_running(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (``True`` when it cannot be told, as on Windows)."""
    if os.name != "posix" or pid <= 0:
        return True  # os.kill(pid, 0) would terminate the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it runs, as another user
        return True
    return True


def owner_tag() -> str:
    """``<pid>@<host>``: who writes a temporary file (the host tells a shared folder's writers apart)."""
    host = re.sub(r"[^A-Za-z0-9-]", "", socket.gethostname().split(".")[0]) or "host"
    return f"{os.getpid()}@{host}"


def _stale_owner(owner: str) -> bool:
    """Whether ``<pid>@<host>`` names a process of this host that has ended."""
    pid, _, host = owner.partition("@")
    mine = owner_tag().partition("@")[2]
    return pid.isdigit() and host == mine and int(pid) != os.getpid() and not pid_running(int(pid))


def sweep_stale_temps(target: Path) -> int:
    """Remove our own stale temporary files beside ``target``; returns how many."""
    prefix = f".{target.name}."
    removed = 0
    for name in glob.glob(glob.escape(str(target.parent / prefix)) + "*.tmp"):
        stale = Path(name)
        owner = stale.name[len(prefix):].split(".", 1)[0]
        try:
            if not stale.is_file():
                continue
            old = time.time() - stale.stat().st_mtime > STALE_TEMP_SECONDS
            if old or _stale_owner(owner):
                stale.unlink()
                removed += 1
                logger.info("removed a stale temporary file %s", stale)
        except OSError:
            continue
    return removed


@contextlib.contextmanager
def atomic_path(path: PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it into place.

    On any exception the temporary file is removed and ``path`` is untouched. An ``OSError`` (disk full,
    read-only, no permission, file too large) becomes a one-line ``Audio2FaceError`` naming ``path``.

    Args:
        path: Final destination.
        suffix: Suffix for the temporary name (some libraries pick the format by it).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise Audio2FaceError("output folder does not exist", folder)
    if target.is_dir():
        raise Audio2FaceError("is a folder; give the output file's name", target)
    sweep_stale_temps(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{owner_tag()}.", suffix=suffix + ".tmp", dir=folder)
    except OSError as exc:
        raise write_error(exc, target) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, umask_mode())
        pending = output_set.current()
        if pending is not None:
            pending.add(tmp_path, target)
        else:
            os.replace(tmp_path, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(exc, OSError):
            raise write_error(exc, target) from None
        raise


@contextlib.contextmanager
def atomic_open(
    path: PathLike, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = "\n"
) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; move it into place on success."""
    binary = "b" in mode
    with atomic_path(path) as tmp:
        if binary:
            with open(tmp, mode) as handle:
                yield handle
        else:
            with open(tmp, mode, encoding=encoding, newline=newline) as handle:
                yield handle
