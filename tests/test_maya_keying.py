"""Keying predictions on a rig through the Maya stand-in: bulk keys, replace modes, one undo step, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face_maya import keying
from audio2face_maya.host import ApplyOptions, MayaHost
from maya_standin.fixtures import maya, maya_batch  # noqa: F401 - fixtures

RIG = {0: "jawOpen", 2: "mouthSmile", 5: "mouthFunnel", 9: "eyeBlink"}


def _curves(names, frames=12, fps=24.0, start=1.0):
    t = np.arange(frames, dtype=np.float32)[:, None]
    weights = (np.sin(t * 0.3 + np.arange(len(names))[None, :]) * 0.5 + 0.5).astype(np.float32)
    return Curves(list(names), fps, weights, start_frame=start)


@pytest.fixture()
def wav(tmp_path):
    path = tmp_path / "vo line.wav"
    sf.write(path, np.zeros(16000, np.float32), 16000)
    return str(path)


def test_keys_every_frame_on_each_target_with_one_curve_per_weight(maya):  # noqa: F811
    bs = maya.build_rig(RIG)
    curves = _curves(["jawOpen", "mouthSmile", "mouthFunnel", "eyeBlink"], start=10)
    report = MayaHost().apply(curves, bs, ApplyOptions())
    assert report.keyed == ["jawOpen", "mouthSmile", "mouthFunnel", "eyeBlink"]
    assert report.key_count == 4 * 12
    for column, name in enumerate(curves.names):
        keys = maya.keys(f"{bs}.{name}")
        assert [k[0] for k in keys] == list(np.arange(10, 22, dtype=float))
        np.testing.assert_allclose([k[1] for k in keys], curves.weights[:, column], atol=1e-6)
        curve = maya.cmds.listConnections(f"{bs}.{name}", source=True, destination=False)
        assert maya.cmds.nodeType(curve[0]) == "animCurveTU"
    # sparse indices: weight[5] got mouthFunnel's keys, nothing else moved
    assert maya.cmds.getAttr(f"{bs}.weight[5]", time=12) == pytest.approx(float(curves.weights[2, 2]), abs=1e-6)


def test_undo_restores_previous_curves_exactly_and_redo_replays(maya):  # noqa: F811
    bs = maya.build_rig(RIG)
    maya.key(f"{bs}.mouthSmile", [(1, 0.2), (5, 0.7), (30, 0.9)])
    maya.set_static(f"{bs}.mouthFunnel", 0.35)
    before = maya.snapshot()
    queue = len(maya.scene.undo_queue)
    report = MayaHost().apply(_curves(["jawOpen", "mouthSmile", "mouthFunnel"], start=3), bs, ApplyOptions())
    after = maya.snapshot()
    assert report.key_count == 36 and after != before
    assert len(maya.scene.undo_queue) == queue + 1, "the whole apply must be one undo step"
    maya.cmds.undo()
    assert maya.snapshot() == before
    assert maya.cmds.getAttr(f"{bs}.mouthFunnel") == pytest.approx(0.35)
    maya.cmds.redo()
    assert maya.snapshot() == after


def test_range_mode_keeps_keys_outside_the_range_and_curve_mode_replaces_all(maya):  # noqa: F811
    bs = maya.build_rig(RIG)
    maya.key(f"{bs}.jawOpen", [(1, 0.1), (8, 0.8), (40, 0.4)])
    MayaHost().apply(_curves(["jawOpen"], frames=5, start=6), bs, ApplyOptions(mode="range"))
    frames = [k[0] for k in maya.keys(f"{bs}.jawOpen")]
    assert frames == [1.0, 6.0, 7.0, 8.0, 9.0, 10.0, 40.0]
    MayaHost().apply(_curves(["jawOpen"], frames=5, start=6), bs, ApplyOptions(mode="curve"))
    assert [k[0] for k in maya.keys(f"{bs}.jawOpen")] == [6.0, 7.0, 8.0, 9.0, 10.0]


def test_locked_and_driven_weights_are_reported_and_left_alone(maya):  # noqa: F811
    bs = maya.build_rig(RIG)
    maya.lock(f"{bs}.eyeBlink")
    driver = maya.drive(f"{bs}.mouthFunnel", 0.25)
    before = maya.snapshot()
    report = MayaHost().apply(_curves(["jawOpen", "mouthFunnel", "eyeBlink"]), bs, ApplyOptions())
    assert report.keyed == ["jawOpen"]
    assert report.skipped["eyeBlink"] == "the weight is locked"
    assert driver in report.skipped["mouthFunnel"]
    assert maya.cmds.getAttr(f"{bs}.mouthFunnel", time=5) == pytest.approx(0.25)
    assert maya.keys(f"{bs}.eyeBlink") == []
    maya.cmds.undo()
    assert maya.snapshot() == before


def test_unmatched_targets_and_unknown_channels_are_reported(maya):  # noqa: F811
    bs = maya.build_rig(RIG, unaliased=(11,))
    report = MayaHost().apply(_curves(["jawOpen", "tongueOut"]), bs, ApplyOptions())
    assert report.keyed == ["jawOpen"]
    assert "tongueOut" in report.skipped
    assert report.unmatched == ["mouthSmile", "mouthFunnel", "eyeBlink", "weight[11]"]


def test_bad_input_is_refused_before_anything_changes(maya, wav, tmp_path):  # noqa: F811
    bs = maya.build_rig(RIG)
    before = maya.snapshot()
    host = MayaHost()
    with pytest.raises(Audio2FaceError, match="not a blendShape"):
        host.apply(_curves(["jawOpen"]), "face", ApplyOptions())
    with pytest.raises(Audio2FaceError, match="no node named"):
        host.apply(_curves(["jawOpen"]), "nothere", ApplyOptions())
    with pytest.raises(Audio2FaceError, match="audio file not found"):
        host.apply(_curves(["jawOpen"]), bs, ApplyOptions(sound=str(tmp_path / "missing.wav")))
    with pytest.raises(Audio2FaceError, match="not an animation layer"):
        host.apply(_curves(["jawOpen"]), bs, ApplyOptions(layer="face"))
    assert maya.snapshot() == before and not maya.scene.undo_queue


def test_other_frame_rate_is_resampled_in_time_with_a_note(maya):  # noqa: F811
    bs = maya.build_rig(RIG)
    maya.cmds.currentUnit(time="ntsc")
    curves = Curves(["jawOpen"], 24.0, np.linspace(0, 1, 25, dtype=np.float32)[:, None], start_frame=1)
    report = MayaHost().apply(curves, bs, ApplyOptions())
    keys = maya.keys(f"{bs}.jawOpen")
    assert len(keys) == 31 and keys[0][0] == 1.0 and keys[-1][0] == 31.0  # one second at 30 fps
    np.testing.assert_allclose([v for _, v in keys], np.linspace(0, 1, 31), atol=1e-6)
    assert any("resampled" in note for note in report.notes)


def test_sound_node_is_created_at_the_start_frame_and_shown_on_the_time_slider(maya, wav):  # noqa: F811
    bs = maya.build_rig(RIG)
    report = MayaHost().apply(_curves(["jawOpen"], start=101), bs, ApplyOptions(sound=wav))
    sound = maya.cmds.ls(type="audio")
    assert sound == ["vo_line"]
    assert maya.cmds.sound("vo_line", query=True, offset=True) == 101.0
    assert maya.cmds.sound("vo_line", query=True, file=True).endswith("vo line.wav")
    assert maya.cmds.timeControl(maya.cmds.SLIDER, query=True, sound=True) == "vo_line"
    assert maya.cmds.playbackOptions(query=True, maxTime=True) == 120.0  # already covered 101-112
    assert any("sound node" in n for n in report.notes)
    # a second apply reuses the node and moves it
    MayaHost().apply(_curves(["jawOpen"], start=130), bs, ApplyOptions(sound=wav))
    assert maya.cmds.ls(type="audio") == ["vo_line"]
    assert maya.cmds.sound("vo_line", query=True, offset=True) == 130.0
    assert maya.cmds.playbackOptions(query=True, maxTime=True) == 141.0
    maya.cmds.undo()
    assert maya.cmds.sound("vo_line", query=True, offset=True) == 101.0
    assert maya.cmds.playbackOptions(query=True, maxTime=True) == 120.0
    maya.cmds.undo()
    assert maya.cmds.ls(type="audio") == []


def test_batch_mode_creates_the_sound_but_never_touches_the_ui(maya_batch, wav):  # noqa: F811
    bs = maya_batch.build_rig(RIG)
    report = MayaHost().apply(_curves(["jawOpen"]), bs, ApplyOptions(sound=wav))
    assert maya_batch.cmds.ls(type="audio") == ["vo_line"]
    assert not any("time slider" in n for n in report.notes)


def test_animation_layer_keeps_base_animation_and_undoes_in_one_step(maya):  # noqa: F811
    bs = maya.build_rig(RIG)
    maya.key(f"{bs}.jawOpen", [(1, 0.1), (20, 0.3)])
    before = maya.snapshot()
    curves = _curves(["jawOpen", "mouthSmile"], frames=5, start=4)
    report = MayaHost().apply(curves, bs, ApplyOptions(layer="lipsync"))
    assert report.keyed == ["jawOpen", "mouthSmile"]
    assert "created animation layer 'lipsync'" in report.notes
    cmds = maya.cmds
    base = cmds.animLayer("BaseAnimation", query=True, findCurveForPlug=f"{bs}.jawOpen")
    layer_curve = cmds.animLayer("lipsync", query=True, findCurveForPlug=f"{bs}.jawOpen")
    assert base and layer_curve and base != layer_curve
    assert maya.keys(base[0]) == [(1.0, 0.1), (20.0, 0.3)]  # hand animation untouched
    # additive layer: the weight is base + layer
    base_at_6 = 0.1 + (0.3 - 0.1) * 5 / 19
    assert cmds.getAttr(f"{bs}.jawOpen", time=6) == pytest.approx(base_at_6 + float(curves.weights[2, 0]), abs=1e-6)
    # replace on the layer only touches the layer's keys
    MayaHost().apply(_curves(["jawOpen"], frames=2, start=5), bs, ApplyOptions(layer="lipsync"))
    assert [k[0] for k in maya.keys(layer_curve[0])] == [4.0, 5.0, 6.0, 7.0, 8.0]
    assert maya.keys(base[0]) == [(1.0, 0.1), (20.0, 0.3)]
    cmds.undo()
    cmds.undo()
    assert maya.snapshot() == before


def test_weights_already_on_layers_need_a_layer(maya):  # noqa: F811
    bs = maya.build_rig(RIG)
    MayaHost().apply(_curves(["jawOpen"]), bs, ApplyOptions(layer="lipsync"))
    report = MayaHost().apply(_curves(["jawOpen"]), bs, ApplyOptions())
    assert report.keyed == [] and "animation layers" in report.skipped["jawOpen"]


def test_a_failure_half_way_leaves_the_scene_as_it_was(maya, monkeypatch):  # noqa: F811
    bs = maya.build_rig(RIG)
    maya.key(f"{bs}.mouthSmile", [(1, 0.5), (9, 0.5)])
    before = maya.snapshot()
    calls = []
    real = keying._add_keys

    def failing(fn, frames, values, change):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("(kFailure): simulated Maya error")
        return real(fn, frames, values, change)

    monkeypatch.setattr(keying, "_add_keys", failing)
    with pytest.raises(RuntimeError, match="simulated"):
        MayaHost().apply(_curves(["jawOpen", "mouthSmile", "mouthFunnel"]), bs, ApplyOptions())
    assert maya.snapshot() == before
    assert not maya.scene.undo_queue and not keying._PENDING


def test_resample_keeps_duration_and_values():
    curves = Curves(["a"], 30.0, np.linspace(0, 1, 31, dtype=np.float32)[:, None], start_frame=1)
    out = keying.resample(curves, 24.0)
    assert out.fps == 24.0 and out.frame_count == 25
    np.testing.assert_allclose(out.weights[:, 0], np.linspace(0, 1, 25), atol=1e-6)


def test_reduced_keys_are_written_with_their_tangents_and_stay_within_tolerance(maya):  # noqa: F811
    from audio2face.key_reduction import reduce_curves

    bs = maya.build_rig(RIG)
    t = np.arange(96, dtype=np.float32)
    dense = np.stack([0.5 + 0.45 * np.sin(t / 7.0), np.where(t < 40, 0.2, 0.2 + (t - 40) / 80)], axis=1)
    curves = reduce_curves(Curves(["jawOpen", "mouthSmile"], 24.0, dense.astype(np.float32), start_frame=1), 0.01)
    report = MayaHost().apply(curves, bs, ApplyOptions(start_frame=11))
    written = {name: maya.keys(f"{bs}.{name}") for name in curves.names}
    assert report.key_count == sum(len(k) for k in written.values()) < 96
    assert [k[0] for k in written["jawOpen"]][0] == 11.0 and written["jawOpen"][-1][0] == 106.0
    for column, name in enumerate(curves.names):
        sampled = [maya.cmds.getAttr(f"{bs}.{name}", time=float(f)) for f in range(11, 107)]
        assert np.max(np.abs(np.array(sampled) - dense[:, column])) <= 0.01 + 1e-6
    maya.cmds.undo()
    assert all(maya.keys(f"{bs}.{name}") == [] for name in curves.names)
