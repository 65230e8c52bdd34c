"""Audio sources for live mode: the microphone, a file (optionally paced at real time), raw PCM on stdin.

A source has ``sample_rate``, ``channels`` and ``description``, yields ``(frames, channels)`` chunks from
``chunks()`` (float32, or int16 for 16-bit PCM, which the stream scales like offline) and is released
with ``close()``. Every source stops by itself: at the end of the file or of stdin, after ``duration``
seconds of audio when one is given, or when ``close()`` is called from another thread.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO, Callable, Dict, Iterator, Optional, Protocol

import numpy as np
import soundfile

from ..audio import check_source_rate
from ..errors import Audio2FaceError, PathLike

logger = logging.getLogger(__name__)

PCM_FORMATS: Dict[str, np.dtype] = {"s16": np.dtype("<i2"), "f32": np.dtype("<f4")}
"""Raw PCM sample formats on stdin: 16-bit signed and 32-bit float, little-endian, interleaved."""

DEFAULT_BLOCK_MS = 20.0


class AudioSource(Protocol):
    """Something that yields audio chunks."""

    sample_rate: float
    channels: int
    description: str

    def chunks(self) -> Iterator[np.ndarray]:
        """``(frames, channels)`` chunks until the source ends."""
        ...

    def close(self) -> None:
        """Stop (safe to call from any thread, more than once)."""
        ...


def _block_frames(rate: float, block_ms: float) -> int:
    if not (block_ms > 0):
        raise Audio2FaceError(f"block length must be > 0 ms, got {block_ms}")
    return max(int(round(rate * block_ms / 1000.0)), 1)


def _limit(duration: Optional[float], rate: float) -> Optional[int]:
    if duration is None:
        return None
    if not duration > 0:
        raise Audio2FaceError(f"duration must be > 0 seconds, got {duration}")
    return int(round(duration * rate))


class FileSource:
    """An audio file read in blocks; with ``realtime`` each block is handed out when it would have been heard.

    Args:
        path: Any file libsndfile reads.
        realtime: Pace the blocks at real time (as a microphone would deliver them).
        block_ms: Block length in milliseconds.
        duration: Stop after this many seconds of audio.
        clock: Monotonic clock in seconds (tests pass a fake one).
        sleep: Sleep function (tests pass a fake one).
    """

    def __init__(
        self,
        path: PathLike,
        *,
        realtime: bool = False,
        block_ms: float = DEFAULT_BLOCK_MS,
        duration: Optional[float] = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.path = Path(os.fspath(path))
        if not self.path.exists():
            raise Audio2FaceError("audio file not found", self.path)
        if self.path.is_dir():
            raise Audio2FaceError("is a folder, not an audio file", self.path)
        try:
            self._file = soundfile.SoundFile(str(self.path))
        except (soundfile.SoundFileError, RuntimeError, OSError) as error:
            detail = getattr(error, "error_string", None) or str(error)
            raise Audio2FaceError(f"cannot read audio ({str(detail).strip().rstrip('.')})", self.path) from None
        self.sample_rate = float(self._file.samplerate)
        try:
            check_source_rate(self.sample_rate, self.path)
        except Audio2FaceError:
            self._file.close()
            raise
        self.channels = int(self._file.channels)
        self.realtime = realtime
        pace = ", real time" if realtime else ""
        self.description = f"{self.path.name} ({self.channels} ch, {self.sample_rate:g} Hz{pace})"
        self._block = _block_frames(self.sample_rate, block_ms)
        self._limit = _limit(duration, self.sample_rate)
        self._clock, self._sleep = clock, sleep
        self._stop = threading.Event()

    def chunks(self) -> Iterator[np.ndarray]:
        """Blocks of float32 ``(frames, channels)``."""
        start = self._clock()
        sent = 0
        while not self._stop.is_set():
            wanted = self._block if self._limit is None else min(self._block, self._limit - sent)
            if wanted <= 0:
                break
            data = self._file.read(wanted, dtype="float32", always_2d=True)
            if data.shape[0] == 0:
                break
            sent += data.shape[0]
            if self.realtime:
                wait = start + sent / self.sample_rate - self._clock()
                if wait > 0:
                    self._sleep(wait)
            yield data
        self._file.close()

    def close(self) -> None:
        """Stop at the next block."""
        self._stop.set()


class PcmSource:
    """Raw interleaved PCM from a binary stream (stdin), handed out as soon as it arrives.

    Args:
        stream: A binary stream.
        sample_rate: Its rate in Hz.
        channels: Its channel count.
        sample_format: ``"s16"`` (16-bit signed) or ``"f32"`` (32-bit float), little-endian.
        block_ms: Most audio per read, in milliseconds.
        duration: Stop after this many seconds of audio.
    """

    def __init__(
        self,
        stream: BinaryIO,
        sample_rate: float = 16000,
        channels: int = 1,
        sample_format: str = "s16",
        *,
        block_ms: float = DEFAULT_BLOCK_MS,
        duration: Optional[float] = None,
    ) -> None:
        if sample_format not in PCM_FORMATS:
            raise Audio2FaceError(f"unknown PCM format {sample_format!r} (use {', '.join(PCM_FORMATS)})")
        check_source_rate(sample_rate, "--rate", hint="")
        if int(channels) < 1:
            raise Audio2FaceError(f"--channels must be 1 or more, got {channels}")
        self.stream = stream
        self.sample_rate = float(sample_rate)
        self.channels = int(channels)
        self.dtype: np.dtype = PCM_FORMATS[sample_format]
        self.description = f"raw {sample_format} PCM on stdin ({self.channels} ch, {self.sample_rate:g} Hz)"
        self._frame_bytes = self.dtype.itemsize * self.channels
        self._block_bytes = _block_frames(self.sample_rate, block_ms) * self._frame_bytes
        self._limit = _limit(duration, self.sample_rate)
        self._stop = threading.Event()

    def chunks(self) -> Iterator[np.ndarray]:
        """``(frames, channels)`` chunks (int16 or float32)."""
        read = getattr(self.stream, "read1", None) or self.stream.read
        left = b""
        sent = 0
        while not self._stop.is_set():
            try:
                data = read(self._block_bytes)
            except (OSError, ValueError) as exc:  # stdin closed under us (EBADF, "read of closed file")
                raise Audio2FaceError(f"cannot read raw PCM from stdin ({exc})") from None
            if not data:
                break
            data = left + data
            whole = len(data) - len(data) % self._frame_bytes
            left = data[whole:]
            if not whole:
                continue
            frames = np.frombuffer(data[:whole], dtype=self.dtype).reshape(-1, self.channels)
            if self._limit is not None:
                frames = frames[: self._limit - sent]
            sent += frames.shape[0]
            yield frames.astype(self.dtype.newbyteorder("="), copy=True)
            if self._limit is not None and sent >= self._limit:
                break
        if left:
            logger.warning("stdin ended inside a sample frame: %d trailing bytes ignored", len(left))

    def close(self) -> None:
        """Stop at the next read."""
        self._stop.set()


def import_sounddevice() -> Any:
    """The ``sounddevice`` module, or an ``Audio2FaceError`` saying what to install."""
    try:
        import sounddevice
    except ImportError:
        raise Audio2FaceError(
            "microphone input needs the sounddevice package: pip install 'audio2face-maya[live]' "
            "(or use --input FILE --realtime, or raw PCM on stdin with --input -)"
        ) from None
    except OSError as exc:
        raise Audio2FaceError(
            f"microphone input needs the PortAudio library, which was not found ({exc}): install it "
            "(Linux: apt install libportaudio2, macOS: brew install portaudio) or use --input FILE / --input -"
        ) from None
    return sounddevice


class MicSource:
    """The microphone through ``sounddevice`` (PortAudio); blocks are queued by its audio thread.

    Args:
        sample_rate: Capture rate (default: the device's).
        channels: Channels to capture (averaged to mono by the stream).
        device: Device name or index (default: the system's input).
        block_ms: Block length in milliseconds.
        duration: Stop after this many seconds.
        timeout_s: Give up when the device delivers nothing for this long.
    """

    def __init__(
        self,
        sample_rate: Optional[float] = None,
        channels: int = 1,
        *,
        device: Any = None,
        block_ms: float = DEFAULT_BLOCK_MS,
        duration: Optional[float] = None,
        timeout_s: float = 5.0,
    ) -> None:
        self._sd = import_sounddevice()
        try:
            info = self._sd.query_devices(device, kind="input")
        except Exception as exc:  # sounddevice raises ValueError or its PortAudioError
            raise Audio2FaceError(f"no microphone found ({exc}): plug one in or pick one with --device") from None
        available = int(info.get("max_input_channels", 0) or 0)
        if available < 1:
            raise Audio2FaceError(f"the device {info.get('name', device)!r} has no input channels")
        if int(channels) > available:
            raise Audio2FaceError(
                f"the microphone {info.get('name')!r} has {available} channel(s), asked for {channels}"
            )
        self.device = device
        self.sample_rate = float(sample_rate or info.get("default_samplerate") or 48000)
        self.channels = int(channels)
        self.description = f"microphone {info.get('name', '')!r} ({self.channels} ch, {self.sample_rate:g} Hz)"
        self._block = _block_frames(self.sample_rate, block_ms)
        self._limit = _limit(duration, self.sample_rate)
        self._timeout = float(timeout_s)
        self._queue: queue.Queue[np.ndarray] = queue.Queue(maxsize=max(int(10.0 * 1000.0 / block_ms), 8))
        self._stop = threading.Event()
        self.dropped = 0

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            logger.debug("microphone: %s", status)
        try:
            self._queue.put_nowait(np.array(indata, dtype=np.float32, copy=True))
        except queue.Full:
            self.dropped += 1

    def chunks(self) -> Iterator[np.ndarray]:
        """Blocks of float32 ``(frames, channels)`` as the device records them."""
        try:
            stream = self._sd.InputStream(
                samplerate=self.sample_rate, channels=self.channels, dtype="float32", blocksize=self._block,
                device=self.device, callback=self._callback,
            )
        except Exception as exc:  # PortAudioError and friends
            raise Audio2FaceError(f"cannot open the microphone: {exc}") from None
        sent = 0
        waited = 0.0
        with stream:
            while not self._stop.is_set():
                try:
                    data = self._queue.get(timeout=0.2)
                except queue.Empty:
                    waited += 0.2
                    if waited >= self._timeout:
                        raise Audio2FaceError(f"the microphone delivered no audio for {self._timeout:g} s") from None
                    continue
                waited = 0.0
                if self._limit is not None:
                    data = data[: self._limit - sent]
                sent += data.shape[0]
                yield data
                if self._limit is not None and sent >= self._limit:
                    break
        if self.dropped:
            logger.warning("microphone: %d blocks dropped (the stream could not keep up)", self.dropped)

    def close(self) -> None:
        """Stop after the current block."""
        self._stop.set()


def open_input(
    spec: str,
    *,
    realtime: bool = False,
    sample_rate: Optional[float] = None,
    channels: Optional[int] = None,
    sample_format: str = "s16",
    block_ms: float = DEFAULT_BLOCK_MS,
    duration: Optional[float] = None,
    device: Any = None,
    stdin: Optional[BinaryIO] = None,
) -> AudioSource:
    """The source for ``--input``: ``mic``, ``-`` (raw PCM on stdin) or a file path."""
    if spec == "mic":
        if sample_rate is not None:
            check_source_rate(sample_rate, "--rate", hint="")
        channels = 1 if channels is None else channels
        return MicSource(sample_rate, channels, device=device, block_ms=block_ms, duration=duration)
    if spec == "-":
        stdin = stdin or _stdin_bytes()
        rate = 16000 if sample_rate is None else sample_rate
        return PcmSource(stdin, rate, 1 if channels is None else channels, sample_format,
                         block_ms=block_ms, duration=duration)
    if sample_rate is not None or channels is not None:
        logger.warning("--rate and --channels describe mic and stdin input; a file says its own")
    return FileSource(spec, realtime=realtime, block_ms=block_ms, duration=duration)


def _stdin_bytes() -> BinaryIO:
    """``sys.stdin`` as bytes, or a one-line error when the process was started with stdin closed."""
    import sys

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None or stream.closed:
        raise Audio2FaceError("--input - reads raw PCM from stdin, but stdin is closed")
    return stream
