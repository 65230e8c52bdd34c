"""How phones bend the network's curves (pure numpy).

Each viseme gets an activation on the frame grid, 1 over its phones (widened by half a frame so even a
10 ms closure covers a frame) with linear ramps of ``ramp_ms`` either side (coarticulation), the largest
where phones overlap. For every channel with a target under that viseme, the curve moves toward the
target by ``strength x activation``:

* ``closed`` (p b m): the jaw and every opening channel (lower lip down, upper lip up, funnel, "oh", the
  open lip stretches) go to 0; the lip-press channels rise to at least ``press``.
* ``labiodental`` (f v): the jaw to at most ``labiodental_jaw``; the lower lip rolls in (at least
  ``lip_tuck``).
* ``rounded`` (u w o): pucker to at least ``pucker``, funnel to at least ``funnel`` x openness; smile and
  stretch channels go to 0; the jaw to at least ``open_jaw`` x openness.
* ``open`` (other vowels): the jaw to at least ``open_jaw`` x the vowel's openness.
* ``narrow`` (other consonants): the jaw closes by ``narrow`` (a share of its value; 0 by default: on the
  benchmark it cost correlation with the actor's jaw and bought no closures).

Without a transcript the recogniser misses many closures (on espeak voices it finds about a third of the
bilabials), so ``acoustic_closures`` adds what the audio itself shows: where the level falls well below
its neighbourhood (a stop's closure, a nasal), the jaw and the opening channels close by ``dip`` x that
activation.

Channels are found by name (FACEGOOD's and ARKit's schemes and close variants; see ``ROLES``); a rig with
none of a role's channels just skips it. ``strength`` 0 leaves the curves as they are.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..channels import jaw_open_index
from ..errors import Audio2FaceError
from .phone import PhoneSegment

ROLES = {
    "opening": r"(lowerlipdepress|mouthlowerdown|upperlipraise|mouthupperup|stretchopen|pullopen|screamfix|"
    r"funnel|mouthohc|mouthooc)",
    "press": r"(mouthpress|pressfix)",
    "tuck": r"(mouthsuckd|mouthrolllower)",
    "pucker": r"pucker",
    "funnel": r"funnel",
    "spread": r"(lipstretch(?!open)|lipcornerpull(?!open)|mouthsmile|mouthstretch)",
}


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", re.split(r"[:|.]", name)[-1].lower())


def role_indices(names: Sequence[str]) -> Dict[str, List[int]]:
    """Columns of each role in ``ROLES`` (and ``jaw``)."""
    normed = [_norm(n) for n in names]
    jaw = jaw_open_index(names)  # FACEGOOD's jaw is "mouth_stretch_c": never a spread channel
    out = {
        role: [i for i, n in enumerate(normed) if re.search(pattern, n) and i != jaw]
        for role, pattern in ROLES.items()
    }
    out["jaw"] = [jaw] if jaw is not None else []
    return out


@dataclasses.dataclass
class GuideSettings:
    """Targets of the visemes (module docstring); weights in the rig's 0..1 units."""

    strength: float = 1.0
    ramp_ms: float = 50.0
    press: float = 0.3
    labiodental_jaw: float = 0.06
    lip_tuck: float = 0.35
    pucker: float = 0.55
    funnel: float = 0.35
    open_jaw: float = 0.45
    narrow: float = 0.0
    dip: float = 0.9

    def validate(self) -> None:
        """Raise ``Audio2FaceError`` on values outside their range."""
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not (np.isfinite(value) and value >= 0):
                raise Audio2FaceError(f"guide setting {field.name} must be a finite number >= 0, got {value}")
        if self.strength > 1:
            raise Audio2FaceError(f"guide strength must be between 0 and 1, got {self.strength}")


def viseme_activations(
    segments: Sequence[PhoneSegment], fps: float, frames: int, ramp_ms: float = 50.0
) -> Dict[str, np.ndarray]:
    """Per viseme, ``(activation, openness)`` arrays of ``frames`` values (module docstring)."""
    times = np.arange(frames) / fps
    half = 0.5 / fps
    ramp = max(ramp_ms / 1000.0, 1e-6)
    out: Dict[str, np.ndarray] = {}
    for viseme in ("closed", "labiodental", "rounded", "open", "narrow"):
        activation = np.zeros(frames)
        openness = np.zeros(frames)
        for seg in segments:
            if seg.viseme != viseme:
                continue
            lo, hi = seg.start_s - half, seg.end_s + half
            first = max(int(np.floor((lo - ramp) * fps)), 0)
            last = min(int(np.ceil((hi + ramp) * fps)) + 1, frames)
            if last <= first:
                continue
            t = times[first:last]
            a = np.clip(1.0 - np.maximum(lo - t, t - hi) / ramp, 0.0, 1.0)
            a[(t >= lo) & (t <= hi)] = 1.0
            better = a > activation[first:last]
            activation[first:last] = np.where(better, a, activation[first:last])
            openness[first:last] = np.where(better, seg.openness, openness[first:last])
        out[viseme] = activation
        out[viseme + "_openness"] = openness
    return out


DIP_WINDOW_S = 0.15
DIP_START_DB = 6.0
DIP_FULL_DB = 18.0


def acoustic_closures(samples: np.ndarray, sample_rate: int, fps: float, frames: int) -> np.ndarray:
    """Per frame 0..1: how far the RMS level (``vad.frame_levels_db``) lies under the loudest frame within
    ``DIP_WINDOW_S``: 0 until ``DIP_START_DB`` under it, 1 from ``DIP_FULL_DB``."""
    from ..vad import frame_levels_db

    levels = frame_levels_db(samples, sample_rate, fps, frames)
    if levels.size == 0:
        return levels
    width = max(int(round(DIP_WINDOW_S * fps)), 1)
    padded = np.concatenate([np.full(width, -np.inf), levels, np.full(width, -np.inf)])
    local = np.lib.stride_tricks.sliding_window_view(padded, 2 * width + 1).max(axis=-1)
    return np.clip((local - levels - DIP_START_DB) / (DIP_FULL_DB - DIP_START_DB), 0.0, 1.0)


def _toward(column: np.ndarray, target: np.ndarray, amount: np.ndarray) -> np.ndarray:
    return column + amount * (target - column)


def apply_guide(
    weights: np.ndarray,
    names: Sequence[str],
    fps: float,
    segments: Sequence[PhoneSegment],
    settings: Optional[GuideSettings] = None,
    closures: Optional[np.ndarray] = None,
) -> np.ndarray:
    """The curves bent toward the visemes of ``segments`` (module docstring); float32 like the input.

    ``closures``: optional per-frame ``acoustic_closures`` added to the bilabial closures (times ``dip``).
    """
    settings = settings or GuideSettings()
    settings.validate()
    out = np.array(weights, dtype=np.float64, copy=True)
    if settings.strength == 0 or out.shape[0] == 0 or (not segments and closures is None):
        return out.astype(np.float32)
    act = viseme_activations(segments, fps, out.shape[0], settings.ramp_ms)
    roles = role_indices(names)
    s = settings.strength
    vowel_open = np.maximum(act["open"] * act["open_openness"], act["rounded"] * act["rounded_openness"])
    vowel = np.maximum(act["open"], act["rounded"])
    for j in roles["jaw"]:
        out[:, j] = _toward(out[:, j], np.maximum(out[:, j], settings.open_jaw * vowel_open), s * vowel)
        out[:, j] = _toward(out[:, j], np.minimum(out[:, j], settings.labiodental_jaw), s * act["labiodental"])
        out[:, j] = _toward(out[:, j], out[:, j] * (1.0 - settings.narrow), s * act["narrow"])
    for j in roles["tuck"]:
        out[:, j] = _toward(out[:, j], np.maximum(out[:, j], settings.lip_tuck), s * act["labiodental"])
    for j in roles["pucker"]:
        out[:, j] = _toward(out[:, j], np.maximum(out[:, j], settings.pucker), s * act["rounded"])
    for j in roles["funnel"]:
        target = np.maximum(out[:, j], settings.funnel * act["rounded_openness"])
        out[:, j] = _toward(out[:, j], target, s * act["rounded"])
    for j in roles["spread"]:
        out[:, j] = _toward(out[:, j], 0.0, s * act["rounded"])
    closing = s * act["closed"]
    if closures is not None:
        closing = np.maximum(closing, s * settings.dip * np.asarray(closures, dtype=np.float64)[: out.shape[0]])
    for j in sorted(set(roles["jaw"]) | set(roles["opening"])):
        out[:, j] = _toward(out[:, j], 0.0, closing)
    for j in roles["press"]:
        out[:, j] = _toward(out[:, j], np.maximum(out[:, j], settings.press), closing)
    return out.astype(np.float32)
