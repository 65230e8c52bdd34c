"""The panel imports in a stock Maya: a Qt binding on the path and no top-level ``Qt`` module (Maya ships none)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("PySide6", reason="needs PySide6 (pip install '.[ui]')")

SCRIPT = r"""
import importlib, importlib.abc, pkgutil, sys

class NoTopLevelQt(importlib.abc.MetaPathFinder):
    # Stock Maya: PySide2/PySide6 are there, Qt.py is not.
    def find_spec(self, name, path=None, target=None):
        if name == "Qt" or name.startswith("Qt."):
            raise ModuleNotFoundError("No module named 'Qt'")
        return None

sys.meta_path.insert(0, NoTopLevelQt())
sys.path.insert(0, sys.argv[1])
import audio2face_maya.ui as ui
names = [m.name for m in pkgutil.walk_packages(ui.__path__, "audio2face_maya.ui.")]
for name in names:
    if name.endswith(".__main__"):
        continue
    importlib.import_module(name)
from audio2face_maya.vendor.Qt import QtWidgets
from audio2face_maya.ui.panel import Audio2FacePanel
app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
panel = Audio2FacePanel()
panel.show()
app.processEvents()
print("binding", __import__("audio2face_maya.vendor.Qt", fromlist=["Qt"]).__binding__, "modules", len(names))
"""


def test_whole_panel_imports_and_opens_without_a_top_level_qt_module() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT / "scripts")], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "binding PySide" in result.stdout
