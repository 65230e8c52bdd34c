"""JSON lines output: one object per frame, written and flushed as soon as the frame is ready.

Each line: ``{"frame": 12, "time": 0.4, "weights": {"jawOpen": 0.31, ...}}`` - the frame index (0 = the
start of the stream), its time in seconds (index / fps) and the weight of every channel by name.
"""

from __future__ import annotations

import json
import sys
from typing import List, Optional, Sequence, TextIO

from ..streaming import LiveFrame


class JsonLinesWriter:
    """Writes frames as JSON lines to a text stream (stdout by default)."""

    def __init__(self, stream: Optional[TextIO] = None, digits: int = 6) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.digits = int(digits)
        self._names: List[str] = []
        self._fps = 0.0

    def open(self, names: Sequence[str], fps: float) -> None:
        """Remember the names and rate."""
        self._names = [str(n) for n in names]
        self._fps = float(fps)

    def send(self, frame: LiveFrame) -> None:
        """Write one line."""
        values = [round(v, self.digits) for v in frame.weights.tolist()]
        line = {
            "frame": int(frame.index),
            "time": round(frame.index / self._fps, 6),
            "weights": dict(zip(self._names, values)),
        }
        self.stream.write(json.dumps(line) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Flush (the stream stays open)."""
        self.stream.flush()
