"""A dependency-free text progress bar for the CLI (stderr)."""

from __future__ import annotations

import sys
import time
from typing import Optional, TextIO


class ProgressBar:
    """Draws ``label [#####.....]  42%  ETA 3s`` on a terminal, or a line per 10% elsewhere."""

    def __init__(self, label: str, stream: Optional[TextIO] = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._start = time.monotonic()
        self._last_decile = -1

    def __call__(self, done: int, total: int) -> None:
        fraction = min(max(done / total, 0.0), 1.0) if total > 0 else 1.0
        if self.tty:
            filled = int(round(fraction * self.width))
            elapsed = time.monotonic() - self._start
            eta = elapsed / fraction - elapsed if fraction > 0 else 0.0
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {fraction * 100:5.1f}%  ETA {eta:4.0f}s")
            self.stream.flush()
        else:
            decile = int(fraction * 10)
            if decile != self._last_decile:
                self._last_decile = decile
                self.stream.write(f"{self.label}: {decile * 10}%\n")
                self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
