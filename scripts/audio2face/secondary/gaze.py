"""Eye darts: fixations joined by small, fast saccades, conjugate for both eyes.

- Fixations last 0.2-3 s, drawn from a gamma distribution around 1.2 s in conversation; the speaker looks away
  more when starting a phrase (Kendon 1967) and returns to the listener (the centre) about half the time.
- A saccade's duration follows the main sequence, about 2.2 ms per degree + 21 ms (Carpenter 1988), with a
  minimum-jerk profile.
- Angles in degrees: + yaw looks to the character's left, + pitch looks up.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np

from .prosody import Prosody

MEAN_FIXATION_S = 1.2
RETURN_TO_CENTRE = 0.5


def plan_gaze(prosody: Prosody, range_deg: float, rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """(yaw, pitch) in degrees per frame."""
    frames, fps = prosody.frames, prosody.fps
    yaw = np.zeros(frames)
    pitch = np.zeros(frames)
    if frames == 0 or range_deg <= 0:
        return yaw, pitch
    onsets = {b for a, b in prosody.pauses if b < frames}
    current = np.zeros(2)
    t = 0
    while t < frames:
        hold = fixation_frames(fps, rng)
        phrase_start = next((o for o in onsets if t < o <= t + hold), None)
        if phrase_start is not None:
            hold = phrase_start - t
        target = next_target(range_deg, rng, look_away=phrase_start is not None)
        move = saccade_frames(current, target, fps)
        end = min(t + max(hold, move), frames)
        path = saccade(current, target, np.arange(1, end - t + 1), move)
        yaw[t:end], pitch[t:end] = path[:, 0], path[:, 1]
        current = target
        t = end
    return yaw, pitch


def fixation_frames(fps: float, rng: np.random.Generator) -> int:
    """How long the next fixation lasts, in frames (0.2-3 s, gamma around ``MEAN_FIXATION_S``)."""
    return int(max(0.2, min(3.0, rng.gamma(2.0, MEAN_FIXATION_S / 2.0))) * fps)


def next_target(range_deg: float, rng: np.random.Generator, look_away: bool = False) -> np.ndarray:
    """The next (yaw, pitch): back near the listener about half the time, else a look away within range."""
    if rng.random() < RETURN_TO_CENTRE and not look_away:
        target = rng.normal(0.0, 0.15 * range_deg, 2)
    else:
        angle = rng.uniform(0, 2 * np.pi)
        radius = range_deg * np.sqrt(rng.uniform(0.2, 1.0))
        target = np.array([np.cos(angle) * radius, 0.6 * np.sin(angle) * radius])
    return np.clip(target, -range_deg, range_deg)


def saccade_frames(current: np.ndarray, target: np.ndarray, fps: float) -> int:
    """A saccade's duration in frames, from the main sequence."""
    amplitude = float(np.hypot(*(target - current)))
    return max(int(round((0.021 + 0.0022 * amplitude) * fps)), 1)


def saccade(current: np.ndarray, target: np.ndarray, steps: np.ndarray, move: int) -> np.ndarray:
    """(len(steps), 2) angles ``steps`` frames into a minimum-jerk saccade of ``move`` frames (then held)."""
    u = np.clip(np.asarray(steps, dtype=np.float64) / move, 0.0, 1.0)[:, None]
    return current + (target - current) * (10 * u**3 - 15 * u**4 + 6 * u**5)


def gaze_weights(yaw: np.ndarray, pitch: np.ndarray, full_deg: float) -> dict:
    """ARKit-style eyeLook weights per role from gaze angles; ``full_deg`` is the angle at weight 1."""
    left = np.clip(yaw / full_deg, 0, 1)
    right = np.clip(-yaw / full_deg, 0, 1)
    up = np.clip(pitch / full_deg, 0, 1)
    down = np.clip(-pitch / full_deg, 0, 1)
    return {
        "look_out_l": left, "look_in_r": left,
        "look_in_l": right, "look_out_r": right,
        "look_up_l": up, "look_up_r": up,
        "look_down_l": down, "look_down_r": down,
    }
