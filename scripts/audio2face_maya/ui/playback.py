"""Play the clip in the panel with a cursor over the curves (outside Maya; in Maya the time slider does it).

Sound comes from ``sounddevice`` (the ``live`` extra) when it and an output device are there; PySide6-Essentials
has no QtMultimedia. Without sound the cursor still runs at real time, and the note says why it is silent.
"""

from __future__ import annotations

import logging
import time
from typing import Any, List, Optional

from audio2face_maya.vendor.Qt import QtCore, QtWidgets

from .curve_plot import CurvePlot

logger = logging.getLogger(__name__)

TICK_MS = 33


def _sound_output() -> Any:
    """The ``sounddevice`` module when it can play here, else the reason it cannot (a string)."""
    try:
        import sounddevice  # optional extra
    except (ImportError, OSError) as exc:  # OSError: PortAudio library not found
        return f"no sound output ({exc}); install the 'live' extra and PortAudio to hear it"
    try:
        sounddevice.query_devices(kind="output")
    except Exception as exc:  # noqa: BLE001 - any PortAudio failure means "no device"
        return f"no sound output device ({exc})"
    return sounddevice


class Playback(QtWidgets.QWidget):
    """A Play/Stop button that runs a cursor over ``plot`` at real time, with the audio when it can."""

    def __init__(self, plot: CurvePlot, in_maya: bool, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.plot = plot
        self.in_maya = in_maya
        self.audio: Optional[str] = None
        self.button = QtWidgets.QPushButton("Play")
        self.button.setObjectName("playButton")
        self.button.setCheckable(True)
        self.button.toggled.connect(self._toggled)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._started = 0.0
        self._sound: Any = None
        if in_maya:
            self.button.setVisible(False)
            self.setToolTip("In Maya, play or scrub the time slider: Apply puts the audio on it.")
        self.button.setEnabled(False)

    def focus_chain(self) -> List[QtWidgets.QWidget]:
        """Widgets that take keyboard focus, in order."""
        return [self.button]

    def set_audio(self, path: Optional[str]) -> None:
        """The clip to play."""
        self.stop()
        self.audio = path
        self.set_ready(False)

    def set_ready(self, ready: bool) -> None:
        """Play is offered only while the preview shows the clip's curves."""
        self.button.setEnabled(ready and bool(self.audio) and not self.in_maya)
        if not ready:
            self.stop()

    def playing(self) -> bool:
        """Whether the cursor runs."""
        return self._timer.isActive()

    def stop(self) -> None:
        """Stop the cursor and the sound."""
        if self.button.isChecked():
            self.button.setChecked(False)
        else:
            self._halt()

    def _toggled(self, on: bool) -> None:
        if on:
            self._start()
        else:
            self._halt()

    def _start(self) -> None:
        curves = self.plot.curves()
        if curves is None or not self.audio:
            self.button.setChecked(False)
            return
        sound = _sound_output()
        if isinstance(sound, str):
            self._say(f"Silent: {sound}. The cursor shows the timing.")
            self._sound = None
        else:
            try:
                import soundfile

                samples, rate = soundfile.read(self.audio, dtype="float32", always_2d=False)
                sound.play(samples, rate)
                self._sound = sound
                self._say("")
            except Exception as exc:  # noqa: BLE001 - playing is a convenience; the cursor still runs
                logger.info("cannot play %s: %s", self.audio, exc)
                self._say(f"Silent: cannot play the audio ({exc}). The cursor shows the timing.")
                self._sound = None
        self._started = time.monotonic()
        self.button.setText("Stop")
        self._timer.start()
        self._tick()

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))
        self.button.setToolTip(text or "Play the clip with a cursor over the curves.")

    def _halt(self) -> None:
        self._timer.stop()
        self.button.setText("Play")
        if self._sound is not None:
            try:
                self._sound.stop()
            except Exception as exc:  # noqa: BLE001
                logger.info("stopping playback: %s", exc)
            self._sound = None
        self.plot.set_cursor(None)

    def _tick(self) -> None:
        curves = self.plot.curves()
        if curves is None:
            self.stop()
            return
        seconds = time.monotonic() - self._started
        if seconds * curves.fps >= curves.frame_count:
            self.stop()
            return
        self.plot.set_cursor(curves.start_frame + seconds * curves.fps)
