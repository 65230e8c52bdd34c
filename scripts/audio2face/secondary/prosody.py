"""What the secondary motion listens to: speech activity, pauses, syllable energy and pitch, per video frame."""

from __future__ import annotations

import dataclasses
from typing import List, Tuple

import numpy as np
import soxr

from ..vad import frame_levels_db, runs, silent_frames

PITCH_MIN_HZ = 70.0
PITCH_MAX_HZ = 400.0
VOICING_THRESHOLD = 0.55
PITCH_WINDOW_MS = 32.0
PITCH_RATE = 8000
PAUSE_MIN_MS = 150.0


@dataclasses.dataclass
class Prosody:
    """Per-frame cues of one clip.

    Attributes:
        fps: Frame rate.
        level_db: RMS level around each frame, dBFS.
        speech: True where someone is speaking.
        pauses: (start, end) frame runs of silence at least ``PAUSE_MIN_MS`` long (end exclusive).
        nucleus: True at frames within 3 dB of a local level peak inside speech (the loud middle of a syllable).
        pitch_st: F0 in semitones above the clip's median F0 (NaN where unvoiced).
    """

    fps: float
    level_db: np.ndarray
    speech: np.ndarray
    pauses: List[Tuple[int, int]]
    nucleus: np.ndarray
    pitch_st: np.ndarray

    @property
    def frames(self) -> int:
        """Number of frames."""
        return int(self.level_db.size)


def analyse(samples: np.ndarray, sample_rate: int, fps: float, frames: int) -> Prosody:
    """Speech activity, pauses, syllable nuclei and the pitch contour of ``samples`` on the frame grid."""
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    level = frame_levels_db(samples, sample_rate, fps, frames)
    silent = silent_frames(samples, sample_rate, fps, frames) if frames else np.zeros(0, bool)
    short = _short_gaps(level, fps)
    pause_mask = silent | short
    min_pause = max(int(round(PAUSE_MIN_MS / 1000.0 * fps)), 1)
    pauses = [(a, b) for a, b in runs(pause_mask) if b - a >= min_pause]
    speech = ~pause_mask
    return Prosody(fps, level, speech, pauses, _nuclei(level, speech, fps), _pitch(samples, sample_rate, fps, frames))


def _short_gaps(level: np.ndarray, fps: float) -> np.ndarray:
    """Dips 25 dB under the speech level: phrase breaks shorter than the silence gate's minimum."""
    if level.size == 0:
        return np.zeros(0, dtype=bool)
    speech_level = float(np.percentile(level, 95.0))
    return level < speech_level - 25.0


def _nuclei(level: np.ndarray, speech: np.ndarray, fps: float) -> np.ndarray:
    """Frames near a local level maximum (+-100 ms) inside speech."""
    if level.size == 0:
        return np.zeros(0, dtype=bool)
    radius = max(int(round(0.1 * fps)), 1)
    padded = np.pad(level, radius, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1)
    return speech & (level >= windows.max(axis=1) - 3.0)


def _pitch(samples: np.ndarray, sample_rate: int, fps: float, frames: int) -> np.ndarray:
    """F0 per frame in semitones above the clip's median F0 (NaN unvoiced)."""
    if frames == 0 or samples.size == 0:
        return np.full(frames, np.nan)
    if sample_rate > PITCH_RATE:
        samples = soxr.resample(samples, sample_rate, PITCH_RATE).astype(np.float32)
        sample_rate = PITCH_RATE
    out = f0_hz(samples, sample_rate, np.arange(frames) * (sample_rate / fps))
    voiced = out[np.isfinite(out)]
    return 12.0 * np.log2(out / float(np.median(voiced))) if voiced.size else out


def f0_hz(samples: np.ndarray, sample_rate: int, centres: np.ndarray) -> np.ndarray:
    """F0 in Hz at each centre (a sample position) by normalised autocorrelation; NaN where unvoiced."""
    centres = np.asarray(centres, dtype=np.float64)
    out = np.full(centres.size, np.nan)
    size = int(PITCH_WINDOW_MS / 1000.0 * sample_rate)
    lag_lo = int(sample_rate / PITCH_MAX_HZ)
    lag_hi = min(int(sample_rate / PITCH_MIN_HZ), size - 1)
    nfft = 1 << int(np.ceil(np.log2(2 * size)))
    window = np.hanning(size).astype(np.float32)
    norm = np.fft.irfft(np.abs(np.fft.rfft(window, nfft)) ** 2, nfft)[: lag_hi + 1].astype(np.float32)
    samples = np.asarray(samples, np.float32)
    padded = np.concatenate([np.zeros(size // 2, np.float32), samples, np.zeros(size, np.float32)])
    block = 4096
    for first in range(0, centres.size, block):
        idx = np.arange(first, min(first + block, centres.size))
        starts = np.clip(centres[idx].astype(np.int64), 0, padded.size - size)
        seg = padded[starts[:, None] + np.arange(size)] * window
        seg -= seg.mean(axis=1, keepdims=True)
        ac = np.fft.irfft(np.abs(np.fft.rfft(seg, nfft, axis=1)) ** 2, nfft, axis=1)[:, : lag_hi + 1]
        ac = ac / np.maximum(norm, 1e-9)
        energy = ac[:, :1]
        valid = energy[:, 0] > 1e-9
        r = np.where(valid[:, None], ac / np.maximum(energy, 1e-12), 0.0)
        search = r[:, lag_lo - 1 : lag_hi + 1]
        best = search[:, 1:-1].max(axis=1, keepdims=True)
        # The first local peak near the best one: the period, not a multiple of it (octave errors).
        inner = search[:, 1:-1]
        peaks = (inner >= search[:, :-2]) & (inner >= search[:, 2:]) & (inner >= 0.85 * best)
        lag = lag_lo + np.argmax(peaks, axis=1)
        peak = r[np.arange(idx.size), lag]
        voiced = valid & (peak >= VOICING_THRESHOLD)
        out[idx[voiced]] = sample_rate / lag[voiced]
    return out
