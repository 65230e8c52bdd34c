"""OSC output (python-osc): the names once, then one message per frame.

Messages, all over UDP to ``HOST:PORT``:

* ``/audio2face/names`` - one string argument per output channel, in order; sent once, when the stream
  opens (start the listener first).
* ``/audio2face/weights`` - ``int32`` frame index (0 = the start of the stream), ``float32`` time in
  seconds (index / fps), then one ``float32`` per channel in the order of the names.
"""

from __future__ import annotations

import logging
from typing import Any, List, Optional, Sequence

from ..errors import Audio2FaceError
from ..streaming import LiveFrame

logger = logging.getLogger(__name__)

NAMES_ADDRESS = "/audio2face/names"
WEIGHTS_ADDRESS = "/audio2face/weights"


def _python_osc() -> Any:
    try:
        from pythonosc import osc_message_builder, udp_client
    except ImportError:
        raise Audio2FaceError(
            "OSC output needs the python-osc package: pip install 'audio2face-maya[live]' (or: pip install python-osc)"
        ) from None
    return osc_message_builder, udp_client


class OscSender:
    """Sends frames as OSC messages (module docstring).

    Args:
        host: Receiver's host name or address.
        port: Receiver's UDP port.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = int(port)
        self._builder, udp_client = _python_osc()
        try:
            self._client = udp_client.SimpleUDPClient(host, self.port)
        except OSError as exc:
            raise Audio2FaceError(f"cannot open OSC output to {host}:{port}: {exc.strerror or exc}") from None
        self._fps = 0.0
        self._width = 0
        self._warned = False

    def open(self, names: Sequence[str], fps: float) -> None:
        """Send the names."""
        self._fps = float(fps)
        self._width = len(names)
        message = self._builder.OscMessageBuilder(NAMES_ADDRESS)
        for name in names:
            message.add_arg(str(name), "s")
        self._send(message)

    def send(self, frame: LiveFrame) -> None:
        """Send one frame's weights."""
        message = self._builder.OscMessageBuilder(WEIGHTS_ADDRESS)
        message.add_arg(int(frame.index), "i")
        message.add_arg(float(frame.index / self._fps), "f")
        values: List[float] = frame.weights.tolist()
        for value in values:
            message.add_arg(value, "f")
        self._send(message)

    def close(self) -> None:
        """Close the socket."""
        sock: Optional[Any] = getattr(self._client, "_sock", None)
        if sock is not None:
            sock.close()

    def _send(self, message: Any) -> None:
        try:
            self._client.send(message.build())
        except OSError as exc:
            if not self._warned:
                logger.warning("OSC messages to %s:%d not sent: %s", self.host, self.port, exc)
                self._warned = True
