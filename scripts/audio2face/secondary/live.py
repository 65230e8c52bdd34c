"""Secondary motion for a live stream: the offline stage's rules, decided frame by frame from the past.

The stream's frames come out about 260 ms after their audio (the model's window), so this stage sees that
much of the future for free and never adds delay. What it cannot know is the rest of the clip: the speech
level is that of the last 60 s, a blink due in speech waits for the next pause that begins within
``PAUSE_REACH_S`` (else it goes at the next quiet frame), a gaze shift at a phrase start happens when the
phrase starts, and a brow raise or nod starts at its accent instead of leading it by the rise time.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Deque, Dict, List, Optional

import numpy as np
import soxr

from ..retarget import Source
from . import ARKIT_HEAD, HEAD_COLUMNS, SecondarySettings
from .blinks import PAUSE_REACH_S, Blink, closure, new_blink, next_gap
from .brows import ACCENT_ST
from .brows import MIN_GAP_S as BROW_GAP_S
from .gaze import fixation_frames, gaze_weights, next_target, saccade, saccade_frames
from .prosody import PAUSE_MIN_MS, PITCH_RATE, f0_hz
from .roles import find_roles

LOOKAHEAD_S = 0.2
LEVEL_EVERY = 10
"""Frames between updates of the running speech level (a percentile of the last minute)."""
"""Audio past a frame this stage reads (well within what the model's window already waits for)."""


class LiveSecondary:
    """Per-frame blinks, darts, brows and head motion for ``StreamSession``.

    Args:
        settings: The switches and strengths (as offline).
        names: The stream's output names (rig targets); head columns are appended for ``head="arkit"``.
        fps: Frame rate.
        sample_rate: Rate of the samples given to ``push``.
        mapping: The retargeter's target -> source table (for custom names).
    """

    def __init__(
        self, settings: SecondarySettings, names: List[str], fps: float, sample_rate: int,
        mapping: Optional[Dict[str, Optional[Source]]] = None,
    ) -> None:
        settings.validate()
        self.settings = settings
        self.fps = float(fps)
        self.rate = int(sample_rate)
        self.roles = find_roles(names, mapping)
        self.names = list(names) + (list(HEAD_COLUMNS.values()) if settings.head == ARKIT_HEAD else [])
        self._columns = {role: names.index(target) for role, target in self.roles.items()}
        streams = [np.random.default_rng(s) for s in np.random.SeedSequence(settings.seed).spawn(4)]
        self._rng_blink, self._rng_gaze, self._rng_head = streams[0], streams[1], streams[2]
        self._samples: List[np.ndarray] = []
        self._origin = 0
        self._speech_level: Optional[float] = None
        self._pitch_stream = (
            soxr.ResampleStream(self.rate, PITCH_RATE, 1, dtype="float32") if self.rate > PITCH_RATE else None
        )
        self._pitch_samples: List[np.ndarray] = []
        self._pitch_origin = 0
        self._levels: Deque[float] = deque(maxlen=int(60 * self.fps))
        self._quiet_run = 0
        self._pitch_history: Deque[float] = deque(maxlen=int(60 * self.fps))
        self._blinks: List[Blink] = []
        self._placed: List[Blink] = []
        self._blink_due = float(self._rng_blink.uniform(0.3, 60.0 / max(settings.blink_rate, 1e-6)))
        self._gaze_at = np.zeros(2)
        self._gaze_from = np.zeros(2)
        self._gaze_to = np.zeros(2)
        self._gaze_start = 0
        self._gaze_move = 1
        self._gaze_next = 0
        self._was_quiet = True
        self._accent_frame = -10**9
        self._accent_strength = 0.0
        self._drift = np.zeros((3, 2))

    @property
    def written(self) -> List[str]:
        """The names this stage writes: the targets of the parts switched on, and any head columns."""
        s = self.settings
        prefixes = ("blink",) * s.blinks + ("look",) * bool(s.gaze and not s.gaze_node) + ("brow",) * s.brows
        targets = [t for role, t in self.roles.items() if role.startswith(prefixes)] if prefixes else []
        return targets + (list(HEAD_COLUMNS.values()) if s.head == ARKIT_HEAD else [])

    @property
    def blinks(self) -> List[Blink]:
        """Every blink placed so far."""
        return list(self._placed)

    @property
    def lookahead_samples(self) -> int:
        """Samples past a frame's time that must have been pushed before ``row`` may be called for it."""
        return int(LOOKAHEAD_S * self.rate) + 1

    def push(self, samples: np.ndarray) -> None:
        """Mono samples at ``sample_rate``, in order."""
        if samples.size:
            self._samples.append(np.asarray(samples, dtype=np.float32))
            if self._pitch_stream is not None:
                self._pitch_samples.append(np.asarray(self._pitch_stream.resample_chunk(samples), np.float32))

    def _pitch_at(self, index: int) -> float:
        """F0 in Hz at frame ``index`` (NaN unvoiced)."""
        rate = PITCH_RATE if self._pitch_stream is not None else self.rate
        chunks = self._pitch_samples if self._pitch_stream is not None else self._samples
        data = np.concatenate(chunks) if len(chunks) > 1 else (chunks[0] if chunks else np.zeros(0, np.float32))
        origin = self._pitch_origin if self._pitch_stream is not None else self._origin
        centre = index * rate / self.fps - origin
        if self._pitch_stream is not None:
            keep = max(int(centre) - rate // 10, 0)
            self._pitch_samples = [data[keep:]]
            self._pitch_origin += keep
        return float(f0_hz(data, rate, np.array([centre]))[0])

    def _window(self, centre: float, half: float) -> np.ndarray:
        lo, hi = int(math.floor(centre - half)), int(math.ceil(centre + half))
        data = np.concatenate(self._samples) if len(self._samples) > 1 else (
            self._samples[0] if self._samples else np.zeros(0, np.float32))
        self._samples = [data]
        lo_i, hi_i = max(lo - self._origin, 0), max(min(hi - self._origin, data.size), 0)
        return data[lo_i:hi_i]

    def _forget_before(self, position: int) -> None:
        if not self._samples or position <= self._origin:
            return
        data = self._samples[0] if len(self._samples) == 1 else np.concatenate(self._samples)
        drop = min(position - self._origin, data.size)
        self._samples = [data[drop:]]
        self._origin += drop

    def row(self, index: int, weights: np.ndarray) -> np.ndarray:
        """Frame ``index``'s weights (one per input name) with the secondary motion added (``names`` order)."""
        step = self.rate / self.fps
        centre = index * step
        level = _level_db(self._window(centre, step))
        self._levels.append(level)
        if index % LEVEL_EVERY == 0 or self._speech_level is None:
            self._speech_level = float(np.percentile(self._levels, 95.0))
        speech_level = self._speech_level
        quiet = level < speech_level - 25.0 or level < -60.0
        self._quiet_run = self._quiet_run + 1 if quiet else 0
        in_pause = self._quiet_run >= max(int(round(PAUSE_MIN_MS / 1000.0 * self.fps)), 1)
        neighbours = [_level_db(self._window(centre + k * step, step)) for k in (1, 2, 3)]
        recent = list(self._levels)[-4:]
        nucleus = not quiet and level >= max(recent + neighbours) - 3.0
        pitch = self._pitch_at(index) if (self.settings.brows or self.settings.head) else float("nan")
        self._forget_before(int(centre - 0.1 * self.rate))
        out = np.asarray(weights, dtype=np.float32).copy()
        t = index / self.fps
        layer: Dict[str, float] = {}
        if self.settings.blinks:
            value = self._blink(t, in_pause, nucleus)
            layer["blink_l"] = layer["blink_r"] = value
        if self.settings.gaze:
            layer.update(self._gaze(index, quiet))
        accent = self._accent(index, pitch, nucleus)
        if self.settings.brows:
            raise_ = self.settings.brow_strength * self._accent_envelope(index) * 0.6
            layer.update({"brow_inner_up": raise_, "brow_outer_up_l": 0.8 * raise_, "brow_outer_up_r": 0.8 * raise_})
        for role, value in layer.items():
            col = self._columns.get(role)
            if col is not None:
                out[col] = out[col] + np.float32(min(max(value, 0.0), 1.0)) * (1 - out[col])
        if self.settings.head == ARKIT_HEAD:
            out = np.concatenate([out, np.radians(self._head(index, accent)).astype(np.float32)])
        return out

    def _blink(self, t: float, in_pause: bool, nucleus: bool) -> float:
        s = self.settings
        due = t >= self._blink_due
        if (due and (in_pause or not nucleus)) or (in_pause and t >= self._blink_due - PAUSE_REACH_S):
            if not self._blinks or t - self._blinks[-1].start >= 0.6:
                self._blinks.append(new_blink(t, self._rng_blink, s.half_blinks))
                self._placed.append(self._blinks[-1])
                # A blink drawn early to a pause keeps the schedule (the rate); one that waited restarts it.
                self._blink_due = max(self._blink_due, t) + next_gap(s.blink_rate, self._rng_blink)
        self._blinks = [b for b in self._blinks if t - b.start < b.duration + 1.0]
        if not self._blinks:
            return 0.0
        return float(max(closure(b, np.array([t]), self.fps)[0] for b in self._blinks)) * s.blink_strength

    def _gaze(self, index: int, quiet: bool) -> Dict[str, float]:
        range_deg = self.settings.gaze_range_deg * self.settings.gaze_strength
        phrase_start = self._was_quiet and not quiet
        self._was_quiet = quiet
        if index >= self._gaze_next or phrase_start:
            self._gaze_from = self._gaze_at
            self._gaze_to = next_target(range_deg, self._rng_gaze, look_away=phrase_start)
            self._gaze_move = saccade_frames(self._gaze_from, self._gaze_to, self.fps)
            self._gaze_start = index
            self._gaze_next = index + max(fixation_frames(self.fps, self._rng_gaze), self._gaze_move)
        self._gaze_at = saccade(self._gaze_from, self._gaze_to, np.array([index - self._gaze_start + 1]),
                                self._gaze_move)[0]
        return {k: float(v[0]) for k, v in gaze_weights(self._gaze_at[:1], self._gaze_at[1:],
                                                        self.settings.gaze_full_deg).items()}

    def _accent(self, index: int, pitch: float, nucleus: bool) -> bool:
        if math.isfinite(pitch) and pitch > 0:
            self._pitch_history.append(12.0 * math.log2(pitch))
        if not (nucleus and math.isfinite(pitch) and pitch > 0 and len(self._pitch_history) > self.fps):
            return False
        above = 12.0 * math.log2(pitch) - float(np.median(self._pitch_history))
        if above >= ACCENT_ST and (index - self._accent_frame) >= BROW_GAP_S * self.fps:
            self._accent_frame = index
            self._accent_strength = float(np.clip(0.35 + (above - ACCENT_ST) / 6.0, 0.35, 1.0))
            return True
        return False

    def _accent_envelope(self, index: int) -> float:
        u = (index - self._accent_frame) / self.fps
        rise, hold, fall = 0.12, 0.1, 0.35
        if u < 0 or u > rise + hold + fall:
            return 0.0
        shape = u / rise if u < rise else 1.0 if u < rise + hold else 1.0 - (u - rise - hold) / fall
        return self._accent_strength * shape

    def _head(self, index: int, accent: bool) -> np.ndarray:
        """(yaw, pitch, roll) in degrees: causal smooth noise, nods on accents, tilt with the pitch."""
        alpha = 1.0 - math.exp(-2 * math.pi * 0.25 / self.fps)
        noise = self._rng_head.standard_normal(3)
        self._drift[:, 0] += alpha * (noise * math.sqrt(2 / alpha) - self._drift[:, 0])
        self._drift[:, 1] += alpha * (self._drift[:, 0] - self._drift[:, 1])
        yaw, pitch_deg, roll = self._drift[:, 1] * np.array([2.0, 1.2, 0.8])
        u = (index - self._accent_frame) / self.fps
        if 0 <= u < 0.45:
            pitch_deg += 4.0 * self._accent_strength * math.sin(math.pi * u / 0.45)
        return np.array([yaw, pitch_deg, roll]) * self.settings.head_strength



def _level_db(samples: np.ndarray) -> float:
    """RMS level in dBFS (as ``vad.frame_levels_db``)."""
    return 20.0 * math.log10(math.sqrt(float(np.dot(samples, samples)) / max(samples.size, 1)) + 1e-10)
