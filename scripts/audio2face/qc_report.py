"""The QC report of one shot as a value: its figures (JSON) and the per-frame series the pictures draw.

Made by ``audio2face.qc.qc_report``; drawn by ``audio2face.qc_plot`` (matplotlib) and the panel's
``audio2face_maya.ui.qc_view`` (Qt's painter); written and read as JSON by ``audio2face.qc``. It sits below
both so neither imports the other for it.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import numpy as np

from .errors import Audio2FaceError, PathLike
from .text_input import load_json

QC_FORMAT = "audio2face-qc"
QC_FORMAT_VERSION = 1
MIN_OFFSET_CONFIDENCE = 0.1
"""Offsets less confident than this do not lower the score (``QcSettings.min_offset_confidence``)."""
LAG_DETECTABLE_MS = 45.0
LEAD_DETECTABLE_MS = 125.0
"""Audio/picture offsets people start to notice (ITU-R BT.1359): mouth later than sound by 45 ms,
mouth earlier than sound by 125 ms."""


@dataclasses.dataclass
class QcSeries:
    """Per-frame data of a shot, for the pictures (never written to JSON).

    Attributes:
        samples: The audio, mono float32 at ``sample_rate``.
        sample_rate: Rate of ``samples``.
        fps: Frame rate of the per-frame arrays.
        silent: Frames the voice-activity detector calls silent.
        checked: Frames of silence where the mouth should be shut.
        flagged: Checked frames with the jaw open above the threshold.
        jaw: The jaw-open curve, or ``None`` without one.
        mouth: The other mouth channels, (frames, channels).
        mouth_names: Their names.
        reference_jaw: The reference's jaw-open curve on the same frames, or ``None``.
    """

    samples: np.ndarray
    sample_rate: int
    fps: float
    silent: np.ndarray
    checked: np.ndarray
    flagged: np.ndarray
    jaw: Optional[np.ndarray]
    mouth: np.ndarray
    mouth_names: List[str]
    reference_jaw: Optional[np.ndarray] = None


@dataclasses.dataclass
class QcReport:
    """One shot's QC figures (docs/qc.md lists every field of the blocks).

    Attributes:
        shot: Shot name.
        inputs: ``{"audio", "curves", "reference"}`` file paths (``None`` for values given in memory).
        settings: The ``QcSettings`` used, as a dict.
        fps, frames, start_frame: The curves' grid.
        curves_seconds, audio_seconds: Lengths.
        channels: Number of channels of the curves.
        jaw_channel: The jaw-open channel's name, or ``None``.
        mouth_channels: The other mouth channels.
        vad: Speech and silence (threshold, levels, segments).
        silence: Mouth open during silence (spans with their frames).
        offset: The audio/mouth offset estimate.
        keys: Keys per second with reduced keys, else ``None``.
        reference: Figures against a reference, else ``None``.
        input: The recording's condition (SNR, band limits, RT60) with its flags (kept out of the score).
        bilabials: Lips closed at p/b/m (with a transcript or recognised phones), else ``None``.
        notes: Remarks in plain words.
        score: 0-100 (:func:`score_report`).
        flags: Short findings for a summary table.
        files: ``{"json": ..., "png"|"text": ...}`` once written.
        series: The per-frame data for the pictures (``None`` for a report read from JSON).
    """

    shot: str
    inputs: Dict[str, Optional[str]]
    settings: Dict[str, Any]
    fps: float
    frames: int
    start_frame: float
    curves_seconds: Optional[float]
    audio_seconds: Optional[float]
    channels: int
    jaw_channel: Optional[str]
    mouth_channels: List[str]
    vad: Dict[str, Any]
    silence: Dict[str, Any]
    offset: Dict[str, Any]
    keys: Optional[Dict[str, Any]] = None
    reference: Optional[Dict[str, Any]] = None
    input: Optional[Dict[str, Any]] = None
    bilabials: Optional[Dict[str, Any]] = None
    notes: List[str] = dataclasses.field(default_factory=list)
    score: float = 100.0
    flags: List[str] = dataclasses.field(default_factory=list)
    files: Optional[Dict[str, str]] = None
    series: Optional[QcSeries] = dataclasses.field(default=None, repr=False)

    def to_json(self) -> Dict[str, Any]:
        """The JSON form: the figures, without the series (numbers made plain, NaN as ``None``)."""
        data: Dict[str, Any] = {"format": QC_FORMAT, "format_version": QC_FORMAT_VERSION}
        for field in dataclasses.fields(self):
            if field.name != "series" and not (field.name == "files" and self.files is None):
                data[field.name] = _plain(getattr(self, field.name))
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: Optional[PathLike] = None) -> QcReport:
        """A report from its JSON form (no series).

        Raises:
            Audio2FaceError: not a QC report, or fields missing.
        """
        if not isinstance(data, Mapping) or data.get("format") != QC_FORMAT:
            raise Audio2FaceError(f"not an {QC_FORMAT} report", where)
        names = {f.name for f in dataclasses.fields(cls)} - {"series"}
        try:
            return cls(**{k: v for k, v in data.items() if k in names})
        except TypeError as exc:
            raise Audio2FaceError(f"QC report is missing fields: {exc}", where) from None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    return value


def read_report(path: PathLike) -> QcReport:
    """Read a QC JSON written by ``audio2face.qc.write_qc``."""
    source = Path(os.fspath(path))
    return QcReport.from_json(load_json(source, "QC report"), source)


def score_report(report: QcReport) -> Tuple[float, List[str]]:
    """A 0-100 score (100 = nothing found) and short flags for one report.

    The score starts at 100 and loses:

    * up to 40 for the mouth open in silence: 40 x min(1, flagged seconds / 2 s);
    * up to 30 for the audio/mouth offset, when its confidence is at least ``min_offset_confidence``:
      30 x min(1, excess / 100 ms), where the excess is how far the offset goes past what people notice
      (45 ms with the mouth late, 125 ms with the mouth early; ITU-R BT.1359);
    * with a reference, up to 30 for a poor match: 30 x (1 - max(0, jaw-open correlation)), or the mean
      channel correlation when there is no jaw-open channel.

    Scores of shots with and without a reference are not comparable.
    """
    score = 100.0
    flags: List[str] = []
    silence = report.silence or {}
    flagged_seconds = float(silence.get("flagged_seconds") or 0.0)
    if flagged_seconds > 0:
        score -= 40.0 * min(1.0, flagged_seconds / 2.0)
        spans = len(silence.get("spans") or [])
        flags.append(f"mouth open in silence: {flagged_seconds:.2f} s in {spans} span{'s' if spans != 1 else ''}")
    offset = report.offset or {}
    offset_ms = offset.get("offset_ms")
    settings = report.settings or {}
    min_confidence = float(settings.get("min_offset_confidence", MIN_OFFSET_CONFIDENCE))
    if offset_ms is not None and float(offset.get("confidence") or 0.0) >= min_confidence:
        excess = offset_ms - LAG_DETECTABLE_MS if offset_ms > 0 else -offset_ms - LEAD_DETECTABLE_MS
        if excess > 0:
            score -= 30.0 * min(1.0, excess / 100.0)
            side = "later" if offset_ms > 0 else "earlier"
            flags.append(f"mouth {abs(offset_ms):.0f} ms {side} than the audio")
    reference = report.reference
    if reference:
        r = reference.get("jaw_correlation")
        what = "jaw-open"
        if r is None:
            r, what = reference.get("pearson_mean"), "mean"
        r = float(r) if r is not None else 0.0
        score -= 30.0 * (1.0 - max(0.0, r))
        if r < 0.5:
            flags.append(f"{what} correlation with the reference {r:.2f}")
    bilabials = report.bilabials or {}
    if (bilabials.get("bilabials") or 0) >= 3 and bilabials.get("closed_fraction") is not None:
        share = float(bilabials["closed_fraction"])
        score -= 20.0 * (1.0 - share)
        if share < 0.8:
            unclosed = bilabials["bilabials"] - bilabials["closed"]
            flags.append(f"lips open at {unclosed} of {bilabials['bilabials']} p/b/m")
    return round(max(0.0, score), 1), flags


def _fmt(value: Any, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def summary_lines(report: QcReport) -> List[str]:
    """The report's figures as a few lines of plain text (the CLI prints them; the PNG shows them)."""
    flags = report.flags or []
    lines = [
        f"{report.shot}: score {_fmt(report.score, '.0f')}/100 - "
        + ("; ".join(flags) if flags else "nothing flagged")
    ]
    vad = report.vad or {}
    channels = report.channels
    lines.append(
        f"{(report.curves_seconds or 0):.1f} s at {(report.fps or 0):g} fps, {channels} "
        f"channel{'s' if channels != 1 else ''}; "
        f"speech {_fmt(vad.get('speech_seconds'), '.1f')} s, silence {_fmt(vad.get('silence_seconds'), '.1f')} s "
        f"(VAD: silent {_fmt(abs(vad.get('threshold_db') or 0), 'g')} dB below the speech level "
        f"{_fmt(vad.get('speech_level_db'), '.1f')} dBFS or under {_fmt(vad.get('floor_db'), 'g')} dBFS, "
        f"for {_fmt(vad.get('min_silence_ms'), 'g')} ms or more)"
    )
    silence = report.silence or {}
    if silence.get("max_open") is None:
        lines.append(f"mouth open in silence: {silence.get('note') or 'no silence to check'}")
    else:
        spans = len(silence.get("spans") or [])
        lines.append(
            f"mouth open in silence: {spans} span{'s' if spans != 1 else ''}, "
            f"{_fmt(silence.get('flagged_seconds'), '.2f')} s of {_fmt(silence.get('checked_seconds'), '.2f')} s "
            f"checked above {_fmt(silence.get('threshold'), 'g')} (max {_fmt(silence.get('max_open'), '.2f')}; "
            f"release {_fmt(silence.get('release_ms'), 'g')} ms, "
            f"anticipation {_fmt(silence.get('anticipation_ms'), 'g')} ms)"
        )
    offset = report.offset or {}
    if offset.get("offset_ms") is None:
        lines.append(f"audio/mouth offset: not measured ({offset.get('reason', 'unknown')})")
    else:
        side = "later" if offset["offset_ms"] > 0 else "earlier"
        lines.append(
            f"audio/mouth offset: {offset['offset_ms']:+.0f} ms (mouth {side} than the audio), confidence "
            f"{_fmt(offset.get('confidence'), '.2f')} (peak r {_fmt(offset.get('correlation'), '.2f')}, next "
            f"{_fmt(offset.get('second_peak'), '.2f')}; {offset.get('mouth_signal')})"
            + ("; at the search limit" if offset.get("at_limit") else "")
        )
    keys = report.keys
    if keys:
        lines.append(
            f"keys: {keys['keys']} ({_fmt(keys.get('keys_per_second'), '.1f')}/s, "
            f"{_fmt(keys.get('keys_per_second_per_channel'), '.2f')}/s per channel, "
            f"{_fmt((keys.get('fraction_of_dense') or 0) * 100, '.0f')}% of a key on every frame)"
        )
    else:
        lines.append("keys: a key on every frame (not reduced)")
    reference = report.reference
    if reference:
        lines.append(
            f"reference: MSE {_fmt(reference.get('mse'), '.4f')}, MAE {_fmt(reference.get('mae'), '.4f')}, "
            f"jaw-open r {_fmt(reference.get('jaw_correlation'), '.2f')}, mean r "
            f"{_fmt(reference.get('pearson_mean'), '.2f')} over {reference.get('pearson_channels')} of "
            f"{reference.get('channels_compared')} shared channels ({len(reference.get('constant_channels') or [])} "
            f"constant, skipped), {reference.get('frames_compared')} frames"
        )
    bilabials = report.bilabials
    if bilabials:
        times = ", ".join(f"{span['start_s']:.2f} s" for span in (bilabials.get("open") or [])[:8])
        lines.append(
            f"lips at bilabials ({bilabials.get('source')} phones): {bilabials.get('closed')} of "
            f"{bilabials.get('bilabials')} p/b/m closed" + (f"; open at {times}" if times else "")
        )
    condition = report.input
    if condition:
        lines.append(
            f"input: speech {_fmt(condition.get('snr_db'), '.0f')} dB over the pauses, "
            f"{_fmt(condition.get('high_band_db'), '.0f')} dB above 4 kHz, RT60 about "
            f"{_fmt(condition.get('rt60_s'), '.1f')} s"
            + (f" ({'; '.join(condition['flags'])})" if condition.get("flags") else "")
        )
    lines.extend(f"note: {note}" for note in report.notes or [])
    return lines
