"""The panel outside Maya: ``python -m audio2face_maya.ui`` from a speech file to a .ma file."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest_plugins = ["ui_conftest"]


def test_new_user_drops_speech_adjusts_knobs_sees_curves_and_writes_ma(qtbot, tmp_path, ui_model, drop):
    from audio2face_maya.ui.__main__ import build_window, parse_args
    from maya_file_parsers import parse_ma
    from ui_conftest import wait_idle, write_speech

    speech = write_speech(tmp_path / "take3.wav", seconds=2.0)
    out = tmp_path / "take3.ma"
    args = parse_args(["--model", str(ui_model), "--settings", str(tmp_path / "ui.ini")])
    panel = build_window(args)
    qtbot.addWidget(panel)
    panel.show()
    tab = panel.generate_tab
    assert tab.host.name == "file" and tab.apply_button.text() == "Write file"
    with qtbot.waitSignal(tab.curves_ready, timeout=30000):
        drop(tab.drop_zone, [speech])
    assert tab.output_edit.text() == "", "no output folder chosen yet: nothing is put beside the audio"
    tab.set_output(str(out))
    full = tab.curves()
    with qtbot.waitSignal(tab.curves_ready, timeout=30000) as blocker:
        tab.knobs.spins["strength"].setValue(0.5)  # the live preview follows
    wait_idle(qtbot, tab)
    half = blocker.args[0]
    assert half is tab.plot.curves()
    assert np.max(half.weights) < np.max(full.weights)
    assert not out.exists(), "nothing is written before Apply"
    with qtbot.waitSignal(tab.applied, timeout=30000) as applied:
        tab.apply_button.click()
    report = applied.args[0]
    assert report.output == str(out) and out.is_file()
    ma = parse_ma(out.read_text(encoding="utf-8"))
    assert ma.fps == pytest.approx(half.fps)
    driven = {dst: src.split(".")[0] for src, dst, _ in ma.connections}
    assert set(driven) == {f"blendShape1.{name}" for name in half.names}
    for name in half.names:
        curve = ma.curves[driven[f"blendShape1.{name}"]]
        assert np.allclose(curve.times(), half.times())
        assert np.allclose(curve.values(), half.channel(name), atol=1e-4), name
    assert str(out) in tab.message.text()


def test_module_runs_as_a_program():
    result = subprocess.run(
        [sys.executable, "-m", "audio2face_maya.ui", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "python -m audio2face_maya.ui" in result.stdout and "--output" in result.stdout


def test_show_outside_maya_opens_one_window(qtbot, tmp_path, monkeypatch):
    import audio2face_maya.ui as ui
    from audio2face_maya.ui.settings_store import SETTINGS_ENV

    monkeypatch.setenv(SETTINGS_ENV, str(tmp_path / "ui.ini"))
    monkeypatch.setattr(ui, "_window", None)
    first = ui.show()
    qtbot.addWidget(first)
    assert ui.show(tab="train") is first and first.tabs.currentWidget() is first.train_tab
    assert first.isVisible() and ui.current_panel() is first
    first.close()
    second = ui.show()
    qtbot.addWidget(second)
    assert second is not first, "a closed window is replaced by a new one"
    assert second.tabs.currentWidget() is second.train_tab, "the last tab is remembered"
    second.close()


def test_errors_never_raise_out_of_slots(qtbot, tmp_path, ui_store):
    """A bug in a handler is reported in the panel, not as a traceback dialog."""
    from audio2face_maya.ui.messages import MessageBar, guarded

    bar = MessageBar()
    qtbot.addWidget(bar)

    def broken():
        raise KeyError("jawOpen")

    guarded(bar, broken)(True)  # signals pass arguments; they are ignored
    assert bar.level == "error" and "Unexpected problem (KeyError" in bar.text()
    guarded(bar, lambda: open(tmp_path / "missing" / "x"))()
    assert "No such file or directory" in bar.text() and "missing" in bar.text()


def test_several_audio_files_on_the_command_line_make_a_batch(qtbot, tmp_path, ui_model):
    from audio2face_maya.ui.__main__ import build_window, parse_args
    from ui_conftest import wait_idle, write_speech

    clips = [write_speech(tmp_path / f"take{i}.wav", seconds=1.0) for i in range(2)]
    args = parse_args([str(c) for c in clips] + ["--model", str(ui_model), "--settings", str(tmp_path / "ui.ini"),
                                                 "--output", str(tmp_path / "out" / "first.json")])
    panel = build_window(args)
    qtbot.addWidget(panel)
    tab = panel.generate_tab
    wait_idle(qtbot, tab)
    assert tab.clips == [str(c) for c in clips] and tab.audio_path == str(clips[0])
    assert tab.output_edit.text() == str(tmp_path / "out" / "first.json")
    tab.load_audio(str(clips[1]))
    assert tab.output_edit.text() == str(tmp_path / "out" / "take1.json"), "the next clip gets its own file"
    wait_idle(qtbot, tab)
