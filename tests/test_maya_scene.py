"""Scene queries through the stand-in: targets by alias with sparse indices, selection, frame rates, sound."""

from __future__ import annotations

import pytest
from audio2face import timeunits
from audio2face.errors import Audio2FaceError
from audio2face_maya import scene
from audio2face_maya.host import MayaHost
from maya_standin.fixtures import maya, maya_batch  # noqa: F401 - fixtures


def test_targets_follow_weight_indices_not_alias_order(maya):  # noqa: F811
    bs = maya.build_rig({7: "mouthClose", 0: "jawOpen", 3: "mouthSmile"}, unaliased=(5,))
    assert maya.cmds.aliasAttr(bs, query=True)[0] == "mouthClose"  # Maya's list is not index-sorted
    assert list(scene.target_indices(bs).items()) == [("jawOpen", 0), ("mouthSmile", 3), ("weight[5]", 5),
                                                      ("mouthClose", 7)]
    assert MayaHost().targets(bs) == ["jawOpen", "mouthSmile", "weight[5]", "mouthClose"]
    assert maya.cmds.getAttr(scene.weight_plug(bs, "weight[5]")) == 0.0


def test_blendshape_without_targets_has_none(maya):  # noqa: F811
    node = maya.cmds.createNode("blendShape", name="empty")
    assert scene.targets(node) == []


def test_selection_finds_blendshapes_through_mesh_history_only(maya):  # noqa: F811
    face = maya.build_rig({0: "jawOpen"}, name="faceBS", mesh="face")
    maya.build_rig({0: "blink"}, name="eyesBS", mesh="eyes")
    assert sorted(MayaHost().blendshape_nodes()) == ["eyesBS", "faceBS"]
    maya.cmds.select("face")
    assert MayaHost().selected_blendshape_nodes() == [face]
    maya.cmds.select("jawOpen")  # a target mesh: its history has no blendShape
    assert scene.selected_blendshape_nodes() == []
    maya.cmds.select("eyesBS", "face")
    assert scene.selected_blendshape_nodes() == ["eyesBS", "faceBS"]
    maya.cmds.select(clear=True)
    assert scene.selected_blendshape_nodes() == []


def test_resolve_node_uses_the_selection_or_the_only_node(maya):  # noqa: F811
    with pytest.raises(Audio2FaceError, match="no blendShape"):
        scene.resolve_node(None)
    maya.build_rig({0: "jawOpen"}, name="faceBS", mesh="face")
    assert scene.resolve_node(None) == "faceBS"
    maya.build_rig({0: "blink"}, name="eyesBS", mesh="eyes")
    with pytest.raises(Audio2FaceError, match="several blendShape nodes"):
        scene.resolve_node(None)
    maya.cmds.select("eyes")
    assert scene.resolve_node(None) == "eyesBS"
    with pytest.raises(Audio2FaceError, match="is a transform node, not a blendShape"):
        scene.resolve_node("face")


@pytest.mark.parametrize("unit, fps", [("film", 24.0), ("ntsc", 30.0), ("pal", 25.0), ("game", 15.0),
                                       ("show", 48.0), ("palf", 50.0), ("ntscf", 60.0),
                                       ("23.976fps", 24000 / 1001), ("29.97fps", 30000 / 1001),
                                       ("29.97df", 30000 / 1001), ("59.94fps", 60000 / 1001), ("120fps", 120.0)])
def test_scene_fps_for_every_kind_of_unit_name(maya, unit, fps):  # noqa: F811
    maya.cmds.currentUnit(time=unit)
    assert MayaHost().scene_fps() == pytest.approx(fps)


def test_time_unit_table():
    assert timeunits.unit_for_fps(24.0) == "film" and timeunits.unit_for_fps(23.976) == "23.976fps"
    assert timeunits.unit_for_fps(120.0) == "120fps" and timeunits.unit_for_fps(33.3) is None
    assert timeunits.unit_fps("millisec") == 1000.0
    with pytest.raises(Audio2FaceError, match="unknown Maya time unit"):
        timeunits.unit_fps("fast")


def test_playback_range_and_sound_nodes(maya, tmp_path):  # noqa: F811
    maya.cmds.playbackOptions(minTime=10, maxTime=95)
    assert MayaHost().playback_range() == (10.0, 95.0)
    node = maya.cmds.sound(file=str(tmp_path / "a.wav"), offset=12)
    assert [(s.node, s.offset, s.file_start_frame) for s in scene.sound_nodes()] == [(node, 12.0, 12.0)]
    with pytest.raises(Audio2FaceError, match="not a sound"):
        scene.sound_info("time1")
    assert scene.time_slider_sound() is None
    assert scene.show_sound_on_time_slider(node)
    assert scene.time_slider_sound() == node


def test_batch_mode_has_no_time_slider(maya_batch):  # noqa: F811
    assert scene.is_batch() and scene.time_slider() is None and scene.time_slider_sound() is None
