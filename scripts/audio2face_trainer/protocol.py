"""The trainer's side of the JSON-lines protocol: events on stdout, cancel requests from stdin or signals.

No TensorFlow here: the stand-in trainer used by tests imports this module too.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import signal
import sys
import threading
import time
from typing import IO, Any, Dict, Optional

from audio2face.training import CANCEL_LINE, PROTOCOL_VERSION

logger = logging.getLogger(__name__)


def protect_stdout() -> IO[str]:
    """Keep stdout for events only.

    Returns a text stream on a duplicate of the original stdout; file descriptor 1 and ``sys.stdout``
    are pointed at stderr, so stray prints (of Python code or of native libraries) cannot corrupt the
    event stream.
    """
    sys.stdout.flush()
    try:
        events_fd = os.dup(1)
        os.dup2(2, 1)
    except OSError:
        return sys.stdout
    sys.stdout = sys.stderr
    return io.TextIOWrapper(os.fdopen(events_fd, "wb", buffering=0), encoding="utf-8", line_buffering=True)


def _clean(value: Any) -> Any:
    """JSON-safe copy: non-finite floats become ``None``, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class EventWriter:
    """Writes one JSON object per line, flushed at once, safe to call from several threads."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def emit(self, event: str, **fields: Any) -> Dict[str, Any]:
        """Write an event; returns what was written."""
        record = _clean({"event": event, "time": round(time.time(), 3), **fields})
        if event == "started":
            record.setdefault("protocol", PROTOCOL_VERSION)
        line = json.dumps(record, allow_nan=False, separators=(",", ":"))
        with self._lock:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                logger.debug("event stream closed; dropped %s", event)
        return record


class CancelWatcher:
    """Sets a flag when a ``cancel`` line arrives on stdin or on SIGINT, SIGTERM or SIGHUP (SIGBREAK on Windows).

    SIGTERM is what farm schedulers and ``timeout`` send: the run stops after the current step and saves a
    checkpoint, as on Ctrl-C.

    A second signal while a cancel is pending raises ``KeyboardInterrupt`` (a hard stop).
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: Optional[str] = None

    @property
    def cancelled(self) -> bool:
        """Whether a cancel was requested."""
        return self._event.is_set()

    def request(self, reason: str) -> None:
        """Ask for a cancel (also usable from code)."""
        if not self._event.is_set():
            self.reason = reason
            logger.info("cancel requested (%s): finishing the current step, then saving a checkpoint", reason)
        self._event.set()

    def install(self, watch_stdin: bool = True) -> CancelWatcher:
        """Install the signal handlers (main thread only) and start the stdin reader thread."""
        for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"):
            number = getattr(signal, name, None)
            if number is not None and threading.current_thread() is threading.main_thread():
                signal.signal(number, self._on_signal)
        if watch_stdin and sys.stdin is not None:
            threading.Thread(target=self._read_stdin, name="cancel-stdin", daemon=True).start()
        return self

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self._event.is_set():
            raise KeyboardInterrupt
        self.request(f"signal {signum}")

    def _read_stdin(self) -> None:
        try:
            for line in sys.stdin:
                if line.strip().lower() == CANCEL_LINE:
                    self.request("stdin")
        except (OSError, ValueError):
            pass
