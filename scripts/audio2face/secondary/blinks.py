"""Blinks timed by the speech: a human rate and duration, drawn to pauses, kept out of syllables.

Statistics used (defaults):
- Rate: spontaneous blinking is about 17 a minute at rest and higher in conversation (Bentivoglio et al. 1997,
  Movement Disorders 12(6): 15-26/min while talking); the default is 17/min, a knob.
- Duration: 100-400 ms for a full blink (lid closing, closed, reopening); drawn log-normally around 200 ms.
- Profile: the lid closes fast (about a third of the blink) and reopens more slowly (VanderWerf et al. 2003,
  J. Neurophysiology 89: closing ~2x faster than opening).
- Timing: blinks cluster at pauses and phrase boundaries and are rare inside a stressed syllable (Nakano &
  Kitazawa 2010; Cummins 2012): each blink is drawn to a pause within reach, otherwise moved off the loud
  middle of a syllable.
- Incomplete blinks: a share of spontaneous blinks do not close fully; ``half_blinks`` keeps 15% of them at
  40-70% closure.
"""

from __future__ import annotations

import dataclasses
from typing import List

import numpy as np

from .prosody import Prosody

PAUSE_REACH_S = 1.2
PAUSE_PULL = 0.8
MIN_GAP_S = 0.6
GAP_SHAPE = 3.0
HALF_BLINK_SHARE = 0.15
CLOSURE_DELAY_S = 0.06
"""From a blink's start to the lids' closure (a third of a typical 200 ms blink)."""


@dataclasses.dataclass(frozen=True)
class Blink:
    """One blink: start time (s), duration (s) and how far the lids close (0-1)."""

    start: float
    duration: float
    amount: float


def plan_blinks(
    prosody: Prosody, rate_per_min: float, rng: np.random.Generator, half_blinks: bool = True
) -> List[Blink]:
    """Blink times for a clip: a renewal process at ``rate_per_min``, moved to pauses and off syllables."""
    fps = prosody.fps
    seconds = prosody.frames / fps
    if seconds <= 0 or rate_per_min <= 0:
        return []
    blinks: List[Blink] = []
    # Blinks that land in the same pause merge: raise the drawing rate until the clip has the rate asked for.
    wanted = rate_per_min * seconds / 60.0
    drawing_rate = rate_per_min
    for _ in range(4):
        state = rng.bit_generator.state
        blinks = _draw(prosody, drawing_rate, rng, half_blinks)
        if not blinks or abs(len(blinks) - wanted) <= max(1.0, 0.03 * wanted):
            break
        drawing_rate *= wanted / len(blinks)
        rng.bit_generator.state = state
    return blinks


def _draw(prosody: Prosody, rate_per_min: float, rng: np.random.Generator, half_blinks: bool) -> List[Blink]:
    fps = prosody.fps
    seconds = prosody.frames / fps
    times: List[float] = []
    t = float(rng.uniform(0.3, 60.0 / rate_per_min))
    while t < seconds - 0.1:
        times.append(t)
        t += next_gap(rate_per_min, rng)
    pause_times = np.array([(a + min(b - a, int(0.25 * fps)) * 0.5) / fps for a, b in prosody.pauses])
    blinks: List[Blink] = []
    last = -np.inf
    for t in times:
        t = _place(t, pause_times, prosody, rng)
        if t - last < MIN_GAP_S or t >= seconds:
            continue
        blinks.append(new_blink(t, rng, half_blinks))
        last = t
    return blinks


def next_gap(rate_per_min: float, rng: np.random.Generator) -> float:
    """Seconds to the next intended blink: gamma-distributed around the mean interval, never under 0.6 s."""
    mean_gap = 60.0 / rate_per_min
    return max(MIN_GAP_S, float(rng.gamma(GAP_SHAPE, mean_gap / GAP_SHAPE)))


def new_blink(start: float, rng: np.random.Generator, half_blinks: bool) -> Blink:
    """A blink at ``start``: 100-400 ms (log-normal around 200 ms), sometimes incomplete."""
    duration = float(np.clip(rng.lognormal(np.log(0.2), 0.3), 0.1, 0.4))
    amount = float(rng.uniform(0.4, 0.7)) if half_blinks and rng.random() < HALF_BLINK_SHARE else 1.0
    return Blink(start, duration, amount)


def _place(t: float, pause_times: np.ndarray, prosody: Prosody, rng: np.random.Generator) -> float:
    """Move a blink to a pause within reach (most of the time), else off the middle of a syllable."""
    if pause_times.size:
        nearest = pause_times[np.argmin(np.abs(pause_times - t))]
        if abs(nearest - t) <= PAUSE_REACH_S and rng.random() < PAUSE_PULL:
            return float(nearest + rng.uniform(0.0, 0.08))
    closure = CLOSURE_DELAY_S * prosody.fps
    frame = int(round(t * prosody.fps + closure))
    if 0 <= frame < prosody.frames and prosody.nucleus[frame]:
        reach = int(0.25 * prosody.fps)
        lo, hi = max(frame - reach, 0), min(frame + reach + 1, prosody.frames)
        level = np.where(prosody.nucleus[lo:hi], np.inf, prosody.level_db[lo:hi])
        if np.isfinite(level).any():
            return max((lo + int(np.argmin(level)) - closure) / prosody.fps, 0.0)
    return t


def blink_curve(blinks: List[Blink], frames: int, fps: float) -> np.ndarray:
    """Lid closure per frame (0 open, 1 closed): fast close, short hold, slower reopening."""
    out = np.zeros(frames, dtype=np.float32)
    times = np.arange(frames) / fps
    for blink in blinks:
        np.maximum(out, closure(blink, times, fps).astype(np.float32), out=out)
    return out


def closure(blink: Blink, times: np.ndarray, fps: float) -> np.ndarray:
    """How closed the lids are at ``times`` (seconds) during ``blink`` (0 outside it)."""
    close = blink.duration * 0.3
    hold = blink.duration * 0.1
    opening = blink.duration - close - hold
    u = np.asarray(times, dtype=np.float64) - blink.start
    shape = np.zeros(u.shape)
    closing = (u >= 0) & (u < close)
    shape[closing] = np.sin(0.5 * np.pi * u[closing] / close) ** 2
    shape[(u >= close) & (u < close + hold)] = 1.0
    reopening = (u >= close + hold) & (u < blink.duration)
    shape[reopening] = 1.0 - np.sin(0.5 * np.pi * (u[reopening] - close - hold) / opening)
    # Frames are coarser than a blink: the frame nearest the closure is shut even when none lands on it.
    peak = (blink.start + close + 0.5 * hold) * fps
    shape[np.abs(u * fps + blink.start * fps - peak) < 0.5] = 1.0
    return shape * blink.amount
