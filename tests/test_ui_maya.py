"""The panel inside Maya (the in-memory stand-in of tests/maya_standin): keys the rig, exports training data."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest_plugins = ["ui_conftest"]

from maya_standin.fixtures import maya  # noqa: E402,F401


@pytest.fixture()
def rig(maya):  # noqa: F811
    node = maya.build_rig({0: "jawOpen", 2: "mouthFunnel", 5: "browInnerUp"}, name="face_bs")
    maya.key("face_bs.browInnerUp", [(1, 0.2), (10, 0.8)])  # the animator's hand keys
    return node


def test_panel_keys_the_rig_in_one_undo_step_and_leaves_unmatched_targets_alone(qtbot, maya, rig, ui_store,  # noqa: F811
                                                                                ui_model, ui_speech):
    from audio2face_maya.host import MayaHost
    from ui_conftest import make_generate_tab

    tab = make_generate_tab(qtbot, ui_store, ui_model, host=MayaHost())
    assert tab.current_node() == "face_bs" and tab.apply_button.text() == "Apply to rig"
    assert tab.mapping_table.unmatched() == ["browInnerUp"]
    hand_keys = maya.keys("face_bs.browInnerUp")
    with qtbot.waitSignal(tab.applied, timeout=20000) as blocker:
        tab.load_audio(str(ui_speech), apply_when_done=True)
    report = blocker.args[0]
    curves = tab.curves()
    assert curves.fps == pytest.approx(MayaHost().scene_fps()), "curves are made at the scene's frame rate"
    keys = maya.keys("face_bs.jawOpen")
    assert [k[0] for k in keys] == list(curves.times())
    assert np.allclose([k[1] for k in keys], curves.channel("jawOpen"), atol=1e-5)
    assert sorted(report.keyed) == ["jawOpen", "mouthFunnel"] and report.unmatched == ["browInnerUp"]
    assert maya.keys("face_bs.browInnerUp") == hand_keys
    maya.cmds.undo()
    assert maya.keys("face_bs.jawOpen") == [] and maya.keys("face_bs.mouthFunnel") == []
    assert maya.keys("face_bs.browInnerUp") == hand_keys


def test_node_picker_lists_the_scene_and_follows_the_selection(qtbot, maya, rig, ui_store, ui_model):  # noqa: F811
    from audio2face_maya.host import MayaHost
    from ui_conftest import make_generate_tab

    maya.build_rig({0: "jaw_open", 1: "smile"}, name="other_bs", mesh="head")
    tab = make_generate_tab(qtbot, ui_store, ui_model, host=MayaHost())
    nodes = [tab.node_combo.itemText(i) for i in range(tab.node_combo.count())]
    assert nodes == ["face_bs", "other_bs"]
    maya.cmds.select("head")
    tab.selection_button.click()
    assert tab.current_node() == "other_bs"
    assert tab.mapping_table.targets() == ["jaw_open", "smile"]
    assert tab.mapping_table.source_text("jaw_open") == "jawOpen"
    maya.cmds.select(clear=True)
    tab.selection_button.click()
    assert "nothing selected" in tab.message.text() and tab.current_node() == "other_bs"


def test_export_tab_writes_a_training_clip(qtbot, maya, rig, ui_store, ui_speech, tmp_path):  # noqa: F811
    from audio2face_maya.host import MayaHost
    from audio2face_maya.ui.export_tab import ExportTab

    maya.key("face_bs.jawOpen", [(1, 0.0), (12, 1.0), (24, 0.0)])
    tab = ExportTab(MayaHost(), ui_store)
    qtbot.addWidget(tab)
    assert tab.node_combo.currentText() == "face_bs"
    tab.start_spin.setValue(1)
    tab.end_spin.setValue(24)
    tab.audio_edit.setText(str(ui_speech))
    tab.folder_edit.setText(str(tmp_path / "dataset"))
    with qtbot.waitSignal(tab.exported, timeout=10000):
        tab.export_button.click()
    assert tab.message.level == "info", tab.message.text()
    doc = json.loads((tmp_path / "dataset" / "dataset.json").read_text(encoding="utf-8"))
    clip = doc["clips"][0]
    assert clip["name"] == ui_speech.stem
    weights = np.load(tmp_path / "dataset" / clip["weights"], allow_pickle=False)
    assert weights.shape[0] == 24
    column = weights[:, clip["names"].index("jawOpen")]
    assert column[11] == pytest.approx(1.0) and column[0] == pytest.approx(0.0)
    tab.export_button.click()  # the same clip again: refused in plain words
    assert tab.message.level == "error" and ui_speech.stem in tab.message.text()


def test_refresh_finds_new_nodes_and_keeps_mapping_edits(qtbot, maya, rig, ui_store, ui_model):  # noqa: F811
    from audio2face_maya.host import MayaHost
    from ui_conftest import make_generate_tab

    tab = make_generate_tab(qtbot, ui_store, ui_model, host=MayaHost())
    tab.mapping_table.set_source("browInnerUp", "mouthClose")
    maya.build_rig({0: "jawOpen"}, name="late_bs", mesh="late")
    tab.refresh_button.click()
    assert tab.node_combo.findText("late_bs") >= 0 and tab.current_node() == "face_bs"
    assert tab.mapping_table.source_text("browInnerUp") == "mouthClose", "a refresh keeps the user's edits"
    tab.hide()
    tab.show()  # coming back into view refreshes too
    assert tab.mapping_table.source_text("browInnerUp") == "mouthClose"


def test_a_target_the_model_leaves_at_rest_keeps_the_animators_keys(qtbot, maya, rig, ui_store,  # noqa: F811
                                                                    ui_model, ui_speech):
    import dataclasses

    from audio2face import pipeline
    from audio2face_maya.host import MayaHost
    from ui_conftest import make_generate_tab

    tab = make_generate_tab(qtbot, ui_store, ui_model, host=MayaHost())
    tab.mapping_table.set_source("browInnerUp", "mouthClose")  # mapped, but this model never moves it

    def finish(prediction, settings):  # a model that never moves mouthClose, as pipeline.finish
        curves = pipeline.finish(prediction, settings)
        rest = None if settings.key_rest_targets else [n for n in curves.names if n != "browInnerUp"]
        return dataclasses.replace(curves, driven=rest)

    tab.state.finish_fn = finish
    hand_keys = maya.keys("face_bs.browInnerUp")
    with qtbot.waitSignal(tab.applied, timeout=20000) as blocker:
        tab.load_audio(str(ui_speech), apply_when_done=True)
    assert tab.mapping_table.status_text("browInnerUp") == "left at rest"
    assert "browInnerUp" not in blocker.args[0].keyed
    assert maya.keys("face_bs.browInnerUp") == hand_keys, "Replace keys in the clip's range kept the hand keys"
    tab.key_rest_check.setChecked(True)
    with qtbot.waitSignal(tab.applied, timeout=20000) as blocker:
        tab.apply()  # out of date: generated again, then applied
    assert "browInnerUp" in blocker.args[0].keyed, "asked for: the target left at rest is keyed too"
