"""Channels the model never moves: recorded in the bundle, left out of Curves.driven, never keyed unless asked
(issue 13.3: an animator's blinks survive "replace keys in the clip's range")."""

from __future__ import annotations

import json

import numpy as np
import pytest
from audio2face.bundle import load_bundle, validate_metadata
from audio2face.curves import Curves
from audio2face.errors import Audio2FaceError
from audio2face.formats import read_curves, write_curves
from audio2face.pipeline import AnimateSettings, animate
from audio2face_maya.host import ApplyOptions, FileHost, MayaHost
from bundle_factory import make_bundle
from maya_standin.fixtures import maya  # noqa: F401 - fixture

CHANNELS = ["jawOpen", "mouthFunnel", "mouthClose", "eyeBlinkLeft"]


def _bundle(folder, animated=None, provenance=None):
    path = make_bundle(folder, channels=list(CHANNELS))
    meta = json.loads((path / "model.json").read_text())
    if animated is not None:
        meta["animated_channels"] = animated
    if provenance is not None:
        meta["provenance"]["animated_channels"] = provenance
    (path / "model.json").write_text(json.dumps(meta))
    return path


def test_the_bundle_says_which_channels_it_animates(tmp_path):
    assert load_bundle(_bundle(tmp_path / "a", animated=["jawOpen", "mouthClose"])).animated_channels == [
        "jawOpen", "mouthClose"]
    # bundles without the field: the trainer's record in provenance, else every channel
    assert load_bundle(_bundle(tmp_path / "b", provenance=["mouthFunnel"])).animated_channels == ["mouthFunnel"]
    assert load_bundle(_bundle(tmp_path / "c")).animated_channels == CHANNELS
    meta = json.loads((tmp_path / "a" / "model.json").read_text())
    meta["animated_channels"] = ["jawOpen", "nose"]
    with pytest.raises(Audio2FaceError, match="animated_channels.*nose"):
        validate_metadata(meta, tmp_path / "a")


def test_the_default_model_records_its_animated_channels_and_leaves_the_eyes_at_rest():
    from audio2face.bundle import default_model_path

    meta = json.loads((default_model_path() / "model.json").read_text())
    bundle = load_bundle(None)
    assert meta["animated_channels"] == bundle.animated_channels
    assert 0 < len(bundle.animated_channels) < len(bundle.channels)
    assert not [c for c in bundle.animated_channels if c.startswith("eye")]


def test_finish_drives_only_targets_fed_by_an_animated_channel(tmp_path, speech_wav):
    model = str(_bundle(tmp_path / "m", animated=["jawOpen", "mouthFunnel"]))
    targets = ["jawOpen", "mouthFunnel", "eyeBlinkLeft", "browInnerUp"]
    curves = animate(speech_wav, AnimateSettings(model=model, targets=targets))
    assert curves.driven == ["jawOpen", "mouthFunnel"]
    assert curves.unmatched == ["browInnerUp"]
    assert curves.rest_names() == ["eyeBlinkLeft", "browInnerUp"]
    assert curves.keyed().names == ["jawOpen", "mouthFunnel"]
    asked = animate(speech_wav, AnimateSettings(model=model, targets=targets, key_rest_targets=True))
    assert asked.driven is None and asked.keyed().names == ["jawOpen", "mouthFunnel", "eyeBlinkLeft"], \
        "a target no channel drives is never keyed, even when rest targets are"


def _rest_curves() -> Curves:
    weights = np.linspace(0, 1, 10, dtype=np.float32)[:, None].repeat(3, 1)
    weights[:, 2] = 0.0
    return Curves(["jawOpen", "mouthClose", "eyeBlink"], 24.0, weights, driven=["jawOpen", "mouthClose"])


@pytest.mark.parametrize("ext", [".ma", ".anim"])
def test_key_writers_skip_targets_left_at_rest(tmp_path, ext):
    path = tmp_path / f"take{ext}"
    write_curves(_rest_curves(), path, blendshape_node="face_bs")
    text = path.read_text()
    assert "jawOpen" in text and "eyeBlink" not in text


def test_json_keeps_every_column_and_marks_which_are_driven(tmp_path):
    path = tmp_path / "take.json"
    curves = _rest_curves()
    curves.unmatched = ["eyeBlink"]
    write_curves(curves, path)
    back = read_curves(path)
    assert back.names == curves.names and back.driven == ["jawOpen", "mouthClose"] and back.unmatched == ["eyeBlink"]


def test_keying_leaves_an_animators_blinks_alone(maya):  # noqa: F811
    bs = maya.build_rig({0: "jawOpen", 1: "mouthClose", 2: "eyeBlink"})
    maya.key(f"{bs}.eyeBlink", [(3, 0.0), (4, 1.0), (5, 0.0)])
    blinks = maya.keys(f"{bs}.eyeBlink")
    report = MayaHost().apply(_rest_curves(), bs, ApplyOptions(start_frame=1))
    assert report.keyed == ["jawOpen", "mouthClose"] and report.at_rest == ["eyeBlink"]
    assert maya.keys(f"{bs}.eyeBlink") == blinks
    assert "1 left at rest" in report.summary()


def test_keying_rest_targets_when_asked(maya):  # noqa: F811
    bs = maya.build_rig({0: "jawOpen", 1: "mouthClose", 2: "eyeBlink"})
    maya.key(f"{bs}.eyeBlink", [(3, 0.0), (4, 1.0), (5, 0.0)])
    curves = _rest_curves()
    curves.driven = None  # what AnimateSettings(key_rest_targets=True) makes
    report = MayaHost().apply(curves, bs, ApplyOptions(start_frame=1))
    assert report.keyed == ["jawOpen", "mouthClose", "eyeBlink"]
    assert {k[1] for k in maya.keys(f"{bs}.eyeBlink")} == {0.0}


def test_the_file_host_reports_rest_targets(tmp_path):
    report = FileHost().apply(_rest_curves(), "face_bs", ApplyOptions(output=str(tmp_path / "t.ma")))
    assert report.keyed == ["jawOpen", "mouthClose"] and report.at_rest == ["eyeBlink"]
    assert report.key_count == 20


def test_the_stream_knows_the_same_driven_targets(tmp_path):
    from audio2face.pipeline import get_bundle
    from audio2face.streaming import StreamSession

    model = str(_bundle(tmp_path / "m", animated=["jawOpen", "mouthFunnel"]))
    targets = ["jawOpen", "eyeBlinkLeft", "browInnerUp"]
    session = StreamSession(AnimateSettings(model=model, targets=targets), bundle=get_bundle(model))
    assert session.driven == ["jawOpen"]
    asked = StreamSession(AnimateSettings(model=model, targets=targets, key_rest_targets=True),
                          bundle=get_bundle(model))
    assert asked.driven is None
