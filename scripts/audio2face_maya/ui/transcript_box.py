"""The Generate tab's Transcript box: the words of the clip's line, for the phone guide to align to.

The label and help come from the schema's ``transcript`` knob (``AnimateSettings.transcript``, the CLI's
``--transcript FILE``); the text typed reaches the pipeline as that file would (``generate_state.transcript_file``).
The transcript is used only with the phone guide on (``guide_strength`` > 0): the box says so, and offers to
turn the guide on. The text belongs to one clip: the tab keeps it per clip (``GenerateTab.load_audio``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import List, Optional

from audio2face.settings_io import KNOBS
from audio2face.text_input import read_text

from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .form_rows import row

logger = logging.getLogger(__name__)

TEXT_FILTER = "Text (*.txt);;All files (*)"
GUIDE_ON_STRENGTH = 1.0
"""What "Turn the phone guide on" sets ``guide_strength`` to (the README's ``--guide-strength 1``)."""


class TranscriptBox(QtWidgets.QWidget):
    """A text box for the line's words, an Open button for a .txt file, Clear, and what the guide does with it.

    Attributes:
        edit: The text (Tab moves on; it does not type a tab).
        open_button: Reads a UTF-8 .txt file into the box.
        clear_button: Empties the box.
        note: Whether the transcript is used (phone guide on or off), and for which clip.
        guide_button: Shown while the phone guide is off: turns it on (``guide_requested``).

    Signals:
        changed(): the text changed.
        guide_requested(): the user asked to turn the phone guide on.
        failed(str): a .txt file could not be read.
    """

    changed = QtCore.Signal()
    guide_requested = QtCore.Signal()
    failed = QtCore.Signal(str)

    def __init__(self, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        knob = KNOBS["transcript"].knob
        guide = KNOBS["guide_strength"].knob
        self.start_dir = ""
        self._guide_label = guide.label
        self._guide_on = False
        self._clip = ""
        self._set_aside = ""
        self.edit = QtWidgets.QPlainTextEdit()
        self.edit.setObjectName("transcript")
        self.edit.setTabChangesFocus(True)
        self.edit.setPlaceholderText("Type or paste the words of this clip's line (optional)")
        self.edit.setAccessibleName(knob.label)
        self.edit.setToolTip(f"The words of the line: {knob.help}. Setting: transcript.")
        lines = self.edit.fontMetrics().lineSpacing()
        self.edit.setFixedHeight(lines * 4 + 12)
        self.edit.textChanged.connect(self._text_changed)
        self.label = QtWidgets.QLabel(f"&{knob.label}")
        self.label.setBuddy(self.edit)
        self.open_button = QtWidgets.QPushButton("Open .txt...")
        self.open_button.setToolTip("Put the text of a UTF-8 .txt file into the box (the CLI's --transcript FILE).")
        self.open_button.clicked.connect(lambda *_: self._browse())
        self.clear_button = QtWidgets.QPushButton("Clear")
        self.clear_button.setToolTip("Empty the box: the phone guide recognises the phones instead.")
        self.clear_button.clicked.connect(lambda *_: self.set_text(""))
        self.note = QtWidgets.QLabel("")
        self.note.setObjectName("transcriptNote")
        self.note.setWordWrap(True)
        self.guide_button = QtWidgets.QPushButton("Turn the phone guide on")
        self.guide_button.setToolTip(f"Set {guide.label} to {GUIDE_ON_STRENGTH:g} under Post-processing.")
        self.guide_button.clicked.connect(lambda *_: self.guide_requested.emit())
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(row(self.label, self.open_button, self.clear_button, stretch=0))
        layout.addWidget(self.edit)
        layout.addWidget(self.note)
        layout.addWidget(row(self.guide_button, stretch=None))
        self._update_note()

    def focus_chain(self) -> List[QtWidgets.QWidget]:
        """Widgets that take keyboard focus, in order."""
        return [self.edit, self.open_button, self.clear_button, self.guide_button]

    def text(self) -> Optional[str]:
        """The line's text as typed, or ``None`` when the box is empty (or only spaces)."""
        text = self.edit.toPlainText()
        return text if text.strip() else None

    def set_text(self, text: str) -> None:
        """Replace the text (emits ``changed`` when it differs)."""
        if text != self.edit.toPlainText():
            self.edit.setPlainText(text)

    def set_clip(self, name: str, set_aside: str = "") -> None:
        """The clip the text belongs to (named in the note); ``set_aside``: the clip whose line was put away."""
        self._clip = name
        self._set_aside = set_aside
        self._update_note()

    def set_guide_on(self, on: bool) -> None:
        """Whether the phone guide is on (the transcript is used only then)."""
        self._guide_on = bool(on)
        self._update_note()

    def load_file(self, path: str) -> None:
        """Put the text of ``path`` into the box (raises ``Audio2FaceError`` for a missing or non-UTF-8 file)."""
        self.set_text(read_text(path, "transcript"))
        self.start_dir = str(Path(path).parent)

    def _browse(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Transcript", self.start_dir, TEXT_FILTER)
        if not path:
            return
        try:
            self.load_file(path)
        except Exception as exc:  # noqa: BLE001 - shown to the user; Audio2FaceError names the file
            self.failed.emit(str(exc))

    def _text_changed(self) -> None:
        self._update_note()
        self.changed.emit()

    def _update_note(self) -> None:
        has_text = self.text() is not None
        clip = f" of {self._clip}" if self._clip else ""
        if not self._guide_on:
            text = (f"Used only with the phone guide on ({self._guide_label} above 0): Generate ignores it now."
                    if has_text else f"The phone guide is off ({self._guide_label} 0): a transcript is used "
                                     "only with it on.")
        elif has_text:
            text = f"The phone guide aligns the phones to this line{clip}."
        else:
            text = "No transcript: the phone guide recognises the phones (it finds fewer lip closures)."
        if self._set_aside:
            text += (f" The line of {self._set_aside} was set aside, not used for {self._clip or 'this clip'}; "
                     "picking that clip again brings it back.")
        else:
            text += " Each clip has its own line: a new clip starts with an empty box."
        self.note.setText(text)
        self.guide_button.setVisible(not self._guide_on)
