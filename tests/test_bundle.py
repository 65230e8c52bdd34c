"""Model bundles: loading checks everything, writing is atomic, inference runs in batches."""

from __future__ import annotations

import json

import numpy as np
import pytest
from audio2face.bundle import load_bundle, write_bundle
from audio2face.errors import Audio2FaceError, Cancelled
from audio2face.inference import predict
from audio2face.progress import CancelToken
from bundle_factory import make_bundle, tiny_metadata, tiny_onnx


def _edit_meta(folder, **changes):
    meta = json.loads((folder / "model.json").read_text())
    meta.update(changes)
    (folder / "model.json").write_text(json.dumps(meta))


def test_load_reads_metadata(tiny_bundle):
    bundle = load_bundle(tiny_bundle)
    assert bundle.channels[0] == "jawOpen"
    assert bundle.fps == 30.0
    assert bundle.emotion_size == 4
    assert set(bundle.emotion_presets) == {"open"}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format_version": 99}, "unknown bundle format version 99"),
        ({"channels": ["a", "b"]}, "names 2 channels"),
        ({"channels": ["a", "a", "b", "c", "d"]}, "duplicate"),
        ({"fps": -1}, "fps"),
        ({"features": {"lpc_order": 16}}, ""),
        ({"emotion": {"size": 3, "neutral": [0, 0, 0], "presets": {}}}, "emotion"),
        ({"format": "something-else"}, "not an audio2face-bundle"),
    ],
)
def test_bad_metadata_is_refused_with_the_folder_named(tiny_bundle, change, message):
    _edit_meta(tiny_bundle, **change)
    with pytest.raises(Audio2FaceError) as info:
        load_bundle(tiny_bundle)
    assert str(tiny_bundle) in str(info.value)
    assert message in str(info.value)


def test_missing_files(tmp_path, tiny_bundle):
    with pytest.raises(Audio2FaceError, match="not found"):
        load_bundle(tmp_path / "nope")
    (tiny_bundle / "model.onnx").unlink()
    with pytest.raises(Audio2FaceError, match="no model.onnx"):
        load_bundle(tiny_bundle)


def test_corrupt_onnx(tiny_bundle):
    (tiny_bundle / "model.onnx").write_bytes(b"not a model")
    with pytest.raises(Audio2FaceError, match="model.onnx cannot be loaded"):
        load_bundle(tiny_bundle)


def test_emotion_input_without_metadata_is_refused(tmp_path):
    folder = make_bundle(tmp_path / "m", emotion_size=4)
    _edit_meta(folder, emotion={"size": 0})
    with pytest.raises(Audio2FaceError, match="inputs the metadata does not name: emotion"):
        load_bundle(folder)


def test_write_bundle_is_atomic(tmp_path):
    target = tmp_path / "out"
    meta = tiny_metadata(["a", "b"], emotion_size=0)
    write_bundle(target, tiny_onnx(2, 0), meta, {"report.json": b"{}"})
    assert load_bundle(target).channels == ["a", "b"]
    bad = dict(meta, format_version=7)
    with pytest.raises(Audio2FaceError):
        write_bundle(target, b"x", bad)
    assert load_bundle(target).channels == ["a", "b"], "a failed write must leave the old bundle intact"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no temporary folders left behind"


def test_predict_batches_match_one_batch(tiny_bundle):
    bundle = load_bundle(tiny_bundle)
    feats = np.random.default_rng(1).standard_normal((37, 32, 64)).astype(np.float32)
    whole = predict(bundle, feats, batch_size=1000)
    seen = []
    parts = predict(bundle, feats, batch_size=8, progress=lambda d, t: seen.append((d, t)))
    np.testing.assert_allclose(parts, whole, atol=1e-6)
    assert seen[-1] == (37, 37) and len(seen) == 5
    assert predict(bundle, feats[:0]).shape == (0, 5)


def test_predict_emotion_presets_change_the_output(tiny_bundle):
    bundle = load_bundle(tiny_bundle)
    feats = np.zeros((4, 32, 64), np.float32)
    neutral = predict(bundle, feats)
    opened = predict(bundle, feats, "open")
    assert not np.allclose(neutral, opened)
    np.testing.assert_allclose(predict(bundle, feats, [1, 0, 0, 0]), opened, atol=1e-6)
    with pytest.raises(Audio2FaceError, match="unknown emotion preset 'sad'"):
        predict(bundle, feats, "sad")
    with pytest.raises(Audio2FaceError, match="2 values"):
        predict(bundle, feats, [1, 2])


def test_predict_cancel(tiny_bundle):
    bundle = load_bundle(tiny_bundle)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        predict(bundle, np.zeros((10, 32, 64), np.float32), cancel=token)


def test_predict_rejects_wrong_feature_shape(tiny_bundle):
    with pytest.raises(Audio2FaceError, match="shape"):
        predict(load_bundle(tiny_bundle), np.zeros((3, 64, 32), np.float32))


def test_written_files_get_the_usual_permissions(tmp_path):
    import os
    import stat

    from audio2face.atomic import atomic_open, umask_mode

    with atomic_open(tmp_path / "f.json") as handle:
        handle.write("{}")
    assert stat.S_IMODE(os.stat(tmp_path / "f.json").st_mode) == umask_mode()
    target = write_bundle(tmp_path / "b", tiny_onnx(2, 0), tiny_metadata(["a", "b"], emotion_size=0))
    assert stat.S_IMODE(os.stat(target).st_mode) == umask_mode(0o777)
    assert stat.S_IMODE(os.stat(target / "model.onnx").st_mode) == umask_mode()


def test_the_bundled_default_model_loads_and_runs_on_this_onnxruntime():
    """Maya 2023's Python 3.9 gets onnxruntime 1.19, whose optimiser makes a FusedMatMul it cannot run."""
    from audio2face.features import compute_features
    from conftest import speech_like

    bundle = load_bundle(None)
    weights = predict(bundle, compute_features(speech_like(0.5, 16000), 30.0))
    assert weights.shape == (15, len(bundle.channels)) and np.isfinite(weights).all()


def test_a_kernel_the_optimiser_needs_but_lacks_falls_back_to_basic_optimisations(tiny_bundle, monkeypatch):
    import onnxruntime as ort

    real = ort.InferenceSession
    levels = []

    def session(path, options, providers):
        levels.append(options.graph_optimization_level)
        if options.graph_optimization_level != ort.GraphOptimizationLevel.ORT_ENABLE_BASIC:
            raise RuntimeError("[ONNXRuntimeError] : 9 : NOT_IMPLEMENTED : Failed to find kernel for "
                               "com.microsoft.FusedMatMul(1)")
        return real(path, options, providers=providers)

    monkeypatch.setattr(ort, "InferenceSession", session)
    load_bundle(tiny_bundle)
    assert levels[-1] == ort.GraphOptimizationLevel.ORT_ENABLE_BASIC and len(levels) == 2
