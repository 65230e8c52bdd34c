"""GenerateState without Qt: settings, the cached prediction, staleness, output names, what gets keyed."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from audio2face import pipeline, retarget
from audio2face.curves import Curves
from audio2face.post import PostSettings

ROOT = Path(__file__).resolve().parent.parent
CHANNELS = ["jawOpen", "mouthFunnel", "mouthSmileLeft", "mouthSmileRight", "mouthClose"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    from bundle_factory import make_bundle

    return make_bundle(tmp_path_factory.mktemp("state_model") / "tiny", channels=list(CHANNELS))


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    import soundfile as sf
    from conftest import speech_like

    path = tmp_path_factory.mktemp("state_audio") / "line01.wav"
    sf.write(str(path), speech_like(1.5, 16000), 16000, subtype="PCM_16")
    return str(path)


def _inputs(audio, model, **changes):
    from audio2face_maya.ui.generate_state import Inputs

    values = dict(audio=audio, model=str(model), fps=30.0, mapping=None, emotion=None, start_frame=1.0,
                  post=PostSettings(), reduce=None)
    values.update(changes)
    return Inputs(**values)


def test_generate_state_imports_no_qt():
    code = ("import sys, audio2face_maya.ui.generate_state; "
            "bad = [m for m in sys.modules if 'PySide' in m or 'shiboken' in m or m.endswith('vendor.Qt')]; "
            "sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(ROOT / "scripts")}, check=False)
    assert done.returncode == 0, "generate_state must stay free of Qt"


def test_knob_changes_rerun_only_finish_on_the_cached_prediction(model, speech):
    from audio2face_maya.ui.generate_state import GenerateState

    state = GenerateState()
    calls = []

    def counting_predict(audio, settings, progress=None, cancel=None):
        calls.append(audio)
        return pipeline.predict(audio, settings, progress=progress, cancel=cancel)

    state.predict_fn = counting_predict
    first = state.work(_inputs(speech, model))(None, None)
    assert first.predicted and len(calls) == 1
    state.accept(first, speech)
    half = _inputs(speech, model, post=dataclasses.replace(PostSettings(), strength=0.5))
    second = state.work(half)(None, None)
    assert not second.predicted and len(calls) == 1, "a post knob re-runs finish only, not the model"
    expected = pipeline.animate(speech, state.settings(half))
    assert np.allclose(second.curves.weights, expected.weights, atol=1e-5)
    state.accept(second, speech)
    third = state.work(_inputs(speech, model, fps=24.0))(None, None)
    assert third.predicted and len(calls) == 2, "another frame rate needs the model again"
    assert third.curves.fps == 24.0


def test_mapping_goes_to_the_pipeline_as_a_value_with_gain_and_offset(model, speech):
    from audio2face_maya.ui.generate_state import GenerateState

    state = GenerateState()
    mapping = {"jaw": retarget.Source("ch", ("jawOpen",), 0.5, 0.1), "brow": None}
    result = state.work(_inputs(speech, model, mapping=mapping))(None, None)
    plain = pipeline.animate(speech, pipeline.AnimateSettings(model=str(model), fps=30.0))
    assert result.curves.names == ["jaw", "brow"]
    assert np.allclose(result.curves.channel("jaw"), plain.channel("jawOpen") * 0.5 + 0.1, atol=1e-5)
    assert result.curves.unmatched == ["brow"]


def test_staleness_follows_the_inputs(model, speech):
    from audio2face_maya.ui.generate_state import GenerateState

    state = GenerateState()
    inputs = _inputs(speech, model)
    assert not state.is_current(inputs)
    state.accept(state.work(inputs)(None, None), speech)
    assert state.is_current(inputs)
    assert not state.is_current(_inputs(speech, model, start_frame=1001.0))
    assert not state.is_current(_inputs(speech, model, mapping={"jawOpen": retarget.Source("ch", ("jawOpen",))}))
    state.mark_stale("cancelled")
    assert not state.is_current(inputs)


def test_output_is_derived_from_each_clip_unless_named(tmp_path):
    from audio2face_maya.ui.generate_state import GenerateState

    state = GenerateState()
    state.new_clip("/data/read_only/line01.wav")
    assert state.output_path("/data/read_only/line01.wav") is None, "never defaulted beside the audio"
    state.choose_output(str(tmp_path / "shot010.anim"))
    assert state.output_path("/data/read_only/line01.wav") == str(tmp_path / "shot010.anim")
    state.new_clip("/data/read_only/line02.wav")
    assert state.output_path("/data/read_only/line02.wav") == str(tmp_path / "line02.anim"), \
        "the next clip gets its own file in the chosen folder, in the chosen format"


def _curves(driven=None, unmatched=()):
    names = ["jawOpen", "eyeBlinkLeft", "browInnerUp"]
    return Curves(names, 30.0, np.zeros((4, 3), np.float32), driven=driven, unmatched=list(unmatched))


def test_targets_left_at_rest_are_not_keyed_unless_asked(tmp_path):
    """Apply keys what the CLI keys: the host leaves undriven targets alone, and rest targets unless asked."""
    from audio2face.errors import Audio2FaceError
    from audio2face.formats import read_curves
    from audio2face_maya.host import ApplyOptions, FileHost
    from audio2face_maya.ui.generate_state import GenerateState, Result, rest_targets

    def applied(curves, name):
        state = GenerateState()
        state.result = Result(prediction=None, curves=curves, qc=None, key=(), predicted=False)
        return state.apply(FileHost(), "blendShape1", ApplyOptions(output=str(tmp_path / name)))

    curves = _curves(driven=["jawOpen", "browInnerUp"], unmatched=["browInnerUp"])
    assert rest_targets(curves) == ["eyeBlinkLeft", "browInnerUp"]
    report = applied(curves, "rest.json")
    assert report.keyed == ["jawOpen"] and report.at_rest == ["eyeBlinkLeft"] and report.unmatched == ["browInnerUp"]
    assert read_curves(tmp_path / "rest.json").names == curves.names, "the same file the CLI writes"
    asked = _curves(driven=None, unmatched=["browInnerUp"])  # what key_rest_targets=True makes
    report = applied(asked, "all.json")
    assert report.keyed == ["jawOpen", "eyeBlinkLeft"] and report.at_rest == [] and report.unmatched == ["browInnerUp"]
    with pytest.raises(Audio2FaceError, match="no rig target is driven"):
        applied(_curves(driven=[], unmatched=["browInnerUp"]), "none.json")


def test_apply_asks_before_replacing_a_file(tmp_path, model, speech):
    from audio2face_maya.host import ApplyOptions, FileHost
    from audio2face_maya.ui.generate_state import GenerateState

    state = GenerateState()
    state.accept(state.work(_inputs(speech, model))(None, None), speech)
    out = tmp_path / "shot.json"
    out.write_text("the animator's file")
    asked = []
    report = state.apply(FileHost(), "blendShape1", ApplyOptions(output=str(out)),
                         confirm=lambda q: asked.append(q) or False)
    assert report is None and out.read_text() == "the animator's file" and "Replace it?" in asked[0]
    report = state.apply(FileHost(), "blendShape1", ApplyOptions(output=str(out)), confirm=lambda q: True)
    assert report is not None and out.read_text() != "the animator's file"


def test_write_all_keeps_existing_files_when_the_user_says_no(tmp_path):
    from audio2face_maya.ui.generate_state import plan_batch

    clips = ["/in/a.wav", "/in/b.wav", "/in/c.wav"]
    (tmp_path / "b.ma").write_text("kept")
    out = lambda clip: str(tmp_path / (Path(clip).stem + ".ma"))  # noqa: E731
    asked = []
    batch = plan_batch(clips, out, lambda q: asked.append(q) or False)
    assert batch.pending == ["/in/a.wav", "/in/c.wav"] and not batch.overwrite and "b.ma" in asked[0]
    assert batch.current == "/in/a.wav" and batch.advance() == "/in/c.wav" and batch.advance() is None
    batch = plan_batch(clips, out, lambda q: True)
    assert batch.pending == clips and batch.overwrite and batch.total == 3
