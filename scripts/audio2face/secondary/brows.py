"""Brow raises on pitch accents and emphasis, optional frowns; blended with the model's own brows.

A pitch accent is a local F0 peak at least 3 semitones above the clip's median, on a loud (nucleus) frame,
at least 2 s from a more prominent one; an emphasis is a nucleus 8 dB above the level of the surrounding
second. Each raise rises over 120 ms, holds 100 ms and falls over 350 ms; its height grows with the accent.
Frowns (``frowns``): an emphasis on low pitch lowers the brows a little instead.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import numpy as np

from .prosody import Prosody

ACCENT_ST = 3.0
EMPHASIS_DB = 8.0
MIN_GAP_S = 2.0


def accents(prosody: Prosody) -> List[Tuple[int, float, bool]]:
    """(frame, strength 0-1, low_pitch) of each pitch accent or emphasis."""
    fps, frames = prosody.fps, prosody.frames
    if frames == 0:
        return []
    pitch = np.nan_to_num(prosody.pitch_st, nan=-99.0)
    radius = max(int(0.15 * fps), 1)
    padded = np.pad(pitch, radius, mode="edge")
    local_max = pitch >= np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1).max(axis=1)
    second = max(int(fps), 1)
    kernel = np.ones(2 * second + 1) / (2 * second + 1)
    context = np.convolve(np.pad(prosody.level_db, second, mode="edge"), kernel, mode="valid")
    emphasis = prosody.nucleus & (prosody.level_db - context >= EMPHASIS_DB)
    accent = prosody.nucleus & local_max & (pitch >= ACCENT_ST)
    candidates = []
    for frame in np.flatnonzero(accent | emphasis):
        height = max((pitch[frame] - ACCENT_ST) / 6.0, (prosody.level_db[frame] - context[frame] - EMPHASIS_DB) / 9.0)
        candidates.append((float(np.clip(0.35 + height, 0.35, 1.0)), int(frame), bool(pitch[frame] < 0)))
    # The most prominent first; a weaker one closer than MIN_GAP_S to a kept one is dropped.
    gap = MIN_GAP_S * fps
    kept: List[Tuple[int, float, bool]] = []
    for strength, frame, low in sorted(candidates, reverse=True):
        if all(abs(frame - other) >= gap for other, _s, _l in kept):
            kept.append((frame, strength, low and bool(emphasis[frame])))
    return sorted(kept)


def brow_weights(prosody: Prosody, frowns: bool = False) -> Dict[str, np.ndarray]:
    """Per-role brow curves (0-1) from the accents."""
    frames, fps = prosody.frames, prosody.fps
    raise_curve = np.zeros(frames)
    frown_curve = np.zeros(frames)
    rise, hold, fall = (max(int(round(s * fps)), 1) for s in (0.12, 0.1, 0.35))
    envelope = np.concatenate([np.linspace(0, 1, rise, endpoint=False), np.ones(hold), np.linspace(1, 0, fall)])
    for frame, strength, low in accents(prosody):
        start = frame - rise
        lo, hi = max(start, 0), min(start + envelope.size, frames)
        if hi <= lo:
            continue
        target = frown_curve if (frowns and low) else raise_curve
        np.maximum(target[lo:hi], strength * 0.6 * envelope[lo - start : hi - start], out=target[lo:hi])
    return {
        "brow_inner_up": raise_curve,
        "brow_outer_up_l": raise_curve * 0.8,
        "brow_outer_up_r": raise_curve * 0.8,
        "brow_down_l": frown_curve * 0.5,
        "brow_down_r": frown_curve * 0.5,
    }
