"""The shared graph (``model_shared.onnx``): distinct sub-frames in, the per-frame graph's weights out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from audio2face.bundle import METADATA_FILE, MODEL_FILE, SHARED_FILE, default_model_path, load_bundle
from audio2face.errors import Audio2FaceError
from audio2face.features import (
    FeatureParams,
    SubframeRows,
    compute_features,
    distinct_fraction,
    iter_feature_chunks,
    iter_stream_feature_chunks,
)
from audio2face.inference import predict
from audio2face.pipeline import AnimateSettings
from audio2face.pipeline import predict as predict_clip
from conftest import FLOAT_ROUNDING, ROOT, speech_like

LOW_LATENCY = ROOT / "scripts" / "audio2face" / "models" / "lowlatency"


def shared_chunks(samples: np.ndarray, fps: float, params: FeatureParams, chunk: int) -> list:
    return list(iter_feature_chunks(samples, fps, params, chunk_frames=chunk, shared=True))


@pytest.mark.parametrize("fps", [23.976, 25.0, 30.0, 60.0])
def test_sub_frame_rows_expand_to_the_features_exactly(fps):
    samples = speech_like(3.1, seed=5)
    params = FeatureParams()
    whole = compute_features(samples, fps, params)
    got = np.concatenate([rows.expand() for _, rows in shared_chunks(samples, fps, params, 40)])
    assert np.array_equal(got, whole)
    streamed = [rows for _, rows in iter_stream_feature_chunks(iter([samples[:7000], samples[7000:]]), fps, params,
                                                               chunk_frames=40, shared=True)]
    assert np.array_equal(np.concatenate([rows.expand() for rows in streamed]), whole)
    rows = shared_chunks(samples, fps, params, 10_000)[0][1]
    part = rows.select(7, 31)
    assert np.array_equal(part.expand(), whole[7:31])
    assert part.rows.shape[1] == np.unique(rows.index[7:31]).size, "only the rows those frames use"


def test_frames_share_sub_frames_at_30_fps():
    rows = shared_chunks(speech_like(4.0, seed=1), 30.0, FeatureParams(), 10_000)[0][1]
    assert rows.rows.shape[1] < 0.45 * rows.index.size
    assert distinct_fraction(30.0) == pytest.approx(0.42, abs=0.01)
    assert distinct_fraction(25.0) < 0.1
    assert distinct_fraction(29.97) == distinct_fraction(24.0) == 1.0, "these rates share nothing"


@pytest.mark.parametrize("model", [default_model_path(), LOW_LATENCY], ids=["default", "lowlatency"])
@pytest.mark.parametrize("fps", [24.0, 30.0, 50.0])
def test_shipped_models_give_the_per_frame_weights_from_shared_sub_frames(model, fps):
    bundle = load_bundle(model)
    assert bundle.shared_session is not None, "the shipped bundles carry model_shared.onnx"
    samples = speech_like(6.0, silence=((2.0, 2.6),), seed=2)
    per_frame = predict(bundle, compute_features(samples, fps, bundle.feature_params), "energetic", batch_size=32)
    chunks = shared_chunks(samples, fps, bundle.feature_params, 70)
    batches = (128, 7, 1000)
    shared = np.concatenate([predict(bundle, rows, "energetic", batch_size=batches[i % 3])
                             for i, (_, rows) in enumerate(chunks)])
    assert shared.shape == per_frame.shape
    assert np.max(np.abs(shared - per_frame)) <= FLOAT_ROUNDING


def without_shared_graph(tmp_path: Path) -> Path:
    folder = tmp_path / "plain"
    shutil.copytree(default_model_path(), folder)
    (folder / SHARED_FILE).unlink()
    meta = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    del meta["shared"]
    (folder / METADATA_FILE).write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_a_bundle_without_the_shared_graph_runs_sub_frame_rows_frame_by_frame(tmp_path):
    plain = load_bundle(without_shared_graph(tmp_path))
    assert plain.shared_session is None
    samples = speech_like(2.0, seed=4)
    rows = shared_chunks(samples, 30.0, plain.feature_params, 10_000)[0][1]
    expected = predict(plain, compute_features(samples, 30.0, plain.feature_params))
    assert np.array_equal(predict(plain, rows, batch_size=16), expected)


def test_animate_with_and_without_the_shared_graph_agree(tmp_path):
    samples = speech_like(5.0, silence=((1.0, 1.5),), seed=6)
    shared = predict_clip(samples, AnimateSettings(), sample_rate=16000)
    plain = predict_clip(samples, AnimateSettings(model=str(without_shared_graph(tmp_path))), sample_rate=16000)
    assert np.max(np.abs(shared.raw - plain.raw)) <= FLOAT_ROUNDING


def test_sub_frame_rows_of_another_shape_are_refused():
    bundle = load_bundle()
    rows = SubframeRows(np.zeros((16, 10), np.float32), np.zeros((2, 64), np.int64))
    with pytest.raises(Audio2FaceError, match="16 coefficients"):
        predict(bundle, rows)


def test_a_declared_shared_graph_must_be_there_and_well_formed(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(default_model_path(), folder)
    (folder / SHARED_FILE).unlink()
    with pytest.raises(Audio2FaceError, match="no model_shared.onnx"):
        load_bundle(folder)
    shutil.copy(default_model_path() / MODEL_FILE, folder / SHARED_FILE)  # a graph with the wrong inputs
    with pytest.raises(Audio2FaceError, match="model_shared.onnx input 'subframes'"):
        load_bundle(folder)
    meta = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    meta["shared"] = {"subframes": "subframes"}
    (folder / METADATA_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(Audio2FaceError, match="'shared' must name"):
        load_bundle(folder)


def test_the_trainer_adds_a_shared_graph_to_an_existing_bundle(tmp_path):
    pytest.importorskip("onnx", reason="the trainer's graph editing needs the onnx package (the train extra)")
    from audio2face_trainer.shared_graph import main

    folder = without_shared_graph(tmp_path)
    kept = sorted(p.name for p in folder.iterdir())
    assert main([str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted([*kept, SHARED_FILE])
    bundle = load_bundle(folder)
    samples = speech_like(3.0, seed=8)
    rows = shared_chunks(samples, 30.0, bundle.feature_params, 10_000)[0][1]
    expected = predict(bundle, compute_features(samples, 30.0, bundle.feature_params))
    assert np.max(np.abs(predict(bundle, rows, batch_size=128) - expected)) <= FLOAT_ROUNDING


def test_the_trainer_refuses_a_graph_it_cannot_share(tmp_path, capsys):
    onnx = pytest.importorskip("onnx", reason="the trainer's graph editing needs the onnx package (the train extra)")
    from audio2face_trainer.shared_graph import main
    from onnx import TensorProto, helper

    folder = without_shared_graph(tmp_path)
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["features"], ["pooled"], axes=[2], keepdims=0),
         helper.make_node("Identity", ["pooled"], ["weights"])], "flat",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 32, 64])],
        [helper.make_tensor_value_info("weights", TensorProto.FLOAT, ["N", 32])])
    (folder / MODEL_FILE).write_bytes(helper.make_model(graph).SerializeToString())
    assert onnx is not None
    assert main([str(folder)]) == 1
    assert "no convolutions along the LPC axis" in capsys.readouterr().err
    assert not (folder / SHARED_FILE).exists()
