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


def silent_frames(
    samples: np.ndarray, sample_rate: int, fps: float, frames: int, settings: VadSettings = VadSettings(),
    levels: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Boolean mask, one per frame: True where the audio is silent (``levels``: ``frame_levels_db``, if known)."""
    levels = frame_levels_db(samples, sample_rate, fps, frames) if levels is None else np.array(levels)
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
