"""Audio input: any file libsndfile reads, or an array, to float32 mono at the feature rate.

Channels are averaged; other rates are resampled with soxr (band-limited, quality "HQ"). Problems a
user can cause (missing or unreadable file, no samples, no finite samples) raise ``Audio2FaceError``
naming the file; NaN or infinite samples among good ones are replaced by silence with a warning.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from typing import Any, Iterator, Optional, Tuple

import numpy as np
import soundfile
import soxr

from .errors import Audio2FaceError, PathLike

logger = logging.getLogger(__name__)

DEFAULT_SAMPLE_RATE = 16000
RESAMPLE_QUALITY = "HQ"
READ_BLOCK = 1 << 16
"""Frames read per block: memory holds one block of the file plus the 16 kHz result."""
MIN_SOURCE_RATE = 1000.0
MAX_SOURCE_RATE = 768000.0
"""Rates a recording can have; a header outside them is corrupt or hostile (1 Hz would make a 400 KB file
16000 times longer when resampled to 16 kHz)."""
PREALLOCATE_LIMIT = 1 << 24
"""Most result samples allocated up front from what a header claims; more only as they are decoded."""

_INTEGER_SCALE = {1: 128.0, 2: 32768.0, 4: 2147483648.0, 8: 9223372036854775808.0}


def load_audio(path: PathLike, sample_rate: int = DEFAULT_SAMPLE_RATE) -> np.ndarray:
    """Read an audio file as float32 mono at ``sample_rate``.

    Args:
        path: Any format libsndfile reads (wav, flac, ogg, aiff, mp3, ...), any rate, channels, sample type.
        sample_rate: Rate of the returned samples in Hz.

    Returns:
        float32 1-D array. Audio shorter than a video frame comes back as it is.

    Raises:
        Audio2FaceError: The file is missing, a folder, not audio, empty, or has no finite sample.
    """
    source = _audio_file(path, sample_rate)
    try:
        return _read_mono(source, sample_rate)
    except (soundfile.SoundFileError, RuntimeError, OSError) as error:
        detail = getattr(error, "error_string", None) or getattr(error, "strerror", None) or str(error)
        raise Audio2FaceError(f"cannot read audio ({str(detail).strip().rstrip('.')})", source) from None


def _audio_file(path: PathLike, sample_rate: int) -> Path:
    """``path`` as a ``Path`` once it is known to be a file and ``sample_rate`` a rate we can resample to."""
    _check_rate(sample_rate, "sample_rate")
    source = Path(os.fspath(path))
    if not source.exists():
        raise Audio2FaceError("audio file not found", source)
    if source.is_dir():
        raise Audio2FaceError("is a folder, not an audio file", source)
    return source


def _read_mono(source: Path, sample_rate: int) -> np.ndarray:
    """Read, downmix and resample block by block, so memory holds only the result (hour-long files)."""
    with soundfile.SoundFile(str(source)) as handle:
        file_rate = handle.samplerate
        logger.debug("%s: %d frames x %d channels at %d Hz", source, handle.frames, handle.channels, file_rate)
        check_source_rate(file_rate, source)
        stream = None
        if float(file_rate) != float(sample_rate):
            stream = soxr.ResampleStream(file_rate, sample_rate, 1, dtype="float32", quality=RESAMPLE_QUALITY)
        claimed = int(np.ceil(max(handle.frames, 0) * sample_rate / file_rate)) + 64
        expected = min(claimed, PREALLOCATE_LIMIT)
        out = np.empty(expected, dtype=np.float32)
        filled = read = bad = 0
        for block in handle.blocks(blocksize=READ_BLOCK, dtype="float32", always_2d=True):
            read += block.size
            finite = np.isfinite(block)
            if not finite.all():
                bad += int(block.size - np.count_nonzero(finite))
                block = np.where(finite, block, 0.0).astype(np.float32)
            mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float64).astype(np.float32)
            if stream is not None:
                mono = stream.resample_chunk(np.ascontiguousarray(mono), last=False)
            out, filled = _append(out, filled, mono)
        if stream is not None and read:
            out, filled = _append(out, filled, stream.resample_chunk(np.zeros(0, np.float32), last=True))
    if read == 0:
        raise Audio2FaceError("audio has no samples (zero length)", source)
    if bad == read:
        raise Audio2FaceError("audio has no valid samples (all NaN or infinite)", source)
    if bad:
        logger.warning("%s: %d of %d samples are NaN or infinite; replaced with silence", source, bad, read)
    return out[:filled].copy() if filled < out.size // 2 else out[:filled]


def _append(out: np.ndarray, filled: int, part: np.ndarray) -> Tuple[np.ndarray, int]:
    """Copy ``part`` into ``out`` at ``filled``, growing ``out`` when a file held more than its header said."""
    end = filled + part.size
    if end > out.size:
        grown = np.empty(max(end, int(out.size * 1.5)), dtype=np.float32)
        grown[:filled] = out[:filled]
        out = grown
    out[filled:end] = part
    return out, end


def prepare_samples(
    samples: Any,
    sample_rate: float,
    target_rate: int = DEFAULT_SAMPLE_RATE,
    *,
    channels_first: bool = False,
    source: Optional[PathLike] = None,
) -> np.ndarray:
    """Turn an in-memory signal (the Maya and live paths) into float32 mono at ``target_rate``.

    Args:
        samples: 1-D mono, or 2-D ``(frames, channels)`` as soundfile returns (``(channels, frames)``
            with ``channels_first``). Float values are taken as they are; integer types are scaled to
            [-1, 1).
        sample_rate: Rate of ``samples`` in Hz.
        target_rate: Rate of the result in Hz.
        channels_first: ``samples`` is ``(channels, frames)``.
        source: What the samples came from, named in errors (a file, a sound node).

    Returns:
        float32 1-D array.

    Raises:
        Audio2FaceError: No samples, or no finite sample.
    """
    _check_rate(sample_rate, "sample_rate")
    _check_rate(target_rate, "target_rate")
    if float(sample_rate) != float(target_rate):
        check_source_rate(sample_rate, source)
    data = np.asarray(samples)
    if data.dtype.kind not in "fiub":
        raise Audio2FaceError(f"audio samples must be numbers, got {data.dtype}", source)
    if data.ndim == 1:
        data = data[:, None]
    elif data.ndim == 2:
        data = data.T if channels_first else data
    else:
        raise Audio2FaceError(f"audio samples must be 1-D or 2-D, got shape {data.shape}", source)
    return _to_mono_rate(_as_float(data), sample_rate, target_rate, source)


def resample(x: np.ndarray, src_rate: float, dst_rate: float) -> np.ndarray:
    """Band-limited resampling with soxr ("HQ"): frequencies above the new Nyquist are removed, not folded.

    Args:
        x: 1-D, or 2-D ``(frames, channels)``.
        src_rate: Rate of ``x`` in Hz.
        dst_rate: Wanted rate in Hz.

    Returns:
        float32 array of about ``len(x) * dst_rate / src_rate`` frames (``x`` itself as float32 when the rates match).
    """
    _check_rate(src_rate, "src_rate")
    _check_rate(dst_rate, "dst_rate")
    data = np.asarray(x, dtype=np.float32)
    if float(src_rate) == float(dst_rate):
        return data
    if data.shape[0] == 0:
        return data.copy()
    return np.asarray(soxr.resample(data, float(src_rate), float(dst_rate), quality=RESAMPLE_QUALITY), np.float32)


def _to_mono_rate(data: np.ndarray, rate: float, target_rate: float, source: Optional[PathLike]) -> np.ndarray:
    """Validate, clean, downmix and resample ``(frames, channels)`` float data."""
    if data.shape[0] == 0 or data.shape[1] == 0:
        raise Audio2FaceError("audio has no samples (zero length)", source)
    finite = np.isfinite(data)
    if not finite.all():
        bad = int(data.size - np.count_nonzero(finite))
        if bad == data.size:
            raise Audio2FaceError("audio has no valid samples (all NaN or infinite)", source)
        logger.warning(
            "%s: %d of %d samples are NaN or infinite; replaced with silence", source or "audio", bad, data.size
        )
        data = np.where(finite, data, 0.0).astype(np.float32)
    mono = data[:, 0] if data.shape[1] == 1 else data.mean(axis=1, dtype=np.float64)
    out = np.ascontiguousarray(resample(mono, rate, target_rate), dtype=np.float32)
    return out.copy() if np.may_share_memory(out, data) else out


def _as_float(data: np.ndarray) -> np.ndarray:
    """Float samples as they are; integer PCM scaled to [-1, 1)."""
    if data.dtype.kind == "f":
        return data
    if data.dtype.kind == "b":
        return data.astype(np.float32)
    scale = _INTEGER_SCALE.get(data.dtype.itemsize, float(2 ** (8 * data.dtype.itemsize - 1)))
    values = data.astype(np.float64)
    if data.dtype.kind == "u":
        values -= scale
    return (values / scale).astype(np.float32)


def check_source_rate(rate: float, source: Optional[PathLike] = None, hint: str = " (a corrupt header?)") -> None:
    """Refuse a recording's rate outside 1 kHz..768 kHz (a corrupt header), naming the source.

    Raises:
        Audio2FaceError: The rate is not a number in that range.
    """
    try:
        value = float(rate)
    except (TypeError, ValueError):
        value = math.nan
    if not MIN_SOURCE_RATE <= value <= MAX_SOURCE_RATE:
        shown = f"{value:g}" if math.isfinite(value) or math.isinf(value) else repr(rate)
        raise Audio2FaceError(
            f"sample rate {shown} Hz is outside {MIN_SOURCE_RATE:g}..{MAX_SOURCE_RATE:g} Hz{hint}", source
        )


def _check_rate(rate: float, name: str) -> None:
    """Reject rates that are not positive finite numbers (a caller's mistake)."""
    try:
        ok = float(rate) > 0 and np.isfinite(float(rate))
    except (TypeError, ValueError):
        ok = False
    if not ok or isinstance(rate, bool):
        raise ValueError(f"{name} must be a positive number of Hz, got {rate!r}")


def stream_audio(
    path: PathLike, sample_rate: int = DEFAULT_SAMPLE_RATE, *, block_frames: int = READ_BLOCK
) -> AudioStream:
    """Open an audio file for reading block by block as float32 mono at ``sample_rate``.

    The blocks, concatenated, are exactly what ``load_audio`` returns (the same downmix, silencing of
    NaN/infinite samples and resampling stream), but memory holds one block at a time.

    Args:
        path: Any format libsndfile reads.
        sample_rate: Rate of the blocks in Hz.
        block_frames: File frames read per block.

    Raises:
        Audio2FaceError: The file is missing, a folder or not audio (here); empty or with no finite sample
            (when the iteration ends).
    """
    source = _audio_file(path, sample_rate)
    try:
        handle = soundfile.SoundFile(str(source))
    except (soundfile.SoundFileError, RuntimeError, OSError) as error:
        detail = getattr(error, "error_string", None) or getattr(error, "strerror", None) or str(error)
        raise Audio2FaceError(f"cannot read audio ({str(detail).strip().rstrip('.')})", source) from None
    try:
        check_source_rate(handle.samplerate, source)  # a lying header must not make soxr allocate gigabytes
    except Audio2FaceError:
        handle.close()
        raise
    return AudioStream(source, handle, sample_rate, block_frames)


class AudioStream:
    """Blocks of a file as float32 mono at the feature rate (see ``stream_audio``); iterate once.

    Attributes:
        path: The file.
        sample_rate: Rate of the blocks.
        expected_samples: About how many samples the blocks will hold (from the file's header).
    """

    def __init__(self, path: Path, handle: Any, sample_rate: int, block_frames: int) -> None:
        self.path = path
        self.sample_rate = int(sample_rate)
        self._handle = handle
        self._block = max(int(block_frames), 1)
        self.expected_samples = int(np.ceil(max(handle.frames, 0) * sample_rate / handle.samplerate))

    def __iter__(self) -> Iterator[np.ndarray]:
        handle, source = self._handle, self.path
        read = bad = 0
        try:
            with handle:
                stream = None
                if float(handle.samplerate) != float(self.sample_rate):
                    stream = soxr.ResampleStream(
                        handle.samplerate, self.sample_rate, 1, dtype="float32", quality=RESAMPLE_QUALITY
                    )
                for block in handle.blocks(blocksize=self._block, dtype="float32", always_2d=True):
                    read += block.size
                    finite = np.isfinite(block)
                    if not finite.all():
                        bad += int(block.size - np.count_nonzero(finite))
                        block = np.where(finite, block, 0.0).astype(np.float32)
                    mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float64).astype(
                        np.float32
                    )
                    if stream is not None:
                        mono = stream.resample_chunk(np.ascontiguousarray(mono), last=False)
                    if mono.size:
                        yield np.ascontiguousarray(mono, dtype=np.float32)
                if stream is not None and read:
                    tail = stream.resample_chunk(np.zeros(0, np.float32), last=True)
                    if tail.size:
                        yield np.ascontiguousarray(tail, dtype=np.float32)
        except (soundfile.SoundFileError, RuntimeError, OSError) as error:
            detail = getattr(error, "error_string", None) or getattr(error, "strerror", None) or str(error)
            raise Audio2FaceError(f"cannot read audio ({str(detail).strip().rstrip('.')})", source) from None
        if read == 0:
            raise Audio2FaceError("audio has no samples (zero length)", source)
        if bad == read:
            raise Audio2FaceError("audio has no valid samples (all NaN or infinite)", source)
        if bad:
            logger.warning("%s: %d of %d samples are NaN or infinite; replaced with silence", source, bad, read)
