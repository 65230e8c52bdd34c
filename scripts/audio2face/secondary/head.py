"""Head motion from prosody: a slow drift that lives with the speech, nods on accents, tilts with the pitch.

Angles in degrees: yaw (+ turns to the character's left, about Y), pitch (+ nods down, about X), roll (+ tilts
to the character's left, about Z); for a Y-up head joint these are rotateY, rotateX and rotateZ.
Amplitudes follow what motion-capture studies of talkers report: a few degrees, with nods of 2-5 degrees on
stressed syllables (Munhall et al. 2004; Hadar et al. 1983).
"""

from __future__ import annotations

from typing import Dict

import numpy as np

from .brows import accents
from .prosody import Prosody


def _drift(frames: int, fps: float, rng: np.random.Generator, amplitude: float, hz: float) -> np.ndarray:
    """Smooth noise with most of its motion below ``hz`` and a standard deviation of ``amplitude``."""
    if frames == 0:
        return np.zeros(0)
    sigma = fps / (2 * np.pi * hz)
    radius = int(np.ceil(3 * sigma))
    noise = rng.standard_normal(frames + 2 * radius)
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    smooth = np.convolve(noise, taps / taps.sum(), mode="valid")[:frames]
    std = float(smooth.std())
    return smooth * (amplitude / std) if std > 0 else smooth


def head_angles(prosody: Prosody, rng: np.random.Generator) -> Dict[str, np.ndarray]:
    """{"yaw", "pitch", "roll"} in degrees per frame."""
    frames, fps = prosody.frames, prosody.fps
    activity = np.convolve(prosody.speech.astype(float), np.ones(max(int(fps), 1)) / max(int(fps), 1), "same")
    liveliness = 0.35 + 0.65 * activity
    yaw = _drift(frames, fps, rng, 2.0, 0.25) * liveliness
    pitch = _drift(frames, fps, rng, 1.2, 0.3) * liveliness
    roll = _drift(frames, fps, rng, 0.8, 0.2) * liveliness
    nod = np.zeros(frames)
    down, up = max(int(0.15 * fps), 1), max(int(0.3 * fps), 1)
    shape = np.concatenate(
        [np.sin(np.linspace(0, np.pi / 2, down, endpoint=False)), np.cos(np.linspace(0, np.pi / 2, up))]
    )
    for frame, strength, _low in accents(prosody):
        start = frame - down // 2
        lo, hi = max(start, 0), min(start + shape.size, frames)
        if hi > lo:
            nod[lo:hi] += 4.0 * strength * shape[lo - start : hi - start]
    pitch_contour = np.nan_to_num(prosody.pitch_st, nan=0.0)
    tilt = np.convolve(pitch_contour, np.ones(max(int(0.5 * fps), 1)) / max(int(0.5 * fps), 1), "same")
    return {"yaw": yaw, "pitch": pitch + nod, "roll": roll + 0.25 * np.clip(tilt, -6, 6)}
