"""Per-shot quality figures: is this lip-sync good, before anyone opens the shot?

``qc_report(audio, curves)`` measures, on the curves' frame grid (row ``i`` is ``i / fps`` s into the audio):

* Speech and silence: ``audio2face.vad`` (frame RMS within +-1 frame; silent when more than
  ``silence_db`` below the clip's speech level, the 95th percentile of frame levels, or below
  ``floor_db`` dBFS; silent runs shorter than ``min_silence_ms`` count as speech).
* Mouth open during silence: in each silence (>= ``min_silence_ms``), from ``release_ms`` after it starts
  (the jaw may still be closing after the last word; not applied to a silence at the start of the clip)
  to ``anticipation_ms`` before speech resumes (lips part before the sound; not applied at the end of the
  clip), every frame whose jaw-open value is above ``open_threshold`` is flagged; runs of flagged frames
  are listed as spans with their times and scene frames.
* Audio/mouth offset: the Pearson correlation between the speech-energy envelope (frame level in dB
  above ``speech level - 40 dB``, clipped at 0) and the mouth opening (jaw-open; else the mean of the mouth
  channels; else of all channels) at every lag within +-``max_lag_ms``, refined to a fraction of a frame
  with a parabola through the peak. Only pairs of frames that are both speech take part (all frames when
  there is less than ``MIN_SPEECH_SECONDS`` of speech): the silence gate closes the mouth in silences
  found in the audio itself, which would make even a mouth that ignores the speech look in sync.
  ``offset_ms`` > 0: the mouth moves later than the audio (the sign of ``PostSettings.time_offset_ms``;
  ``suggested_time_offset_ms`` undoes it). ``confidence`` is the peak correlation minus the highest
  correlation outside the peak's lobe within twice the searched lags (0 when that is negative), in
  [0, 1]: near 0 means another lag fits almost as well, or better just outside the plausible range; it
  is 0 when the peak sits at the edge of the searched lags.
* Keys: with reduced keys (``Curves.keys``), keys per second over all channels and per channel.
* Reference (curve file, or FACEGOOD label ``.npy``): on the channels both share and the frames both cover
  (the reference is linearly resampled in time when its frame rate differs), MSE and MAE over all
  shared values, per-channel Pearson correlation (channels constant in either are skipped and listed) and
  the jaw-open correlation.

* Input condition (``vad.audio_condition``): the speech-band SNR, the energy above 4 kHz against the speech
  band and an RT60 from the decays after speech; flagged as noisy under ``NOISY_SNR_DB``, band-limited
  under ``BAND_LIMITED_DB``, reverberant over ``REVERBERANT_RT60_S``.
* Lips at bilabials (with a transcript, or ``QcSettings.phones``): the phones from ``audio2face.phones``
  (aligned to the transcript, else recognised); a p/b/m counts as closed where the jaw over the phone
  dips below the median jaw of the 200 ms either side of it, or below ``CLOSED_JAW``. Unclosed ones are
  listed with their times.

The result is a ``QcReport`` (``audio2face.qc_report``): the figures, a ``score`` (``score_report``) and short
``flags`` for a summary table, and the per-frame ``series`` the pictures draw. :func:`write_qc` writes the
JSON and the picture atomically.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .atomic import atomic_open
from .channels import jaw_open_index, mouth_indices
from .curves import Curves
from .errors import Audio2FaceError, PathLike
from .output_set import all_or_nothing
from .progress import CancelToken, check
from .qc_report import MIN_OFFSET_CONFIDENCE, QcReport, QcSeries, read_report, score_report
from .schema import setting
from .schema import validate as validate_knobs
from .vad import SPEECH_PERCENTILE, VadSettings, frame_levels_db, runs, silent_frames

if TYPE_CHECKING:
    from .pipeline import Prediction

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
ENVELOPE_RANGE_DB = 40.0
"""The speech-energy envelope keeps this many dB below the clip's speech level."""
MIN_SPEECH_SECONDS = 2.0
"""The offset is measured on speech frames only when the clip has at least this much speech."""
CONSTANT_STD = 1e-6
"""A channel whose standard deviation is below this is constant (its correlation is undefined)."""



_QC_ONLY = {"mel": "QC runs in the batch and the panel with the defaults", "panel": "the panel uses the defaults",
            "job": "the batch uses the defaults", "file": "QC thresholds are not animation settings"}

NOISY_SNR_DB = 35.0
BAND_LIMITED_DB = -45.0
REVERBERANT_RT60_S = 0.8
"""Input condition thresholds, set on the articulation benchmark's material (clean speech: SNR 70-100 dB,
-16 to -23 dB above 4 kHz, RT60 0.2-0.3 s; white noise at 20 dB SNR reads about 29 dB; telephone audio
-107 dB above 4 kHz; sox's reverb 1.8-2.8 s)."""
CLOSED_JAW = 0.02
BILABIAL_SURROUND_S = 0.2


@dataclasses.dataclass
class QcSettings:
    """Thresholds of the QC figures (see the module docstring); each described once (``schema.setting``),
    so the ``qc`` command's flags and their checks come from here."""

    silence_db: float = setting(
        -30.0, label="Silence threshold", help="VAD: silent this many dB below the clip's speech level",
        minimum=-90.0, maximum=0.0, unit="dB", cli="--silence-db", off=_QC_ONLY)
    floor_db: float = setting(
        -60.0, label="Silence floor", help="VAD: silent below this level whatever the speech level",
        minimum=-140.0, maximum=0.0, unit="dBFS", cli="--floor-db", off=_QC_ONLY)
    min_silence_ms: float = setting(
        300.0, label="Shortest silence", help="shorter silences count as speech", minimum=0.0, maximum=10000.0,
        unit="ms", cli="--min-silence-ms", off=_QC_ONLY)
    release_ms: float = setting(
        150.0, label="Release", help="time the mouth may take to close after speech", minimum=0.0,
        maximum=5000.0, unit="ms", cli="--release-ms", off=_QC_ONLY)
    anticipation_ms: float = setting(
        80.0, label="Anticipation", help="time the mouth may open before speech", minimum=0.0, maximum=5000.0,
        unit="ms", cli="--anticipation-ms", off=_QC_ONLY)
    open_threshold: float = setting(
        0.1, label="Open threshold", help="jaw-open value flagged in silence", minimum=0.0, maximum=1.0,
        cli="--open-threshold", off=_QC_ONLY)
    max_lag_ms: float = setting(
        500.0, label="Largest offset", help="largest audio/mouth offset searched, either way", minimum=0.0,
        exclusive_minimum=True, maximum=10000.0, unit="ms", cli="--max-lag-ms", off=_QC_ONLY)
    min_offset_confidence: float = setting(
        MIN_OFFSET_CONFIDENCE, label="Offset confidence", help="offsets less confident do not lower the score",
        minimum=0.0, maximum=1.0, cli="--min-offset-confidence", off=_QC_ONLY)
    curves_fps: Optional[float] = setting(
        None, optional=True, label="Curves frame rate",
        help="frame rate of curve files that carry none (.csv, .npy; default 30)", minimum=1.0, maximum=1000.0,
        unit="fps", cli="--fps", off=_QC_ONLY)
    reference_fps: Optional[float] = setting(
        None, optional=True, label="Reference frame rate",
        help="frame rate of the reference when its file carries none (default 30)", minimum=1.0, maximum=1000.0,
        unit="fps", cli="--reference-fps", off=_QC_ONLY)
    vad_method: str = setting(
        "robust", kind="text", label="Speech detector", help="robust (not fooled by noise, music, reverb) or energy",
        cli="--vad", off=_QC_ONLY)
    phones: bool = setting(
        False, kind="bool", label="Recognise phones", help="recognise phones for the bilabial check (no transcript)",
        cli="--phones", off=_QC_ONLY)
    phone_language: str = setting(
        "en-us", kind="text", label="Phone language", help="language of the phones (en-us)", cli="--language",
        off=_QC_ONLY)

    def validate(self) -> None:
        """Raise ``Audio2FaceError`` on a value out of its range (one line naming it)."""
        validate_knobs(self)
        self.vad().validate()

    def vad(self) -> VadSettings:
        """The voice-activity detector's settings."""
        return VadSettings(threshold_db=self.silence_db, floor_db=self.floor_db, min_silence_ms=self.min_silence_ms,
                           method=self.vad_method)


# --- inputs -------------------------------------------------------------------------------------------------


def _samples(
    audio: Union[PathLike, np.ndarray, Prediction], sample_rate: Optional[int]
) -> Tuple[np.ndarray, Optional[str]]:
    from .audio import load_audio, prepare_samples

    if hasattr(audio, "samples") and hasattr(audio, "audio_name"):  # a pipeline.Prediction
        samples = prepare_samples(audio.samples, audio.sample_rate, SAMPLE_RATE)
        return samples, None if audio.audio_name == "<samples>" else audio.audio_name
    if isinstance(audio, np.ndarray):
        if sample_rate is None:
            raise Audio2FaceError("sample_rate is required when audio is an array")
        return prepare_samples(audio, sample_rate, SAMPLE_RATE), None
    return load_audio(audio, sample_rate=SAMPLE_RATE), os.fspath(audio)


def _curves(curves: Union[Curves, PathLike], fps: Optional[float]) -> Tuple[Curves, Optional[str]]:
    if isinstance(curves, Curves):
        return curves, None
    from .formats import read_curves

    return read_curves(curves, fps=fps), os.fspath(curves)


def _has_generic_names(names: Sequence[str]) -> bool:
    return list(names) == [f"channel_{i}" for i in range(len(names))]


def load_reference(path: PathLike, like: Curves, fps: Optional[float] = None) -> Curves:
    """Read a reference: any curve file ``read_curves`` knows, or FACEGOOD label ``.npy`` files.

    A ``.npy`` label array takes its names from a ``bs_name.npy`` beside it or one folder up (FACEGOOD's
    ``bs_value/`` layout); without one, from ``like`` when the column counts match.

    Args:
        path: The reference file.
        like: The curves it will be compared with.
        fps: Frame rate of the reference rows (default: what the file says; for bare label arrays the
            reader's default, 30 fps as FACEGOOD's, or ``like.fps`` when the names come from ``like``).

    Raises:
        Audio2FaceError: missing or unreadable file, or columns that cannot be named.
    """
    from .formats import read_curves

    source = Path(os.fspath(path))
    if not source.exists():
        raise Audio2FaceError("reference file not found", source)
    reference = read_curves(source, fps=fps)
    if _has_generic_names(reference.names):
        columns = reference.weights.shape[1]
        if columns != len(like.names):
            raise Audio2FaceError(
                f"reference has {columns} unnamed columns (no bs_name.npy beside it or one folder up) and the "
                f"curves have {len(like.names)} channels, so its columns cannot be matched to names",
                source,
            )
        return Curves(list(like.names), float(fps or like.fps), reference.weights, source={"file": str(source)})
    if fps:
        reference = dataclasses.replace(reference, fps=float(fps), keys=None)
    return reference


# --- figures ------------------------------------------------------------------------------------------------


def _r(value: Optional[float], digits: int = 4) -> Optional[float]:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def _span_dict(start: int, end: int, fps: float, start_frame: float) -> Dict[str, Any]:
    return {
        "start_s": _r(start / fps, 3),
        "end_s": _r(end / fps, 3),
        "start_frame": _r(start_frame + start, 3),
        "end_frame": _r(start_frame + end - 1, 3),
    }


def speech_segments(silent: np.ndarray, fps: float) -> List[Dict[str, Any]]:
    """Alternating speech/silence segments ``{"kind", "start_s", "end_s"}`` covering every frame."""
    segments: List[Dict[str, Any]] = []
    for start, end in runs(silent):
        segments.append({"kind": "silence", "start": start, "end": end})
    for start, end in runs(~np.asarray(silent, dtype=bool)):
        segments.append({"kind": "speech", "start": start, "end": end})
    segments.sort(key=lambda s: s["start"])
    return [{"kind": s["kind"], "start_s": _r(s["start"] / fps, 3), "end_s": _r(s["end"] / fps, 3)} for s in segments]


def checked_silence(silent: np.ndarray, fps: float, settings: QcSettings) -> np.ndarray:
    """Frames of the silences where the mouth should be shut (after the release, before the anticipation)."""
    frames = silent.size
    checked = np.zeros(frames, dtype=bool)
    release = int(round(settings.release_ms / 1000.0 * fps))
    anticipation = int(round(settings.anticipation_ms / 1000.0 * fps))
    for start, end in runs(silent):
        begin = start + release if start > 0 else start
        stop = end - anticipation if end < frames else end
        if stop > begin:
            checked[begin:stop] = True
    return checked


def silence_figures(
    jaw: Optional[np.ndarray], checked: np.ndarray, fps: float, start_frame: float, settings: QcSettings
) -> Dict[str, Any]:
    """Mouth open during silence: how much of the checked silence has the jaw above the threshold."""
    checked_seconds = float(checked.sum()) / fps
    figures: Dict[str, Any] = {
        "threshold": settings.open_threshold,
        "release_ms": settings.release_ms,
        "anticipation_ms": settings.anticipation_ms,
        "min_silence_ms": settings.min_silence_ms,
        "checked_seconds": _r(checked_seconds, 3),
    }
    if jaw is None:
        figures.update(flagged=False, flagged_seconds=0.0, spans=[], max_open=None, mean_open=None,
                       note="no jaw-open channel: not measured")
        return figures
    flagged = checked & (jaw > settings.open_threshold)
    spans = []
    for start, end in runs(flagged):
        span = _span_dict(start, end, fps, start_frame)
        span["max_open"] = _r(float(jaw[start:end].max()))
        spans.append(span)
    inside = jaw[checked]
    figures.update(
        flagged=bool(spans),
        flagged_seconds=_r(float(flagged.sum()) / fps, 3),
        flagged_fraction=_r(float(flagged.sum()) / max(int(checked.sum()), 1)),
        max_open=_r(float(inside.max())) if inside.size else None,
        mean_open=_r(float(inside.mean())) if inside.size else None,
        spans=spans,
    )
    return figures


def condition_figures(samples: np.ndarray) -> Dict[str, Any]:
    """The input condition block (module docstring) with its flags."""
    from .vad import audio_condition

    figures: Dict[str, Any] = dict(audio_condition(samples, SAMPLE_RATE))
    flags = []
    if figures["snr_db"] is not None and figures["snr_db"] < NOISY_SNR_DB:
        flags.append(f"noisy input (speech {figures['snr_db']:.0f} dB over the pauses)")
    if figures["high_band_db"] is not None and figures["high_band_db"] < BAND_LIMITED_DB:
        flags.append("band-limited input (nothing above 4 kHz: telephone or 8 kHz audio?)")
    if figures["rt60_s"] is not None and figures["rt60_s"] > REVERBERANT_RT60_S:
        flags.append(f"reverberant input (RT60 about {figures['rt60_s']:.1f} s)")
    figures["flags"] = flags
    return figures


def bilabial_figures(
    jaw: Optional[np.ndarray], phones: Sequence[Any], fps: float, start_frame: float, source: str
) -> Dict[str, Any]:
    """Lips at bilabials (module docstring): how many p/b/m close, and the ones that do not."""
    figures: Dict[str, Any] = {"source": source, "bilabials": 0, "closed": 0, "closed_fraction": None, "open": []}
    if jaw is None:
        figures["note"] = "no jaw-open channel: not measured"
        return figures
    frames = jaw.size
    for seg in phones:
        if getattr(seg, "viseme", None) != "closed":
            continue
        lo = int(min(max(round(seg.start_s * fps), 0), frames - 1))
        hi = int(min(max(round(seg.end_s * fps), lo + 1), frames))
        centre = 0.5 * (seg.start_s + seg.end_s)
        a = int(max(round((centre - BILABIAL_SURROUND_S) * fps), 0))
        b = int(min(round((centre + BILABIAL_SURROUND_S) * fps) + 1, frames))
        if b <= a:
            continue
        at = float(jaw[lo:hi].min())
        figures["bilabials"] += 1
        if at < float(np.median(jaw[a:b])) or at < CLOSED_JAW:
            figures["closed"] += 1
        else:
            span = _span_dict(lo, hi, fps, start_frame)
            span.update(phone=seg.phone, jaw=_r(at))
            figures["open"].append(span)
    if figures["bilabials"]:
        figures["closed_fraction"] = _r(figures["closed"] / figures["bilabials"])
    return figures


def speech_envelope(levels_db: np.ndarray) -> np.ndarray:
    """Frame levels as dB above ``speech level - ENVELOPE_RANGE_DB``, clipped at 0."""
    if levels_db.size == 0:
        return levels_db
    speech = float(np.percentile(levels_db, SPEECH_PERCENTILE))
    return np.clip(levels_db - (speech - ENVELOPE_RANGE_DB), 0.0, None)


def _pearson(a: np.ndarray, b: np.ndarray) -> Optional[float]:
    a = a - a.mean()
    b = b - b.mean()
    denom = math.sqrt(float(a @ a) * float(b @ b))
    if denom <= 0 or a.std() < CONSTANT_STD or b.std() < CONSTANT_STD:
        return None
    return float(a @ b) / denom


def lag_correlations(
    envelope: np.ndarray, mouth: np.ndarray, max_lag: int, mask: Optional[np.ndarray] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """Pearson correlation of ``envelope[t]`` with ``mouth[t + lag]`` for lag in ``-max_lag..max_lag``.

    Only pairs whose two frames ``t`` and ``t + lag`` are both True in ``mask`` take part (all pairs
    without a mask). Returns ``(lags, r)``; ``r`` is NaN where a side is constant over the pairs used.
    """
    n = envelope.size
    mask = np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    lags = np.arange(-max_lag, max_lag + 1)
    values = np.full(lags.size, np.nan)
    for number, lag in enumerate(lags):
        if lag >= 0:
            keep = mask[: n - lag] & mask[lag:]
            r = _pearson(envelope[: n - lag][keep], mouth[lag:][keep])
        else:
            keep = mask[-lag:] & mask[: n + lag]
            r = _pearson(envelope[-lag:][keep], mouth[: n + lag][keep])
        if r is not None:
            values[number] = r
    return lags, values


def estimate_offset(
    envelope: np.ndarray,
    mouth: np.ndarray,
    fps: float,
    max_lag_ms: float,
    speech: Optional[np.ndarray] = None,
) -> Dict[str, Any]:
    """Offset of the mouth against the audio from the peak of the lag correlation (see module docstring).

    The peak is sought within +-``max_lag_ms``; competitors for the confidence within twice that, so a
    better fit just outside the plausible range takes the confidence away. With a ``speech`` mask only
    speech frames take part (when there are at least ``MIN_SPEECH_SECONDS`` of them).
    """
    envelope = np.asarray(envelope, dtype=np.float64)
    mouth = np.asarray(mouth, dtype=np.float64)
    n = min(envelope.size, mouth.size)
    max_lag = min(int(math.floor(max_lag_ms / 1000.0 * fps + 1e-9)), n // 2 - 1)
    result: Dict[str, Any] = {"offset_ms": None, "max_lag_ms": max_lag_ms, "meaning": "+ = mouth later than audio"}
    if max_lag < 1:
        result["reason"] = "clip too short to search for an offset"
        return result
    wide = max(min(2 * max_lag, n // 2 - 1), max_lag)
    mask = None
    result["frames_used"] = "all"
    if speech is not None and int(np.count_nonzero(speech[:n])) >= MIN_SPEECH_SECONDS * fps:
        mask = np.asarray(speech[:n], dtype=bool)
        result["frames_used"] = "speech"
    lags, r = lag_correlations(envelope[:n], mouth[:n], wide, mask)
    filled = np.where(np.isfinite(r), r, -np.inf)
    plausible = np.abs(lags) <= max_lag
    if not np.isfinite(filled[plausible]).any():
        result["reason"] = "no speech energy or no mouth movement to correlate"
        return result
    peak = int(np.argmax(np.where(plausible, filled, -np.inf)))
    at_limit = abs(int(lags[peak])) == max_lag
    delta = 0.0
    if not at_limit and np.isfinite(r[peak - 1]) and np.isfinite(r[peak + 1]):
        curvature = r[peak - 1] - 2 * r[peak] + r[peak + 1]
        if curvature < 0:
            delta = float(np.clip(0.5 * (r[peak - 1] - r[peak + 1]) / curvature, -0.5, 0.5))
    left = peak
    while left > 0 and filled[left - 1] <= filled[left]:
        left -= 1
    right = peak
    while right < r.size - 1 and filled[right + 1] <= filled[right]:
        right += 1
    outside = np.concatenate([filled[:left], filled[right + 1 :]])
    outside = outside[np.isfinite(outside)]
    second = float(outside.max()) if outside.size else None
    best = float(r[peak])
    confidence = 0.0 if at_limit else max(0.0, best - max(0.0, second if second is not None else 0.0))
    offset_frames = float(lags[peak]) + delta
    result.update(
        offset_ms=_r(offset_frames * 1000.0 / fps, 1),
        offset_frames=_r(offset_frames, 3),
        suggested_time_offset_ms=_r(-offset_frames * 1000.0 / fps, 1),
        correlation=_r(best),
        second_peak=_r(second),
        confidence=_r(min(confidence, 1.0), 3),
        at_limit=bool(at_limit),
    )
    if at_limit:
        result["reason"] = "the best lag is at the edge of the searched range; the offset may be larger"
    return result


def mouth_signal(curves: Curves) -> Tuple[Optional[np.ndarray], str]:
    """The mouth opening used for the offset: jaw-open, else the mean mouth channel, else the mean channel."""
    weights = curves.weights.astype(np.float64)
    jaw = jaw_open_index(curves.names)
    if jaw is not None and weights[:, jaw].std() >= CONSTANT_STD:
        return weights[:, jaw], curves.names[jaw]
    mouth = mouth_indices(curves.names)
    if mouth and weights[:, mouth].mean(axis=1).std() >= CONSTANT_STD:
        return weights[:, mouth].mean(axis=1), "mean of the mouth channels"
    if weights.shape[1] and weights.mean(axis=1).std() >= CONSTANT_STD:
        return weights.mean(axis=1), "mean of all channels"
    return None, "no channel moves"


def keys_figures(curves: Curves) -> Optional[Dict[str, Any]]:
    """Key counts when the curves carry reduced keys (``Curves.keys``), else ``None``."""
    if not curves.keys:
        return None
    total = sum(len(k) for k in curves.keys.values())
    seconds = max(curves.frame_count / curves.fps, 1e-9)
    channels = max(len(curves.keys), 1)
    dense = curves.frame_count * len(curves.keys)
    reduction = (curves.source or {}).get("keys") or {}
    return {
        "keys": int(total),
        "channels": len(curves.keys),
        "keys_per_second": _r(total / seconds, 3),
        "keys_per_second_per_channel": _r(total / seconds / channels, 3),
        "fraction_of_dense": _r(total / max(dense, 1)),
        "tolerance": reduction.get("tolerance"),
    }


def _shared_names(curves: Curves, reference: Curves) -> List[Tuple[str, str]]:
    exact = [(n, n) for n in curves.names if n in reference.names]
    if exact:
        return exact
    lower = {n.lower(): n for n in reference.names}
    return [(n, lower[n.lower()]) for n in curves.names if n.lower() in lower]


def _resampled(reference: Curves, fps: float, frames: int) -> np.ndarray:
    """Reference rows at ``i / fps`` for the times it covers (linear interpolation)."""
    weights = reference.weights.astype(np.float64)
    if reference.fps == fps:
        return weights[:frames]
    last = (reference.frame_count - 1) / reference.fps
    times = np.arange(frames) / fps
    times = times[times <= last + 1e-9]
    source = np.arange(reference.frame_count) / reference.fps
    return np.stack([np.interp(times, source, weights[:, c]) for c in range(weights.shape[1])], axis=1)


def reference_figures(curves: Curves, reference: Curves, where: Optional[str] = None) -> Dict[str, Any]:
    """MSE, MAE, per-channel and jaw-open Pearson correlation against a reference."""
    pairs = _shared_names(curves, reference)
    if not pairs:
        raise Audio2FaceError("the reference shares no channel names with the curves", where)
    ours = curves.weights.astype(np.float64)[:, [curves.names.index(a) for a, _ in pairs]]
    theirs = _resampled(reference, curves.fps, curves.frame_count)[:, [reference.names.index(b) for _, b in pairs]]
    frames = min(ours.shape[0], theirs.shape[0])
    if frames < 2:
        raise Audio2FaceError("the reference and the curves overlap by fewer than 2 frames", where)
    ours, theirs = ours[:frames], theirs[:frames]
    per_channel: Dict[str, Dict[str, Any]] = {}
    constant: List[str] = []
    for column, (name, _) in enumerate(pairs):
        r = _pearson(ours[:, column], theirs[:, column])
        if r is None:
            constant.append(name)
        per_channel[name] = {
            "pearson": _r(r),
            "mae": _r(float(np.abs(ours[:, column] - theirs[:, column]).mean())),
        }
    correlations = [v["pearson"] for v in per_channel.values() if v["pearson"] is not None]
    shared = [a for a, _ in pairs]
    jaw = jaw_open_index(shared)
    jaw_name = shared[jaw] if jaw is not None else None
    reference_seconds = reference.frame_count / reference.fps
    curves_seconds = curves.frame_count / curves.fps
    figures: Dict[str, Any] = {
        "file": where,
        "fps": reference.fps,
        "frames_compared": frames,
        "seconds_compared": _r(frames / curves.fps, 3),
        "length_difference_s": _r(curves_seconds - reference_seconds, 3),
        "channels_compared": len(pairs),
        "mse": _r(float(np.mean((ours - theirs) ** 2)), 6),
        "mae": _r(float(np.mean(np.abs(ours - theirs))), 6),
        "pearson_mean": _r(float(np.mean(correlations))) if correlations else None,
        "pearson_channels": len(correlations),
        "jaw_channel": jaw_name,
        "jaw_correlation": per_channel[jaw_name]["pearson"] if jaw_name else None,
        "constant_channels": constant,
        "constant_note": f"{len(constant)} channels constant in the curves or the reference: no correlation",
        "only_in_curves": [n for n in curves.names if n not in shared],
        "only_in_reference": [b for b in reference.names if b not in {b for _, b in pairs}],
        "per_channel": per_channel,
    }
    return figures


# --- the report ---------------------------------------------------------------------------------------------


def _shot_name(name: Optional[str], audio_path: Optional[str], curves: Curves, curves_path: Optional[str]) -> str:
    if name:
        return name
    for candidate in (audio_path, (curves.source or {}).get("audio"), curves_path):
        if candidate and candidate != "<samples>":
            return Path(str(candidate)).stem
    return "shot"


MISMATCH_RATIO = 2.0
MISMATCH_SECONDS = 5.0
"""Curves and audio whose lengths differ by more than both are not one shot (a wrong file, a wrong --fps)."""


def check_same_shot(audio_seconds: float, curves_seconds: float, where: Optional[PathLike]) -> None:
    """Refuse to compare curves with audio of a clearly different length (raises ``Audio2FaceError``)."""
    longer, shorter = max(audio_seconds, curves_seconds), min(audio_seconds, curves_seconds)
    if longer - shorter > MISMATCH_SECONDS and longer > MISMATCH_RATIO * shorter:
        raise Audio2FaceError(
            f"the curves last {curves_seconds:.2f} s but the audio {audio_seconds:.2f} s: not the same shot "
            "(or a wrong --fps)?",
            where,
        )


def qc_report(
    audio: Union[PathLike, np.ndarray, Prediction],
    curves: Union[Curves, PathLike],
    reference: Union[None, Curves, PathLike] = None,
    settings: Optional[QcSettings] = None,
    *,
    sample_rate: Optional[int] = None,
    name: Optional[str] = None,
    cancel: Optional[CancelToken] = None,
    transcript: Optional[str] = None,
) -> QcReport:
    """Measure one shot.

    Args:
        audio: The shot's audio file, samples (then ``sample_rate`` is required), or the
            ``pipeline.Prediction`` the curves were made from (its decoded samples: no second decode);
            row 0 of the curves is the start of the audio.
        curves: ``Curves`` or a curve file (``audio2face.formats.read_curves``).
        reference: ``Curves``, a curve file or FACEGOOD label ``.npy`` to compare with (see
            :func:`load_reference`), or ``None``.
        settings: Thresholds; defaults documented in the module docstring.
        sample_rate: Rate of ``audio`` when it is an array.
        name: Shot name in the report (default: the audio file's stem).
        cancel: Stops the work between steps (raises ``Cancelled``).
        transcript: The line's text: the bilabial check aligns the phones to it.

    Returns:
        The report, with its series.

    Raises:
        Audio2FaceError: unreadable inputs, curves with fewer than 2 frames, a reference that shares
            no channel with the curves.
    """
    settings = settings or QcSettings()
    settings.validate()
    shot_curves, curves_path = _curves(curves, settings.curves_fps)
    check(cancel)
    if shot_curves.frame_count < 2:
        raise Audio2FaceError(f"curves have {shot_curves.frame_count} frames; QC needs at least 2", curves_path)
    samples, audio_path = _samples(audio, sample_rate)
    check(cancel)
    fps = shot_curves.fps
    frames = shot_curves.frame_count
    check_same_shot(samples.size / SAMPLE_RATE, frames / fps, curves_path or audio_path)
    levels = frame_levels_db(samples, SAMPLE_RATE, fps, frames)
    silent = silent_frames(samples, SAMPLE_RATE, fps, frames, settings.vad())
    checked = checked_silence(silent, fps, settings)
    jaw_index = jaw_open_index(shot_curves.names)
    jaw = shot_curves.weights[:, jaw_index].astype(np.float64) if jaw_index is not None else None
    silence = silence_figures(jaw, checked, fps, shot_curves.start_frame, settings)
    mouth, mouth_source = mouth_signal(shot_curves)
    if mouth is None:
        offset: Dict[str, Any] = {"offset_ms": None, "reason": "no channel moves"}
    else:
        offset = estimate_offset(speech_envelope(levels), mouth, fps, settings.max_lag_ms, ~silent)
    offset["mouth_signal"] = mouth_source
    check(cancel)

    reference_block = None
    reference_jaw = None
    if reference is not None:
        if isinstance(reference, Curves):
            ref_curves, ref_path = reference, None
            if settings.reference_fps:
                ref_curves = dataclasses.replace(ref_curves, fps=float(settings.reference_fps), keys=None)
        else:
            ref_path = os.fspath(reference)
            ref_curves = load_reference(reference, shot_curves, settings.reference_fps)
        reference_block = reference_figures(shot_curves, ref_curves, ref_path)
        if reference_block["jaw_channel"] is not None:
            ref_jaw_name = dict(_shared_names(shot_curves, ref_curves))[reference_block["jaw_channel"]]
            reference_jaw = _resampled(ref_curves, fps, frames)[:, ref_curves.names.index(ref_jaw_name)]

    condition = condition_figures(samples)
    bilabials = None
    if (transcript and transcript.strip()) or settings.phones:
        from .phones import guide_input

        check(cancel)
        guide = guide_input(samples, SAMPLE_RATE, fps, 0, settings.phone_language, transcript, settings.vad_method)
        bilabials = bilabial_figures(jaw, guide.phones, fps, shot_curves.start_frame,
                                     "transcript" if guide.aligned else "recognised")

    audio_seconds = samples.size / SAMPLE_RATE
    curves_seconds = frames / fps
    notes: List[str] = []
    if abs(audio_seconds - curves_seconds) > 2.0 / fps:
        tail = "frames past the audio count as silence" if curves_seconds > audio_seconds else "the rest is ignored"
        notes.append(f"the audio lasts {audio_seconds:.2f} s but the curves {curves_seconds:.2f} s; {tail}")
    mouth_cols = [i for i in mouth_indices(shot_curves.names) if i != jaw_index]
    speech_level = float(np.percentile(levels, SPEECH_PERCENTILE))
    flagged = np.zeros(frames, dtype=bool)
    if jaw is not None:
        flagged = checked & (jaw > settings.open_threshold)
    report = QcReport(
        shot=_shot_name(name, audio_path, shot_curves, curves_path),
        inputs={"audio": audio_path, "curves": curves_path,
                "reference": reference_block["file"] if reference_block else None},
        settings=dataclasses.asdict(settings),
        fps=fps,
        frames=frames,
        start_frame=shot_curves.start_frame,
        curves_seconds=_r(curves_seconds, 3),
        audio_seconds=_r(audio_seconds, 3),
        channels=len(shot_curves.names),
        jaw_channel=shot_curves.names[jaw_index] if jaw_index is not None else None,
        mouth_channels=[shot_curves.names[i] for i in mouth_cols],
        vad={
            "method": settings.vad_method,
            "threshold_db": settings.silence_db,
            "floor_db": settings.floor_db,
            "min_silence_ms": settings.min_silence_ms,
            "speech_level_db": _r(speech_level, 2),
            "speech_seconds": _r(float((~silent).sum()) / fps, 3),
            "silence_seconds": _r(float(silent.sum()) / fps, 3),
            "segments": speech_segments(silent, fps),
        },
        silence=silence,
        offset=offset,
        keys=keys_figures(shot_curves),
        reference=reference_block,
        input=condition,
        bilabials=bilabials,
        notes=notes,
        series=QcSeries(
            samples=samples, sample_rate=SAMPLE_RATE, fps=fps, silent=silent, checked=checked, flagged=flagged,
            jaw=jaw, mouth=shot_curves.weights[:, mouth_cols].astype(np.float64),
            mouth_names=[shot_curves.names[i] for i in mouth_cols], reference_jaw=reference_jaw,
        ),
    )
    report.score, report.flags = score_report(report)
    return report


# --- score, summary, output -------------------------------------------------------------------------------


def write_qc(
    report: QcReport, json_path: PathLike, picture_path: Optional[PathLike] = None
) -> Tuple[Path, Path]:
    """Write the report's JSON and its picture beside it, each atomically.

    The picture is a PNG drawn with matplotlib (``audio2face.qc_plot``) where it is installed (the ``qc``
    extra); without it, the figures as plain text (``.txt``) instead.

    Args:
        report: From :func:`qc_report`.
        json_path: The JSON file.
        picture_path: The PNG (default: ``json_path`` with ``.png``; ``.txt`` without matplotlib).

    Returns:
        (JSON path, picture path).

    Raises:
        Audio2FaceError: the report has no series (e.g. it was read back from JSON), or a folder is missing.
    """
    from .qc_plot import plain_text, plotting_available, render_png

    json_target = Path(os.fspath(json_path))
    if report.series is None:
        raise Audio2FaceError("this report has no plot data; make it with qc_report to write its picture",
                              json_target)
    if plotting_available():
        picture = Path(os.fspath(picture_path)) if picture_path is not None else json_target.with_suffix(".png")
        kind, content, mode = "png", render_png(report), "wb"
    else:
        picture = (Path(os.fspath(picture_path)) if picture_path is not None else json_target).with_suffix(".txt")
        kind, content, mode = "text", plain_text(report).encode("utf-8"), "wb"
        logger.info("matplotlib is not installed (pip install '.[qc]'): the QC picture is written as text")
    if picture.resolve() == json_target.resolve():
        raise Audio2FaceError("the JSON and the picture would be the same file", json_target)
    data = dataclasses.replace(report, files={"json": json_target.name, kind: picture.name}).to_json()
    text = json.dumps(data, indent=2, allow_nan=False)
    with all_or_nothing():
        with atomic_open(picture, mode) as handle:
            handle.write(content)
        with atomic_open(json_target, "w") as handle:
            handle.write(text + "\n")
    report.files = data["files"]
    logger.info("wrote %s and %s", json_target, picture)
    return json_target, picture


def summarise(reports: Iterable[Union[QcReport, PathLike]]) -> List[Dict[str, Any]]:
    """One row per shot, worst (lowest ``score_report`` score) first.

    Args:
        reports: Reports from :func:`qc_report`, or paths of QC JSON files.

    Returns:
        Rows ``{"shot", "score", "flags", "silence_flagged_seconds", "silence_spans", "offset_ms",
        "offset_confidence", "keys_per_second", "jaw_correlation", "mae", "input_flags", "bilabials_closed",
        "json"}``; the score is
        recomputed from the figures so rows from old files rank the same way.
    """
    rows: List[Dict[str, Any]] = []
    for item in reports:
        report = item if isinstance(item, QcReport) else read_report(item)
        score, flags = score_report(report)
        silence, offset = report.silence or {}, report.offset or {}
        keys, reference, files = report.keys or {}, report.reference or {}, report.files or {}
        rows.append(
            {
                "shot": report.shot,
                "score": score,
                "flags": flags,
                "silence_flagged_seconds": silence.get("flagged_seconds"),
                "silence_spans": len(silence.get("spans") or []),
                "offset_ms": offset.get("offset_ms"),
                "offset_confidence": offset.get("confidence"),
                "keys_per_second": keys.get("keys_per_second"),
                "jaw_correlation": reference.get("jaw_correlation"),
                "mae": reference.get("mae"),
                "input_flags": list((report.input or {}).get("flags") or []),
                "bilabials_closed": (report.bilabials or {}).get("closed_fraction"),
                "json": files.get("json") if isinstance(item, QcReport) else os.fspath(item),
            }
        )
    rows.sort(key=lambda row: (row["score"], str(row["shot"])))
    return rows
