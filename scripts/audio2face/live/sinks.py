"""Where streamed frames go: the ``FrameSink`` protocol and ``--send`` destinations.

A destination is ``osc://HOST:PORT``, ``livelink://HOST[:PORT]`` (Live Link Face's port 11111 when left
out) or ``jsonl`` (one JSON object per frame on stdout).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Optional, Protocol, Sequence, TextIO
from urllib.parse import urlsplit

from ..errors import Audio2FaceError
from ..streaming import LiveFrame

logger = logging.getLogger(__name__)

SCHEMES = ("osc", "livelink", "jsonl")
LIVE_LINK_PORT = 11111
"""The port the Live Link Face app and Unreal's Live Link Face source use by default."""


class FrameSink(Protocol):
    """Receives the output names once, then every frame in order."""

    def open(self, names: Sequence[str], fps: float) -> None:
        """Called once before the first frame."""
        ...

    def send(self, frame: LiveFrame) -> None:
        """One frame (``frame.index / fps`` seconds after the stream started)."""
        ...

    def close(self) -> None:
        """Called once at the end; releases sockets."""
        ...


@dataclasses.dataclass(frozen=True)
class Destination:
    """A parsed ``--send`` value."""

    scheme: str
    host: str = ""
    port: int = 0

    def __str__(self) -> str:
        return self.scheme if self.scheme == "jsonl" else f"{self.scheme}://{self.host}:{self.port}"


def parse_destination(text: str) -> Destination:
    """Read ``osc://HOST:PORT``, ``livelink://HOST[:PORT]`` or ``jsonl``.

    Raises:
        Audio2FaceError: Unknown scheme, missing host or port, or a port outside 1-65535.
    """
    value = text.strip()
    if value.lower() in ("jsonl", "jsonl:", "jsonl://", "-"):
        return Destination("jsonl")
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or scheme == "jsonl" or "://" not in value:
        raise Audio2FaceError(
            f"cannot send to {text!r}: use osc://HOST:PORT, livelink://HOST[:PORT] or jsonl"
        )
    try:
        port = parts.port
    except ValueError:
        raise Audio2FaceError(f"cannot send to {text!r}: the port must be a number from 1 to 65535") from None
    if not parts.hostname:
        raise Audio2FaceError(f"cannot send to {text!r}: no host name")
    if port is None:
        if scheme != "livelink":
            raise Audio2FaceError(f"cannot send to {text!r}: no port (osc://HOST:PORT)")
        port = LIVE_LINK_PORT
    if not 0 < port < 65536:
        raise Audio2FaceError(f"cannot send to {text!r}: the port must be a number from 1 to 65535")
    return Destination(scheme, parts.hostname, port)


def open_sink(destination: Destination, stdout: Optional[TextIO] = None) -> FrameSink:
    """The sink for a destination (``stdout`` is where ``jsonl`` writes)."""
    if destination.scheme == "osc":
        from .osc import OscSender

        return OscSender(destination.host, destination.port)
    if destination.scheme == "livelink":
        from .livelink import LiveLinkSender

        return LiveLinkSender(destination.host, destination.port)
    from .jsonl import JsonLinesWriter

    return JsonLinesWriter(stdout)
