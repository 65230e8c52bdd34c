"""Unreal Engine Live Link Face output: the UDP packets the Live Link Face iPhone app sends.

Unreal's "Live Link Face" / Apple ARKit face source reads one UDP datagram per frame (port 11111 by
default), in network byte order (big-endian), packet version 6::

    uint8    packet version (6)
    int32    length N, then N bytes: device id (UTF-8; the app sends a 36-character UUID)
    int32    length M, then M bytes: subject name (UTF-8; the Live Link subject Unreal shows)
    int32    frame number   \\  FQualifiedFrameTime: FFrameTime (frame number, sub-frame)
    float32  sub-frame      |  and FFrameRate (numerator / denominator)
    int32    rate numerator |
    int32    rate denominator /
    uint8    blendshape count (61)
    61 x float32  values in EARFaceBlendShape order: the 52 ARKit blendshapes (``ARKIT_SHAPES``), then head
                  yaw, pitch, roll and left/right eye yaw, pitch, roll (sent as 0 here)

Sources: Unreal Engine's ``AppleARKitLiveLinkSource.cpp`` (FAppleARKitLiveLinkRemotePublisher /
RemoteListener, which (de)serialise these fields with ``FNboSerializeToBuffer``, network byte order;
version 5 carried an FTimecode and a uint32 frame rate, version 6 an FQualifiedFrameTime, per the size
constants quoted in think-biq/LLV's README), and two independent public decoders of what the app
actually sends: aelzeiny/Animoji ``livelink.py`` (``parse_livelink``: 'B', str, str, 'ifii', 'B', then
big-endian float32) and JimWest/PyLiveLinkFace ``pylivelinkface.py`` (the same bytes read as a 37-byte
"$uuid" whose first byte is in fact the low byte of the 36-character length).

Frame numbers count frames of the stream's rate from midnight (local time) when the stream opened, as
the app's timecode does, so Unreal's timecode-based sync lines them up; the sub-frame is 0.
"""

from __future__ import annotations

import datetime
import logging
import re
import socket
import struct
import uuid
from fractions import Fraction
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import Audio2FaceError
from ..streaming import LiveFrame

logger = logging.getLogger(__name__)

PACKET_VERSION = 6
SUBJECT = "audio2face"

ARKIT_SHAPES = (
    "eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft", "eyeSquintLeft",
    "eyeWideLeft", "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight", "eyeLookOutRight", "eyeLookUpRight",
    "eyeSquintRight", "eyeWideRight", "jawForward", "jawLeft", "jawRight", "jawOpen", "mouthClose",
    "mouthFunnel", "mouthPucker", "mouthLeft", "mouthRight", "mouthSmileLeft", "mouthSmileRight",
    "mouthFrownLeft", "mouthFrownRight", "mouthDimpleLeft", "mouthDimpleRight", "mouthStretchLeft",
    "mouthStretchRight", "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper",
    "mouthPressLeft", "mouthPressRight", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthUpperUpLeft",
    "mouthUpperUpRight", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
    "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "noseSneerLeft", "noseSneerRight", "tongueOut",
)
"""The 52 ARKit blendshapes in EARFaceBlendShape order (slots 0-51 of a packet)."""

EXTRA_SLOTS = ("headYaw", "headPitch", "headRoll", "leftEyeYaw", "leftEyePitch", "leftEyeRoll",
               "rightEyeYaw", "rightEyePitch", "rightEyeRoll")
"""Slots 52-60: head and eye rotations (the app's ARKit transforms; always 0 from audio)."""

SLOTS = ARKIT_SHAPES + EXTRA_SLOTS


def frame_rate_fraction(fps: float) -> Tuple[int, int]:
    """``fps`` as the (numerator, denominator) of an FFrameRate: 29.97 -> 30000/1001, 25 -> 25/1."""
    for nominal in (24, 30, 48, 60, 120):
        ntsc = Fraction(nominal * 1000, 1001)
        if abs(float(ntsc) - fps) < 0.006:
            return ntsc.numerator, ntsc.denominator
    rate = Fraction(fps).limit_denominator(1001)
    return rate.numerator, rate.denominator


def encode_packet(
    values: Sequence[float],
    frame_number: int,
    rate: Tuple[int, int],
    *,
    device_id: str,
    subject: str = SUBJECT,
    sub_frame: float = 0.0,
) -> bytes:
    """One Live Link Face datagram (module docstring).

    Args:
        values: 61 floats in ``SLOTS`` order.
        frame_number: Frame number at ``rate``.
        rate: Frame rate as (numerator, denominator).
        device_id: The sender's id (a UUID string).
        subject: The Live Link subject name.
        sub_frame: Fraction of a frame, in [0, 1).
    """
    if len(values) != len(SLOTS):
        raise ValueError(f"a Live Link Face packet holds {len(SLOTS)} values, got {len(values)}")
    device = device_id.encode("utf-8")
    name = subject.encode("utf-8")
    return b"".join(
        [
            struct.pack(">B", PACKET_VERSION),
            struct.pack(">i", len(device)),
            device,
            struct.pack(">i", len(name)),
            name,
            struct.pack(">ifii", int(frame_number), float(sub_frame), int(rate[0]), int(rate[1])),
            struct.pack(">B", len(SLOTS)),
            struct.pack(f">{len(SLOTS)}f", *[float(v) for v in values]),
        ]
    )


def _normalise(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", re.split(r"[:|.]", name)[-1].lower())


def slot_columns(names: Sequence[str]) -> List[Optional[int]]:
    """For each of the 61 slots, the column of ``names`` holding it (``None`` when absent).

    Names match ARKit's case-insensitively, ignoring namespaces and separators (``face:JawOpen``).
    """
    columns: Dict[str, int] = {}
    for column, name in enumerate(names):
        columns.setdefault(_normalise(name), column)
    return [columns.get(_normalise(slot)) for slot in SLOTS]


class LiveLinkSender:
    """Sends frames as Live Link Face packets to Unreal.

    Args:
        host: The machine running Unreal.
        port: Its Live Link Face UDP port (11111 by default in Unreal and the app).
        subject: The subject name shown in Unreal's Live Link window.
        device_id: The device id sent in every packet (default: a new UUID).
    """

    def __init__(self, host: str, port: int = 11111, subject: str = SUBJECT, device_id: Optional[str] = None) -> None:
        self.host = host
        self.port = int(port)
        self.subject = subject
        self.device_id = device_id or str(uuid.uuid4())
        try:
            family, _, _, _, address = socket.getaddrinfo(host, self.port, type=socket.SOCK_DGRAM)[0]
        except (OSError, UnicodeError) as exc:
            raise Audio2FaceError(f"cannot send Live Link packets to {host}:{port}: {exc}") from None
        self._address = address
        self._socket = socket.socket(family, socket.SOCK_DGRAM)
        self._columns: List[Optional[int]] = []
        self._rate = (30, 1)
        self._first_frame = 0
        self._warned = False

    def open(self, names: Sequence[str], fps: float) -> None:
        """Match the names to the 52 ARKit slots; fix the frame rate and the first frame number."""
        self._columns = slot_columns(names)
        matched = [slot for slot, column in zip(ARKIT_SHAPES, self._columns) if column is not None]
        if not matched:
            raise Audio2FaceError(
                "Live Link Face needs ARKit blendshape names (jawOpen, mouthClose, ...): "
                "add --mapping arkit, or a mapping file whose targets are ARKit names"
            )
        missing = [slot for slot, column in zip(ARKIT_SHAPES, self._columns) if column is None]
        if missing:
            logger.info("Live Link: %d ARKit shapes have no channel and are sent as 0: %s",
                        len(missing), ", ".join(missing))
        unused = sorted(set(names) - {names[c] for c in self._columns if c is not None})
        if unused:
            logger.warning("Live Link: channels that are not ARKit shapes are not sent: %s", ", ".join(unused))
        self._rate = frame_rate_fraction(fps)
        now = datetime.datetime.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        seconds = (now - midnight).total_seconds()
        self._first_frame = int(seconds * self._rate[0] / self._rate[1])

    def packet(self, frame: LiveFrame) -> bytes:
        """The datagram for one frame."""
        weights = np.asarray(frame.weights, dtype=np.float32)
        values = [float(weights[c]) if c is not None else 0.0 for c in self._columns]
        return encode_packet(values, self._first_frame + int(frame.index), self._rate,
                             device_id=self.device_id, subject=self.subject)

    def send(self, frame: LiveFrame) -> None:
        """Send one frame."""
        try:
            self._socket.sendto(self.packet(frame), self._address)
        except OSError as exc:
            if not self._warned:
                logger.warning("Live Link packets to %s:%d not sent: %s", self.host, self.port, exc)
                self._warned = True

    def close(self) -> None:
        """Close the socket."""
        self._socket.close()
