"""Train tab: the dataset check runs off the UI thread and writes its report to the log."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest_plugins = ["ui_conftest"]


def test_check_button_reports_a_static_clip(qtbot, ui_store, tmp_path):
    from audio2face.dataset import write_clip
    from audio2face_maya.ui.train_tab import TrainTab
    from conftest import speech_like

    folder = tmp_path / "data"
    write_clip(folder, "still", audio=speech_like(1.0, 16000), sample_rate=16000,
               weights=np.zeros((30, 2), np.float32), names=["a", "b"], fps=30.0)
    tab = TrainTab(ui_store)
    qtbot.addWidget(tab)
    tab.add_datasets([str(folder)])
    with qtbot.waitSignal(tab.check_datasets().finished, timeout=60000):
        pass
    qtbot.waitUntil(lambda: "still: no channel moves" in tab.log_view.toPlainText(), timeout=5000)
    assert tab.check_button.isEnabled()
    # the static clip, and (with the phones extra) no phones of any viseme
    assert re.fullmatch(r"dataset check: \d+ problems?", tab.message.text())


def test_check_without_datasets_says_so(qtbot, ui_store):
    from audio2face_maya.ui.train_tab import TrainTab

    tab = TrainTab(ui_store)
    qtbot.addWidget(tab)
    for i in reversed(range(tab.dataset_list.count())):
        tab.dataset_list.takeItem(i)
    with pytest.raises(Exception, match="add at least one dataset folder"):
        tab.check_datasets()
