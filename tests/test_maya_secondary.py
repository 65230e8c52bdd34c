"""Secondary motion in Maya: its own targets (blinks the model never moves) on their own animation layer."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from audio2face.pipeline import AnimateSettings, animate
from audio2face.secondary import SecondarySettings
from audio2face_maya.apply_options import SECONDARY_LAYER
from audio2face_maya.host import ApplyOptions, MayaHost
from conftest import speech_like
from maya_standin.fixtures import maya  # noqa: F401 - fixture

RIG = {0: "jawOpen", 1: "mouthFunnel", 2: "mouthSmileLeft", 3: "mouthSmileRight", 4: "mouthClose",
       7: "eyeBlinkLeft", 8: "eyeBlinkRight"}


@pytest.fixture()
def take(tmp_path, tiny_bundle):
    """A 12 s line animated with blinks onto the rig's targets (the tiny model drives the mouth only)."""
    wav = tmp_path / "line.wav"
    sf.write(wav, speech_like(12.0, 16000, silence=((3.0, 3.8), (7.0, 8.0)), seed=3), 16000)
    settings = AnimateSettings(model=str(tiny_bundle), targets=list(RIG.values()), fps=24.0,
                               secondary=SecondarySettings(blinks=True, seed=1))
    return animate(str(wav), settings)


def test_blinks_go_on_their_own_layer_over_the_animators_blinks_in_one_undo_step(maya, take):  # noqa: F811
    assert take.secondary.own == ["eyeBlinkLeft", "eyeBlinkRight"]
    bs = maya.build_rig(RIG)
    hand = [(1, 0.0), (40, 1.0), (44, 0.0)]  # an animator's blink on the base layer
    maya.key(f"{bs}.eyeBlinkLeft", hand)
    before, queue = maya.snapshot(), len(maya.scene.undo_queue)
    report = MayaHost().apply(take, bs, ApplyOptions())
    cmds = maya.cmds
    assert {"eyeBlinkLeft", "eyeBlinkRight", "jawOpen"} <= set(report.keyed)
    assert any(SECONDARY_LAYER in note for note in report.notes)
    assert len(maya.scene.undo_queue) == queue + 1
    base = cmds.animLayer("BaseAnimation", query=True, findCurveForPlug=f"{bs}.eyeBlinkLeft")
    layer = cmds.animLayer(SECONDARY_LAYER, query=True, findCurveForPlug=f"{bs}.eyeBlinkLeft")
    assert base and layer and base != layer
    assert maya.keys(base[0]) == [(float(f), float(v)) for f, v in hand], "the animator's keys are untouched"
    blink = take.channel("eyeBlinkLeft")
    layer_values = np.array([v for _f, v in maya.keys(layer[0])])
    np.testing.assert_allclose(layer_values, blink, atol=1e-6)
    # the jaw (the model's) is on the base curve, not on the secondary layer
    assert not cmds.animLayer(SECONDARY_LAYER, query=True, findCurveForPlug=f"{bs}.jawOpen")
    assert cmds.listConnections(f"{bs}.jawOpen", source=True, destination=False)
    cmds.undo()
    assert maya.snapshot() == before


def test_without_a_secondary_layer_the_blinks_are_keyed_with_the_rest(maya, take):  # noqa: F811
    bs = maya.build_rig(RIG)
    report = MayaHost().apply(take, bs, ApplyOptions(secondary_layer=None))
    assert "eyeBlinkLeft" in report.keyed
    assert not maya.cmds.animLayer(SECONDARY_LAYER, query=True, exists=True)
    values = np.array([v for _f, v in maya.keys(f"{bs}.eyeBlinkLeft")])
    np.testing.assert_allclose(values, take.channel("eyeBlinkLeft"), atol=1e-6)


def test_head_motion_is_keyed_as_rotate_curves_in_degrees_on_the_secondary_layer(maya, tmp_path, tiny_bundle):  # noqa: F811
    wav = tmp_path / "line.wav"
    sf.write(wav, speech_like(6.0, 16000, silence=((2.0, 2.6),), seed=5), 16000)
    settings = AnimateSettings(model=str(tiny_bundle), targets=list(RIG.values()), fps=24.0,
                               secondary=SecondarySettings(head="head_ctrl", seed=2))
    take = animate(str(wav), settings)
    bs = maya.build_rig(RIG)
    cmds = maya.cmds
    cmds.createNode("transform", name="head_ctrl")
    cmds.setAttr("head_ctrl.rotateY", 10.0)  # an animator's pose, in degrees
    before = maya.snapshot()
    report = MayaHost().apply(take, bs, ApplyOptions(start_frame=1.0))
    assert {"head_ctrl.rotateX", "head_ctrl.rotateY", "head_ctrl.rotateZ"} <= set(report.keyed)
    curve = cmds.animLayer(SECONDARY_LAYER, query=True, findCurveForPlug="head_ctrl.rotateY")
    assert curve and cmds.nodeType(curve[0]) == "animCurveTA"
    yaw = take.secondary.rotations["head_ctrl"]["rotateY"]
    for frame in (1, 40, 100):
        shown = cmds.getAttr("head_ctrl.rotateY", time=frame)
        assert shown == pytest.approx(10.0 + float(yaw[frame - 1]), abs=1e-4), "degrees, over the pose"
    cmds.undo()
    assert maya.snapshot() == before


def test_a_missing_head_node_is_reported_not_fatal(maya, tmp_path, tiny_bundle):  # noqa: F811
    wav = tmp_path / "line.wav"
    sf.write(wav, speech_like(3.0, 16000, seed=6), 16000)
    settings = AnimateSettings(model=str(tiny_bundle), targets=list(RIG.values()),
                               secondary=SecondarySettings(head="nobody", blinks=True))
    report = MayaHost().apply(animate(str(wav), settings), maya.build_rig(RIG), ApplyOptions())
    assert "no attribute nobody.rotateY" in report.skipped["nobody.rotateY"]
    assert "eyeBlinkLeft" in report.keyed
