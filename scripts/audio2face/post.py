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
from .schema import Panel, setting
from .schema import validate as validate_knobs
from .vad import VadSettings, clean_levels_db, runs, silent_frames

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class PostSettings:
    """Post-processing knobs; each field's description (``schema.setting``) feeds every surface."""

    strength: float = setting(
        1.0, label="Strength", help="scales every weight around the rest pose", minimum=0.0, maximum=5.0,
        cli="--strength", mel=("str", "strength"), panel=Panel(step=0.05, decimals=2))
    smoothing_ms: float = setting(
        0.0, label="Smoothing", help="Gaussian smoothing along time, sigma in ms; 0 = off", minimum=0.0,
        maximum=1000.0, unit="ms", cli="--smoothing-ms", mel=("sm", "smoothing"), panel=Panel(step=5.0, decimals=0))
    lip_open_offset: float = setting(
        0.0, label="Lip-open offset", help="added to the jaw-open channel where the mouth moves", minimum=-1.0,
        maximum=1.0, cli="--lip-open-offset", mel=("lip", "lipOpenOffset"), panel=Panel(step=0.01, decimals=2))
    time_offset_ms: float = setting(
        0.0, label="Time offset", help="+ delays the animation against the audio, - makes it lead",
        minimum=-1000.0, maximum=1000.0, unit="ms", cli="--time-offset-ms", mel=("to", "timeOffset"),
        panel=Panel(step=5.0, decimals=0))
    silence_gate: bool = setting(
        True, kind="bool", label="Silence gate", help="relax the face to the rest pose in silences",
        cli="--no-silence-gate", mel=("sg", "silenceGate"), panel=Panel())
    silence_db: float = setting(
        -30.0, label="Silence threshold", help="silence threshold, dB below the clip's speech level",
        minimum=-90.0, maximum=0.0, unit="dB", cli="--silence-db", mel=("sdb", "silenceDb"),
        panel=Panel(step=1.0, decimals=0))
    silence_release_ms: float = setting(
        150.0, label="Silence release", help="time the face keeps moving after speech stops", minimum=0.0,
        maximum=2000.0, unit="ms", cli="--silence-release-ms", mel=("srl", "silenceRelease"),
        panel=Panel(step=10.0, decimals=0))
    silence_anticipation_ms: float = setting(
        80.0, label="Silence anticipation", help="time the face starts moving before speech resumes",
        minimum=0.0, maximum=1000.0, unit="ms", cli="--silence-anticipation-ms",
        mel=("san", "silenceAnticipation"), panel=Panel(step=10.0, decimals=0))
    silence_ramp_ms: float = setting(
        120.0, label="Silence ramp", help="length of the fades into and out of the rest pose", minimum=0.0,
        maximum=1000.0, unit="ms", cli="--silence-ramp-ms", mel=("srp", "silenceRamp"),
        panel=Panel(step=10.0, decimals=0))
    vad_method: str = setting(
        "robust", kind="text", label="Speech detector",
        help="speech detector of the silence gate: robust (not fooled by noise, music or reverb) or energy",
        cli="--vad", mel=("vad", "vadMethod"), off={"panel": "robust suits every take; energy is for comparisons"})
    guide_strength: float = setting(
        0.0, label="Phone guide", help="lips close on p/b/m, touch on f/v, round on u/w/o (0 = off, 1 = full)",
        minimum=0.0, maximum=1.0, cli="--guide-strength", mel=("gd", "guideStrength"),
        panel=Panel(step=0.1, decimals=1))
    phone_language: str = setting(
        "en-us", kind="text", label="Guide language",
        help="language of the phone guide: en-us, or none for acoustic closures only (any language)",
        cli="--language", mel=("lng", "phoneLanguage"), off={"panel": "set it with the CLI, a job or a settings file"})
    gains: Dict[str, float] = setting(
        factory=dict, kind="table", label="Per-channel gains", help="name=gain pairs, one factor per channel",
        cli="--gains", mel=("gn", "gains"), off={"panel": "per-target gains are the mapping table's"})
    offsets: Dict[str, float] = setting(
        factory=dict, kind="table", label="Per-channel offsets", help="name=offset pairs, added per channel",
        cli="--offsets", mel=("off", "offsets"), off={"panel": "per-target offsets are the mapping table's"})
    clamp: bool = setting(
        True, kind="bool", label="Clamp to 0..1", help="clamp every weight to [0, 1]", cli="--no-clamp",
        mel=("cl", "clamp"), panel=Panel())

    def validate(self) -> None:
        """Raise ``Audio2FaceError`` on a value out of its knob's range (one line naming it)."""
        validate_knobs(self)
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
    samples: Optional[np.ndarray], sample_rate: int, fps: float, frames: int, settings: PostSettings,
    *, levels: Optional[np.ndarray] = None, bands: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Per-frame factor in [0, 1]: 1 = the animation as predicted, 0 = the rest pose.

    ``levels`` (``vad.frame_levels_db`` of the samples, e.g. from ``vad.StreamingLevels``) replaces ``samples``
    for the energy detector, ``bands`` (``vad.band_energies``, e.g. from ``vad.StreamingBands``) for the
    robust one.
    """
    vad = VadSettings(threshold_db=settings.silence_db, method=settings.vad_method)
    if settings.vad_method == "energy":
        known = levels
    else:
        known = None if bands is None else clean_levels_db(np.asarray(bands), fps)
    if known is None and samples is None:
        raise Audio2FaceError(f"the {settings.vad_method} silence gate needs the audio or its measured levels")
    silent = silent_frames(samples if known is None else None, sample_rate, fps, frames, vad, levels=known)
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


class Shaper:
    """Steps 3 to 5 (strength, lip-open offset, per-channel gains and offsets): frame by frame, so the
    stream runs them on each frame as they are.

    Raises:
        Audio2FaceError: a per-channel gain or offset names an unknown channel.
    """

    def __init__(self, names: Sequence[str], settings: PostSettings) -> None:
        index = {n: i for i, n in enumerate(names)}
        for table, label in ((settings.gains, "gain"), (settings.offsets, "offset")):
            unknown = sorted(set(table) - set(index))
            if unknown:
                raise Audio2FaceError(f"per-channel {label} for unknown channels: {', '.join(unknown)}")
        self.strength = np.float32(settings.strength)
        self.lip_open_offset = np.float32(settings.lip_open_offset)
        self.jaw = jaw_open_index(names) if settings.lip_open_offset else None
        if settings.lip_open_offset and self.jaw is None:
            logger.warning("lip-open offset ignored: no jaw-open channel among the outputs")
        self.gains = np.ones(len(names), dtype=np.float32)
        self.offsets = np.zeros(len(names), dtype=np.float32)
        for name, gain in settings.gains.items():
            self.gains[index[name]] *= np.float32(gain)
        for name, offset in settings.offsets.items():
            self.offsets[index[name]] += np.float32(offset)

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        """(frames, channels) weights after the steps (a new array)."""
        out = np.asarray(weights, dtype=np.float32) * self.strength
        if self.jaw is not None:
            moving = out[:, self.jaw] > 1e-3
            out[moving, self.jaw] += self.lip_open_offset
        out *= self.gains
        out += self.offsets
        return out


def apply_post(
    weights: np.ndarray,
    names: Sequence[str],
    fps: float,
    settings: PostSettings,
    audio: Optional[np.ndarray] = None,
    sample_rate: int = 16000,
    *,
    levels: Optional[np.ndarray] = None,
    bands: Optional[np.ndarray] = None,
    phones: Optional[Sequence[Any]] = None,
    closures: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Apply the post-processing steps (module docstring) to (frames, channels) weights.

    Args:
        weights: float32 (frames, channels).
        names: Channel names (for the jaw-open offset and per-channel gains).
        fps: Frame rate of the rows.
        settings: The knobs.
        audio: Mono samples for the silence gate (skipped when ``None`` and no ``levels`` or ``bands``).
        sample_rate: Rate of ``audio``.
        levels: The audio's per-frame levels (``vad.frame_levels_db``), used instead of ``audio`` by the
            energy detector when given.
        bands: The audio's per-frame band energies (``vad.band_energies``), used instead of ``audio`` by the
            robust detector when given.
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
    if settings.silence_gate and (audio is not None or levels is not None or bands is not None):
        gate = silence_gate(audio, sample_rate, fps, out.shape[0], settings, levels=levels, bands=bands)
        out *= gate[:, None].astype(np.float32)
    out = gaussian_smooth(out, settings.smoothing_ms / 1000.0 * fps)
    out = Shaper(names, settings)(out)
    out = shift(out, settings.time_offset_ms / 1000.0 * fps)
    if settings.clamp:
        np.clip(out, 0.0, 1.0, out=out)
    return out
