"""The TensorFlow trainer: network, ONNX export, feature cache, emotion presets, and tiny end-to-end runs.

Needs TensorFlow (the ``train`` extra); skipped without it. The runs use a few seconds of synthetic
speech and a narrow network so the whole file takes well under a minute or two on 2 CPU cores.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from audio2face import training  # noqa: E402
from audio2face.dataset import write_clip  # noqa: E402
from audio2face.errors import Audio2FaceError  # noqa: E402
from audio2face.features import FeatureParams  # noqa: E402
from audio2face.training import TrainerClient  # noqa: E402
from audio2face_trainer import feature_cache  # noqa: E402
from audio2face_trainer.data import build_training_set  # noqa: E402
from audio2face_trainer.emotion import mine_emotions  # noqa: E402
from audio2face_trainer.export import ExportInputs, build_onnx, run_onnx  # noqa: E402
from audio2face_trainer.frontend import log_envelope  # noqa: E402
from audio2face_trainer.linear import fit_ridge  # noqa: E402
from audio2face_trainer.network import NetworkSpec, forward, forward_conv2d, init_params  # noqa: E402
from conftest import speech_like  # noqa: E402

FPS = 30.0
NAMES = ["jaw_open", "lips_wide", "brow_up"]
TINY = ["--set", "formant_channels=4,6,8,8,8", "--set", "articulation_channels=8", "--set", "hidden=8",
        "--set", "emotion_size=4", "--set", "steps_per_call=2", "--batch", "16", "--no-cache"]


def make_dataset(folder: Path, clips: int = 3, seconds: float = 3.0) -> Path:
    """Clips whose first channel follows the loudness of the audio; the last channel never moves."""
    for i in range(clips):
        audio = speech_like(seconds, 16000, silence=((0.8, 1.3),), seed=i)
        frames = int(seconds * FPS)
        hop = 16000 / FPS
        loud = np.array([np.abs(audio[int(f * hop): int((f + 1) * hop)]).mean() for f in range(frames)])
        loud = loud / loud.max()
        weights = np.stack([loud, 1.0 - loud, np.full(frames, 0.3)], axis=1)
        write_clip(folder, f"clip{i}", audio=audio, sample_rate=16000, weights=weights, names=NAMES, fps=FPS)
    return folder


def run_trainer(data: List[Path], out: Path, *args: str, cancel_at_epoch: int = 0, signum: int = 0) -> tuple:
    client = TrainerClient(data, out, python=sys.executable, extra=[*TINY, *args])
    client.start()
    events: List[Dict] = []
    for event in client.events():
        events.append(event)
        if cancel_at_epoch and event["event"] == "epoch" and event["epoch"] == cancel_at_epoch:
            if signum:
                client.process.send_signal(signum)
            else:
                client.cancel()
    return events, client.wait(), client.stderr_tail


def test_matmul_formulation_equals_convolution() -> None:
    spec = NetworkSpec(outputs=5, formant_channels=(4, 6, 8, 8, 8), articulation_channels=8, hidden=7,
                       emotion_size=3, leaky=0.1)
    params = init_params(spec, seed=3)
    x = tf.random.normal([6, 32, 64], seed=1)
    e = tf.random.normal([6, 3], seed=2)
    np.testing.assert_allclose(forward(params, spec, x, e).numpy(), forward_conv2d(params, spec, x, e).numpy(),
                               atol=1e-5)


@pytest.mark.parametrize("emotion_size", [4, 0])
def test_onnx_export_matches_tensorflow(emotion_size: int) -> None:
    spec = NetworkSpec(outputs=3, formant_channels=(4, 6, 8, 8, 8), articulation_channels=8, hidden=7,
                       emotion_size=emotion_size)
    params = init_params(spec, seed=5)
    rng = np.random.default_rng(0)
    mean, scale = rng.normal(0, 1, 32).astype(np.float32), rng.uniform(0.1, 2, 32).astype(np.float32)
    scale[0] = 0.0
    t_mean, t_scale = np.array([0.2, 0.4, 0.1], np.float32), np.array([0.1, 0.3, 0.05], np.float32)
    constants = np.array([0.0, 0.7, 0.0, 0.0, 0.25], np.float32)
    inputs = ExportInputs(spec, {k: v.numpy() for k, v in params.items()}, mean, scale, t_mean, t_scale,
                          animated=[0, 2, 3], constants=constants, channel_count=5)
    model = build_onnx(inputs).SerializeToString()
    raw = rng.normal(0, 5, (40, 32, 64)).astype(np.float32)
    emotion = rng.normal(0, 1, (40, emotion_size)).astype(np.float32)
    std = (raw - mean[None, :, None]) * scale[None, :, None]
    net = forward(params, spec, tf.constant(std), tf.constant(emotion)).numpy()
    expected = np.tile(constants, (40, 1))
    expected[:, [0, 2, 3]] = net * t_scale + t_mean
    got = run_onnx(model, raw, emotion if emotion_size else None)
    assert got.shape == (40, 5)
    assert np.max(np.abs(got - expected)) <= 1e-4
    assert np.all(got[:, 1] == np.float32(0.7)) and np.all(got[:, 4] == np.float32(0.25))


def test_front_end_puts_a_formant_peak_at_its_frequency() -> None:
    # A(z) with a pole pair at 1 kHz (16 kHz audio): 1 - 2 r cos(w) z^-1 + r^2 z^-2, padded to 32 taps
    radius, omega = 0.95, 2 * np.pi * 1000 / 16000
    lpc = np.zeros((1, 32, 2))
    lpc[0, :3, :] = np.array([1.0, -2 * radius * np.cos(omega), radius**2])[:, None]
    envelope = log_envelope(lpc, 32, 1e-3)
    assert envelope.shape == (1, 32, 2)
    peak = int(np.argmax(envelope[0, :, 0]))
    assert abs((peak + 0.5) * 8000 / 32 - 1000) <= 8000 / 32
    flat = np.zeros((1, 32, 1))
    flat[0, 0] = 1.0  # silence: A(z) = 1, a flat envelope
    np.testing.assert_allclose(log_envelope(flat, 32, 1e-3), -np.log(1.001), rtol=1e-9)


def test_linear_member_recovers_a_linear_map() -> None:
    rng = np.random.default_rng(0)
    truth = rng.normal(0, 1, (12, 2))
    xs = [rng.normal(0, 1, (400, 3, 4)) for _ in range(3)]
    ys = [x.reshape(400, -1) @ truth + 0.5 + rng.normal(0, 0.01, (400, 2)) for x in xs]
    weights, bias, lam = fit_ridge(xs, ys)
    assert weights.shape == (12, 2) and bias.shape == (2,)
    assert lam == pytest.approx(0.1 * 1200)  # almost noiseless data: cross-validation picks the weakest ridge
    assert np.corrcoef(weights.ravel(), truth.ravel())[0, 1] > 0.999
    assert 0.85 < float((weights * truth).sum() / (truth * truth).sum()) <= 1.0
    np.testing.assert_allclose(bias, 0.5, atol=0.05)


def test_linear_member_is_fitted_on_recorded_clips_only(tmp_path: Path, monkeypatch) -> None:
    from audio2face_trainer import loop
    from audio2face_trainer.config import TrainConfig

    data = build_training_set([make_dataset(tmp_path / "data", clips=3, seconds=2.0)], FeatureParams(), None,
                              ["clip1"], augment_copies=1, time_shift=TrainConfig().time_shift)
    assert [(c.name, c.augmented) for c in data.train] == [
        ("clip0", False), ("clip2", False), ("clip0~aug0", True), ("clip2~aug0", True)]
    fitted: List[int] = []
    monkeypatch.setattr(loop, "fit_ridge", lambda xs, ys: fitted.append(len(xs)) or fit_ridge(xs, ys))
    run = loop.Training(TrainConfig(jit=False), data)
    assert fitted == [2], "noisy copies would shrink the ridge's weights"
    assert run.norm.input_mean.shape == (32,)


def test_feature_cache_is_used_on_the_second_run(tmp_path: Path, monkeypatch) -> None:
    data = make_dataset(tmp_path / "data", clips=2, seconds=2.0)
    cache = tmp_path / "cache"
    first = build_training_set([data], FeatureParams(), cache)
    assert len(list(cache.glob("*.npy"))) == 2

    def refuse(*args, **kwargs):
        raise AssertionError("features recomputed despite the cache")

    monkeypatch.setattr(feature_cache, "compute_features", refuse)
    second = build_training_set([data], FeatureParams(), cache)
    for a, b in zip(first.train + first.val, second.train + second.val):
        np.testing.assert_array_equal(a.features, b.features)


def test_validation_is_split_by_clip(tmp_path: Path) -> None:
    data = make_dataset(tmp_path / "data", clips=3, seconds=2.0)
    chosen = build_training_set([data], FeatureParams(), None, ["clip1"])
    assert [c.name for c in chosen.val] == ["clip1"]
    assert [c.name for c in chosen.train] == ["clip0", "clip2"]
    with pytest.raises(Audio2FaceError, match="no clip named 'nope'"):
        build_training_set([data], FeatureParams(), None, ["nope"])
    with pytest.raises(Audio2FaceError, match="leave at least one"):
        build_training_set([data], FeatureParams(), None, ["clip0", "clip1", "clip2"])


def test_emotion_presets_are_named_by_their_effect() -> None:
    rng = np.random.default_rng(0)
    # the vectors vary mostly along the first axis; that axis opens the jaw in the "network" below
    table = np.concatenate([rng.normal(0, 1.0, (500, 1)), rng.normal(0, 0.1, (500, 3))], axis=1)
    probe = rng.uniform(0, 1, (50, 2))

    def predict(vector: np.ndarray) -> np.ndarray:
        return probe * np.array([1.0 + 0.5 * vector[0], 1.0])

    block, report = mine_emotions(table, predict, jaw=0)
    assert block["size"] == 4
    np.testing.assert_allclose(block["neutral"], np.median(table, axis=0), atol=1e-6)
    assert block["presets"]["energetic"][0] > block["neutral"][0] > block["presets"]["calm"][0]
    assert report["presets"]["energetic"]["jaw_open_change"] > 0


def test_tiny_training_makes_a_loadable_bundle(tmp_path: Path) -> None:
    from audio2face.bundle import load_bundle
    from audio2face.features import compute_features
    from audio2face.inference import predict

    data = make_dataset(tmp_path / "data")
    out = tmp_path / "models" / "tiny"
    events, code, stderr = run_trainer([data], out, "--epochs", "2", "--val-clip", "clip2",
                                       "--data-source", "synthetic test data")
    names = [e["event"] for e in events]
    assert code == training.EXIT_DONE, stderr
    assert names[0] == "started" and names[-1] == "done", names
    assert names.count("epoch") == 2 and "prepared" in names and "checkpoint" in names
    epoch = next(e for e in events if e["event"] == "epoch")
    assert epoch["epochs"] == 2 and epoch["eta_s"] >= 0 and epoch["val_loss"] is not None

    bundle = load_bundle(out)
    assert bundle.channels == NAMES and bundle.fps == FPS and bundle.emotion_size == 4
    meta = bundle.metadata
    assert meta["provenance"]["data_source"] == "synthetic test data"
    assert meta["provenance"]["validation_clips"] == [["clip2", 90]]
    assert meta["provenance"]["animated_channels"] == ["jaw_open", "lips_wide"]
    assert meta["animated_channels"] == bundle.animated_channels == ["jaw_open", "lips_wide"]
    assert meta["provenance"]["export_max_abs_difference"] <= 1e-4
    assert set(meta["metrics"]["validation"]) >= {"mse", "mae", "pearson", "jaw_pearson"}
    assert (out / "training_report.png").read_bytes()[:4] == b"\x89PNG"
    report = json.loads((out / "training_metrics.json").read_text())
    assert len(report["history"]) == 2
    assert not Path(f"{out}.training").exists()

    features = compute_features(speech_like(1.0, 16000, seed=9), FPS)
    weights = predict(bundle, features)
    assert weights.shape == (features.shape[0], 3)
    assert np.all(weights[:, 2] == np.float32(0.3))  # the channel that never moved is a constant
    for preset in bundle.emotion_presets:
        assert predict(bundle, features, preset).shape == weights.shape


def test_cancel_saves_a_checkpoint_and_resume_finishes(tmp_path: Path) -> None:
    data = make_dataset(tmp_path / "data", clips=2, seconds=2.0)
    out = tmp_path / "model"
    events, code, stderr = run_trainer([data], out, "--epochs", "40", "--patience", "0", cancel_at_epoch=1)
    names = [e["event"] for e in events]
    assert code == training.EXIT_CANCELLED, stderr
    assert names[-1] == "cancelled" and "checkpoint" in names
    assert not out.exists()
    state = json.loads((Path(f"{out}.training") / "state.json").read_text())
    reached = state["epoch"]
    assert 1 <= reached < 40

    events, code, stderr = run_trainer([data], out, "--epochs", str(reached + 1), "--resume")
    assert code == training.EXIT_DONE, stderr
    epochs = [e["epoch"] for e in events if e["event"] == "epoch"]
    assert epochs == [reached + 1]
    prepared = next(e for e in events if e["event"] == "prepared")
    assert prepared["start_epoch"] == reached + 1
    metrics = json.loads((out / "training_metrics.json").read_text())
    assert [h["epoch"] for h in metrics["history"]] == list(range(1, reached + 2))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a hard kill on Windows")
def test_sigterm_from_a_farm_scheduler_cancels_with_a_checkpoint(tmp_path: Path) -> None:
    import signal

    data = make_dataset(tmp_path / "data", clips=2, seconds=2.0)
    out = tmp_path / "model"
    events, code, stderr = run_trainer([data], out, "--epochs", "40", "--patience", "0", cancel_at_epoch=1,
                                       signum=signal.SIGTERM)
    assert code == training.EXIT_CANCELLED, stderr
    names = [e["event"] for e in events]
    assert names[-1] == "cancelled" and "checkpoint" in names
    assert not out.exists() and (Path(f"{out}.training") / "state.json").is_file()


def test_corrupt_dataset_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    data = make_dataset(tmp_path / "data", clips=2, seconds=2.0)
    (data / "clip1.npy").write_bytes(b"\x93NUMPY garbage")
    out = tmp_path / "models" / "broken"
    events, code, _ = run_trainer([data], out, "--epochs", "1")
    assert code == training.EXIT_ERROR
    assert events[-1]["event"] == "error" and "clip1.npy" in events[-1]["message"]
    assert events[-1]["path"].endswith("clip1.npy")
    assert not out.exists()
    assert not (tmp_path / "models").exists() or list((tmp_path / "models").iterdir()) == []


def test_datasets_with_other_targets_are_refused(tmp_path: Path) -> None:
    first = make_dataset(tmp_path / "a", clips=1, seconds=2.0)
    other = tmp_path / "b"
    audio = speech_like(2.0, 16000, seed=5)
    write_clip(other, "other", audio=audio, sample_rate=16000, weights=np.zeros((60, 2)), names=["x", "y"], fps=FPS)
    events, code, _ = run_trainer([first, other], tmp_path / "m", "--epochs", "1")
    assert code == training.EXIT_ERROR
    assert "other targets" in events[-1]["message"] and events[-1]["path"] == str(other)


def test_resume_with_other_data_is_refused(tmp_path: Path) -> None:
    data = make_dataset(tmp_path / "data", clips=2, seconds=2.0)
    out = tmp_path / "model"
    _, code, _ = run_trainer([data], out, "--epochs", "1", "--keep-checkpoints")
    assert code == training.EXIT_DONE
    more = make_dataset(tmp_path / "more", clips=3, seconds=2.0)
    events, code, _ = run_trainer([more], out, "--epochs", "2", "--resume")
    assert code == training.EXIT_ERROR and "other data" in events[-1]["message"]


def test_lookahead_is_trained_and_recorded_in_the_bundle(tmp_path: Path) -> None:
    from audio2face.bundle import load_bundle

    data = make_dataset(tmp_path / "data", clips=2, seconds=2.0)
    out = tmp_path / "models" / "low"
    events, code, stderr = run_trainer([data], out, "--epochs", "1", "--lookahead-ms", "80")
    assert code == training.EXIT_DONE, stderr
    bundle = load_bundle(out)
    assert bundle.metadata["features"]["lookahead_ms"] == 80
    assert bundle.feature_params.lookahead_samples == 1280 and bundle.feature_params.pad_samples == 7040
    events, code, _ = run_trainer([data], tmp_path / "bad", "--epochs", "1", "--lookahead-ms", "900")
    assert code == training.EXIT_ERROR
    assert "lookahead_ms" in events[-1]["message"] and not (tmp_path / "bad").exists()
