"""Energy-based voice-activity detection on the video frame grid.

A frame's level is the RMS, in dB, of the audio within +-1 frame of its time. The clip's speech level is
the 95th percentile of those levels; a frame is silent when it is more than ``threshold_db`` below the
speech level or below ``floor_db`` (absolute, dBFS). Silent runs shorter than ``min_silence_ms`` count
as speech (pauses between words).
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional, Tuple

import numpy as np

SPEECH_PERCENTILE = 95.0
ENERGY_BLOCK = 1 << 20


@dataclasses.dataclass(frozen=True)
class VadSettings:
    """Thresholds of the detector (documented in the module docstring)."""

    threshold_db: float = -30.0
    floor_db: float = -60.0
    min_silence_ms: float = 300.0


def frame_levels_db(samples: np.ndarray, sample_rate: int, fps: float, frames: int) -> np.ndarray:
    """RMS level in dBFS around each frame's time (i / fps)."""
    samples = np.asarray(samples).reshape(-1)
    if frames <= 0:
        return np.zeros(0)
    half = sample_rate / fps
    centres = np.arange(frames) * (sample_rate / fps)
    lo = np.clip(np.floor(centres - half).astype(np.int64), 0, samples.size)
    hi = np.clip(np.ceil(centres + half).astype(np.int64), 0, samples.size)
    count = np.maximum(hi - lo, 1)
    rms = np.sqrt(np.maximum(_prefix_energy(samples, hi) - _prefix_energy(samples, lo), 0.0) / count)
    return 20.0 * np.log10(rms + 1e-10)


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


def silent_frames(
    samples: Optional[np.ndarray], sample_rate: int, fps: float, frames: int, settings: VadSettings = VadSettings(),
    *, levels: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Boolean mask, one per frame: True where the audio is silent (``levels``: ``frame_levels_db``'s, if known)."""
    levels = frame_levels_db(samples, sample_rate, fps, frames) if levels is None else np.asarray(levels)
    if levels.size == 0:
        return np.zeros(0, dtype=bool)
    speech = float(np.percentile(levels, SPEECH_PERCENTILE))
    silent = (levels < speech + settings.threshold_db) | (levels < settings.floor_db)
    min_frames = int(round(settings.min_silence_ms / 1000.0 * fps))
    for start, end in runs(silent):
        if end - start < min_frames:
            silent[start:end] = False
    return silent


def runs(mask: np.ndarray) -> List[Tuple[int, int]]:
    """(start, end) pairs of the True runs of a boolean array, end exclusive."""
    mask = np.asarray(mask, dtype=bool)
    if mask.size == 0:
        return []
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))
