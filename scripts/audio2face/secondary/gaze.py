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
        hold = int(max(0.2, min(3.0, rng.gamma(2.0, MEAN_FIXATION_S / 2.0))) * fps)
        phrase_start = next((o for o in onsets if t < o <= t + hold), None)
        if phrase_start is not None:
            hold = phrase_start - t
        if rng.random() < RETURN_TO_CENTRE and phrase_start is None:
            target = rng.normal(0.0, 0.15 * range_deg, 2)
        else:
            angle = rng.uniform(0, 2 * np.pi)
            radius = range_deg * np.sqrt(rng.uniform(0.2, 1.0))
            target = np.array([np.cos(angle) * radius, 0.6 * np.sin(angle) * radius])
        target = np.clip(target, -range_deg, range_deg)
        amplitude = float(np.hypot(*(target - current)))
        move = max(int(round((0.021 + 0.0022 * amplitude) * fps)), 1)
        end = min(t + max(hold, move), frames)
        u = np.clip((np.arange(t, end) - t + 1) / move, 0.0, 1.0)
        jerk = 10 * u**3 - 15 * u**4 + 6 * u**5
        yaw[t:end] = current[0] + (target[0] - current[0]) * jerk
        pitch[t:end] = current[1] + (target[1] - current[1]) * jerk
        current = target
        t = end
    return yaw, pitch


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
