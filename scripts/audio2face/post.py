"""Post-processing of predicted weights, in the order applied.

0. Phone guide (``audio2face.phones.guide``): with phone segments and ``guide_strength`` > 0, the lips close
   on p b m, touch the teeth on f v, round on u w o and the jaw opens on vowels.
1. Silence gate: during silences (see ``audio2face.vad``) longer than the detector's minimum, the face
   relaxes toward the rest pose (all weights 0) after ``silence_release_ms``, and opens again
   ``silence_anticipation_ms`` before speech resumes (lips move before the sound). Ramps last
   ``silence_ramp_ms``. This fixes the jaw that FACEGOOD's model leaves open after speech.
2. Smoothing: a Gaussian along time with sigma ``smoothing_ms`` (0 = off), edges held.
3. Strength: every weight scaled by ``strength`` around the rest pose.
4. Lip-open offset: added to the jaw-open channel (``audio2face.channels.JAW_OPEN``) where the mouth moves.
5. Per-channel ``gains`` and ``offsets`` (by name).
6. Time offset: + delays the animation against the audio (lag), - makes it lead; fractional frames are
   interpolated linearly, edges held.
7. Clamp to [0, 1].
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Dict, Optional, Sequence

import numpy as np

from .channels import jaw_open_index
from .errors import Audio2FaceError
from .vad import VadSettings, runs, silent_frames

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class PostSettings:
    """Post-processing knobs, shared by the CLI, the plug-in, the batch and the panel."""

    strength: float = 1.0
    smoothing_ms: float = 0.0
    lip_open_offset: float = 0.0
    time_offset_ms: float = 0.0
    silence_gate: bool = True
    silence_db: float = -30.0
    silence_release_ms: float = 150.0
    silence_anticipation_ms: float = 80.0
    silence_ramp_ms: float = 120.0
    vad_method: str = "robust"  # speech detector of the gate: "robust" or "energy" (audio2face.vad)
    guide_strength: float = 0.0  # phone guide, 0..1 (audio2face.phones); the CLI's default is 1
    phone_language: str = "en-us"  # language of the phone guide (audio2face.phones.available_languages)
    gains: Dict[str, float] = dataclasses.field(default_factory=dict)
    offsets: Dict[str, float] = dataclasses.field(default_factory=dict)
    clamp: bool = True

    def validate(self) -> None:
        """Raise ``Audio2FaceError`` on values that make no sense."""
        checks = {
            "strength": self.strength >= 0,
            "smoothing_ms": self.smoothing_ms >= 0,
            "silence_release_ms": self.silence_release_ms >= 0,
            "silence_anticipation_ms": self.silence_anticipation_ms >= 0,
            "silence_ramp_ms": self.silence_ramp_ms >= 0,
        }
        for name, ok in checks.items():
            value = getattr(self, name)
            if not (ok and np.isfinite(value)):
                raise Audio2FaceError(f"{name} must be a finite number >= 0, got {value}")
        for name in ("lip_open_offset", "time_offset_ms", "silence_db"):
            if not np.isfinite(getattr(self, name)):
                raise Audio2FaceError(f"{name} must be a finite number")
        if not (np.isfinite(self.guide_strength) and 0 <= self.guide_strength <= 1):
            raise Audio2FaceError(f"guide_strength must be between 0 and 1, got {self.guide_strength}")
        VadSettings(method=self.vad_method).validate()


def gaussian_smooth(weights: np.ndarray, sigma_frames: float) -> np.ndarray:
    """Gaussian smoothing along axis 0 with edges held."""
    if sigma_frames <= 0 or weights.shape[0] < 2:
        return weights
    radius = int(np.ceil(3.0 * sigma_frames))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma_frames) ** 2)
    taps /= taps.sum()
    padded = np.concatenate([np.repeat(weights[:1], radius, 0), weights, np.repeat(weights[-1:], radius, 0)])
    out = np.zeros_like(weights, dtype=np.float64)
    for k, tap in enumerate(taps):
        out += tap * padded[k : k + weights.shape[0]]
    return out.astype(np.float32)


def shift(weights: np.ndarray, frames: float) -> np.ndarray:
    """Delay (+) or advance (-) curves by a fractional number of frames, edges held."""
    if frames == 0 or weights.shape[0] == 0:
        return weights
    n = weights.shape[0]
    src = np.clip(np.arange(n) - frames, 0, n - 1)
    lo = np.floor(src).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    frac = (src - lo)[:, None].astype(np.float32)
    return weights[lo] * (1 - frac) + weights[hi] * frac


def silence_gate(
    samples: np.ndarray, sample_rate: int, fps: float, frames: int, settings: PostSettings
) -> np.ndarray:
    """Per-frame factor in [0, 1]: 1 = the animation as predicted, 0 = the rest pose."""
    vad = VadSettings(threshold_db=settings.silence_db, method=settings.vad_method)
    silent = silent_frames(samples, sample_rate, fps, frames, vad)
    closed = np.zeros(frames, dtype=np.float64)
    release = int(round(settings.silence_release_ms / 1000.0 * fps))
    anticipation = int(round(settings.silence_anticipation_ms / 1000.0 * fps))
    for start, end in runs(silent):
        begin = start + release if start > 0 else start
        stop = end - anticipation if end < frames else end
        if stop > begin:
            closed[begin:stop] = 1.0
    ramp = max(int(round(settings.silence_ramp_ms / 1000.0 * fps)), 1)
    if ramp > 1:
        kernel = np.ones(ramp) / ramp
        padded = np.concatenate([np.full(ramp, closed[0]), closed, np.full(ramp, closed[-1])])
        closed = np.convolve(padded, kernel, mode="same")[ramp:-ramp]
    return 1.0 - np.clip(closed, 0.0, 1.0)


def apply_post(
    weights: np.ndarray,
    names: Sequence[str],
    fps: float,
    settings: PostSettings,
    audio: Optional[np.ndarray] = None,
    sample_rate: int = 16000,
    phones: Optional[Sequence[Any]] = None,
    closures: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Apply the post-processing steps (module docstring) to (frames, channels) weights.

    Args:
        weights: float32 (frames, channels).
        names: Channel names (for the jaw-open offset and per-channel gains).
        fps: Frame rate of the rows.
        settings: The knobs.
        audio: Mono samples for the silence gate (skipped when ``None``).
        sample_rate: Rate of ``audio``.
        phones: ``audio2face.phones.PhoneSegment`` list for the phone guide (skipped when ``None``).
        closures: Per-frame ``audio2face.phones.acoustic_closures`` for the guide (used with or without phones).
    """
    settings.validate()
    out = np.array(weights, dtype=np.float32, copy=True)
    if out.shape[0] == 0:
        return out
    if (phones or closures is not None) and settings.guide_strength > 0:
        from .phones.guide import GuideSettings, apply_guide

        out = apply_guide(out, names, fps, phones or [], GuideSettings(strength=settings.guide_strength), closures)
    if settings.silence_gate and audio is not None:
        out *= silence_gate(audio, sample_rate, fps, out.shape[0], settings)[:, None].astype(np.float32)
    out = gaussian_smooth(out, settings.smoothing_ms / 1000.0 * fps)
    out *= np.float32(settings.strength)
    if settings.lip_open_offset:
        jaw = jaw_open_index(names)
        if jaw is None:
            logger.warning("lip-open offset ignored: no jaw-open channel among the outputs")
        else:
            moving = out[:, jaw] > 1e-3
            out[moving, jaw] += np.float32(settings.lip_open_offset)
    index = {n: i for i, n in enumerate(names)}
    for table, label in ((settings.gains, "gain"), (settings.offsets, "offset")):
        unknown = sorted(set(table) - set(index))
        if unknown:
            raise Audio2FaceError(f"per-channel {label} for unknown channels: {', '.join(unknown)}")
    for name, gain in settings.gains.items():
        out[:, index[name]] *= np.float32(gain)
    for name, offset in settings.offsets.items():
        out[:, index[name]] += np.float32(offset)
    out = shift(out, settings.time_offset_ms / 1000.0 * fps)
    if settings.clamp:
        np.clip(out, 0.0, 1.0, out=out)
    return out
