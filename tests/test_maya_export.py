"""Training-data export through the stand-in, and the round trip apply -> export -> same weights."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from audio2face.curves import Curves
from audio2face.dataset import load_dataset
from audio2face.errors import Audio2FaceError
from audio2face_maya import dataset_export as export
from audio2face_maya.host import ApplyOptions, MayaHost
from maya_standin.fixtures import maya  # noqa: F401 - fixture

RIG = {1: "jawOpen", 4: "mouthSmile", 6: "mouthFunnel"}


@pytest.fixture()
def wav(tmp_path):
    path = tmp_path / "line.wav"
    sf.write(path, np.zeros(24000, np.float32), 16000)  # 1.5 s
    return path


def test_keyed_driven_and_constant_weights_are_sampled_on_whole_frames(maya, wav, tmp_path):  # noqa: F811
    bs = maya.build_rig(RIG, unaliased=(9,))
    maya.key(f"{bs}.jawOpen", [(1, 0.0), (11, 1.0)])
    maya.drive(f"{bs}.mouthSmile", 0.25)
    maya.set_static(f"{bs}.mouthFunnel", 0.4)
    maya.cmds.sound(file=str(wav), offset=5)
    result = export.export_clip(bs, 1, 11, str(tmp_path / "data"), "shot010")
    assert result.names == ["jawOpen", "mouthSmile", "mouthFunnel", "weight[9]"]
    assert result.frames == 11 and result.audio_offset_frames == 4.0
    clip = json.loads((tmp_path / "data" / "dataset.json").read_text())["clips"][0]
    assert clip["fps"] == 24.0 and clip["audio"] == "shot010.wav"
    weights = np.load(tmp_path / "data" / "shot010.npy")
    np.testing.assert_allclose(weights[:, 0], np.linspace(0, 1, 11), atol=1e-6)
    np.testing.assert_allclose(weights[:, 1], 0.25)
    np.testing.assert_allclose(weights[:, 2], 0.4)
    np.testing.assert_allclose(weights[:, 3], 0.0)
    assert maya.cmds.currentTime(query=True) == 1.0  # sampling never moved the current time
    pair = tmp_path / "data" / "facegood" / "shot010"
    names = np.load(pair / "BS_name.npy", allow_pickle=False)
    values = np.load(pair / "BS_value.npy", allow_pickle=False)
    assert [str(n) for n in names] == result.names
    np.testing.assert_allclose(values, weights, atol=1e-6)


def test_sound_offset_and_trimmed_head_give_the_audio_offset(maya, wav, tmp_path):  # noqa: F811
    bs = maya.build_rig(RIG)
    node = maya.cmds.sound(file=str(wav), offset=20)
    maya.scene.set_value(maya.scene.plug(f"{node}.sourceStart"), maya.scene.to_seconds(6), None)
    path, offset, _notes = export.resolve_audio(None, 10.0)
    assert path == str(wav) and offset == 20 - 6 - 10
    path, offset, _notes = export.resolve_audio(str(wav), 10.0)  # a file starts at the first frame
    assert offset == 0.0
    assert export.export_clip(bs, 10, 30, str(tmp_path / "d"), "c").audio_offset_frames == 4.0


def test_round_trip_apply_then_export_gives_the_same_weights_and_undo_restores(maya, wav, tmp_path):  # noqa: F811
    bs = maya.build_rig(RIG)
    maya.key(f"{bs}.mouthFunnel", [(1, 0.3), (60, 0.3)])
    before = maya.snapshot()
    rng = np.random.default_rng(3)
    predicted = Curves(["jawOpen", "mouthSmile", "mouthFunnel"], 24.0,
                       rng.uniform(0, 1, (36, 3)).astype(np.float32), start_frame=12)
    MayaHost().apply(predicted, bs, ApplyOptions(sound=str(wav)))
    folder = MayaHost().export_dataset(bs, 12, 47, None, str(tmp_path / "ds"), "roundtrip")
    clips = load_dataset(folder)
    assert len(clips) == 1
    clip = clips[0]
    assert clip.names == ["jawOpen", "mouthSmile", "mouthFunnel"] and clip.fps == 24.0
    assert clip.audio_offset_frames == 0.0  # the sound node starts at the first key
    np.testing.assert_allclose(clip.weights, predicted.weights, atol=1e-6)
    maya.cmds.undo()
    assert maya.snapshot() == before


def test_export_at_29_97_fps_records_the_exact_rate(maya, wav, tmp_path):  # noqa: F811
    bs = maya.build_rig(RIG)
    maya.cmds.currentUnit(time="29.97fps")
    result = export.export_clip(bs, 1, 5, str(tmp_path / "d"), "ntsc", audio=str(wav))
    assert result.fps == pytest.approx(30000 / 1001)


def test_export_errors_name_the_problem(maya, wav, tmp_path):  # noqa: F811
    bs = maya.build_rig(RIG)
    out = str(tmp_path / "d")
    with pytest.raises(Audio2FaceError, match="not a blendShape"):
        export.export_clip("face", 1, 10, out, "a", audio=str(wav))
    with pytest.raises(Audio2FaceError, match="needs audio"):
        export.export_clip(bs, 1, 10, out, "a")
    with pytest.raises(Audio2FaceError, match="holds no whole frame"):
        export.export_clip(bs, 1.2, 1.8, out, "a", audio=str(wav))
    with pytest.raises(Audio2FaceError, match="not found"):
        export.export_clip(bs, 1, 10, out, "a", audio="noSuchSound")
    maya.cmds.sound(file=str(wav), offset=1)
    maya.cmds.sound(file=str(wav), offset=9, name="other")
    with pytest.raises(Audio2FaceError, match="several sound nodes"):
        export.export_clip(bs, 1, 10, out, "a")
    missing = maya.cmds.sound(file=str(tmp_path / "gone.wav"), name="gone")
    with pytest.raises(Audio2FaceError, match="was not found"):
        export.export_clip(bs, 1, 10, out, "a", audio=missing)
    export.export_clip(bs, 1, 10, out, "a", audio=str(wav))
    with pytest.raises(Audio2FaceError, match="already has a clip"):
        export.export_clip(bs, 1, 10, out, "a", audio=str(wav))
    export.export_clip(bs, 1, 10, out, "a", audio=str(wav), overwrite=True)


def _count_getattr(monkeypatch, cmds):
    calls = []
    real = cmds.getAttr

    def counted(*args, **kwargs):
        if "time" in kwargs:
            calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(cmds, "getAttr", counted)
    return calls


def test_one_evaluation_per_frame_for_all_weights(maya, wav, tmp_path, monkeypatch):  # noqa: F811
    bs = maya.build_rig(RIG, unaliased=(9,))
    maya.key(f"{bs}.jawOpen", [(1, 0.0), (21, 1.0)])
    maya.key(f"{bs}.weight[9]", [(1, 1.0), (21, 0.0)])
    calls = _count_getattr(monkeypatch, maya.cmds)
    seen = []
    names, weights = export.sample_weights(bs, export.frame_range(1, 21), progress=lambda d, t: seen.append((d, t)))
    assert len(calls) == 21 and set(calls) == {f"{bs}.weight"}, "one getAttr per frame, not per target per frame"
    assert names == ["jawOpen", "mouthSmile", "mouthFunnel", "weight[9]"]
    np.testing.assert_allclose(weights[:, 0], np.linspace(0, 1, 21), atol=1e-6)
    np.testing.assert_allclose(weights[:, 3], np.linspace(1, 0, 21), atol=1e-6)
    assert seen[0] == (1, 21) and seen[-1] == (21, 21) and len(seen) == 21


def test_an_unexpected_answer_shape_falls_back_to_per_target_reads(maya, monkeypatch):  # noqa: F811
    bs = maya.build_rig(RIG)
    maya.key(f"{bs}.mouthSmile", [(1, 0.2), (3, 0.6)])
    real = maya.cmds.getAttr
    monkeypatch.setattr(maya.cmds, "getAttr", lambda target, **kw: 0.0 if target == f"{bs}.weight" and "time" in kw
                        else real(target, **kw))
    _names, weights = export.sample_weights(bs, export.frame_range(1, 3))
    np.testing.assert_allclose(weights[:, 1], [0.2, 0.4, 0.6], atol=1e-6)


def test_the_export_command_shows_progress_and_cancels_without_writing(maya, wav, tmp_path):  # noqa: F811
    from audio2face_maya import plugin
    from maya_standin import cmds as standin_cmds

    plugin.ensure_loaded()
    bs = maya.build_rig(RIG)
    maya.cmds.sound(file=str(wav))
    maya.cmds.audio2faceExport(node=bs, output=str(tmp_path / "ok"), startFrame=1, endFrame=20)
    window = standin_cmds.UI.controls["progressWindow"]
    assert not window["open"] and window["history"][-1] == 100
    standin_cmds.UI.options["__cancel_progress_at"] = 50  # the user presses Esc half way
    with pytest.raises(RuntimeError, match="cancelled; nothing was written"):
        maya.cmds.audio2faceExport(node=bs, output=str(tmp_path / "cancelled"), startFrame=1, endFrame=20)
    assert not window["open"] and not (tmp_path / "cancelled").exists()


def test_the_panel_export_shows_maya_progress_and_esc_cancels(maya, wav, tmp_path):  # noqa: F811
    from audio2face.errors import Cancelled
    from maya_standin import cmds as standin_cmds

    bs = maya.build_rig(RIG)
    maya.cmds.sound(file=str(wav))
    host = MayaHost()
    host.export_dataset(bs, 1, 30, None, str(tmp_path / "ok"), "shot")
    assert standin_cmds.UI.controls["progressWindow"]["history"][-1] == 100
    standin_cmds.UI.options["__cancel_progress_at"] = 30
    with pytest.raises(Cancelled):
        host.export_dataset(bs, 1, 30, None, str(tmp_path / "no"), "shot")
    assert not (tmp_path / "no").exists() and not standin_cmds.UI.controls["progressWindow"]["open"]
