"""The API 2.0 plug-in through the stand-in: loading, flags (long/short, MEL and Python), help, undo, errors."""

from __future__ import annotations

import json

import pytest
from audio2face.errors import Audio2FaceError
from audio2face_maya import plugin
from audio2face_maya import plugin_commands as commands
from maya_standin.fixtures import maya  # noqa: F401 - fixture

RIG = {0: "jawOpen", 3: "mouthFunnel", 4: "mouthSmileLeft", 8: "browInnerUp"}


@pytest.fixture()
def loaded(maya):  # noqa: F811
    plugin.ensure_loaded()
    return maya


def test_loading_registers_the_commands_and_unloading_removes_them(maya, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MAYA_PLUG_IN_PATH", str(plugin.bundled_plugin_path().parent))
    maya.scene.plugin_paths = []
    assert maya.cmds.loadPlugin("audio2face_plugin.py", quiet=True) == ["audio2face_plugin"]
    assert maya.cmds.pluginInfo("audio2face_plugin", query=True, loaded=True)
    for name in plugin.COMMANDS:
        assert callable(getattr(maya.cmds, name))
    maya.cmds.unloadPlugin("audio2face_plugin")
    for name in plugin.COMMANDS:
        assert not hasattr(maya.cmds, name)
    with pytest.raises(RuntimeError, match="not found"):
        maya.cmds.loadPlugin("audio2face_plugin")  # Python plug-ins need the .py extension


def test_help_lists_every_flag_long_and_short_from_python_and_mel(loaded):
    from maya import mel

    text = loaded.cmds.audio2faceAnimate(help=True)
    assert text == loaded.cmds.audio2faceAnimate(h=True) == mel.eval("audio2faceAnimate -h;")
    for flag in commands.ANIMATE_FLAGS:
        assert f"-{flag.short} -{flag.long}" in text
    export_help = mel.eval("audio2faceExport -help")
    for flag in commands.EXPORT_FLAGS:
        assert f"-{flag.short} -{flag.long}" in export_help
    assert not loaded.scene.undo_queue  # help changes nothing


def test_flag_names_follow_the_plugin_rules():
    for table in (commands.ANIMATE_FLAGS, commands.EXPORT_FLAGS):
        shorts = [f.short for f in table]
        longs = [f.long for f in table]
        assert len(set(shorts)) == len(shorts) and len(set(longs)) == len(longs)
        assert all(1 <= len(s) <= 3 for s in shorts) and all(len(n) >= 4 for n in longs)
        assert not {"q", "e", "query", "edit"} & (set(shorts) | set(longs))


def test_unknown_flags_and_wrong_types_are_refused(loaded):
    with pytest.raises(TypeError, match="Invalid flag"):
        loaded.cmds.audio2faceAnimate(audioFile="x.wav")
    with pytest.raises(TypeError):
        loaded.cmds.audio2faceAnimate(startFrame="ten")
    with pytest.raises(RuntimeError, match="nothing to apply"):
        loaded.cmds.audio2faceApply()


def test_animate_from_python_keys_the_rig_in_one_undo_step(loaded, tiny_bundle, speech_wav):
    bs = loaded.build_rig(RIG)
    before = loaded.snapshot()
    keyed = loaded.cmds.audio2faceAnimate(a=str(speech_wav), n=bs, m=str(tiny_bundle), st=10.0, sm=20.0)
    assert sorted(keyed) == ["jawOpen", "mouthFunnel", "mouthSmileLeft"]
    keys = loaded.keys(f"{bs}.jawOpen")
    from audio2face.features import frame_count

    assert keys[0][0] == 10.0 and len(keys) == frame_count(2 * 16000, 24.0)  # the scene is at 24 fps (film)
    assert loaded.cmds.ls(type="audio") == ["speech"]
    assert loaded.cmds.sound("speech", query=True, offset=True) == 10.0
    assert any("browInnerUp" in message and level == "warning" for level, message in loaded.scene.log)
    assert len(loaded.scene.undo_queue) == 1
    after = loaded.snapshot()
    loaded.cmds.undo()
    assert loaded.snapshot() == before
    loaded.cmds.redo()
    assert loaded.snapshot() == after


def test_animate_from_mel_with_long_flags_on_a_layer(loaded, tiny_bundle, speech_wav):
    from maya import mel

    bs = loaded.build_rig(RIG)
    loaded.cmds.select("face")
    keyed = mel.eval(f'audio2faceAnimate -audio "{speech_wav}" -model "{tiny_bundle}" -layer "lipsync" '
                     '-sound false -mode "curve";')
    assert "jawOpen" in keyed
    assert loaded.cmds.animLayer("lipsync", query=True, findCurveForPlug=f"{bs}.jawOpen")
    assert loaded.cmds.ls(type="audio") == []


def test_animate_errors_name_the_problem_and_change_nothing(loaded, tiny_bundle, tmp_path):
    bs = loaded.build_rig(RIG)
    before = loaded.snapshot()
    with pytest.raises(RuntimeError, match="audio file not found"):
        loaded.cmds.audio2faceAnimate(audio=str(tmp_path / "none.wav"), node=bs)
    with pytest.raises(RuntimeError, match="needs -audio"):
        loaded.cmds.audio2faceAnimate(node=bs)
    with pytest.raises(RuntimeError, match="-mode must be"):
        loaded.cmds.audio2faceAnimate(audio="x.wav", node=bs, mode="merge")
    assert loaded.snapshot() == before and not loaded.scene.undo_queue


def test_export_command_writes_a_clip_and_stays_off_the_undo_queue(loaded, speech_wav, tmp_path):
    bs = loaded.build_rig(RIG)
    loaded.key(f"{bs}.jawOpen", [(1, 0.0), (10, 1.0)])
    loaded.cmds.sound(file=str(speech_wav), offset=3)
    loaded.scene.undo_queue.clear()
    folder = loaded.cmds.audio2faceExport(node=bs, st=1.0, et=10.0, o=str(tmp_path / "data"), nm="take1")
    index = json.loads((tmp_path / "data" / "dataset.json").read_text())
    clip = index["clips"][0]
    assert folder == str(tmp_path / "data") and clip["name"] == "take1"
    assert clip["names"] == ["jawOpen", "mouthFunnel", "mouthSmileLeft", "browInnerUp"]
    assert clip["audio_offset_frames"] == 2.0 and clip["fps"] == 24.0
    assert not loaded.scene.undo_queue


def test_register_and_deregister_failures_are_reported_and_raised(maya):  # noqa: F811
    maya.scene.commands["audio2faceExport"] = lambda *a, **k: None  # a clash with another plug-in
    with pytest.raises(Audio2FaceError, match="initializePlugin"):
        plugin.ensure_loaded()
    assert ("error", "Audio2Face: failed to register command audio2faceExport") in maya.scene.log
    del maya.scene.commands["audio2faceExport"]
    maya.scene.commands.pop("audio2faceAnimate", None)
    maya.scene.plugins.clear()
    plugin.ensure_loaded()
    del maya.scene.commands["audio2faceApply"]
    maya.scene.plugins["audio2face_plugin"]["commands"].remove("audio2faceApply")
    with pytest.raises(RuntimeError):
        maya.cmds.unloadPlugin("audio2face_plugin")
    assert ("error", "Audio2Face: failed to deregister command audio2faceApply") in maya.scene.log


def test_the_maya_guide_documents_every_flag():
    text = (plugin.bundled_plugin_path().parents[1] / "docs" / "maya.md").read_text(encoding="utf-8")
    for flag in commands.ANIMATE_FLAGS + commands.EXPORT_FLAGS:
        assert f"| `-{flag.long}` (`-{flag.short}`) |" in text, flag
    assert "none of it has been run" in text  # never claims to have run in Maya


def test_animate_from_mel_with_sound_is_one_undo_step_including_the_time_slider(loaded, tiny_bundle, speech_wav):
    """timeControl is undoable: run bare inside doIt it would land as a second step (maya-facts §14)."""
    from maya import mel

    bs = loaded.build_rig(RIG)
    before = loaded.snapshot()
    mel.eval(f'audio2faceAnimate -audio "{speech_wav}" -model "{tiny_bundle}" -node "{bs}";')
    assert loaded.scene.slider_sound == "speech" and loaded.scene.slider_display_sound
    assert [entry.name for entry in loaded.scene.undo_queue] == ["audio2faceAnimate"]
    loaded.cmds.undo()
    assert loaded.snapshot() == before and loaded.scene.slider_sound in (None, "")
    loaded.cmds.redo()
    assert loaded.scene.slider_sound == "speech"


def test_every_setting_flag_reaches_the_pipeline_from_mel_and_out_of_range_is_refused(loaded, tiny_bundle,
                                                                                     speech_wav, monkeypatch):
    from audio2face import pipeline

    bs = loaded.build_rig(RIG)
    seen = {}
    real = pipeline.animate

    def spy(audio, settings, **kwargs):  # noqa: ANN001, ANN003, ANN202
        seen["settings"] = settings
        return real(audio, settings, **kwargs)

    monkeypatch.setattr(pipeline, "animate", spy)
    from maya import mel

    mel.eval(f'audio2faceAnimate -a "{speech_wav}" -n "{bs}" -m "{tiny_bundle}" -sdb -40 -srp 60 -thr 2 '
             '-krt true -gn "jawOpen=0.5" -cl false -sound false;')
    settings = seen["settings"]
    assert (settings.post.silence_db, settings.post.silence_ramp_ms, settings.threads) == (-40.0, 60.0, 2)
    assert settings.key_rest_targets and settings.post.gains == {"jawOpen": 0.5} and not settings.post.clamp
    before = loaded.snapshot()
    with pytest.raises(RuntimeError, match="smoothing_ms must be between 0 and 1000 ms"):
        loaded.cmds.audio2faceAnimate(audio=str(speech_wav), node=bs, smoothing=1e12)
    with pytest.raises(RuntimeError, match="start_frame must be between"):
        loaded.cmds.audio2faceAnimate(audio=str(speech_wav), node=bs, startFrame=1e9)
    assert loaded.snapshot() == before
