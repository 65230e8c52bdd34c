"""The panel an animator trusts (issue 13): nothing overwritten, nothing wiped, it fits a dock, never crashes.

Each test drives the widgets as a person would (drops, clicks, keys) and fails on the behaviour reported.
"""

from __future__ import annotations

import dataclasses
import gc
import sys
import time

import numpy as np
import pytest

pytest_plugins = ["ui_conftest"]


@pytest.fixture()
def tab(qtbot, ui_store, ui_model):
    from ui_conftest import make_generate_tab

    tab = make_generate_tab(qtbot, ui_store, ui_model)
    tab.confirm = lambda question: pytest.fail(f"asked unexpectedly: {question}")
    yield tab
    tab.shutdown()


def _generate(qtbot, tab, action):
    with qtbot.waitSignal(tab.curves_ready, timeout=30000) as blocker:
        action()
    from ui_conftest import wait_idle

    wait_idle(qtbot, tab)
    return blocker.args[0]


def _targets(tmp_path, names):
    path = tmp_path / "targets.txt"
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    return str(path)


# 1 -------------------------------------------------------------------------------------------------
@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: its count never moves")
def test_driving_the_panel_for_a_while_does_not_drain_none(qtbot, tmp_path, ui_store, ui_model, drop):
    """PySide6-Essentials 6.12.0 drops a reference to None on each void call; the count reaching 0 kills Python."""
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.panel import Audio2FacePanel
    from ui_conftest import wait_idle, write_speech

    panel = Audio2FacePanel(host=FileHost(), store=ui_store)
    qtbot.addWidget(panel)
    panel.show()
    tab = panel.generate_tab
    tab.add_model(str(ui_model))
    tab.live_check.setChecked(False)
    clip = write_speech(tmp_path / "take.wav", seconds=1.0)
    _generate(qtbot, tab, lambda: drop(tab.drop_zone, [clip]))

    def drive(rounds):
        for i in range(rounds):
            tab.knobs.spins["strength"].setValue(0.5 + (i % 5) / 10)
            tab.start_frame.setValue(1 + i)
            tab.mapping_table.selectRow(i % max(len(tab.mapping_table.targets()), 1))
            tab.sections["post"].set_expanded(i % 2 == 0)
            panel.tabs.setCurrentIndex(i % 3)
            panel.resize(400 + (i % 3) * 200, 600)
            tab.plot.repaint()
            tab.progress.setValue(i % 1000)
            qtbot.wait(1)

    drive(20)  # warm-up: caches, lazily created objects
    gc.collect()
    before = sys.getrefcount(None)
    drive(150)
    _generate(qtbot, tab, tab.generate)
    wait_idle(qtbot, tab)
    gc.collect()
    after = sys.getrefcount(None)
    assert after >= before - 100, f"None lost {before - after} references over ~3000 Qt calls"


# 2 -------------------------------------------------------------------------------------------------
def test_a_second_clip_gets_its_own_file_and_nothing_is_replaced_without_asking(qtbot, tab, tmp_path, drop):
    from audio2face.formats import read_curves
    from ui_conftest import write_speech

    first, second = write_speech(tmp_path / "line01.wav"), write_speech(tmp_path / "line02.wav", seconds=2.0)
    shots = tmp_path / "shots"
    _generate(qtbot, tab, lambda: drop(tab.drop_zone, [first]))
    assert tab.output_edit.text() == "", "no folder chosen yet: nothing is put beside the audio"
    tab.set_output(str(shots / "line01.json"))  # the user's Save as...
    with qtbot.waitSignal(tab.applied, timeout=30000):
        tab.apply_button.click()
    written_first = (shots / "line01.json").read_bytes()

    _generate(qtbot, tab, lambda: drop(tab.drop_zone, [second]))
    assert tab.output_edit.text() == str(shots / "line02.json"), "the output follows the new clip"
    with qtbot.waitSignal(tab.applied, timeout=30000):
        tab.apply_button.click()
    assert (shots / "line01.json").read_bytes() == written_first, "the first clip's file is untouched"
    assert read_curves(shots / "line02.json").frame_count == tab.curves().frame_count

    questions = []
    tab.confirm = lambda question: questions.append(question) or False
    tab.apply_button.click()
    assert questions and "line02.json exists" in questions[0]
    assert "was kept" in tab.message.text()
    tab.confirm = lambda question: True
    tab.knobs.spins["strength"].setValue(0.2)
    _generate(qtbot, tab, tab.generate)
    with qtbot.waitSignal(tab.applied, timeout=30000):
        tab.apply_button.click()
    assert np.max(read_curves(shots / "line02.json").weights) < np.max(tab.curves().weights) / 0.2 + 1e-6


# 3 -------------------------------------------------------------------------------------------------
def test_targets_the_model_leaves_at_rest_are_shown_and_not_keyed_unless_asked(qtbot, tab, tmp_path, ui_speech):
    from audio2face import pipeline

    tab.load_target_names(_targets(tmp_path, ["jawOpen", "mouthFunnel", "mouthClose", "eyeBlinkLeft"]))
    tab.mapping_table.set_source("eyeBlinkLeft", "mouthClose")  # mapped, but the model never moves it

    def finish_with_driven(prediction, settings):  # a model that never moves mouthClose, as pipeline.finish
        curves = pipeline.finish(prediction, settings)
        rest = None if settings.key_rest_targets else [n for n in curves.names if n != "eyeBlinkLeft"]
        return dataclasses.replace(curves, driven=rest)

    tab.state.finish_fn = finish_with_driven
    out = tmp_path / "out" / "line01.ma"
    tab.set_output(str(out))
    _generate(qtbot, tab, lambda: tab.load_audio(str(ui_speech)))
    table = tab.mapping_table
    assert table.status_text("eyeBlinkLeft") == "left at rest"
    assert table.status_text("jawOpen") == ""
    with qtbot.waitSignal(tab.applied, timeout=30000):
        tab.apply_button.click()
    assert "eyeBlinkLeft" not in out.read_text(), "the animator's blinks are not keyed flat"
    assert "jawOpen" in out.read_text()

    tab.key_rest_check.setChecked(True)  # "Also key targets the model leaves at rest"
    tab.confirm = lambda question: True
    _generate(qtbot, tab, tab.generate)
    with qtbot.waitSignal(tab.applied, timeout=30000):
        tab.apply_button.click()
    assert "eyeBlinkLeft" in out.read_text()


# 4 -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(400, 700), (350, 560), (683, 384)])  # Maya side docks; 1366x768 at 2x
def test_the_panel_fits_a_side_dock_and_a_small_screen_with_the_buttons_in_view(qtbot, ui_store, ui_model,
                                                                                  ui_speech, size):
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.panel import Audio2FacePanel

    panel = Audio2FacePanel(host=FileHost(), store=ui_store)
    qtbot.addWidget(panel)
    hint = panel.minimumSizeHint()
    assert hint.width() <= size[0] and hint.height() <= size[1], f"needs {hint.width()}x{hint.height()}"
    panel.resize(*size)
    panel.show()
    tab = panel.generate_tab
    tab.add_model(str(ui_model))
    qtbot.waitUntil(lambda: panel.width() == size[0])
    window = panel.rect()
    for button in (tab.generate_button, tab.apply_button, tab.cancel_button):
        rect = button.rect().translated(button.mapTo(panel, button.rect().topLeft()))
        assert button.isVisible() and window.contains(rect), f"{button.text()} is off-screen at {size}"
    assert tab.middle.stacked() == (size[0] < 640), "mapping and knobs stack when narrow"
    assert tab.scroll.widget().width() <= tab.scroll.viewport().width(), "no sideways scrolling"
    tab.sections["mapping"].set_expanded(False)
    assert not tab.mapping_table.isVisible()


# 5 -------------------------------------------------------------------------------------------------
def test_tab_walks_every_control_in_order_and_leaves_the_mapping_table(qtbot, ui_store, ui_model, tmp_path):
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.panel import Audio2FacePanel
    from audio2face_maya.vendor.Qt import QtCore, QtWidgets

    names = [f"target{i:03d}" for i in range(116)] + ["jawOpen"]
    panel = Audio2FacePanel(host=FileHost(target_names=names), store=ui_store)
    qtbot.addWidget(panel)
    panel.resize(700, 700)
    panel.show()
    panel.activateWindow()
    tab = panel.generate_tab
    tab.add_model(str(ui_model))
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is panel)
    assert tab.mapping_table.rowCount() == len(names)
    tab.drop_zone.browse_button.setFocus()
    seen = []
    from audio2face_maya.vendor.Qt import QtTest

    for _ in range(200):
        widget = QtWidgets.QApplication.focusWidget()
        if widget is None or widget in seen:
            break  # once round the whole window
        seen.append(widget)
        QtTest.QTest.keyClick(widget, QtCore.Qt.Key.Key_Tab)
    assert seen[0] is tab.drop_zone.browse_button and len(seen) < 80, f"{len(seen)} stops before coming round"
    table_stops = [w for w in seen if w is tab.mapping_table or tab.mapping_table.isAncestorOf(w)]
    assert len(table_stops) == 1, f"Tab stops {len(table_stops)} times in the mapping table"
    order = [tab.model_combo, tab.output_edit, tab.fps_combo, tab.mapping_table, tab.knobs.spins["strength"],
             tab.live_check, tab.sections["preview"].header, tab.generate_button]
    positions = [seen.index(w) for w in order]
    assert positions == sorted(positions), "Tab follows the page from top to bottom"
    assert panel.tabs.tabBar() in seen, "the Generate / Train / Export tabs are reachable too"


def test_the_mapping_is_edited_from_the_keyboard(qtbot, tab, tmp_path):
    from audio2face_maya.vendor.Qt import QtCore, QtTest, QtWidgets

    tab.load_target_names(_targets(tmp_path, ["JawOpen", "browInnerUp"]))
    table = tab.mapping_table
    tab.show()
    tab.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is tab)
    table.setFocus()
    table.setCurrentCell(1, 1)
    QtTest.QTest.keyClick(table, QtCore.Qt.Key.Key_F2)
    editor = QtWidgets.QApplication.focusWidget()
    assert isinstance(editor, (QtWidgets.QComboBox, QtWidgets.QLineEdit)), editor
    line = editor if isinstance(editor, QtWidgets.QLineEdit) else editor.lineEdit()
    line.selectAll()
    QtTest.QTest.keyClicks(line, "mouthClose")
    QtTest.QTest.keyClick(line, QtCore.Qt.Key.Key_Return)
    assert table.source_text("browInnerUp") == "mouthClose"


# 6 -------------------------------------------------------------------------------------------------
def test_the_preview_is_marked_out_of_date_until_it_matches(qtbot, tab, tmp_path, ui_speech, drop):
    from audio2face import pipeline
    from ui_conftest import wait_idle, write_speech

    _generate(qtbot, tab, lambda: drop(tab.drop_zone, [ui_speech]))
    assert tab.apply_button.isEnabled() and not tab.plot.stale_text

    tab.knobs.spins["strength"].setValue(0.3)  # live update off: the preview no longer matches
    assert not tab.apply_button.isEnabled() and tab.plot.stale_text
    assert tab.views.tabText(1).endswith("(out of date)")
    _generate(qtbot, tab, tab.generate_button.click)
    assert tab.apply_button.isEnabled() and not tab.plot.stale_text

    tab.mapping_table.set_source(tab.mapping_table.targets()[0], "nope")  # an invalid edit
    assert not tab.apply_button.isEnabled() and "fix the mapping" in tab.plot.stale_text
    tab.mapping_table.auto_match()
    assert tab.apply_button.isEnabled(), "back to what the preview was made with"

    def slow_predict(audio, settings, progress, cancel):
        for i in range(200):
            time.sleep(0.02)
            progress(i, 200)
        return pipeline.predict(audio, settings, progress=progress, cancel=cancel)

    tab.state.predict_fn = slow_predict
    other = write_speech(tmp_path / "line09.wav")
    drop(tab.drop_zone, [other])
    assert not tab.apply_button.isEnabled() and "line09.wav is new" in tab.plot.stale_text
    tab.cancel_button.click()
    wait_idle(qtbot, tab)
    assert not tab.apply_button.isEnabled() and tab.plot.stale_text, "a cancel leaves the old clip's curves stale"

    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF0000WAVEjunk" * 4)
    tab.state.predict_fn = pipeline.predict
    drop(tab.drop_zone, [broken])
    wait_idle(qtbot, tab)
    assert tab.plot.curves() is None and not tab.apply_button.isEnabled()
    assert tab.qc_view.report() is None


# 7 -------------------------------------------------------------------------------------------------
def test_the_frame_rate_field_sets_the_written_rate(qtbot, tab, tmp_path, ui_speech):
    from audio2face.formats import read_curves

    assert tab.fps_combo.isVisibleTo(tab)
    tab.fps_combo.setCurrentText("24")
    out = tmp_path / "shots" / "line01.ma"
    tab.set_output(str(out))
    curves = _generate(qtbot, tab, lambda: tab.load_audio(str(ui_speech)))
    assert curves.fps == 24.0 and curves.frame_count == 36
    with qtbot.waitSignal(tab.applied, timeout=30000):
        tab.apply_button.click()
    assert read_curves(out).fps == pytest.approx(24.0)
    tab.fps_combo.setCurrentText("29.97")
    assert tab.animate_settings().fps == pytest.approx(29.97)
    tab.fps_combo.setCurrentText("fast")
    assert "not a number" in tab.stale_reason()


def test_in_maya_the_scene_rate_is_shown(qtbot, ui_store, ui_model):
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.generate_tab import GenerateTab

    class SceneHost(FileHost):
        name = "maya"

        def scene_fps(self):
            return 25.0

    tab = GenerateTab(SceneHost(), ui_store)
    qtbot.addWidget(tab)
    assert tab.fps() == 25.0 and "25 fps" in tab.fps_label.text()
    assert not tab.fps_combo.isVisibleTo(tab)


# 8 -------------------------------------------------------------------------------------------------
def test_frame_ticks_are_whole_frames_from_frame_1001(qtbot):
    from audio2face.curves import Curves
    from audio2face_maya.ui import plot_style
    from audio2face_maya.ui.curve_plot import CurvePlot

    ticks = plot_style.frame_ticks(1001, 1001 + 44, 6)
    assert ticks and all(isinstance(t, int) for t in ticks) and all(1001 <= t <= 1045 for t in ticks)
    plot = CurvePlot()
    qtbot.addWidget(plot)
    plot.resize(400, 200)
    plot.set_curves(Curves(["a"], 24.0, np.linspace(0, 1, 45)[:, None], start_frame=1001))
    labels = [label for _tick, label in plot.frame_labels(340)]
    assert labels and all(label.isdigit() and 1001 <= int(label) <= 1045 for label in labels), labels
    plot.set_curves(Curves(["a"], 24.0, np.zeros((3, 1)), start_frame=100000))
    assert [label for _t, label in plot.frame_labels(340)] == ["100000", "100001", "100002"]
    plot.grab()  # draws


# 10 ------------------------------------------------------------------------------------------------
def test_every_message_is_kept_and_a_remembered_model_that_is_gone_is_said(qtbot, ui_store, ui_model, tmp_path):
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.generate_tab import GenerateTab

    ui_store.set("generate/model", str(tmp_path / "deleted_model"))
    ui_store.remember_path("generate/models", str(ui_model))
    tab = GenerateTab(FileHost(), ui_store)
    qtbot.addWidget(tab)
    texts = [text for _when, _level, text in tab.message.history]
    assert any("used last time is gone" in t and "deleted_model" in t for t in texts)
    tab.message.show_message("second", "info")
    assert any("used last time is gone" in line for line in tab.log_view.lines()), "earlier messages stay in the log"
    assert tab.log_view.lines()[-1].endswith("second")


def test_a_drop_of_several_files_becomes_a_batch(qtbot, tab, tmp_path, drop):
    from ui_conftest import wait_idle, write_speech

    clips = [write_speech(tmp_path / f"line{i}.wav", seconds=1.0 + i / 4) for i in range(3)]
    _generate(qtbot, tab, lambda: drop(tab.drop_zone, clips))
    assert tab.clips == [str(c) for c in clips] and tab.clip_combo.count() == 3
    assert tab.clip_row.isVisibleTo(tab)
    assert any("a batch of 3 clips" in text for _w, _l, text in tab.message.history)
    _generate(qtbot, tab, lambda: tab.clip_combo.activated.emit(2))
    assert tab.audio_path == str(clips[2])

    shots = tmp_path / "shots"
    shots.mkdir()
    (shots / "line1.ma").write_text("keep me")
    tab.set_output(str(shots / "line2.ma"))
    asked = []
    tab.confirm = lambda question: asked.append(question) or False
    tab.write_all_button.click()
    qtbot.waitUntil(lambda: (shots / "line0.ma").exists() and (shots / "line2.ma").exists(), timeout=60000)
    wait_idle(qtbot, tab)
    qtbot.waitUntil(lambda: "Batch done" in tab.message.text(), timeout=30000)
    assert asked and "line1.ma" in asked[0]
    assert (shots / "line1.ma").read_text() == "keep me", "an existing file is kept when the user says no"


# beyond the anchors ----------------------------------------------------------------------------------
def test_play_runs_a_cursor_over_the_curves_and_says_when_it_is_silent(qtbot, tab, ui_speech, monkeypatch):
    from audio2face_maya.ui import playback

    monkeypatch.setattr(playback, "_sound_output", lambda: "no sound output device (test)")
    assert not tab.playback.button.isEnabled(), "nothing to play before a preview"
    _generate(qtbot, tab, lambda: tab.load_audio(str(ui_speech)))
    assert tab.playback.button.isEnabled()
    tab.playback.button.click()
    assert tab.playback.playing() and "Silent: no sound output device" in tab.playback.note.text()
    first = tab.plot.cursor_frame
    qtbot.wait(200)
    assert tab.plot.cursor_frame > first, "the cursor moves at real time"
    qtbot.waitUntil(lambda: not tab.playback.playing(), timeout=5000)  # stops at the end of the clip
    assert tab.plot.cursor_frame is None and tab.playback.button.text() == "Play"


def test_per_target_gain_and_offset_are_applied_and_saved_with_the_mapping(qtbot, tab, tmp_path, ui_speech):
    from audio2face import retarget

    tab.load_target_names(_targets(tmp_path, ["jawOpen", "mouthFunnel"]))
    plain = _generate(qtbot, tab, lambda: tab.load_audio(str(ui_speech)))
    tab.mapping_table.set_gain_offset("jawOpen", 0.5, 0.1)
    scaled = _generate(qtbot, tab, tab.generate)
    assert np.allclose(scaled.channel("jawOpen"), plain.channel("jawOpen") * 0.5 + 0.1, atol=1e-4)
    path = tmp_path / "rig_mapping.json"
    tab.mapping_table.save_file(str(path))
    assert retarget.load_mapping(path)["jawOpen"] == retarget.Source("ch", ("jawOpen",), 0.5, 0.1)
    tab.mapping_table.auto_match()
    tab.mapping_table.load_file(str(path))
    assert tab.mapping_table.mapping()["jawOpen"].gain == pytest.approx(0.5)


def test_all_settings_save_and_load_as_one_file(qtbot, tab, tmp_path, ui_store, ui_model):
    import json

    from audio2face.settings_io import read_settings
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.generate_tab import GenerateTab

    tab.load_target_names(_targets(tmp_path, ["jawOpen", "mouthFunnel", "browInnerUp"]))
    tab.mapping_table.set_gain_offset("mouthFunnel", 1.5, 0.0)
    tab.knobs.spins["strength"].setValue(0.8)
    tab.knobs.spins["time_offset_ms"].setValue(-40)
    tab.knobs.emotion.setCurrentText("open")
    tab.knobs.reduce.setValue(0.01)
    tab.fps_combo.setCurrentText("25")
    tab.start_frame.setValue(1001)
    path = tmp_path / "look.json"
    tab.save_settings_file(str(path))
    values = json.loads(path.read_text())["settings"]
    settings = read_settings(path)  # what the CLI's --settings and the farm's settings file read
    assert settings.fps == 25.0 and settings.post.strength == pytest.approx(0.8) and settings.emotion == "open"
    assert values["mapping"]["mouthFunnel"] == {"expr": "mouthFunnel", "gain": 1.5, "offset": 0.0}

    other = GenerateTab(FileHost(target_names=["jawOpen", "mouthFunnel", "browInnerUp"]), ui_store)
    qtbot.addWidget(other)
    other.load_settings_file(str(path))
    assert other.current_model_path() == str(ui_model)
    mine, theirs = tab.inputs(), other.inputs()
    assert dataclasses.replace(theirs, audio=None) == dataclasses.replace(mine, audio=None)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "audio2face-settings", "format_version": 1, "settings": {"strenght": 2}}')
    from audio2face_maya.ui.messages import guarded

    guarded(other.message, lambda: other.load_settings_file(str(broken)))()
    assert other.message.level == "error" and "unknown settings: strenght" in other.message.text()


def test_folding_the_preview_gives_its_room_to_the_settings(qtbot, ui_store, ui_model):
    from audio2face_maya.host import FileHost
    from audio2face_maya.ui.panel import Audio2FacePanel

    panel = Audio2FacePanel(host=FileHost(), store=ui_store)
    qtbot.addWidget(panel)
    panel.resize(400, 700)
    panel.show()
    tab = panel.generate_tab
    qtbot.waitUntil(lambda: tab.scroll.height() > 0)
    before = tab.scroll.height()
    tab.sections["preview"].set_expanded(False)
    qtbot.waitUntil(lambda: tab.scroll.height() > before + 100)
    tab.sections["preview"].set_expanded(True)
    qtbot.waitUntil(lambda: tab.plot.isVisible() and tab.plot.height() >= 90)
