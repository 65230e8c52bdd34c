"""Live outputs: OSC and Live Link packets received on a local UDP socket and decoded; JSON lines; --send parsing."""

from __future__ import annotations

import io
import json
import socket
import struct
from typing import List, Tuple

import numpy as np
import pytest
from audio2face.errors import Audio2FaceError
from audio2face.live.jsonl import JsonLinesWriter
from audio2face.live.livelink import ARKIT_SHAPES, LiveLinkSender, frame_rate_fraction
from audio2face.live.osc import OscSender
from audio2face.live.sinks import Destination, parse_destination
from audio2face.streaming import LiveFrame

NAMES = ["jawOpen", "face:MouthClose", "mouthSmile_L", "browInnerUp", "notAnArkitShape"]


@pytest.fixture()
def listener():
    """A UDP socket on 127.0.0.1 (a free port) that gives up after 2 s."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2.0)
    yield sock
    sock.close()


def receive(sock: socket.socket, count: int) -> List[bytes]:
    return [sock.recvfrom(65536)[0] for _ in range(count)]


def frames(count: int, width: int, seed: int = 0) -> List[LiveFrame]:
    rng = np.random.default_rng(seed)
    return [LiveFrame(i, rng.uniform(0, 1, width).astype(np.float32)) for i in range(count)]


def test_osc_sends_the_names_once_then_one_message_per_frame(listener):
    OscMessage = pytest.importorskip("pythonosc.osc_message", reason="python-osc (the live extra)").OscMessage

    port = listener.getsockname()[1]
    sender = OscSender("127.0.0.1", port)
    sent = frames(5, len(NAMES))
    sender.open(NAMES, 25.0)
    for frame in sent:
        sender.send(frame)
    sender.close()
    messages = [OscMessage(data) for data in receive(listener, 1 + len(sent))]
    assert messages[0].address == "/audio2face/names"
    assert list(messages[0].params) == NAMES
    for message, frame in zip(messages[1:], sent):
        assert message.address == "/audio2face/weights"
        index, seconds, *values = message.params
        assert index == frame.index
        assert seconds == pytest.approx(frame.index / 25.0, abs=1e-6)
        np.testing.assert_array_equal(np.array(values, dtype=np.float32), frame.weights)


def decode_live_link(packet: bytes) -> Tuple[int, str, str, Tuple[int, float, int, int], List[float]]:
    """A Live Link Face v6 decoder written from the packet description (big-endian throughout)."""
    offset = 0

    def take(fmt: str):
        nonlocal offset
        values = struct.unpack_from(">" + fmt, packet, offset)
        offset += struct.calcsize(">" + fmt)
        return values

    def text() -> str:
        nonlocal offset
        (length,) = take("i")
        value = packet[offset : offset + length].decode("utf-8")
        offset += length
        return value

    (version,) = take("B")
    device = text()
    subject = text()
    frame_time = take("ifii")
    (count,) = take("B")
    values = list(take(f"{count}f"))
    assert offset == len(packet), "trailing bytes"
    return version, device, subject, frame_time, values


def test_live_link_packets_decode_to_the_weights(listener):
    port = listener.getsockname()[1]
    sender = LiveLinkSender("127.0.0.1", port, subject="voice")
    sent = frames(4, len(NAMES), seed=1)
    sender.open(NAMES, 30000 / 1001)
    for frame in sent:
        sender.send(frame)
    sender.close()
    decoded = [decode_live_link(p) for p in receive(listener, len(sent))]
    first_number = decoded[0][3][0]
    for (version, device, subject, frame_time, values), frame in zip(decoded, sent):
        assert version == 6
        assert len(device) == 36 and device == sender.device_id
        assert subject == "voice"
        number, sub_frame, numerator, denominator = frame_time
        assert number - first_number == frame.index
        assert sub_frame == 0.0 and (numerator, denominator) == (30000, 1001)
        assert len(values) == 61
        slot = {name: i for i, name in enumerate(ARKIT_SHAPES)}
        assert values[slot["jawOpen"]] == pytest.approx(float(frame.weights[0]), abs=0)
        assert values[slot["mouthClose"]] == pytest.approx(float(frame.weights[1]), abs=0)
        assert values[slot["browInnerUp"]] == pytest.approx(float(frame.weights[3]), abs=0)
        driven = {slot["jawOpen"], slot["mouthClose"], slot["browInnerUp"]}
        assert all(v == 0.0 for i, v in enumerate(values) if i not in driven)  # incl. head and eye rotation


def test_live_link_needs_arkit_names():
    sender = LiveLinkSender("127.0.0.1", 9)
    try:
        with pytest.raises(Audio2FaceError, match="--mapping arkit"):
            sender.open(["mouth_stretch_c", "jaw_thrust_c"], 30.0)
    finally:
        sender.close()


@pytest.mark.parametrize("fps, expected", [(24.0, (24, 1)), (23.976, (24000, 1001)), (29.97, (30000, 1001)),
                                           (59.94, (60000, 1001)), (25.0, (25, 1)), (12.5, (25, 2))])
def test_live_link_frame_rates(fps, expected):
    assert frame_rate_fraction(fps) == expected


def test_json_lines_one_object_per_frame():
    out = io.StringIO()
    writer = JsonLinesWriter(out)
    sent = frames(3, 2, seed=2)
    writer.open(["jawOpen", "mouthClose"], 30.0)
    for frame in sent:
        writer.send(frame)
    writer.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    for line, frame in zip(lines, sent):
        item = json.loads(line)
        assert item["frame"] == frame.index
        assert item["time"] == pytest.approx(frame.index / 30.0, abs=1e-6)
        assert item["weights"]["jawOpen"] == pytest.approx(float(frame.weights[0]), abs=1e-6)
        assert list(item["weights"]) == ["jawOpen", "mouthClose"]


def test_destinations():
    assert parse_destination("osc://127.0.0.1:9000") == Destination("osc", "127.0.0.1", 9000)
    assert parse_destination("livelink://localhost") == Destination("livelink", "localhost", 11111)
    assert parse_destination("jsonl") == Destination("jsonl")
    assert str(parse_destination("OSC://host:1")) == "osc://host:1"
    for bad, words in [("osc://127.0.0.1", "no port"), ("udp://x:1", "use osc://"), ("osc://:9000", "no host"),
                       ("osc://h:99999", "port"), ("127.0.0.1:9000", "use osc://")]:
        with pytest.raises(Audio2FaceError, match=words):
            parse_destination(bad)
