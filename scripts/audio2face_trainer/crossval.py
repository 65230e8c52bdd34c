"""Leave-one-clip-out cross-validation: choose settings on every clip, not on the early-stopping one.

Each fold holds one clip out, trains a fixed number of epochs on the others (no early stopping: the held-out
clip never chooses anything), and scores the exported model on the held-out clip (onnxruntime, neutral
emotion) and on perturbed copies of it when ``--perturb`` is given (``PERTURBATIONS``: white noise at 20 dB
SNR, telephone band-limiting, the telephone copy with a line's hiss 50 dB under the speech, and a music
bed 10 dB under it, made with ``augment``'s functions; the clips' pauses are digital silence, which
band-limiting alone turns into rounding noise that a real line never carries). Several configurations run
on the same folds (``--compare KEY=VALUE[;KEY=VALUE]``, repeatable; the first row is always the plain
recipe). Besides the ``TrainConfig`` fields, ``lookahead_ms=MS`` changes the feature window's layout (as
``train --lookahead-ms`` does): ``--compare lookahead_ms=80`` is the cost of the low-latency model on the same folds.

    PYTHONPATH=scripts python -m audio2face_trainer.crossval --data ../shared/facegood --epochs 3 \\
        --compare augment_copies=1 [--compare lookahead_ms=80] [--perturb] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


LAYOUT_KEY = "lookahead_ms"


def _parse_overrides(text: str) -> Dict[str, Any]:
    """``KEY=VALUE[;KEY=VALUE]`` of ``TrainConfig`` fields (and ``lookahead_ms``), each cast to its type."""
    from .config import TrainConfig

    defaults = TrainConfig()
    out: Dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        key, _, value = item.partition("=")
        if key.strip() == LAYOUT_KEY:
            out[LAYOUT_KEY] = float(value)
            continue
        if not hasattr(defaults, key.strip()):
            raise SystemExit(f"--compare: {key.strip()!r} is not a TrainConfig field nor {LAYOUT_KEY}")
        current = getattr(defaults, key.strip())
        if isinstance(current, bool):
            out[key.strip()] = value.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(current, tuple):
            out[key.strip()] = tuple(int(v) for v in value.split(",") if v.strip())
        else:
            out[key.strip()] = type(current)(value)
    return out


PERTURBATIONS = ("noise 20 dB", "telephone", "telephone, line noise", "music 10 dB")


def _perturbed(clip, kind: str, params):
    from audio2face.features import compute_features

    from . import augment
    from .feature_cache import aligned_audio

    audio = aligned_audio(clip, params).astype(np.float64)
    if kind == "noise 20 dB":
        audio = augment.add_noise(audio, 20.0, augment.coloured_noise(audio.size, "white", np.random.default_rng(0)))
    elif kind.startswith("telephone"):
        audio = augment.telephone(audio)
        if kind == "telephone, line noise":
            audio = augment.add_noise(audio, 50.0, augment.coloured_noise(audio.size, "white",
                                                                          np.random.default_rng(1)))
    elif kind == "music 10 dB":
        audio = augment.add_noise(audio, 10.0, augment.music(audio.size, np.random.default_rng(2)))
    return compute_features(audio.astype(np.float32), clip.fps, params)


def _params(lookahead_ms: Optional[float] = None):
    from audio2face.features import FeatureParams

    return FeatureParams(lookahead_ms=lookahead_ms)


def run_fold(data_dirs: Sequence[Path], held_out: str, overrides: Dict[str, Any], epochs: int, cache: Path,
             perturb: bool) -> Dict[str, Any]:
    """Train on every clip but ``held_out`` and score the exported model on it."""
    from audio2face.dataset import load_dataset

    from .config import recipe_config
    from .data import build_training_set
    from .export import build_onnx, run_onnx
    from .loop import Training
    from .metrics import score
    from .package import emotion_block, export_inputs, shipped_metrics

    overrides = dict(overrides)
    params = _params(overrides.pop(LAYOUT_KEY, None))
    config = recipe_config("ours", epochs=epochs, patience=0, **overrides)
    data = build_training_set(data_dirs, params, cache, [held_out], time_shift=config.time_shift,
                              augment_copies=config.augment_copies, augment_seed=config.seed)
    started = time.perf_counter()
    training = Training(config, data)
    training.run()
    block, _ = emotion_block(training)
    neutral = np.asarray(block["neutral"], np.float32)
    onnx_bytes = build_onnx(export_inputs(training)).SerializeToString()
    result: Dict[str, Any] = {"clean": shipped_metrics(training, onnx_bytes, neutral)["all"],
                              "minutes": round((time.perf_counter() - started) / 60, 2),
                              "train_clips": len(data.train)}
    if perturb:
        clip = next(c for folder in data_dirs for c in load_dataset(folder) if c.name == held_out)
        animated = training.norm.animated
        names = [data.channels[i] for i in animated]
        true = data.val[0].weights[:, animated]
        for kind in PERTURBATIONS:
            features = _perturbed(clip, kind, params)[: true.shape[0]]
            emotion = np.broadcast_to(neutral, (features.shape[0], neutral.size)) if neutral.size else None
            pred = run_onnx(onnx_bytes, features, emotion)[:, animated]
            result[kind] = score(pred, true[: pred.shape[0]], names)
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", nargs="+", required=True, help="dataset folders")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--compare", action="append", default=[], metavar="KEY=VALUE[;...]",
                        help="another configuration to run on the same folds (TrainConfig fields)")
    parser.add_argument("--folds", nargs="*", help="clips to hold out (default: every clip)")
    parser.add_argument("--perturb", action="store_true", help="also score noisy and telephone copies")
    parser.add_argument("--cache", help="feature cache folder")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args(argv)
    from audio2face.atomic import atomic_open
    from audio2face.dataset import load_dataset

    from .feature_cache import default_cache_dir

    data_dirs = [Path(d) for d in args.data]
    clips = [c.name for d in data_dirs for c in load_dataset(d)]
    folds = args.folds or clips
    configs = {"plain": {}, **{text: _parse_overrides(text) for text in args.compare}}
    cache = Path(args.cache) if args.cache else default_cache_dir()
    results: Dict[str, Dict[str, Any]] = {name: {} for name in configs}
    for fold in folds:
        for name, overrides in configs.items():
            results[name][fold] = run_fold(data_dirs, fold, overrides, args.epochs, cache, args.perturb)
            clean = results[name][fold]["clean"]
            print(f"fold {fold} [{name}]: MSE {clean['mse']:.5f} MAE {clean['mae']:.5f} r {clean['pearson']:.3f} "
                  f"jaw r {clean['jaw_pearson']:.3f} ({results[name][fold]['minutes']:.1f} min)"
                  + "".join(f"; {k}: jaw r {v['jaw_pearson']:.3f}" for k, v in results[name][fold].items()
                            if isinstance(v, dict) and k != "clean"), flush=True)
            if args.json:
                with atomic_open(args.json, "w", encoding="utf-8") as out:
                    out.write(json.dumps(results, indent=2) + "\n")
    print(f"\nmean over {len(folds)} folds, {args.epochs} epochs each:")
    for name, per_fold in results.items():
        kinds = [k for k, v in next(iter(per_fold.values())).items() if isinstance(v, dict)]
        for kind in kinds:
            values = {m: float(np.mean([f[kind][m] for f in per_fold.values()])) for m in
                      ("mse", "mae", "pearson", "jaw_pearson")}
            print(f"  {name:28s} {kind:21s} MSE {values['mse']:.5f} MAE {values['mae']:.5f} "
                  f"r {values['pearson']:.3f} jaw r {values['jaw_pearson']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
