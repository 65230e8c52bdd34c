"""Quality on a held-out clip: our model vs FACEGOOD's recipe, ridge regression and the training mean.

Prints, for the held-out clip, MSE and MAE over the animated channels (those that move in the training
clips), the mean per-channel Pearson correlation (channels constant in the held-out clip are skipped), and
the jaw-open (``mouth_stretch_c``) correlation, for:

- ours: our recipe (``audio2face_trainer``, the defaults of ``python -m audio2face_trainer train``), scored
  through the exported ONNX model with the neutral emotion, i.e. exactly what a bundle ships; or, with
  ``--bundle``, an already trained bundle (e.g. the committed default model);
- FACEGOOD's recipe: the same network trained their way (one fixed random emotion vector, their
  position + motion loss over the halves of shuffled batches, Adam 1e-3 decayed x0.98 every 10 epochs,
  batch 32, dropout 0.5, raw LPC inputs) for the same number of epochs; shown at its last epoch and at its
  best epoch on the held-out clip (an oracle choice, in its favour);
- ridge regression from the standardised 32 x 64 LPC features, each metric at the regularisation that is
  best for it on the held-out clip (in its favour);
- the training mean of every channel.

Ridge on our spectral front end is printed too, for context (how much the front end alone buys).

Usage: PYTHONPATH=scripts python bench/quality.py [--epochs 10] [--val-clip 1114_2_04] [--bundle DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402
from audio2face.features import FeatureParams  # noqa: E402
from audio2face_trainer.config import recipe_config  # noqa: E402
from audio2face_trainer.data import TrainingSet, build_training_set  # noqa: E402
from audio2face_trainer.frontend import log_envelope  # noqa: E402
from audio2face_trainer.metrics import score  # noqa: E402

METRICS = ("mse", "mae", "pearson", "jaw_pearson")
LOWER_IS_BETTER = {"mse": True, "mae": True, "pearson": False, "jaw_pearson": False}


def animated_channels(data: TrainingSet) -> np.ndarray:
    weights = np.concatenate([c.weights for c in data.train])
    return np.flatnonzero(np.ptp(weights, axis=0) > 1e-6)


def held_out(data: TrainingSet, animated: np.ndarray) -> Tuple[np.ndarray, List[str]]:
    true = np.concatenate([c.weights for c in data.val])[:, animated]
    return true, [data.channels[i] for i in animated]


def ridge_scores(data: TrainingSet, animated: np.ndarray, transform=None) -> Tuple[Dict, str]:
    """Ridge from standardised features; each metric at the regularisation that is best for it."""
    def design(clips):
        rows = [transform(c.features) if transform else c.features.astype(np.float64) for c in clips]
        return np.concatenate([r.reshape(len(r), -1) for r in rows])

    x, xv = design(data.train), design(data.val)
    y = np.concatenate([c.weights for c in data.train])[:, animated].astype(np.float64)
    true, names = held_out(data, animated)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std < 1e-6] = np.inf
    z, zv = (x - mean) / std, (xv - mean) / std
    y_mean = y.mean(axis=0)
    gram, cross = z.T @ z, z.T @ (y - y_mean)
    results = {}
    for lam in (1e2, 1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6):
        weights = np.linalg.solve(gram + lam * np.eye(len(gram)), cross)
        results[lam] = score(zv @ weights + y_mean, true, names)
    best: Dict = {}
    chosen = []
    for metric in METRICS:
        pick = min if LOWER_IS_BETTER[metric] else max
        lam = pick(results, key=lambda k: results[k][metric])
        best[metric] = results[lam][metric]
        chosen.append(f"{metric} {lam:g}")
    return best, ", ".join(chosen)


def train_ours(data: TrainingSet, epochs: int) -> Tuple[Dict, Dict]:
    from audio2face_trainer.export import build_onnx
    from audio2face_trainer.loop import Training
    from audio2face_trainer.package import emotion_block, export_inputs, shipped_metrics

    training = Training(recipe_config("ours", epochs=epochs), data)
    started = time.perf_counter()
    result = training.run()
    training.restore_best()
    block, _ = emotion_block(training)
    onnx_bytes = build_onnx(export_inputs(training)).SerializeToString()
    metrics = shipped_metrics(training, onnx_bytes, np.asarray(block["neutral"], np.float32))["all"]
    info = {"epochs run": result.epochs, "best epoch": result.best_epoch,
            "minutes": (time.perf_counter() - started) / 60}
    return metrics, info


def bundle_scores(path: Path, data: TrainingSet, animated: np.ndarray) -> Tuple[Dict, Dict]:
    from audio2face.bundle import load_bundle
    from audio2face.inference import predict

    bundle = load_bundle(path)
    columns = [bundle.channels.index(data.channels[i]) for i in animated]
    pred = np.concatenate([predict(bundle, c.features)[:, columns] for c in data.val])
    true, names = held_out(data, animated)
    provenance = bundle.metadata.get("provenance", {})
    return score(pred, true, names), {"epochs run": provenance.get("epochs"),
                                      "best epoch": provenance.get("best_epoch")}


def train_facegood(data: TrainingSet, epochs: int) -> Tuple[Dict, Dict, Dict]:
    from audio2face_trainer.loop import Training

    training = Training(recipe_config("facegood", epochs=epochs), data)
    started = time.perf_counter()
    training.run()
    history = training.history
    best = min(history, key=lambda h: h["val_loss"])
    info = {"best epoch": best["epoch"], "minutes": (time.perf_counter() - started) / 60}
    return history[-1]["val"], best["val"], info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "facegood"))
    parser.add_argument("--val-clip", default="1114_2_04", help="the held-out clip")
    parser.add_argument("--epochs", type=int, default=10, help="epochs for both networks")
    parser.add_argument("--bundle", help="score this bundle as 'ours' instead of training one")
    parser.add_argument("--cache", default=None, help="feature cache folder")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    data_dir = Path(args.data)
    if not (data_dir / "wav").is_dir():
        print(f"FACEGOOD data not found at {data_dir}: nothing to measure")
        return 1
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from audio2face_trainer.feature_cache import default_cache_dir

    cache = Path(args.cache) if args.cache else default_cache_dir()
    ours_config = recipe_config("ours")
    data = build_training_set([data_dir], FeatureParams(), cache, [args.val_clip],
                              time_shift=ours_config.time_shift)
    animated = animated_channels(data)
    true, names = held_out(data, animated)
    print(f"held-out clip {args.val_clip}: {len(true)} frames; training clips "
          f"{', '.join(c.name for c in data.train)}; {len(animated)} animated channels; "
          f"device {'GPU' if tf.config.list_physical_devices('GPU') else 'CPU'}", flush=True)

    rows: Dict[str, Dict] = {}
    notes: Dict[str, str] = {}
    if args.bundle:
        rows["ours (bundle)"], info = bundle_scores(Path(args.bundle), data, animated)
        epochs = int(info.get("epochs run") or args.epochs)
        notes["ours (bundle)"] = f"{args.bundle}, {info['epochs run']} epochs, best {info['best epoch']}"
    else:
        rows["ours"], info = train_ours(data, args.epochs)
        epochs = args.epochs
        notes["ours"] = (f"{info['epochs run']} epochs run (max {args.epochs}), best epoch {info['best epoch']}, "
                         f"{info['minutes']:.1f} min")
    print(f"ours: {notes[next(iter(notes))]}", flush=True)
    last, best, info = train_facegood(data, epochs)
    rows[f"FACEGOOD recipe, epoch {epochs}"] = last
    rows[f"FACEGOOD recipe, best epoch {info['best epoch']} (oracle)"] = best
    print(f"FACEGOOD recipe: {epochs} epochs, {info['minutes']:.1f} min", flush=True)
    rows["ridge, standardised LPC"], lam = ridge_scores(data, animated)
    y_train = np.concatenate([c.weights for c in data.train])[:, animated]
    rows["training mean"] = score(np.broadcast_to(y_train.mean(axis=0), true.shape), true, names)
    context, lam_env = ridge_scores(data, animated, transform=lambda f: log_envelope(f, 32, 1e-3))

    ours_name = next(iter(rows))
    print(f"\n{'':46s} {'MSE':>9s} {'MAE':>9s} {'Pearson':>8s} {'jaw r':>8s}")
    for name, values in [*rows.items(), ("(context) ridge on our front end", context)]:
        print(f"{name:46s} {values['mse']:9.5f} {values['mae']:9.5f} {values['pearson']:8.3f} "
              f"{values['jaw_pearson']:8.3f}")
    print(f"ridge lambda per metric: {lam}; on our front end: {lam_env}")
    ours = rows[ours_name]
    print("\nours vs the best baseline on each metric:")
    all_beaten = True
    for metric in METRICS:
        baselines = [v[metric] for k, v in rows.items() if k != ours_name and np.isfinite(v[metric])]
        if LOWER_IS_BETTER[metric]:
            best_base = min(baselines)
            beaten = ours[metric] < best_base
            change = f"{100 * (best_base - ours[metric]) / best_base:+.1f}% lower"
        else:
            best_base = max(baselines)
            beaten = ours[metric] > best_base
            change = f"{ours[metric] - best_base:+.3f}"
        all_beaten &= beaten
        print(f"  {metric:12s} ours {ours[metric]:.5f}  best baseline {best_base:.5f}  {change}  "
              f"{'beaten' if beaten else 'NOT beaten'}")
    print(f"\nours beats every baseline on every metric: {'YES' if all_beaten else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
