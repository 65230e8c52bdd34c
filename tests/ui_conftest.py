"""Fixtures for the panel tests (loaded with ``pytest_plugins = ["ui_conftest"]``): offscreen Qt, a temp
settings file, a tiny model, speech-like audio, drag-and-drop helpers."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import List, Sequence, Tuple  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
for _path in (str(ROOT / "scripts"), str(TESTS)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

pytest.importorskip("audio2face_maya.vendor.Qt", reason="the panel tests need a Qt binding (pip install '.[ui]')")

from audio2face_maya.vendor.Qt import QtCore, QtGui, QtWidgets  # noqa: E402

UI_CHANNELS = ["jawOpen", "mouthFunnel", "mouthSmileLeft", "mouthSmileRight", "mouthClose"]
FAKE_TRAINER = TESTS / "ui_fake_trainer.py"


@pytest.fixture()
def ui_store(tmp_path: Path):
    """Settings in a temp INI file (never the user's)."""
    from audio2face_maya.ui.settings_store import SettingsStore

    return SettingsStore(str(tmp_path / "settings" / "audio2face.ini"))


@pytest.fixture(scope="session")
def ui_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight bundle with ARKit-style channels and an ``open`` emotion preset."""
    from bundle_factory import make_bundle

    return make_bundle(tmp_path_factory.mktemp("ui_model") / "tiny", channels=list(UI_CHANNELS))


def write_speech(path: Path, seconds: float = 1.5, rate: int = 16000) -> Path:
    """A speech-like mono wav."""
    import soundfile as sf
    from conftest import speech_like

    sf.write(str(path), speech_like(seconds, rate, silence=((0.8, 1.1),)), rate, subtype="PCM_16")
    return path


@pytest.fixture(scope="session")
def ui_speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1.5 s of speech-like audio."""
    return write_speech(tmp_path_factory.mktemp("ui_audio") / "line01.wav")


def drop_files(widget: QtWidgets.QWidget, paths: Sequence[object]) -> Tuple[bool, bool]:
    """Drag ``paths`` over ``widget`` and drop them, as a file browser would; returns (enter, drop) accepted."""
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(p)) for p in paths])
    centre = widget.rect().center()
    action = QtCore.Qt.DropAction.CopyAction
    button = QtCore.Qt.MouseButton.LeftButton
    modifiers = QtCore.Qt.KeyboardModifier.NoModifier
    try:  # Qt 6.x takes a QPointF (the QPoint form is deprecated); Qt 5 only a QPoint
        enter = QtGui.QDragEnterEvent(QtCore.QPointF(centre), action, mime, button, modifiers)
    except TypeError:
        enter = QtGui.QDragEnterEvent(centre, action, mime, button, modifiers)
    QtWidgets.QApplication.sendEvent(widget, enter)
    drop = QtGui.QDropEvent(QtCore.QPointF(centre), action, mime, button, modifiers)
    QtWidgets.QApplication.sendEvent(widget, drop)
    return enter.isAccepted(), drop.isAccepted()


def make_generate_tab(qtbot, store, model: Path, host=None, targets: List[str] = None):
    """A Generate tab over a ``FileHost`` with ``model`` selected and live preview off (tests drive it)."""
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.generate_tab import GenerateTab

    host = host or FileHost(target_names=targets)
    store.set("generate/live", False)
    tab = GenerateTab(host, store)
    qtbot.addWidget(tab)
    tab.add_model(str(model))
    return tab


@pytest.fixture()
def drop():
    """``drop(widget, paths)``: drag files onto a widget and drop them."""
    return drop_files


@pytest.fixture()
def fake_trainer() -> Path:
    """The stand-in trainer script."""
    return FAKE_TRAINER


def wait_idle(qtbot, tab, timeout: int = 30000) -> None:
    """Wait until the tab's generation has ended and its thread is gone."""
    qtbot.waitUntil(lambda: tab.job() is None and not tab._jobs, timeout=timeout)


def np_close(a, b, atol: float = 1e-5) -> bool:
    """Arrays equal within ``atol``."""
    return bool(np.allclose(np.asarray(a), np.asarray(b), atol=atol))
