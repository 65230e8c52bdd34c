"""Streaming: push audio chunks of any size, rate and channel count; get each frame's weights as soon as
its audio is complete.

Frame ``i``'s 520 ms window reaches the model's lookahead past its time ``i / fps`` (260 ms for the default
model, whose window is centred; 80 ms for the low-latency model, ``models/lowlatency``), so its weights can
come out once the audio up to ``i / fps + lookahead`` has been pushed (the window's last padded sample,
exactly as offline). Nothing waits longer than that unless a negative ``time_offset_ms`` asks for frames
from the future, or (centred models only) the silence gate waits for a silence to be long enough (below).

The numbers are the offline ones: chunks are downmixed with ``audio.prepare_samples`` (the same code as
offline), resampled to 16 kHz with ``soxr.ResampleStream`` (the same filter as ``soxr.resample``, "HQ"),
and each frame's features come from ``features.features_for_windows`` on the same samples ``compute_features``
would use. The model runs on small batches (``batch_frames``). Streamed raw outputs equal
``compute_features`` + ``predict`` on the whole file (tests/test_streaming.py).

Post-processing is ``post.apply_post``'s, step for step, with two differences forced by not knowing the
future (everything else - strength, lip-open offset, per-channel gains and offsets, clamp - runs the
offline code, ``post.Shaper``, on each frame):

* Smoothing is causal: a one-sided (half) Gaussian over the past ``3 * sigma`` frames instead of the
  centred one. It lags the offline curve by about ``0.8 * sigma``.
* The silence gate takes the clip's speech level as the 95th percentile of the levels heard so far (the
  last ``SPEECH_WINDOW_S`` seconds, up to the frame's lookahead) rather than of the whole clip. Everything
  else works as offline: frame ``i`` is decided from the levels up to ``i + lookahead`` (the audio a frame
  needs anyway reaches about 260 ms past it, so this costs no delay), and when a silence that has just
  begun could close the gate on frame ``i`` before it is known to be long enough (a silence at the very
  start of the stream, or a release shorter than the minimum silence), frame ``i`` waits until it is
  known - at most the minimum silence, 300 ms. The gate therefore equals the offline gate, at any frame
  rate and settings, wherever the running speech level equals the clip's.

With a model whose window is not centred (a short lookahead), the gate never waits past that lookahead:
frame ``i`` is decided from the levels the window's audio already holds, a silence not yet known to be long
enough counts as speech (the face closes a little later than offline), and anticipation beyond the
lookahead is lost (the face opens a little later). The weights themselves are still the offline ones.

A negative time offset (animation leading the audio) delays each frame by that offset so that it can be
taken from the future frames, as offline; a positive one delays nothing.
"""

from __future__ import annotations

import json
import logging
import math
from collections import deque
from pathlib import Path
from typing import Callable, Deque, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import soxr

from .audio import RESAMPLE_QUALITY, check_source_rate, prepare_samples
from .bundle import METADATA_FILE, Bundle, default_model_path
from .errors import Audio2FaceError, PathLike
from .features import FeatureParams, features_for_windows, frame_count, frame_window_starts
from .inference import predict
from .pipeline import AnimateSettings, driven_targets, get_bundle
from .post import PostSettings, Shaper
from .retarget import build_retargeter
from .secondary.live import LiveSecondary
from .vad import SPEECH_PERCENTILE, LiveLevels, VadSettings, relative_threshold_db, runs

logger = logging.getLogger(__name__)

SPEECH_WINDOW_S = 60.0
"""Seconds of past levels the live silence gate takes the speech level from."""

RawHook = Callable[[np.ndarray, np.ndarray], None]
"""Called as ``hook(frame_indices, raw_model_outputs)`` after each model batch."""

LOW_LATENCY_MODEL = "lowlatency"
"""Folder, beside the default model, of the shipped model whose window reaches only 80 ms ahead."""

PROCESSING_ALLOWANCE_MS = 10.0
"""What ``model_for_latency`` allows for computing a frame (the p99 target of ``bench/live.py``)."""


def shipped_models() -> List[Path]:
    """The bundled model folders a stream can pick by latency: the default and the low-latency one."""
    default = default_model_path()
    return [folder for folder in (default, default.parent / LOW_LATENCY_MODEL) if (folder / METADATA_FILE).is_file()]


def model_lookahead_ms(folder: PathLike) -> float:
    """A bundle's lookahead in ms (how far past a frame its window reaches), read from its ``model.json``."""
    path = Path(folder) / METADATA_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Audio2FaceError(f"cannot read model metadata ({exc})", path) from None
    params = FeatureParams.from_dict(meta.get("features", {}) if isinstance(meta, dict) else {}, source=path)
    return 1000.0 * params.lookahead_samples / params.sample_rate


def model_for_latency(latency_ms: float, block_ms: float, models: Optional[Sequence[PathLike]] = None) -> Path:
    """The model with the longest lookahead whose latency fits in ``latency_ms``.

    A frame's weights come out ``lookahead + up to one block + processing`` after its audio (module
    docstring); processing is allowed ``PROCESSING_ALLOWANCE_MS``.

    Args:
        latency_ms: The most delay wanted from a frame's audio to its weights.
        block_ms: Audio block length of the input.
        models: Candidate bundle folders (default: ``shipped_models()``).

    Raises:
        Audio2FaceError: No candidate fits.
    """
    candidates = [Path(m) for m in (models if models is not None else shipped_models())]
    if not candidates:
        raise Audio2FaceError("no model is installed to choose from")
    costs = sorted(((model_lookahead_ms(m), m) for m in candidates), key=lambda item: item[0])
    fitting = [(ahead, m) for ahead, m in costs if ahead + block_ms + PROCESSING_ALLOWANCE_MS <= latency_ms]
    if not fitting:
        ahead, _ = costs[0]
        raise Audio2FaceError(
            f"no model streams within {latency_ms:g} ms with {block_ms:g} ms blocks: the shortest lookahead is "
            f"{ahead:g} ms, so the least latency is about {ahead + block_ms + PROCESSING_ALLOWANCE_MS:g} ms "
            "(lookahead + block + processing; shorter --block-ms lowers it)"
        )
    return fitting[-1][1]


def live_model(
    model: Optional[str], latency_ms: Optional[float], block_ms: float,
    names: Tuple[str, str] = ("--latency-ms", "--model"),
) -> Optional[str]:
    """The model a stream runs: ``model``, or with a latency budget the shipped model that fits it.

    The one rule for every surface (``audio2face live`` and the panel's Live controls): a budget picks
    among the shipped models only, so it cannot be combined with a model of one's own.

    Args:
        model: The model folder chosen by the user (``None`` = the default model).
        latency_ms: The latency budget (``None`` = no budget: ``model`` as it is).
        block_ms: Audio block length of the input.
        names: How the budget and the model are called in the error (the CLI's flags by default).

    Raises:
        Audio2FaceError: Both a budget and a model were given, or no shipped model fits the budget.
    """
    if latency_ms is None:
        return model
    if model:
        raise Audio2FaceError(f"{names[0]} picks one of the shipped models: leave out {names[1]}")
    return str(model_for_latency(latency_ms, block_ms))


class LatencyMeter:
    """The delay from each frame's audio to its weights, as a live stream measures it.

    For each ``push``, ``arrived`` is when its block was received and ``heard_s`` the audio received so far
    (``StreamSession.seconds_received`` after the push): the audio at a frame's time was then
    ``heard_s - index / fps`` old, and ``sent - arrived`` more passed before its weights went out. What the
    sound card and its driver buffer before handing a block over is not seen here.
    """

    def __init__(self, fps: float) -> None:
        self.fps = float(fps)
        self._delays: List[float] = []

    def add(self, frames: Sequence[LiveFrame], heard_s: float, arrived: float, sent: float) -> None:
        """Record the frames one ``push`` returned (times in seconds, ``time.perf_counter``)."""
        for frame in frames:
            self._delays.append(sent - arrived + heard_s - frame.index / self.fps)

    @property
    def count(self) -> int:
        """Frames measured."""
        return len(self._delays)

    def percentile_ms(self, q: float) -> float:
        """The ``q``-th percentile of the delays in ms (NaN before any frame)."""
        if not self._delays:
            return float("nan")
        return float(np.percentile(np.asarray(self._delays), q) * 1000.0)

    def summary(self) -> str:
        """One line: p50, p99 and the largest delay."""
        if not self._delays:
            return "latency: no frame measured"
        return (f"latency from a frame's audio to its weights: p50 {self.percentile_ms(50):.0f} ms, "
                f"p99 {self.percentile_ms(99):.0f} ms, max {self.percentile_ms(100):.0f} ms "
                f"over {self.count} frames")


def live_bundle(model: Optional[PathLike] = None, threads: int = 1) -> Bundle:
    """The bundle a stream runs: ``pipeline.get_bundle``'s, except that with more than one thread its idle
    inference threads sleep instead of spinning (``bundle.open_session(spin=False)``).

    A stream runs the model on a few frames every block, so spinning threads would burn a core between
    blocks that the audio, the UI and Maya need. Loaded once per process (again when ``model.onnx`` changes).
    """
    return get_bundle(model, threads, spin=threads <= 1)


class LiveFrame(NamedTuple):
    """One frame of output: its index (0 = time 0) and float32 weights, one per ``StreamSession.names``."""

    index: int  # type: ignore[assignment]  # the field shadows tuple.index on purpose: frame.index reads best
    weights: np.ndarray


class SampleBuffer:
    """Mono samples in padded coordinates (audio sample ``p`` is padded sample ``p + lead``).

    Appends are amortised O(1); ``discard_before`` drops what no frame needs any more, so memory stays
    bounded however long the stream runs.
    """

    def __init__(self, lead: int) -> None:
        self._data = np.zeros(max(1 << 15, 2 * lead), dtype=np.float64)
        self._size = lead
        self._origin = 0

    @property
    def origin(self) -> int:
        """Padded index of the first sample held."""
        return self._origin

    @property
    def end(self) -> int:
        """Padded index one past the last sample held."""
        return self._origin + self._size

    def append(self, samples: np.ndarray) -> None:
        """Add samples at the end."""
        count = samples.size
        if self._size + count > self._data.size:
            grown = np.zeros(max(2 * self._data.size, self._size + count), dtype=np.float64)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : self._size + count] = samples
        self._size += count

    def window(self, low: int, high: int) -> np.ndarray:
        """Padded samples ``[low, high)`` as float64; zeros where nothing is held (past the end)."""
        out = np.zeros(max(high - low, 0), dtype=np.float64)
        src_low, src_high = max(low, self._origin), min(high, self.end)
        if src_high > src_low:
            out[src_low - low : src_high - low] = self._data[src_low - self._origin : src_high - self._origin]
        return out

    def discard_before(self, position: int) -> None:
        """Forget samples before padded index ``position``."""
        drop = min(max(position - self._origin, 0), self._size)
        if drop == 0:
            return
        self._data[: self._size - drop] = self._data[drop : self._size]
        self._size -= drop
        self._origin += drop


class InputConverter:
    """Chunks of any channel count and rate to float32 mono at the feature rate, as ``load_audio`` does."""

    def __init__(self, sample_rate: float, channels: int, target_rate: int) -> None:
        check_source_rate(sample_rate, "<stream>")
        if int(channels) < 1:
            raise Audio2FaceError(f"channel count must be 1 or more, got {channels!r}")
        self.sample_rate = float(sample_rate)
        self.channels = int(channels)
        self.target_rate = int(target_rate)
        self.glitched_samples = 0
        self._warned = False
        self._resampler: Optional[soxr.ResampleStream] = None
        if self.sample_rate != self.target_rate:
            self._resampler = soxr.ResampleStream(
                self.sample_rate, self.target_rate, 1, dtype="float32", quality=RESAMPLE_QUALITY
            )

    def convert(self, chunk: np.ndarray) -> np.ndarray:
        """One chunk, ``(frames,)`` for mono or ``(frames, channels)``, to mono samples at ``target_rate``."""
        data = np.asarray(chunk)
        if data.ndim == 1 and self.channels > 1:
            if data.size % self.channels:
                raise Audio2FaceError(
                    f"an interleaved chunk of {data.size} samples does not hold whole {self.channels}-channel frames"
                )
            data = data.reshape(-1, self.channels)
        if data.ndim == 2 and data.shape[1] != self.channels:
            raise Audio2FaceError(f"chunk has {data.shape[1]} channels, the stream was opened with {self.channels}")
        if data.ndim not in (1, 2):
            raise Audio2FaceError(f"audio chunks must be 1-D or 2-D, got shape {data.shape}")
        if data.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        if data.dtype.kind == "f" and not np.isfinite(data).all():
            data = self._silence_glitches(data)
        # same rate in and out: prepare_samples only downmixes and scales, with the offline code
        mono = prepare_samples(data, self.sample_rate, self.sample_rate, source="<stream>")  # type: ignore[arg-type]
        if self._resampler is None:
            return mono
        return np.asarray(self._resampler.resample_chunk(mono), dtype=np.float32)

    def _silence_glitches(self, data: np.ndarray) -> np.ndarray:
        """NaN/inf samples become silence (as files do): a glitching device must not end a performance."""
        finite = np.isfinite(data)
        self.glitched_samples += int(data.size - np.count_nonzero(finite))
        if not self._warned:
            self._warned = True
            logger.warning("the audio input delivered NaN or infinite samples; replaced with silence")
        return np.where(finite, data, 0.0).astype(np.float32)

    def flush(self) -> np.ndarray:
        """What the resampler still holds, at the end of the stream."""
        if self._resampler is None:
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self._resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True), np.float32)


def gate_lookahead(fps: float, params: Optional[FeatureParams] = None) -> int:
    """Frames past ``i`` whose levels are known when frame ``i``'s window is complete."""
    params = params or FeatureParams()
    ahead = params.lookahead_samples - 2
    return max(int(ahead * fps / params.sample_rate) - 1, 0)


class CausalGate:
    """The silence gate of ``post.silence_gate`` decided frame by frame (module docstring).

    Frame ``i`` is decided from the levels of frames up to ``i + ahead`` (``ahead`` = the free lookahead,
    or what anticipation and the ramp need when that is more), and, when a silence that has just begun
    could close the gate on frame ``i``, up to the point where that silence is known to be long enough
    (or over). The speech level comes from the levels up to ``i + ahead``. Nothing depends on how the
    audio was cut into chunks.

    With ``limit``, frame ``i`` never waits for levels past ``i + limit``: ``ahead`` is capped there, and a
    silence still too short to count when that point is reached is taken as speech for frame ``i``.
    """

    def __init__(
        self, fps: float, settings: PostSettings, lookahead: int, speech_window_s: float = SPEECH_WINDOW_S,
        backlog: int = 0, limit: Optional[int] = None,
    ) -> None:
        self.fps = float(fps)
        self.vad = VadSettings(threshold_db=settings.silence_db, method=settings.vad_method)
        self.release = int(round(settings.silence_release_ms / 1000.0 * fps))
        self.anticipation = int(round(settings.silence_anticipation_ms / 1000.0 * fps))
        self.ramp = max(int(round(settings.silence_ramp_ms / 1000.0 * fps)), 1)
        self.min_frames = int(round(self.vad.min_silence_ms / 1000.0 * fps))
        self.reach = (self.ramp - 1) // 2  # how far np.convolve(..., "same") looks ahead
        self.ahead = max(int(lookahead), self.reach + self.anticipation)
        self.limit = None if limit is None else max(int(limit), 0)
        if self.limit is not None:
            self.ahead = min(self.ahead, self.limit)
        self.max_ahead = self.ahead + self.min_frames + 1
        self.history = self.min_frames + self.release + 2 * self.ramp + 2
        self.speech_frames = max(int(speech_window_s * fps), 1)
        self._keep = self.speech_frames + self.history + self.max_ahead + int(backlog) + 2
        self._levels = np.zeros(4 * self._keep, dtype=np.float64)
        self._first = 0
        self._count = 0
        self._decided: Tuple[int, int, float, bool] = (-1, 0, 0.0, False)

    @property
    def known(self) -> int:
        """Number of frames whose level has been added."""
        return self._first + self._count

    def add_level(self, level_db: float) -> None:
        """The level of the next frame (as ``vad.frame_levels_db`` computes it)."""
        if self._count == self._levels.size:
            drop = max(self._count - self._keep, 0)
            self._levels[: self._count - drop] = self._levels[drop : self._count]
            self._first += drop
            self._count -= drop
        self._levels[self._count] = level_db
        self._count += 1

    def ready(self, frame: int, total: Optional[int]) -> bool:
        """Whether frame ``frame`` can be decided now."""
        return self._decide(frame, total) is not None

    def factor(self, frame: int, total: Optional[int]) -> float:
        """1 = the animation as predicted, 0 = the rest pose (``ready`` must be true)."""
        decided = self._decide(frame, total)
        if decided is None:
            raise RuntimeError(f"frame {frame} cannot be decided yet")
        right, speech, capped = decided
        left = max(frame - self.history, self._first)
        levels = self._levels[left - self._first : right - self._first]
        silent = self._silent(levels, speech)
        open_end = (total is None or right < total) and not capped
        for start, end in runs(silent):
            if end - start < self.min_frames and not (open_end and end == silent.size):
                silent[start:end] = False
        closed = np.zeros(silent.size, dtype=np.float64)
        for start, end in runs(silent):
            first = start + left
            begin = first + self.release if first > 0 else first
            stop = end - self.anticipation if end < silent.size else end
            if stop + left > begin:
                closed[begin - left : stop] = 1.0
        if self.ramp > 1:
            kernel = np.ones(self.ramp) / self.ramp
            padded = np.concatenate([np.full(self.ramp, closed[0]), closed, np.full(self.ramp, closed[-1])])
            closed = np.convolve(padded, kernel, mode="same")[self.ramp : -self.ramp]
        return float(1.0 - np.clip(closed[frame - left], 0.0, 1.0))

    def _silent(self, levels: np.ndarray, speech: float) -> np.ndarray:
        return (levels < speech + relative_threshold_db(self.vad)) | (levels < self.vad.floor_db)

    def _decide(self, frame: int, total: Optional[int]) -> Optional[Tuple[int, float, bool]]:
        """(end of the levels frame ``frame`` is decided from, speech level, whether ``limit`` cut the wait
        short), or ``None`` when not yet known."""
        if self._decided[0] == frame:
            return self._decided[1], self._decided[2], self._decided[3]
        right = frame + self.ahead + 1 if total is None else min(frame + self.ahead + 1, total)
        if right > self.known:
            return None
        heard = self._levels[max(right - self.speech_frames, self._first) - self._first : right - self._first]
        speech = _percentile(heard, SPEECH_PERCENTILE)
        capped = False
        while total is None or right < total:
            # a silence running at the edge of what is known: does it matter, and is it long enough yet?
            tail = self._levels[max(right - self.min_frames, self._first) - self._first : right - self._first]
            silent = self._silent(tail, speech)
            if silent.all() and silent.size == self.min_frames:
                break
            length = int(silent.size - (np.flatnonzero(~silent)[-1] + 1)) if not silent.all() else silent.size
            if length == 0:
                break
            start = right - length
            closes_from = start + self.release if start > 0 else start
            if closes_from > frame + self.reach:
                break
            if self.limit is not None and right >= frame + self.limit + 1:
                capped = True
                break
            if right >= self.known:
                return None
            right += 1
        self._decided = (frame, right, speech, capped)
        return right, speech, capped


def _percentile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, q)`` (linear interpolation) with one partial sort: cheap on every frame."""
    position = (values.size - 1) * q / 100.0
    low = int(math.floor(position))
    high = min(low + 1, values.size - 1)
    part = np.partition(values, (low, high))
    return float(part[low] + (part[high] - part[low]) * (position - low))


class CausalSmoother:
    """A one-sided Gaussian over past frames (sigma in frames), edges held like ``post.gaussian_smooth``."""

    def __init__(self, sigma_frames: float) -> None:
        self.sigma = float(sigma_frames)
        radius = int(np.ceil(3.0 * self.sigma)) if self.sigma > 0 else 0
        taps = np.exp(-0.5 * (np.arange(radius + 1) / self.sigma) ** 2) if radius else np.ones(1)
        self.taps = taps / taps.sum()
        self._past: Deque[np.ndarray] = deque(maxlen=radius + 1)

    def __call__(self, row: np.ndarray) -> np.ndarray:
        if self.taps.size == 1:
            return row
        if not self._past:
            self._past.extend([row] * (self.taps.size - 1))
        self._past.append(row)
        out = np.zeros(row.shape, dtype=np.float64)
        for tap, past in zip(self.taps, reversed(self._past)):
            out += tap * past
        return out.astype(np.float32)


class FrameShift:
    """``post.shift`` frame by frame: + delays the animation, - takes it from the future (waits for it)."""

    def __init__(self, frames: float) -> None:
        self.frames = float(frames)
        self._rows: Deque[np.ndarray] = deque()
        self._first = 0
        self._next = 0

    def add(self, row: np.ndarray) -> None:
        """The next frame's weights."""
        self._rows.append(row)

    def pop_ready(self, total: Optional[int]) -> List[Tuple[int, np.ndarray]]:
        """Frames whose shifted value is known (``total`` = frame count once the stream has ended)."""
        out: List[Tuple[int, np.ndarray]] = []
        available = self._first + len(self._rows)
        while self._next < available:
            i = self._next
            if self.frames == 0:
                out.append((i, self._rows[i - self._first]))
            else:
                src = max(i - self.frames, 0.0)
                if total is not None:
                    src = min(src, float(total - 1))
                lo = int(math.floor(src))
                frac = np.float32(src - lo)
                hi = lo if frac == 0 else lo + 1
                if total is not None:
                    hi = min(hi, total - 1)
                if hi >= available:
                    break  # the frame it is taken from has not been computed yet
                low_row, high_row = self._rows[lo - self._first], self._rows[hi - self._first]
                out.append((i, low_row * (1 - frac) + high_row * frac))
            self._next += 1
            self._trim()
        return out

    def _trim(self) -> None:
        keep_from = self._next - max(int(math.ceil(self.frames)), 0) - 1
        while self._rows and self._first < keep_from and len(self._rows) > 1:
            self._rows.popleft()
            self._first += 1


class StreamSession:
    """Audio chunks in, ``LiveFrame``\\ s out as soon as each frame's window is complete.

    Args:
        settings: Model, fps, mapping, rig targets, emotion and post-processing, as for ``animate``
            (``reduce`` and ``start_frame`` do not apply to a stream).
        sample_rate: Rate of the pushed chunks in Hz.
        channels: Channels of the pushed chunks (averaged to mono like offline).
        bundle: An already loaded bundle (default: :func:`live_bundle` of ``settings.model``).
        batch_frames: Most frames per model call (small batches keep the delay low).
        on_raw: Called with ``(frame_indices, raw_model_outputs)`` after each model batch.

    Attributes:
        names: Output names (rig targets, the mapping's targets, or the model's channels).
        fps: Frame rate of the output.
        frames_out: Frames emitted so far.
    """

    def __init__(
        self,
        settings: Optional[AnimateSettings] = None,
        *,
        sample_rate: float = 16000,
        channels: int = 1,
        bundle: Optional[Bundle] = None,
        batch_frames: int = 8,
        on_raw: Optional[RawHook] = None,
    ) -> None:
        self.settings = settings or AnimateSettings()
        post = self.settings.post
        self.settings.validate()
        self.bundle = bundle if bundle is not None else live_bundle(self.settings.model, self.settings.threads)
        self.params = self.bundle.feature_params
        self.fps = float(self.settings.fps or self.bundle.fps)
        if not (0 < self.fps <= 1000):
            raise Audio2FaceError(f"frame rate must be between 0 and 1000, got {self.fps}")
        self.batch_frames = max(int(batch_frames), 1)
        self.on_raw = on_raw
        self.retargeter = build_retargeter(self.bundle.channels, self.settings.targets, self.settings.mapping)
        self._targets: List[str] = list(self.retargeter.targets)
        self._identity = self.retargeter.identity
        self._secondary = (
            LiveSecondary(
                self.settings.secondary, self._targets, self.fps, self.params.sample_rate, self.retargeter.mapping()
            )
            if self.settings.secondary.enabled else None
        )
        self.names: List[str] = self._secondary.names if self._secondary is not None else list(self._targets)
        self.emotion = self.bundle.emotion_vector(self.settings.emotion) if self.bundle.emotion_size else None
        self._input = InputConverter(sample_rate, channels, self.params.sample_rate)
        self._buffer = SampleBuffer(self.params.pad_samples)
        self._received = 0
        self._next_model = 0
        self._next_level = 0
        self._total: Optional[int] = None
        self._pending: Deque[Tuple[int, np.ndarray]] = deque()
        free = gate_lookahead(self.fps, self.params)
        self._gate = (
            CausalGate(self.fps, post, free, SPEECH_WINDOW_S, self.batch_frames,
                       limit=None if self.params.centred else free)
            if post.silence_gate else None
        )
        self._smooth = CausalSmoother(post.smoothing_ms / 1000.0 * self.fps)
        self._live_levels = (
            LiveLevels(self.params.sample_rate, self.fps) if post.silence_gate and post.vad_method == "robust" else None
        )
        self._shift = FrameShift(post.time_offset_ms / 1000.0 * self.fps)
        self._shape = Shaper(self._targets, post)
        self.frames_out = 0

    @property
    def driven(self) -> Optional[List[str]]:
        """``Curves.driven`` of what the stream makes: the names fed by an animated model channel."""
        if self.settings.key_rest_targets:
            return None
        driven = driven_targets(self.retargeter, self.bundle.animated_channels)
        if self._secondary is not None:
            driven += [n for n in self._secondary.written if n not in driven]
        return driven

    @property
    def sample_rate(self) -> float:
        """Rate of the chunks ``push`` takes."""
        return self._input.sample_rate

    @property
    def channels(self) -> int:
        """Channels of the chunks ``push`` takes."""
        return self._input.channels

    @property
    def finished(self) -> bool:
        """Whether ``finish`` was called."""
        return self._total is not None

    @property
    def seconds_received(self) -> float:
        """Audio pushed so far, in seconds (at the feature rate, after resampling)."""
        return self._received / self.params.sample_rate

    @property
    def lookahead_ms(self) -> float:
        """How far past its time a frame's audio reaches: the least delay from a frame's audio to its weights."""
        return 1000.0 * self.params.lookahead_samples / self.params.sample_rate

    @property
    def buffered_seconds(self) -> float:
        """Audio held in memory, in seconds (bounded: about one window)."""
        return (self._buffer.end - self._buffer.origin) / self.params.sample_rate

    def samples_needed(self, frame: int) -> int:
        """Feature-rate samples that must have been pushed before frame ``frame`` can come out."""
        start = int(frame_window_starts([frame], self.fps, self.params)[0])
        return start + self.params.window_samples - self.params.pad_samples

    def push(self, chunk: np.ndarray) -> List[LiveFrame]:
        """Add audio; return the frames it completed (possibly none), in order.

        Args:
            chunk: ``(frames,)`` mono or ``(frames, channels)`` samples at ``sample_rate``; floats as they are,
                integer PCM scaled to [-1, 1).
        """
        if self._total is not None:
            raise Audio2FaceError("the stream has ended: push after finish")
        self._append(self._input.convert(chunk))
        return self._advance()

    def finish(self) -> List[LiveFrame]:
        """End of the stream: the remaining frames (their windows padded with silence, as offline)."""
        if self._total is not None:
            return []
        self._append(self._input.flush())
        self._total = frame_count(self._received, self.fps, self.params)
        return self._advance()

    # -- stages -------------------------------------------------------------------------------------
    def _append(self, samples: np.ndarray) -> None:
        if samples.size:
            self._buffer.append(samples)
            self._received += samples.size
            if self._secondary is not None:
                self._secondary.push(samples)

    def _advance(self) -> List[LiveFrame]:
        """Model, levels and post-processing batch by batch, so a long push never runs one stage far ahead."""
        end = self._next_model + self._ready_model_frames()
        ahead = self._gate.max_ahead if self._gate is not None else 0
        out: List[LiveFrame] = []
        while True:
            self._run_model(min(self._next_model + self.batch_frames, end))
            self._add_levels(self._next_model + ahead)
            out.extend(self._run_post())
            if self._next_model >= end:
                break
        self._discard()
        self.frames_out += len(out)
        return out

    def _ready_model_frames(self) -> int:
        """How many frames from ``_next_model`` on have complete windows."""
        if self._total is not None:
            return max(self._total - self._next_model, 0)
        sr, pad, window = self.params.sample_rate, self.params.pad_samples, self.params.window_samples
        bound = int((self._received + pad - window + 2) * self.fps / sr) + 2
        if bound <= self._next_model:
            return 0
        candidates = np.arange(self._next_model, bound)
        need = frame_window_starts(candidates, self.fps, self.params) + window - pad
        return int(np.searchsorted(need, self._received, side="right"))

    def _run_model(self, last: int) -> None:
        """One model batch: frames ``_next_model`` to ``last`` (exclusive)."""
        if last <= self._next_model:
            return
        indices = np.arange(self._next_model, last)
        starts = frame_window_starts(indices, self.fps, self.params)
        low = int(starts[0])
        segment = self._buffer.window(low, int(starts[-1]) + self.params.window_samples)
        features = features_for_windows(segment, starts - low, self.params)
        raw = predict(self.bundle, features, self.emotion, batch_size=self.batch_frames)
        if self.on_raw is not None:
            self.on_raw(indices, raw)
        targets = raw if self._identity else self.retargeter.apply(raw)
        for index, row in zip(indices.tolist(), targets):
            self._pending.append((index, row))
        self._next_model = last

    def _add_levels(self, until: int) -> None:
        """Levels (dB, as ``vad.frame_levels_db``) of frames before ``until`` whose +-1 frame of audio is in."""
        if self._gate is None:
            return
        sr, pad = self.params.sample_rate, self.params.pad_samples
        step = sr / self.fps
        while self._next_level <= until:
            j = self._next_level
            if self._total is not None and j >= self._total:
                return
            centre = j * step
            lo, hi = int(np.floor(centre - step)), int(np.ceil(centre + step))
            if self._total is None and hi > self._received:
                return
            if self._live_levels is not None:  # the robust detector's own window (wider than +-1 frame above 62 fps)
                window = self._live_levels.analyser.window
                start = int(np.round(j * step)) - window // 2
                if self._total is None and start + window > self._received:
                    return
                first, last = max(start, 0), min(start + window, self._received)
                self._gate.add_level(self._live_levels.push(self._buffer.window(first + pad, last + pad)))
                self._next_level += 1
                continue
            lo, hi = min(max(lo, 0), self._received), min(max(hi, 0), self._received)
            samples = self._buffer.window(lo + pad, hi + pad)
            rms = math.sqrt(float(np.dot(samples, samples)) / max(hi - lo, 1))
            self._gate.add_level(20.0 * math.log10(rms + 1e-10))
            self._next_level += 1

    def _run_post(self) -> List[LiveFrame]:
        while self._pending:
            index, row = self._pending[0]
            if self._gate is not None and not self._gate.ready(index, self._total):
                break
            self._pending.popleft()
            if self._gate is not None:
                row = row * np.float32(self._gate.factor(index, self._total))
            row = self._shape(self._smooth(row)[None, :])[0]
            self._shift.add(row)
        out = []
        for index, row in self._shift.pop_ready(self._total):
            if self.settings.post.clamp:
                row = np.clip(row, 0.0, 1.0)
            if self._secondary is not None:
                row = self._secondary.row(index, row)
            out.append(LiveFrame(index, np.asarray(row, dtype=np.float32)))
        return out

    def _discard(self) -> None:
        """Drop samples that neither the next model window nor the next level needs."""
        pad = self.params.pad_samples
        keep = int(frame_window_starts([self._next_model], self.fps, self.params)[0])
        if self._gate is not None:
            step = self.params.sample_rate / self.fps
            keep = min(keep, int(np.floor(self._next_level * step - step)) + pad)
            if self._live_levels is not None:  # its window reaches half of it back, which is more above 62 fps
                keep = min(keep, int(np.round(self._next_level * step)) - self._live_levels.analyser.window // 2 + pad)
        self._buffer.discard_before(keep - 1)


def stream_array(
    session: StreamSession, samples: np.ndarray, chunk_sizes: Optional[Sequence[int]] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """Push a whole signal through ``session`` in chunks and finish it.

    Args:
        session: A fresh session.
        samples: ``(frames,)`` or ``(frames, channels)`` at ``session.sample_rate``.
        chunk_sizes: Sizes to cut the signal into, cycled (default: 20 ms chunks).

    Returns:
        ``(frame_indices, weights)``: int64 ``(frames,)`` and float32 ``(frames, len(session.names))``.
    """
    data = np.asarray(samples)
    sizes = list(chunk_sizes) if chunk_sizes is not None else [max(int(session.sample_rate * 0.02), 1)]
    frames: List[LiveFrame] = []
    position, turn = 0, 0
    while position < data.shape[0]:
        size = max(int(sizes[turn % len(sizes)]), 1)
        frames.extend(session.push(data[position : position + size]))
        position += size
        turn += 1
    frames.extend(session.finish())
    indices = np.array([f.index for f in frames], dtype=np.int64)
    weights = np.stack([f.weights for f in frames]) if frames else np.zeros((0, len(session.names)), np.float32)
    return indices, weights
