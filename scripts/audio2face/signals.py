"""SIGTERM and SIGHUP (what farm schedulers, ``timeout`` and a closed terminal send) handled as a cancel.

Inside ``terminate_as_cancel()`` those signals raise ``Terminated``, a ``KeyboardInterrupt``: every place that
cleans up after Ctrl-C (temporary files, half-done output sets, sockets) cleans up after them too, instead of
the process dying with its temporary files beside the outputs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import Any, Dict, Iterator

CANCEL_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(KeyboardInterrupt):
    """The process was asked to stop by a signal; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's code for death by this signal (128 + number), which schedulers expect."""
        return 128 + int(self.signum)

    @property
    def name(self) -> str:
        """``SIGTERM``, ``SIGHUP``..."""
        return signal.Signals(self.signum).name


def _raise(signum: int, frame: Any) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def terminate_as_cancel() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into ``Terminated`` while inside (only the main thread can; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: Dict[int, Any] = {}
    for signum in CANCEL_SIGNALS:
        if signal.getsignal(signum) is signal.SIG_IGN:  # nohup: keep ignoring
            continue
        previous[signum] = signal.signal(signum, _raise)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def silence_stdout() -> None:
    """After a broken pipe (``... | head``): point stdout at the null device so the interpreter's last flush
    does not fail again with a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
