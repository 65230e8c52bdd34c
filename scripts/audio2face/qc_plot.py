"""The QC picture of a shot, drawn with matplotlib (an optional extra: ``pip install '.[qc]'``).

From top to bottom: the figures as text, the waveform over speech (green) and silence (grey), the
jaw-open channel (black; the reference's in blue) with the open-in-silence threshold (dashed orange), the
checked silence shaded grey and the flagged spans in red (with a marker atop the panel, so short spans
show on long clips), then the other mouth channels; one time axis in seconds. Without matplotlib,
:func:`plain_text` gives the same figures as text (``qc.write_qc`` writes that instead). The panel draws
the same layers with Qt's painter (``audio2face_maya.ui.qc_view``), from the same colours and
:func:`waveform_envelope`.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import textwrap
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from .errors import Audio2FaceError
from .qc_report import QcReport, QcSeries, summary_lines

logger = logging.getLogger(__name__)

Colour = Tuple[int, int, int]

WIDTH = 1600
"""Width of the PNG in pixels."""
DPI = 100
TEXT: Colour = (25, 25, 25)
SPEECH_BG: Colour = (220, 243, 220)
SILENCE_BG: Colour = (228, 228, 228)
CHECKED_BG: Colour = (238, 238, 238)
WAVE: Colour = (55, 85, 140)
JAW: Colour = (20, 20, 20)
REFERENCE: Colour = (70, 130, 220)
THRESHOLD: Colour = (235, 140, 0)
FLAG: Colour = (215, 25, 30)
FLAG_BG: Colour = (255, 214, 214)
PALETTE: Tuple[Colour, ...] = (
    (31, 119, 180), (44, 160, 44), (148, 103, 189), (140, 86, 75), (227, 119, 194),
    (127, 127, 127), (188, 189, 34), (23, 190, 207), (255, 160, 60), (90, 90, 200),
)
"""Mouth-channel colours (none is ``FLAG``)."""
MOUTH_CURVES = len(PALETTE)
"""The most active mouth channels drawn."""


def plotting_available() -> bool:
    """Whether matplotlib is installed (then :func:`render_png` works)."""
    return importlib.util.find_spec("matplotlib") is not None


def _rgb(colour: Colour) -> Tuple[float, float, float]:
    return colour[0] / 255.0, colour[1] / 255.0, colour[2] / 255.0


def mask_spans(mask: np.ndarray) -> List[Tuple[int, int]]:
    """[start, end) frame runs where ``mask`` is True."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def waveform_envelope(samples: np.ndarray, sample_rate: float, columns: int) -> Tuple[np.ndarray, np.ndarray]:
    """Per-column (min, max) of the samples over ``columns`` equal slices of the clip (NaN for empty slices)."""
    samples = np.asarray(samples, dtype=np.float32)
    columns = max(int(columns), 1)
    edges = np.linspace(0, samples.size, columns + 1).astype(np.int64)
    low = np.full(columns, np.nan)
    high = np.full(columns, np.nan)
    for column in range(columns):
        piece = samples[edges[column] : edges[column + 1]]
        if piece.size:
            low[column], high[column] = float(piece.min()), float(piece.max())
    return low, high


def moving_mouth_channels(series: QcSeries) -> List[int]:
    """Columns of ``series.mouth`` that move, most active first (at most ``MOUTH_CURVES``)."""
    mouth = np.asarray(series.mouth, dtype=np.float64).reshape(series.silent.size, -1)
    if not mouth.size:
        return []
    order = np.argsort(-mouth.std(axis=0))
    return [int(c) for c in order if np.ptp(mouth[:, c]) > 1e-3][:MOUTH_CURVES]


def _series(report: QcReport) -> QcSeries:
    if report.series is None:
        raise Audio2FaceError("this report has no plot data; make it with qc_report to draw it")
    return report.series


def figure(report: QcReport, width: int = WIDTH) -> Any:
    """The report's picture as a matplotlib ``Figure`` (no pyplot: safe in a worker thread).

    Raises:
        Audio2FaceError: the report has no series.
    """
    from matplotlib.figure import Figure

    series = _series(report)
    fps = float(series.fps)
    frames = int(series.silent.size)
    seconds = frames / fps
    times = np.arange(frames) / fps
    chars = max(int(width / 7.2), 40)
    lines: List[str] = []
    for line in summary_lines(report):
        lines.extend(textwrap.wrap(line, chars, subsequent_indent="  ") or [""])
    text_inches = 0.2 * (len(lines) + 1)
    fig = Figure(figsize=(width / DPI, text_inches + 7.5), dpi=DPI)
    fig.text(0.006, 1 - 0.1 / (text_inches + 7.5), "\n".join(lines), va="top", ha="left", family="monospace",
             fontsize=9, color=_rgb(TEXT))
    top = 1 - (text_inches + 0.2) / (text_inches + 7.5)
    grid = fig.add_gridspec(3, 1, top=top, bottom=0.06, left=0.05, right=0.99, hspace=0.45, height_ratios=[2, 3, 3])
    wave_ax, jaw_ax, mouth_ax = (fig.add_subplot(grid[i]) for i in range(3))
    jaw_ax.sharex(wave_ax)
    mouth_ax.sharex(wave_ax)
    wave_ax.set_xlim(0, max(seconds, 1.0 / fps))

    # waveform over speech / silence
    wave_ax.set_facecolor(_rgb(SPEECH_BG))
    _shade(wave_ax, series.silent, fps, SILENCE_BG)
    columns = max(width - 100, 100)
    low, high = waveform_envelope(series.samples, series.sample_rate, columns)
    peak = float(np.nanmax(np.abs(np.concatenate([low, high])))) if np.isfinite(low).any() else 0.0
    column_times = (np.arange(columns) + 0.5) / columns * (series.samples.size / series.sample_rate)
    if peak > 0:
        wave_ax.fill_between(column_times, low / peak, high / peak, color=_rgb(WAVE), lw=0)
    peak_db = 20 * np.log10(peak) if peak > 0 else float("-inf")
    wave_ax.set_ylim(-1.05, 1.05)
    wave_ax.set_title(f"audio (peak {peak_db:.1f} dBFS) and voice activity: speech = green, silence = grey",
                      loc="left", fontsize=9)

    # jaw open, checked silence, flagged spans, threshold, reference
    _shade(jaw_ax, series.checked, fps, CHECKED_BG)
    _shade(jaw_ax, series.flagged, fps, FLAG_BG)
    centres = [(start + end) / 2 / fps for start, end in mask_spans(series.flagged)]
    if centres:  # a marker atop the panel per flagged span, so short spans show on long clips
        jaw_ax.plot(centres, [0.97] * len(centres), ls="none", marker="v", ms=7, color=_rgb(FLAG),
                    transform=jaw_ax.get_xaxis_transform(), clip_on=False)
    threshold = float((report.silence or {}).get("threshold") or 0.0)
    jaw_ax.axhline(threshold, color=_rgb(THRESHOLD), ls="--", lw=1)
    if series.reference_jaw is not None:
        ref = np.asarray(series.reference_jaw, dtype=np.float64)
        jaw_ax.plot(times[: ref.size], ref, color=_rgb(REFERENCE), lw=1)
    if series.jaw is not None:
        jaw = np.asarray(series.jaw, dtype=np.float64)
        jaw_ax.plot(times, jaw, color=_rgb(JAW), lw=1.5)
        flagged_jaw = np.where(series.flagged, jaw, np.nan)
        jaw_ax.plot(times, flagged_jaw, color=_rgb(FLAG), lw=2)
    title = f"jaw open ({report.jaw_channel or 'none'}); red = open in silence, dashed = threshold"
    if series.reference_jaw is not None:
        title += ", blue = reference"
    jaw_ax.set_title(title, loc="left", fontsize=9)
    jaw_ax.set_ylim(*_value_range(series.jaw, series.reference_jaw))

    # the other mouth channels
    moving = moving_mouth_channels(series)
    mouth = np.asarray(series.mouth, dtype=np.float64).reshape(frames, -1)
    names: Sequence[str] = series.mouth_names
    for rank, column in enumerate(moving):
        label = str(names[column]) if column < len(names) else f"#{column}"
        mouth_ax.plot(times, mouth[:, column], color=_rgb(PALETTE[rank]), lw=1, label=label)
    if moving:
        mouth_ax.legend(loc="upper right", fontsize=7, ncol=min(len(moving), 5), frameon=False)
    mouth_ax.set_ylim(*_value_range(mouth[:, moving] if moving else None))
    mouth_ax.set_title(f"other mouth channels ({len(moving)} moving)", loc="left", fontsize=9)
    mouth_ax.set_xlabel("seconds")
    for ax in (wave_ax, jaw_ax, mouth_ax):
        ax.tick_params(labelsize=8)
        ax.grid(True, axis="x", color="0.87", lw=0.6)
    return fig


def _shade(ax: Any, mask: np.ndarray, fps: float, colour: Colour) -> None:
    """Shade the full height of ``ax`` over the frame runs of ``mask`` (one collection, not a patch per run)."""
    spans = [(start / fps, (end - start) / fps) for start, end in mask_spans(mask)]
    if spans:
        ax.broken_barh(spans, (0, 1), transform=ax.get_xaxis_transform(), color=_rgb(colour), lw=0, zorder=0)


def _value_range(*arrays: Optional[np.ndarray]) -> Tuple[float, float]:
    values = [np.asarray(a, dtype=np.float64) for a in arrays if a is not None and np.size(a)]
    values = [v[np.isfinite(v)] for v in values]
    low = min([0.0] + [float(v.min()) for v in values if v.size])
    high = max([1.0] + [float(v.max()) for v in values if v.size])
    return low - 0.02 * (high - low), high + 0.02 * (high - low)


def render_png(report: QcReport, width: int = WIDTH) -> bytes:
    """The report's picture as PNG bytes, ``width`` pixels wide.

    Raises:
        Audio2FaceError: no series, or matplotlib is not installed.
    """
    if not plotting_available():
        raise Audio2FaceError("drawing the QC picture needs matplotlib (pip install '.[qc]')")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = figure(report, width)
    canvas = FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    canvas.print_png(buffer, metadata={"Software": "audio2face qc"})
    return buffer.getvalue()


def plain_text(report: QcReport) -> str:
    """The picture's content as plain text: the figures, the speech/silence segments and the flagged spans."""
    series = _series(report)
    lines = list(summary_lines(report))
    lines.append("")
    lines.append("segments (seconds):")
    for segment in (report.vad or {}).get("segments") or []:
        lines.append(f"  {segment['kind']:<8} {segment['start_s']:8.2f} - {segment['end_s']:8.2f}")
    spans = (report.silence or {}).get("spans") or []
    lines.append(f"mouth open in silence, {len(spans)} span{'s' if len(spans) != 1 else ''} (scene frames):")
    for span in spans:
        lines.append(f"  {span['start_frame']:g}-{span['end_frame']:g} ({span['start_s']:.2f}-{span['end_s']:.2f} s), "
                     f"max {span['max_open']:.2f}")
    moving = moving_mouth_channels(series)
    lines.append("most active mouth channels: " + (", ".join(series.mouth_names[c] for c in moving) or "none"))
    return "\n".join(lines) + "\n"
