"""Voice-activity detection on the video frame grid, robust to noise, music beds, reverb and band limits.

Each frame ``i`` looks at the audio within +-1 frame of its time ``i / fps`` (as before). Two detectors:

``"energy"`` (the original): the frame's level is its RMS in dBFS.

``"robust"`` (the default): the frame's level is the energy left in the speech band after removing what
is not speech, in dB:

1. Band energies: a Hann-windowed FFT of the ``BAND_WINDOW_S`` of audio centred on the frame's time,
   summed in ``BANDS`` log-spaced bands over 300-3400 Hz (the telephone band, so band-limited and 8 kHz
   audio look the same as full-band audio).
2. Stationary background (noise, hum, a music bed): per band, the ``FLOOR_PERCENTILE`` th percentile of the
   band energy over a window of ``FLOOR_WINDOW_S`` (centred offline; the past only in a live stream), at
   most ``FLOOR_BELOW_PEAK_DB`` under the window's peak, updated every ``FLOOR_STEP`` frames and
   subtracted ``FLOOR_OVERSUBTRACT`` times.
3. Reverberation: the late tail of earlier frames, estimated per band as the largest earlier energy (at
   least ``REVERB_DELAY_FRAMES`` back) decayed by ``REVERB_DECAY_DB_PER_S`` per second (a room with an
   RT60 up to 60 / that many seconds), is subtracted too: a tail never rises, a new syllable does.
4. The level is ``10 log10`` of what is left, summed over the bands, then the largest level within
   ``HANGOVER_S`` on either side (speech starts that early and ends that late; removing the background
   and the tail cuts into the soft edges of words); live, within ``HANGOVER_S`` before the frame only.

Then, for either detector, the clip's speech level is the 95th percentile of the frame levels; a frame is
silent when it is more than ``threshold_db`` (for "robust": ``threshold_db + ROBUST_HEADROOM_DB``) below
the speech level or below ``floor_db`` (absolute, dBFS; for "robust" the level is after removal, so noise
alone falls far below it). Silent runs shorter than
``min_silence_ms`` count as speech (pauses between words).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from typing import Deque, Dict, List, Optional, Tuple

import numpy as np

from .errors import Audio2FaceError

SPEECH_PERCENTILE = 95.0
ENERGY_BLOCK = 1 << 20
BAND_BLOCK_FRAMES = 4096
BAND_BLOCK_SAMPLES = 1 << 22
"""Band energies are taken ``BAND_BLOCK_FRAMES`` frames at a time, fewer at frame rates so low that their
audio would pass this many samples (about 15.6 fps at 16 kHz)."""
METHODS = ("robust", "energy")

BAND_LOW_HZ = 300.0
BAND_HIGH_HZ = 3400.0
BANDS = 8
BAND_WINDOW_S = 0.032
"""Length of the band analysis window centred on each frame's time (rounded up to a power of 2 samples)."""
FLOOR_WINDOW_S = 4.0
FLOOR_PERCENTILE = 20.0
FLOOR_OVERSUBTRACT = 3.0
FLOOR_STEP = 8
FLOOR_BELOW_PEAK_DB = 12.0
"""The background is never taken closer than this to the window's loudest frame (a held vowel, a
sustained note: what never stops is not background when nothing quieter was heard)."""
REVERB_DELAY_FRAMES = 2
REVERB_DECAY_DB_PER_S = 30.0
HANGOVER_S = 0.034
"""Speech is held this long on each side (a level is the largest within that distance; past only live)."""
ROBUST_HEADROOM_DB = 10.0
"""The robust level is thresholded ``threshold_db + ROBUST_HEADROOM_DB`` below the speech level: removing
the background leaves speech edges falling faster than the raw RMS does."""
LEVEL_EPS = 1e-12
"""Energies are mean squares of [-1, 1] samples; this keeps log10 finite (= -120 dB)."""


@dataclasses.dataclass(frozen=True)
class VadSettings:
    """Thresholds of the detector (documented in the module docstring)."""

    threshold_db: float = -30.0
    floor_db: float = -60.0
    min_silence_ms: float = 300.0
    method: str = "robust"

    def validate(self) -> None:
        """Raise ``Audio2FaceError`` for an unknown method."""
        if self.method not in METHODS:
            raise Audio2FaceError(f"unknown VAD method {self.method!r} (use {', '.join(METHODS)})")


def frame_levels_db(samples: np.ndarray, sample_rate: int, fps: float, frames: int) -> np.ndarray:
    """RMS level in dBFS around each frame's time (i / fps)."""
    samples = np.asarray(samples).reshape(-1)
    if frames <= 0:
        return np.zeros(0)
    lo, hi = _frame_bounds(samples.size, sample_rate, fps, frames)
    count = np.maximum(hi - lo, 1)
    rms = np.sqrt(np.maximum(_prefix_energy(samples, hi) - _prefix_energy(samples, lo), 0.0) / count)
    return 20.0 * np.log10(rms + 1e-10)


def _frame_bounds(size: int, sample_rate: int, fps: float, frames: int) -> Tuple[np.ndarray, np.ndarray]:
    half = sample_rate / fps
    centres = np.arange(frames) * (sample_rate / fps)
    lo = np.clip(np.floor(centres - half).astype(np.int64), 0, size)
    hi = np.clip(np.ceil(centres + half).astype(np.int64), 0, size)
    return lo, hi


def _prefix_energy(samples: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``sum(samples[:p] ** 2)`` for each (non-decreasing) ``p``, in float64, block by block.

    Never holds more than one block in float64, so an hour of audio costs no extra copy of it.
    """
    out = np.zeros(positions.size, dtype=np.float64)
    total = 0.0
    for start in range(0, samples.size, ENERGY_BLOCK):
        block = samples[start : start + ENERGY_BLOCK].astype(np.float64)
        sums = np.cumsum(block * block) + total
        first = int(np.searchsorted(positions, start + 1, side="left"))
        last = int(np.searchsorted(positions, start + block.size, side="right"))
        out[first:last] = sums[positions[first:last] - start - 1]
        out[last:] = sums[-1]
        total = float(sums[-1])
    return out


class StreamingLevels:
    """``frame_levels_db`` of audio that arrives in blocks: the same numbers, without holding the audio.

    Energy is summed in the same ``ENERGY_BLOCK`` blocks with the same float64 operations as
    ``_prefix_energy``, so the levels are identical; memory holds one energy block.
    """

    def __init__(self, sample_rate: int, fps: float) -> None:
        self.sample_rate, self.fps = int(sample_rate), float(fps)
        self._pending: List[np.ndarray] = []
        self._pending_size = 0
        self._start = 0
        self._total = 0.0
        self._energy: List[np.ndarray] = []  # prefix energy at the positions frames need, in order
        self._positions: List[np.ndarray] = []

    def add(self, samples: np.ndarray) -> None:
        """The next samples."""
        self._pending.append(np.asarray(samples).reshape(-1))
        self._pending_size += self._pending[-1].size
        while self._pending_size >= ENERGY_BLOCK:
            merged = np.concatenate(self._pending)
            self._sum_block(merged[:ENERGY_BLOCK])
            self._pending, self._pending_size = [merged[ENERGY_BLOCK:]], merged.size - ENERGY_BLOCK

    def levels(self, frames: int) -> np.ndarray:
        """The levels of ``frames`` frames once every sample has been added (as ``frame_levels_db``)."""
        if self._pending_size:
            self._sum_block(np.concatenate(self._pending))
            self._pending, self._pending_size = [], 0
        size = self._start
        if frames <= 0:
            return np.zeros(0)
        half = self.sample_rate / self.fps
        centres = np.arange(frames) * (self.sample_rate / self.fps)
        lo = np.clip(np.floor(centres - half).astype(np.int64), 0, size)
        hi = np.clip(np.ceil(centres + half).astype(np.int64), 0, size)
        count = np.maximum(hi - lo, 1)
        energy = self._lookup(np.concatenate([lo, hi]))
        rms = np.sqrt(np.maximum(energy[frames:] - energy[:frames], 0.0) / count)
        return 20.0 * np.log10(rms + 1e-10)

    def _sum_block(self, samples: np.ndarray) -> None:
        block = samples.astype(np.float64)
        sums = np.cumsum(block * block) + self._total
        # keep the prefix energy at every position a frame can ask for in this block (both window edges)
        step = self.sample_rate / self.fps
        first = max(int(np.floor(self._start / step)) - 2, 0)
        last = int(np.ceil((self._start + block.size) / step)) + 2
        centres = np.arange(first, last) * step
        wanted = np.unique(np.concatenate([np.floor(centres - step), np.ceil(centres + step)]).astype(np.int64))
        inside = wanted[(wanted > self._start) & (wanted <= self._start + block.size)]
        self._positions.append(inside)
        self._energy.append(sums[inside - self._start - 1])
        self._start += block.size
        self._total = float(sums[-1]) if sums.size else self._total

    def _lookup(self, positions: np.ndarray) -> np.ndarray:
        known = np.concatenate(self._positions) if self._positions else np.zeros(0, np.int64)
        values = np.concatenate(self._energy) if self._energy else np.zeros(0)
        out = np.zeros(positions.size, dtype=np.float64)
        at_end = positions >= self._start
        out[at_end] = self._total
        inside = (positions > 0) & ~at_end
        index = np.searchsorted(known, positions[inside])
        out[inside] = values[index]
        return out


# --- the robust detector -------------------------------------------------------------------------------------


class BandAnalyser:
    """Speech-band energies of one frame's audio (step 1 of the module docstring)."""

    def __init__(self, sample_rate: int, fps: float) -> None:
        self.sample_rate = int(sample_rate)
        self.size = 1 << int(np.ceil(np.log2(max(BAND_WINDOW_S * sample_rate, 16))))
        self.window = self.size
        self.taper = np.hanning(self.window)
        freqs = np.fft.rfftfreq(self.size, 1.0 / sample_rate)
        edges = np.geomspace(BAND_LOW_HZ, min(BAND_HIGH_HZ, 0.5 * sample_rate), BANDS + 1)
        norm = 1.0 / (float(np.sum(self.taper**2)) * self.size)
        self.bands = np.stack([((freqs >= a) & (freqs < b)) * norm for a, b in zip(edges[:-1], edges[1:])], axis=1)

    def energies(self, windows: np.ndarray) -> np.ndarray:
        """(frames, BANDS) mean energies of (frames, window) zero-padded sample windows."""
        spectrum = np.fft.rfft(windows * self.taper, n=self.size, axis=-1)
        return (spectrum.real**2 + spectrum.imag**2) @ self.bands


def _windows(samples: np.ndarray, lo: np.ndarray, hi: np.ndarray, length: int) -> np.ndarray:
    """Rows ``samples[lo:hi]`` zero-padded to ``length`` (the frames' +-1 frame of audio)."""
    first, last = int(lo[0]), int(lo[-1]) + length
    segment = np.zeros(last - first, dtype=np.float64)
    avail = samples[first : min(last, samples.size)]
    segment[: avail.size] = avail
    view = np.lib.stride_tricks.sliding_window_view(segment, length)[lo - first]
    keep = np.arange(length)[None, :] < (hi - lo)[:, None]
    return np.where(keep, view, 0.0)


def band_block_frames(sample_rate: int, fps: float) -> int:
    """Frames analysed at a time: ``BAND_BLOCK_FRAMES``, fewer where their audio would pass ``BAND_BLOCK_SAMPLES``."""
    step = max(sample_rate / fps, 1.0)
    return int(max(1, min(BAND_BLOCK_FRAMES, BAND_BLOCK_SAMPLES // step)))


def band_energies(samples: np.ndarray, sample_rate: int, fps: float, frames: int) -> np.ndarray:
    """(frames, BANDS) speech-band energies around each frame's time, in blocks (bounded memory)."""
    samples = np.asarray(samples).reshape(-1)
    analyser = BandAnalyser(sample_rate, fps)
    lo, hi = band_bounds(samples.size, sample_rate, fps, frames, analyser.window)
    out = np.zeros((frames, BANDS), dtype=np.float64)
    block = band_block_frames(sample_rate, fps)
    for first in range(0, frames, block):
        last = min(first + block, frames)
        out[first:last] = analyser.energies(_windows(samples, lo[first:last], hi[first:last], analyser.window))
    return out


def band_bounds(size: int, sample_rate: int, fps: float, frames: int, window: int) -> Tuple[np.ndarray, np.ndarray]:
    """Sample range of each frame's band analysis window (clipped to the audio)."""
    return _band_bounds(size, sample_rate, fps, 0, frames, window)


def _band_bounds(
    size: int, sample_rate: int, fps: float, first: int, last: int, window: int
) -> Tuple[np.ndarray, np.ndarray]:
    """``band_bounds`` of frames ``first`` to ``last`` (exclusive)."""
    centres = np.round(np.arange(first, last) * (sample_rate / fps)).astype(np.int64)
    lo = np.clip(centres - window // 2, 0, size)
    hi = np.clip(centres - window // 2 + window, 0, size)
    return lo, hi


class StreamingBands:
    """``band_energies`` of audio that arrives in blocks: the same numbers, without holding the audio.

    Frames are analysed in the same blocks of ``band_block_frames`` frames as ``band_energies``, each as
    soon as the audio its windows read has arrived, so memory holds about one block's audio (a couple of
    minutes at 30 fps) and the (frames, BANDS) result.
    """

    def __init__(self, sample_rate: int, fps: float) -> None:
        self.sample_rate, self.fps = int(sample_rate), float(fps)
        self.analyser = BandAnalyser(sample_rate, fps)
        self.block = band_block_frames(sample_rate, fps)
        self._held = np.zeros(0, dtype=np.float32)  # the audio from sample ``_offset`` on
        self._pending: List[np.ndarray] = []
        self._offset = 0
        self._received = 0
        self._rows: List[np.ndarray] = []
        self._done = 0  # frames analysed

    def add(self, samples: np.ndarray) -> None:
        """The next samples."""
        part = np.asarray(samples).reshape(-1)
        self._pending.append(part)
        self._received += part.size
        while self._block_ready():
            self._analyse(self._done + self.block)

    def energies(self, frames: int) -> np.ndarray:
        """(frames, BANDS) energies once every sample has been added (as ``band_energies``)."""
        while self._done < frames:
            self._analyse(min(self._done + self.block, frames))
        if not self._rows:
            return np.zeros((max(frames, 0), BANDS), dtype=np.float64)
        return np.concatenate(self._rows)[:frames]

    def _block_ready(self) -> bool:
        """Whether every sample the next whole block of frames reads has arrived (then no later sample
        changes its windows or their clipping)."""
        last = self._done + self.block - 1
        lo, _ = _band_bounds(self._received, self.sample_rate, self.fps, last, last + 1, self.analyser.window)
        return int(lo[0]) + self.analyser.window <= self._received

    def _analyse(self, end: int) -> None:
        """Energies of frames ``_done`` to ``end`` from the audio received so far."""
        if self._pending:
            self._held = np.concatenate([self._held, *self._pending])
            self._pending = []
        window = self.analyser.window
        lo, hi = _band_bounds(self._received, self.sample_rate, self.fps, self._done, end + 1, window)
        self._rows.append(self.analyser.energies(_windows(self._held, lo[:-1] - self._offset,
                                                          hi[:-1] - self._offset, window)))
        self._done = end
        keep = int(lo[-1])  # the next frame's window starts there (or later, once more audio arrives)
        if keep > self._offset:
            self._held = self._held[keep - self._offset :].copy()
            self._offset = keep


def _reverb_tail(energies: np.ndarray, fps: float) -> np.ndarray:
    """Late-reverberation estimate per frame and band (step 3): max over k >= delay of E[i-k] decayed by k."""
    decay = REVERB_DECAY_DB_PER_S / fps
    log_e = 10.0 * np.log10(energies + LEVEL_EPS)
    index = np.arange(energies.shape[0], dtype=np.float64)[:, None]
    lifted = np.maximum.accumulate(log_e + index * decay, axis=0)
    tail = np.full_like(log_e, -np.inf)
    d = REVERB_DELAY_FRAMES
    if energies.shape[0] > d:
        tail[d:] = lifted[:-d] - index[d:] * decay
    return np.where(np.isfinite(tail), 10.0 ** (tail / 10.0), 0.0)


def _floor(energies: np.ndarray, fps: float, causal: bool) -> np.ndarray:
    """Per-band background (step 2): a percentile over a sliding window, updated every ``FLOOR_STEP`` frames."""
    frames = energies.shape[0]
    width = max(int(round(FLOOR_WINDOW_S * fps)), 1)
    before, after = (width - 1, 0) if causal else (width // 2, width - 1 - width // 2)
    out = np.empty_like(energies)
    for anchor in range(0, frames, FLOOR_STEP):
        window = energies[max(anchor - before, 0) : anchor + after + 1]
        out[anchor : anchor + FLOOR_STEP] = _window_floor(window)
    return out


def _window_floor(window: np.ndarray) -> np.ndarray:
    """The percentile of a (frames, BANDS) window, at most ``FLOOR_BELOW_PEAK_DB`` under its peak."""
    cap = window.max(axis=0) * 10.0 ** (-FLOOR_BELOW_PEAK_DB / 10.0)
    return np.minimum(np.percentile(window, FLOOR_PERCENTILE, axis=0), cap)


def clean_levels_db(energies: np.ndarray, fps: float, causal: bool = False) -> np.ndarray:
    """Steps 2-4: the speech-band level (dB) left after removing the background and the reverb tail."""
    if energies.shape[0] == 0:
        return np.zeros(0)
    floor = _floor(energies, fps, causal)
    tail = _reverb_tail(energies, fps)
    left = np.maximum(energies - FLOOR_OVERSUBTRACT * floor - tail, 0.0)
    level = 10.0 * np.log10(left.sum(axis=1) + LEVEL_EPS)
    hold = hangover_frames(fps)
    before, after = (hold, 0) if causal else (hold, hold)
    padded = np.concatenate([np.full(before, -np.inf), level, np.full(after, -np.inf)])
    return np.lib.stride_tricks.sliding_window_view(padded, before + after + 1).max(axis=-1)


def hangover_frames(fps: float) -> int:
    """Frames of ``HANGOVER_S``."""
    return int(round(HANGOVER_S * fps))


def speech_levels_db(
    samples: np.ndarray, sample_rate: int, fps: float, frames: int, method: str = "robust"
) -> np.ndarray:
    """Per-frame levels the detector thresholds (``method``: "robust" or "energy")."""
    if method == "energy":
        return frame_levels_db(samples, sample_rate, fps, frames)
    if frames <= 0:
        return np.zeros(0)
    return clean_levels_db(band_energies(samples, sample_rate, fps, frames), fps)


class LiveLevels:
    """The robust level frame by frame for a stream: the same steps with the floor over the past only.

    ``push(window)`` takes the frame's analysis window (``band_bounds``, zeros where the audio has not
    begun or has ended) and returns its level in dB.
    """

    def __init__(self, sample_rate: int, fps: float) -> None:
        self.analyser = BandAnalyser(sample_rate, fps)
        self.fps = float(fps)
        self.width = max(int(round(FLOOR_WINDOW_S * fps)), 1)
        self._past: Deque[np.ndarray] = deque(maxlen=self.width)
        self._lifted = np.full(BANDS, -np.inf)
        self._recent: Deque[np.ndarray] = deque(maxlen=REVERB_DELAY_FRAMES + 1)
        self._count = 0
        self._floor = np.zeros(BANDS)
        self._held: Deque[float] = deque(maxlen=hangover_frames(fps) + 1)

    def push(self, window: np.ndarray) -> float:
        """The next frame's level from its samples."""
        buffer = np.zeros((1, self.analyser.window))
        size = min(window.size, self.analyser.window)
        buffer[0, :size] = window[:size]
        energy = self.analyser.energies(buffer)[0]
        decay = REVERB_DECAY_DB_PER_S / self.fps
        index = float(self._count)
        self._recent.append(np.maximum(self._lifted, 10.0 * np.log10(energy + LEVEL_EPS) + index * decay))
        self._lifted = self._recent[-1]
        if len(self._recent) > REVERB_DELAY_FRAMES:
            tail = 10.0 ** ((self._recent[0] - index * decay) / 10.0)
        else:
            tail = np.zeros(BANDS)
        self._past.append(energy)
        if self._count % FLOOR_STEP == 0:
            self._floor = _window_floor(np.stack(self._past))
        floor = self._floor
        self._count += 1
        left = np.maximum(energy - FLOOR_OVERSUBTRACT * floor - tail, 0.0)
        self._held.append(float(10.0 * np.log10(left.sum() + LEVEL_EPS)))
        return max(self._held)


# --- the decision ----------------------------------------------------------------------------------------------


def relative_threshold_db(settings: VadSettings) -> float:
    """How far below the speech level a frame is silent, for the settings' method."""
    return settings.threshold_db + (ROBUST_HEADROOM_DB if settings.method == "robust" else 0.0)


def silent_from_levels(levels: np.ndarray, fps: float, settings: VadSettings) -> np.ndarray:
    """Threshold frame levels (module docstring) and drop silences shorter than the minimum."""
    if levels.size == 0:
        return np.zeros(0, dtype=bool)
    speech = float(np.percentile(levels, SPEECH_PERCENTILE))
    silent = (levels < speech + relative_threshold_db(settings)) | (levels < settings.floor_db)
    min_frames = int(round(settings.min_silence_ms / 1000.0 * fps))
    for start, end in runs(silent):
        if end - start < min_frames:
            silent[start:end] = False
    return silent


def silent_frames(
    samples: Optional[np.ndarray],
    sample_rate: int,
    fps: float,
    frames: int,
    settings: VadSettings = VadSettings(),
    *,
    levels: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Boolean mask, one per frame: True where the audio is silent.

    ``levels``: the frames' levels of ``settings.method`` when already known (``speech_levels_db``; for
    ``"energy"`` that is ``frame_levels_db``, e.g. from ``StreamingLevels``); then ``samples`` may be ``None``.
    """
    settings.validate()
    if levels is None:
        levels = speech_levels_db(samples, sample_rate, fps, frames, settings.method)
    return silent_from_levels(levels, fps, settings)


def runs(mask: np.ndarray) -> List[Tuple[int, int]]:
    """(start, end) pairs of the True runs of a boolean array, end exclusive."""
    mask = np.asarray(mask, dtype=bool)
    if mask.size == 0:
        return []
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


# --- what the recording is like -------------------------------------------------------------------------------

CONDITION_FPS = 100.0
HIGH_BAND_HZ = (4000.0, 7500.0)
DECAY_S = 0.25


def audio_condition(samples: np.ndarray, sample_rate: int) -> Dict[str, Optional[float]]:
    """Rough figures of the recording: ``snr_db`` (speech-band speech level over the level in the pauses),
    ``high_band_db`` (energy 4-7.5 kHz against 300-3400 Hz over speech; telephone audio has none) and
    ``rt60_s`` (from how fast the speech-band level falls in the first 250 ms after speech stops; the median
    over the pauses). ``None`` where the clip gives nothing to measure it on."""
    samples = np.asarray(samples, dtype=np.float64).reshape(-1)
    frames = int(samples.size / sample_rate * CONDITION_FPS)
    out: Dict[str, Optional[float]] = {"snr_db": None, "high_band_db": None, "rt60_s": None}
    if frames < 10:
        return out
    energy = band_energies(samples, sample_rate, CONDITION_FPS, frames).sum(axis=1)
    level = 10.0 * np.log10(energy + LEVEL_EPS)
    silent = silent_frames(samples, sample_rate, CONDITION_FPS, frames, VadSettings())
    if (~silent).sum() < 10:
        return out
    speech_level = float(np.percentile(level[~silent], SPEECH_PERCENTILE))
    pause_level = float(np.median(level[silent])) if silent.sum() >= 10 else float(np.percentile(level, 10))
    out["snr_db"] = round(speech_level - pause_level, 1)
    lo, hi = band_bounds(samples.size, sample_rate, CONDITION_FPS, frames, 512)
    speech_rows = np.flatnonzero(~silent)[:: max(1, int((~silent).sum()) // 2000)]
    spectrum = np.zeros(257)
    for row in speech_rows.tolist():
        window = samples[lo[row] : hi[row]]
        spectrum[: 257] += np.abs(np.fft.rfft(window * np.hanning(window.size), 512)) ** 2 if window.size == 512 else 0
    freqs = np.fft.rfftfreq(512, 1.0 / sample_rate)
    high = spectrum[(freqs >= HIGH_BAND_HZ[0]) & (freqs < min(HIGH_BAND_HZ[1], 0.5 * sample_rate))].sum()
    mid = spectrum[(freqs >= BAND_LOW_HZ) & (freqs < BAND_HIGH_HZ)].sum()
    if mid > 0:
        out["high_band_db"] = round(float(10.0 * np.log10((high + LEVEL_EPS) / mid)), 1)
    slopes = []
    span = int(DECAY_S * CONDITION_FPS)
    for start, end in runs(silent):
        if start < 5 or end - start < span:
            continue
        tail = level[start - 3 : start + span]
        keep = tail > pause_level + 6.0
        if keep.sum() < 5:
            continue
        t = np.arange(tail.size)[keep] / CONDITION_FPS
        slope = float(np.polyfit(t, tail[keep], 1)[0])
        if slope < 0:
            slopes.append(slope)
    if slopes:
        out["rt60_s"] = round(float(-60.0 / np.median(slopes)), 2)
    return out
