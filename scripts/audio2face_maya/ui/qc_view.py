"""The QC section of the Generate tab: the previewed shot's QC figures in plain words, and its picture.

The figures come from ``audio2face.qc.qc_report`` and the picture from ``audio2face.qc_plot.render`` (numpy
only), both computed in the generation's worker thread by :func:`measure`; the widget only shows them.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.progress import CancelToken

from audio2face_maya.vendor.Qt import QtCore, QtGui, QtWidgets

from .form_rows import row

logger = logging.getLogger(__name__)

QC_FILTER = "QC report (*.json);;All files (*)"
PLACEHOLDER = "Generate a preview to see its QC figures here."


@dataclasses.dataclass
class ShotQc:
    """One shot's QC: the report and its picture, or why there is none.

    Attributes:
        report: ``audio2face.qc.qc_report``'s dict (with its plot data), or ``None``.
        image: The picture's plots as RGB uint8 (height, width, 3), without the text lines the view shows
            itself; ``None`` when there is no report.
        error: Why there is no report, in plain words.
    """

    report: Optional[Dict[str, Any]] = None
    image: Optional[np.ndarray] = None
    error: Optional[str] = None


def measure(audio: str, curves: Curves, cancel: Optional[CancelToken] = None) -> ShotQc:
    """QC of previewed curves against their audio (worker thread). A QC problem never fails the generation.

    Raises:
        Cancelled: ``cancel`` was set.
    """
    from audio2face.qc import qc_report
    from audio2face.qc_plot import LINE, render

    try:
        report = qc_report(audio, curves, name=Path(audio).stem, cancel=cancel)
        image, layout = render(report)
    except Audio2FaceError as exc:
        return ShotQc(error=str(exc))
    first_panel = min(top for top, _ in layout.panels.values())
    return ShotQc(report, image[max(first_panel - LINE, 0):])


def _seconds(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.2f} s"


def silence_text(report: Dict[str, Any]) -> str:
    """Mouth open in silence, in plain words (with the scene frames of each flagged span)."""
    silence = report.get("silence") or {}
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


def offset_text(report: Dict[str, Any]) -> str:
    """The audio/mouth offset estimate with its confidence, in plain words."""
    offset = report.get("offset") or {}
    if offset.get("offset_ms") is None:
        return f"not measured ({offset.get('reason', 'nothing to correlate')})"
    ms = float(offset["offset_ms"])
    side = "later" if ms > 0 else "earlier"
    confidence = float(offset.get("confidence") or 0.0)
    text = f"{ms:+.0f} ms (mouth {side} than the audio), confidence {confidence:.2f}"
    minimum = float((report.get("settings") or {}).get("min_offset_confidence", 0.1))
    if confidence < minimum:
        text += " - too uncertain to count"
    elif any(flag.startswith("mouth ") and "than the audio" in flag for flag in report.get("flags") or []):
        text += f"; a time offset of {float(offset.get('suggested_time_offset_ms') or -ms):+.0f} ms would undo it"
    return text


def keys_text(report: Dict[str, Any]) -> str:
    """Keys per second, or that every frame is keyed."""
    keys = report.get("keys")
    if not keys:
        return "a key on every frame (key reduction off)"
    return (f"{keys.get('keys_per_second', 0):.1f} keys/s ({keys.get('keys_per_second_per_channel', 0):.2f}/s per "
            f"channel, {100 * (keys.get('fraction_of_dense') or 0):.0f}% of a key on every frame)")


def headline(report: Dict[str, Any]) -> str:
    """Score and flags on one line."""
    flags: List[str] = list(report.get("flags") or [])
    return f"Score {report.get('score', 0):.0f}/100: " + ("; ".join(flags) if flags else "nothing flagged")


class QcView(QtWidgets.QWidget):
    """Shows a :class:`ShotQc`: score, flagged silences, offset estimate, keys per second and the picture.

    Signals:
        changed(str): the short title for the tab ("QC 97/100", or "QC" when empty).
    """

    changed = QtCore.Signal(str)

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self._qc = ShotQc()
        self._pixmap: Optional[QtGui.QPixmap] = None
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
        self.picture = QtWidgets.QLabel()
        self.picture.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.picture)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(row(self.headline, self.save_button))
        layout.addLayout(form)
        layout.addWidget(self.scroll, 1)
        self.set_qc(None)

    def qc(self) -> ShotQc:
        """What is shown."""
        return self._qc

    def report(self) -> Optional[Dict[str, Any]]:
        """The report shown, if any."""
        return self._qc.report

    def title(self) -> str:
        """The tab title: the score when there is a report."""
        report = self._qc.report
        return f"QC {report.get('score', 0):.0f}/100" if report else "QC"

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
            vad = report.get("vad") or {}
            self.headline.setText(headline(report))
            self.fields["silence"].setText(silence_text(report))
            self.fields["offset"].setText(offset_text(report))
            self.fields["keys"].setText(keys_text(report))
            self.fields["speech"].setText(
                f"{_seconds(vad.get('speech_seconds'))} of speech, {_seconds(vad.get('silence_seconds'))} of silence")
        self._pixmap = self._to_pixmap(self._qc.image)
        self._fit_picture()
        self.changed.emit(self.title())

    @staticmethod
    def _to_pixmap(image: Optional[np.ndarray]) -> Optional[QtGui.QPixmap]:
        if image is None:
            return None
        rgb = np.ascontiguousarray(image, dtype=np.uint8)
        height, width = rgb.shape[:2]
        qimage = QtGui.QImage(rgb.tobytes(), width, height, 3 * width, QtGui.QImage.Format.Format_RGB888)
        return QtGui.QPixmap.fromImage(qimage.copy())

    def picture_size(self) -> QtCore.QSize:
        """The size the picture is shown at (empty when there is none)."""
        pixmap = self.picture.pixmap()
        return pixmap.size() if pixmap is not None and not pixmap.isNull() else QtCore.QSize()

    def _fit_picture(self) -> None:
        if self._pixmap is None:
            self.picture.clear()
            return
        room = self.scroll.width() - 2 * self.scroll.frameWidth() - self.scroll.verticalScrollBar().sizeHint().width()
        width = max(room - 2, 200)
        self.picture.setPixmap(self._pixmap.scaledToWidth(
            min(width, self._pixmap.width()), QtCore.Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        """Keep the picture as wide as the view."""
        super().resizeEvent(event)
        self._fit_picture()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        """A hidden tab learns its width only when shown."""
        super().showEvent(event)
        self._fit_picture()

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
        start = f"{report.get('shot') or 'shot'}_qc.json"
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
        self.headline.setText(f"{headline(report)} (saved to {written.name} and its .png)")
