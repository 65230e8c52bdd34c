"""The QC section of the Generate tab: the previewed shot's QC figures in plain words, and its picture.

The figures come from ``audio2face.qc.qc_report``, computed in the generation's worker thread by
:func:`measure`. The picture is drawn here with Qt's painter from the report's series (:class:`QcPlot`:
the layers and colours of ``audio2face.qc_plot``'s PNG), so it follows the panel's width and needs no
plotting library inside Maya.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.progress import CancelToken
from audio2face.qc_report import MIN_OFFSET_CONFIDENCE, QcReport

from audio2face_maya.vendor.Qt import QtCore, QtGui, QtWidgets

from .form_rows import row

logger = logging.getLogger(__name__)

QC_FILTER = "QC report (*.json);;All files (*)"
PLACEHOLDER = "Generate a preview to see its QC figures here."


@dataclasses.dataclass
class ShotQc:
    """One shot's QC report, or why there is none.

    Attributes:
        report: ``audio2face.qc.qc_report``'s report (with its series), or ``None``.
        error: Why there is no report, in plain words.
    """

    report: Optional[QcReport] = None
    error: Optional[str] = None


def measure(audio: Union[str, Any], curves: Curves, cancel: Optional[CancelToken] = None,
            transcript: Optional[str] = None) -> ShotQc:
    """QC of previewed curves against their audio (worker thread). A QC problem never fails the generation.

    Args:
        audio: The audio file, or the ``pipeline.Prediction`` the curves came from (its decoded samples are
            used: the audio is not decoded again).
        curves: The previewed curves.
        cancel: Stops the work.
        transcript: The line's text: the lips-at-bilabials check aligns the phones to it.

    Raises:
        Cancelled: ``cancel`` was set.
    """
    from audio2face.qc import qc_report

    audio_name = getattr(audio, "audio_name", audio)
    try:
        report = qc_report(audio, curves, name=Path(str(audio_name)).stem, cancel=cancel, transcript=transcript)
    except Audio2FaceError as exc:
        return ShotQc(error=str(exc))
    return ShotQc(report)


def _seconds(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.2f} s"


def silence_text(report: QcReport) -> str:
    """Mouth open in silence, in plain words (with the scene frames of each flagged span)."""
    silence = report.silence or {}
    if silence.get("max_open") is None:
        return f"not checked: {silence.get('note') or 'no silence long enough to check'}"
    spans = silence.get("spans") or []
    if not spans:
        return (f"none: the mouth stays under {silence.get('threshold', 0):g} in the "
                f"{_seconds(silence.get('checked_seconds'))} of silence checked")
    frames = ", ".join(f"{span['start_frame']:g}-{span['end_frame']:g}" for span in spans[:6])
    more = f" and {len(spans) - 6} more" if len(spans) > 6 else ""
    return (f"{len(spans)} span{'s' if len(spans) != 1 else ''}, {_seconds(silence.get('flagged_seconds'))} "
            f"above {silence.get('threshold', 0):g} (max {silence.get('max_open', 0):.2f}) at frames {frames}{more}")


def offset_text(report: QcReport) -> str:
    """The audio/mouth offset estimate with its confidence, in plain words."""
    offset = report.offset or {}
    if offset.get("offset_ms") is None:
        return f"not measured ({offset.get('reason', 'nothing to correlate')})"
    ms = float(offset["offset_ms"])
    side = "later" if ms > 0 else "earlier"
    confidence = float(offset.get("confidence") or 0.0)
    text = f"{ms:+.0f} ms (mouth {side} than the audio), confidence {confidence:.2f}"
    minimum = float((report.settings or {}).get("min_offset_confidence", MIN_OFFSET_CONFIDENCE))
    if confidence < minimum:
        text += " - too uncertain to count"
    elif any(flag.startswith("mouth ") and "than the audio" in flag for flag in report.flags):
        text += f"; a time offset of {float(offset.get('suggested_time_offset_ms') or -ms):+.0f} ms would undo it"
    return text


def keys_text(report: QcReport) -> str:
    """Keys per second, or that every frame is keyed."""
    keys = report.keys
    if not keys:
        return "a key on every frame (key reduction off)"
    return (f"{keys.get('keys_per_second', 0):.1f} keys/s ({keys.get('keys_per_second_per_channel', 0):.2f}/s per "
            f"channel, {100 * (keys.get('fraction_of_dense') or 0):.0f}% of a key on every frame)")


def headline(report: QcReport) -> str:
    """Score and flags on one line."""
    flags: List[str] = list(report.flags)
    return f"Score {report.score:.0f}/100: " + ("; ".join(flags) if flags else "nothing flagged")


def _colour(rgb: Tuple[int, int, int]) -> QtGui.QColor:
    return QtGui.QColor(*rgb)


class QcPlot(QtWidgets.QWidget):
    """The waveform over speech and silence, the jaw-open channel with the flagged spans, and the other
    mouth channels, painted from a report's series."""

    PANELS = (("waveform", 2), ("jaw", 3), ("mouth", 3))
    TITLE = 16
    LEFT, RIGHT = 36, 8

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self._report: Optional[QcReport] = None
        self.setMinimumHeight(320)

    def set_report(self, report: Optional[QcReport]) -> None:
        """Draw ``report`` (``None`` or a report without series: nothing)."""
        self._report = report if report is not None and report.series is not None else None
        self.setVisible(self._report is not None)
        self.update()

    def has_picture(self) -> bool:
        """Whether a report is drawn."""
        return self._report is not None

    def panel_rects(self) -> Dict[str, QtCore.QRectF]:
        """Where each panel's plot area is, in widget coordinates."""
        total = sum(weight for _, weight in self.PANELS)
        height = max(self.height() - len(self.PANELS) * self.TITLE - 20, 30)
        y = 0.0
        rects = {}
        for name, weight in self.PANELS:
            y += self.TITLE
            h = height * weight / total
            rects[name] = QtCore.QRectF(self.LEFT, y, max(self.width() - self.LEFT - self.RIGHT, 10), h)
            y += h
        return rects

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        """Paint the three panels."""
        from audio2face import qc_plot

        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        report = self._report
        if report is None or report.series is None:
            painter.end()
            return
        series = report.series
        fps = float(series.fps)
        frames = int(series.silent.size)
        seconds = max(frames / fps, 1e-6)
        rects = self.panel_rects()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)

        def x_of(rect: QtCore.QRectF, t: float) -> float:
            return rect.left() + rect.width() * min(max(t / seconds, 0.0), 1.0)

        def spans(rect: QtCore.QRectF, mask: np.ndarray, colour: Tuple[int, int, int]) -> None:
            for start, end in qc_plot.mask_spans(mask):
                left, right = x_of(rect, start / fps), x_of(rect, end / fps)
                painter.fillRect(QtCore.QRectF(left, rect.top(), max(right - left, 1.0), rect.height()),
                                 _colour(colour))

        def curve(rect: QtCore.QRectF, values: np.ndarray, low: float, high: float,
                  colour: Tuple[int, int, int], width: float = 1.0) -> None:
            pen = QtGui.QPen(_colour(colour))
            pen.setWidthF(width)
            painter.setPen(pen)
            span = max(high - low, 1e-9)
            path = QtGui.QPainterPath()
            drawing = False
            for i, value in enumerate(np.asarray(values, dtype=np.float64)):
                if not np.isfinite(value):
                    drawing = False
                    continue
                point = QtCore.QPointF(x_of(rect, i / fps), rect.bottom() - (value - low) / span * rect.height())
                if drawing:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                    drawing = True
            painter.drawPath(path)

        def title(rect: QtCore.QRectF, text: str) -> None:
            painter.setPen(self.palette().text().color())
            painter.drawText(QtCore.QPointF(rect.left(), rect.top() - 4), text)

        wave = rects["waveform"]
        painter.fillRect(wave, _colour(qc_plot.SPEECH_BG))
        spans(wave, series.silent, qc_plot.SILENCE_BG)
        columns = max(int(wave.width()), 1)
        low, high = qc_plot.waveform_envelope(series.samples, series.sample_rate, columns)
        peak = float(np.nanmax(np.abs(np.concatenate([low, high])))) if np.isfinite(low).any() else 0.0
        if peak > 0:
            painter.setPen(_colour(qc_plot.WAVE))
            audio_seconds = series.samples.size / series.sample_rate
            middle, half = wave.center().y(), wave.height() / 2
            for column in range(columns):
                if np.isfinite(low[column]):
                    x = x_of(wave, (column + 0.5) / columns * audio_seconds)
                    painter.drawLine(QtCore.QPointF(x, middle - high[column] / peak * half),
                                     QtCore.QPointF(x, middle - low[column] / peak * half))
        title(wave, "Audio and voice activity: speech = green, silence = grey")

        jaw_rect = rects["jaw"]
        spans(jaw_rect, series.checked, qc_plot.CHECKED_BG)
        spans(jaw_rect, series.flagged, qc_plot.FLAG_BG)
        j_low, j_high = qc_plot._value_range(series.jaw, series.reference_jaw)
        threshold = float((report.silence or {}).get("threshold") or 0.0)
        pen = QtGui.QPen(_colour(qc_plot.THRESHOLD))
        pen.setStyle(QtCore.Qt.PenStyle.DashLine)
        painter.setPen(pen)
        y = jaw_rect.bottom() - (threshold - j_low) / max(j_high - j_low, 1e-9) * jaw_rect.height()
        painter.drawLine(QtCore.QPointF(jaw_rect.left(), y), QtCore.QPointF(jaw_rect.right(), y))
        if series.reference_jaw is not None:
            curve(jaw_rect, series.reference_jaw, j_low, j_high, qc_plot.REFERENCE)
        if series.jaw is not None:
            curve(jaw_rect, series.jaw, j_low, j_high, qc_plot.JAW, 1.5)
            curve(jaw_rect, np.where(series.flagged, series.jaw, np.nan), j_low, j_high, qc_plot.FLAG, 2.5)
        title(jaw_rect, f"Jaw open ({report.jaw_channel or 'none'}): red = open in silence, dashed = threshold")

        mouth_rect = rects["mouth"]
        moving = qc_plot.moving_mouth_channels(series)
        mouth = np.asarray(series.mouth, dtype=np.float64).reshape(frames, -1)
        m_low, m_high = qc_plot._value_range(mouth[:, moving] if moving else None)
        for rank, column in enumerate(moving):
            curve(mouth_rect, mouth[:, column], m_low, m_high, qc_plot.PALETTE[rank])
        title(mouth_rect, f"Other mouth channels ({len(moving)} moving): "
              + ", ".join(series.mouth_names[c] for c in moving[:5]))
        painter.setPen(self.palette().mid().color())
        for rect in rects.values():
            painter.drawRect(rect)
        painter.end()


class QcView(QtWidgets.QWidget):
    """Shows a :class:`ShotQc`: score, flagged silences, offset estimate, keys per second and the picture.

    Signals:
        changed(str): the short title for the tab ("QC 97/100", or "QC" when empty).
    """

    changed = QtCore.Signal(str)

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self._qc = ShotQc()
        self.headline = QtWidgets.QLabel(PLACEHOLDER)
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.fields: Dict[str, QtWidgets.QLabel] = {}
        form = QtWidgets.QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        for key, label in (("silence", "Mouth open in silence"), ("offset", "Audio/mouth offset"),
                           ("keys", "Keys"), ("speech", "Speech")):
            value = QtWidgets.QLabel("")
            value.setWordWrap(True)
            value.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(label, value)
        self.save_button = QtWidgets.QPushButton("Save report...")
        self.save_button.setToolTip("Write the QC report as JSON with its PNG beside it.")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(lambda *_: self._save_dialog())
        self.picture = QcPlot()
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(row(self.headline, self.save_button))
        layout.addLayout(form)
        layout.addWidget(self.picture, 1)
        self.set_qc(None)

    def qc(self) -> ShotQc:
        """What is shown."""
        return self._qc

    def report(self) -> Optional[QcReport]:
        """The report shown, if any."""
        return self._qc.report

    def title(self) -> str:
        """The tab title: the score when there is a report."""
        report = self._qc.report
        return f"QC {report.score:.0f}/100" if report else "QC"

    def set_qc(self, qc: Optional[ShotQc]) -> None:
        """Show ``qc`` (``None`` clears the view)."""
        self._qc = qc or ShotQc()
        report = self._qc.report
        self.save_button.setEnabled(report is not None)
        if report is None:
            self.headline.setText(f"No QC report: {self._qc.error}" if self._qc.error else PLACEHOLDER)
            for value in self.fields.values():
                value.setText("")
        else:
            vad = report.vad or {}
            self.headline.setText(headline(report))
            self.fields["silence"].setText(silence_text(report))
            self.fields["offset"].setText(offset_text(report))
            self.fields["keys"].setText(keys_text(report))
            self.fields["speech"].setText(
                f"{_seconds(vad.get('speech_seconds'))} of speech, {_seconds(vad.get('silence_seconds'))} of silence")
        self.picture.set_report(report)
        self.changed.emit(self.title())

    def picture_size(self) -> QtCore.QSize:
        """The size the picture is shown at (empty when there is none)."""
        return self.picture.size() if self.picture.has_picture() else QtCore.QSize()

    def save(self, path: str) -> Path:
        """Write the report's JSON to ``path`` and its PNG beside it; returns the JSON path."""
        from audio2face.qc import write_qc

        if self._qc.report is None:
            raise Audio2FaceError("no QC report to save: generate a preview first")
        json_path, _ = write_qc(self._qc.report, path)
        return json_path

    def _save_dialog(self) -> None:
        from .messages import plain_message

        report = self._qc.report
        if report is None:
            return
        start = f"{report.shot or 'shot'}_qc.json"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save QC report", start, QC_FILTER)
        if not path:
            return
        if not path.lower().endswith(".json"):
            path += ".json"
        try:
            written = self.save(path)
        except (Audio2FaceError, OSError) as exc:
            self.headline.setText(f"Not saved: {plain_message(exc)}")
            return
        self.headline.setText(f"{headline(report)} (saved to {written.name} and its picture)")
