"""``audio2face live``: inputs (file at real time, raw PCM on stdin, microphone), outputs, Ctrl-C, the frame count."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import List

import numpy as np
import pytest
from audio2face.cli import main
from audio2face.errors import Audio2FaceError
from audio2face.live import inputs
from audio2face.live.inputs import FileSource, MicSource, PcmSource
from audio2face.pipeline import AnimateSettings, animate
from audio2face.retarget import arkit_mapping
from conftest import ROOT, speech_like
from live_process import stop_live

COUNT = re.compile(r"(\d+) frames streamed at ([\d.]+) fps")


@pytest.fixture()
def short_wav(tmp_path: Path) -> Path:
    """0.6 s of speech-like sound, 48 kHz stereo."""
    import soundfile as sf

    mono = speech_like(0.6, 48000, seed=4)
    path = tmp_path / "short.wav"
    sf.write(path, np.stack([mono, mono], axis=1), 48000, subtype="FLOAT")
    return path


@pytest.fixture()
def env() -> dict:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT / "scripts"), environment.get("PYTHONPATH", "")])
    return environment


def test_file_at_real_time_to_json_lines(tiny_bundle, short_wav, env):
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "audio2face", "live", "--input", str(short_wav), "--realtime", "--send", "jsonl",
         "--model", str(tiny_bundle)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    offline = animate(short_wav, AnimateSettings(model=str(tiny_bundle)))
    assert [line["frame"] for line in lines] == list(range(offline.frame_count))
    streamed = np.array([[line["weights"][n] for n in offline.names] for line in lines])
    np.testing.assert_allclose(streamed, offline.weights, atol=2e-6)
    count = COUNT.search(result.stderr)
    assert count and int(count.group(1)) == offline.frame_count == 18
    assert elapsed >= 0.6  # paced at real time


def test_file_to_osc_listener_on_localhost(tiny_bundle, short_wav, capsys):
    OscMessage = pytest.importorskip("pythonosc.osc_message", reason="python-osc (the live extra)").OscMessage

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2.0)
    received: List[bytes] = []

    def listen() -> None:
        try:
            while True:
                received.append(sock.recvfrom(65536)[0])
        except OSError:  # timeout or closed: the stream is over
            pass

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    port = sock.getsockname()[1]
    code = main(["live", "--input", str(short_wav), "--realtime", "--send", f"osc://127.0.0.1:{port}",
                 "--model", str(tiny_bundle), "--fps", "25"])
    thread.join(timeout=5.0)
    sock.close()
    assert code == 0
    out = capsys.readouterr().out
    count = COUNT.search(out)
    assert count and count.group(1) == "15" and count.group(2) == "25"
    messages = [OscMessage(data) for data in received]
    assert messages[0].address == "/audio2face/names"
    offline = animate(short_wav, AnimateSettings(model=str(tiny_bundle), fps=25.0))
    assert list(messages[0].params) == offline.names
    weights = np.array([m.params[2:] for m in messages[1:]], dtype=np.float32)
    assert [m.params[0] for m in messages[1:]] == list(range(15))
    np.testing.assert_allclose(weights, offline.weights, atol=1e-6)


def arkit_source_bundle(folder: Path) -> Path:
    """A tiny bundle whose channels are the FACEGOOD names the ARKit table reads."""
    from bundle_factory import make_bundle

    channels = sorted({c for s in arkit_mapping().values() if s is not None for c in s.channels})
    return make_bundle(folder, channels=channels, emotion_size=0)


def test_live_link_with_the_arkit_mapping(tmp_path, short_wav, capsys):
    from test_live_outputs import decode_live_link

    model = arkit_source_bundle(tmp_path / "facegood_like")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2.0)
    port = sock.getsockname()[1]
    code = main(["live", "--input", str(short_wav), "--send", f"livelink://127.0.0.1:{port}", "--model", str(model),
                 "--mapping", "arkit"])
    assert code == 0
    packets = [sock.recvfrom(65536)[0] for _ in range(18)]
    sock.close()
    offline = animate(short_wav, AnimateSettings(model=str(model), mapping="arkit"))
    assert len(offline.names) == 52
    values = np.array([decode_live_link(p)[4][:52] for p in packets], dtype=np.float32)
    np.testing.assert_allclose(values, offline.weights, atol=1e-6)
    assert "18 frames streamed" in capsys.readouterr().out


def test_raw_pcm_on_stdin_and_ctrl_c(tiny_bundle, env):
    """``--input -`` reads raw PCM as it arrives; SIGINT stops it cleanly with the frame count."""
    audio = speech_like(1.0, 8000, seed=5)
    pcm = (np.stack([audio, audio], axis=1) * 20000).astype("<i2").tobytes()
    stopped = stop_live(["--input", "-", "--rate", "8000", "--channels", "2", "--send", "jsonl",
                         "--model", str(tiny_bundle)], pcm, signal.SIGINT, env)
    assert stopped.returncode == 0, stopped.log
    assert json.loads(stopped.lines[0])["frame"] == 0  # a frame came out while stdin was still open
    assert [json.loads(line)["frame"] for line in stopped.lines] == list(range(len(stopped.lines)))
    count = COUNT.search(stopped.log)
    assert count and "stopped with Ctrl-C" in stopped.log
    assert int(count.group(1)) == len(stopped.lines) <= 30


def test_pcm_source_handles_partial_frames_and_duration():
    data = (np.arange(2 * 1000, dtype="<i2") - 1000).tobytes()

    class Trickle(io.BytesIO):
        def read1(self, size: int = -1) -> bytes:  # a pipe hands out odd amounts
            return super().read(min(size, 7))

    source = PcmSource(Trickle(data), 8000, 2, "s16", duration=0.1)
    chunks = list(source.chunks())
    joined = np.concatenate(chunks)
    assert joined.dtype == np.int16 and joined.shape == (800, 2)
    np.testing.assert_array_equal(joined.reshape(-1), np.frombuffer(data, "<i2")[:1600])


def test_file_source_paces_blocks_at_real_time(short_wav):
    clock = {"now": 100.0}
    waits: List[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock["now"] += seconds

    source = FileSource(short_wav, realtime=True, block_ms=100, clock=lambda: clock["now"], sleep=sleep)
    chunks = list(source.chunks())
    assert [c.shape[0] for c in chunks] == [4800] * 6
    assert waits == pytest.approx([0.1] * 6)
    with pytest.raises(Audio2FaceError, match="not found"):
        FileSource(short_wav.parent / "missing.wav")


class FakeStream:
    """What sounddevice.InputStream does: calls back from its own thread with blocks of audio."""

    def __init__(self, samplerate, channels, dtype, blocksize, device, callback) -> None:
        self.rate, self.channels, self.block, self.callback = samplerate, channels, blocksize, callback
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        t = 0
        while not self._stop.is_set() and t < 10 * self.rate:
            block = np.sin(np.arange(t, t + self.block) / self.rate * 2 * np.pi * 200)[:, None]
            self.callback(np.repeat(block, self.channels, 1).astype(np.float32), self.block, None, None)
            t += self.block
            time.sleep(0.001)

    def __enter__(self) -> FakeStream:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def fake_sounddevice(devices: bool = True) -> types.ModuleType:
    module = types.ModuleType("sounddevice")

    def query_devices(device=None, kind=None):
        if not devices:
            raise ValueError("No input device matching ''")
        return {"name": "Test mic", "max_input_channels": 2, "default_samplerate": 44100.0}

    module.query_devices = query_devices
    module.InputStream = FakeStream
    return module


def test_microphone_through_sounddevice(monkeypatch, tiny_bundle, capsys):
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice())
    source = MicSource(channels=2, duration=0.25)
    chunks = list(source.chunks())
    assert source.sample_rate == 44100.0
    assert sum(c.shape[0] for c in chunks) == int(0.25 * 44100) and chunks[0].shape[1] == 2
    code = main(["live", "--input", "mic", "--duration", "0.5", "--send", "jsonl", "--model", str(tiny_bundle)])
    captured = capsys.readouterr()
    assert code == 0
    assert len(captured.out.splitlines()) == 15 and "15 frames streamed" in captured.err


def test_microphone_problems_are_explained(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # not installed
    with pytest.raises(Audio2FaceError, match="sounddevice package"):
        inputs.import_sounddevice()
    assert main(["live", "--input", "mic", "--send", "jsonl"]) == 1
    assert "pip install" in capsys.readouterr().err

    (tmp_path / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    monkeypatch.delitem(sys.modules, "sounddevice")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(Audio2FaceError, match="PortAudio library"):
        inputs.import_sounddevice()

    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice(devices=False))
    with pytest.raises(Audio2FaceError, match="no microphone found"):
        MicSource()


def test_ctrl_c_inside_the_stream_stops_cleanly(monkeypatch, tiny_bundle, capsys):
    real = inputs.open_input

    class Interrupted:
        def __init__(self, source) -> None:
            self.source, self.sample_rate, self.channels = source, source.sample_rate, source.channels
            self.description, self.closed = source.description, False

        def chunks(self):
            for number, chunk in enumerate(self.source.chunks()):
                if number == 20:
                    raise KeyboardInterrupt
                yield chunk

        def close(self) -> None:
            self.closed = True

    opened = []

    def open_interrupted(*args, **kwargs):
        opened.append(Interrupted(real(*args, **kwargs)))
        return opened[-1]

    monkeypatch.setattr("audio2face.commands.live.open_input", open_interrupted)
    audio = ROOT / "examples" / "hello.wav"
    code = main(["live", "--input", str(audio), "--send", "jsonl", "--model", str(tiny_bundle)])
    captured = capsys.readouterr()
    assert code == 0 and opened[0].closed
    count = COUNT.search(captured.err)
    assert count and "Ctrl-C" in captured.err
    assert int(count.group(1)) == len(captured.out.splitlines()) == 12  # 20 blocks of 20 ms = 0.4 s heard


def test_bad_destination_is_a_plain_error(tiny_bundle, short_wav, capsys):
    assert main(["live", "--input", str(short_wav), "--send", "udp://x:1", "--model", str(tiny_bundle)]) == 1
    assert "use osc://HOST:PORT" in capsys.readouterr().err
