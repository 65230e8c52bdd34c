"""The cost of low latency: the low-latency model (80 ms lookahead) against the default (centred) on the same data.

1. The two shipped bundles on the held-out clip both were trained without (``1114_2_04``): MSE, MAE,
   mean Pearson and jaw-open Pearson over the animated channels, each bundle fed its own features
   (``bundle.feature_params``, i.e. its own window layout), and the ratio of the MSEs (goal: within 15 %).
2. Cross-validation over all clips, affordable on a CPU: leave one clip out, five folds, of the ensemble's
   linear member (ridge on the standardised spectral front end, its lambda chosen by leave-one-clip-out
   on the training clips, as ``audio2face_trainer.linear`` fits it), once per window layout.
3. The same folds with the whole network trained on each, for both layouts (``audio2face_trainer.crossval
   --compare lookahead_ms=80``: ten trainings, about 40 minutes at 3 epochs on two cores). ``--network-cv
   FILE`` prints a finished run's JSON; ``--network-epochs N`` trains them now and writes ``FILE``.

    PYTHONPATH=scripts python bench/latency_quality.py [--data ../shared/facegood] [--val-clip 1114_2_04]
        [--network-cv cv.json [--network-epochs 3]]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "scripts", ROOT / "bench"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import numpy as np  # noqa: E402
from audio2face.bundle import load_bundle  # noqa: E402
from audio2face.features import FeatureParams  # noqa: E402
from audio2face.streaming import shipped_models  # noqa: E402
from audio2face_trainer.crossval import PERTURBATIONS  # noqa: E402
from audio2face_trainer.data import build_training_set  # noqa: E402
from audio2face_trainer.feature_cache import default_cache_dir  # noqa: E402
from audio2face_trainer.frontend import log_envelope  # noqa: E402
from audio2face_trainer.linear import fit_ridge  # noqa: E402
from audio2face_trainer.metrics import score  # noqa: E402
from quality import animated_channels, bundle_scores  # noqa: E402

METRICS = ("mse", "mae", "pearson", "jaw_pearson")


def print_row(name: str, values: Dict[str, float]) -> None:
    print(f"  {name:44s} {values['mse']:9.5f} {values['mae']:9.5f} {values['pearson']:8.3f} "
          f"{values['jaw_pearson']:8.3f}")


def ridge_folds(data_dir: Path, params: FeatureParams, cache: Path) -> List[Dict[str, float]]:
    """Held-out scores of the ridge member for each clip held out in turn."""
    everything = build_training_set([data_dir], params, cache, [], time_shift=1)
    clips = everything.train + everything.val
    results = []
    for held in clips:
        train = [c for c in clips if c is not held]
        weights = np.concatenate([c.weights for c in train])
        animated = np.flatnonzero(np.ptp(weights, axis=0) > 1e-6)
        envelopes = [log_envelope(c.features, 32, 1e-3).reshape(c.frames, -1) for c in train]
        stacked = np.concatenate(envelopes)
        mean, std = stacked.mean(axis=0), stacked.std(axis=0)
        std[std < 1e-6] = np.inf
        xs = [(e - mean) / std for e in envelopes]
        w, b, _ = fit_ridge(xs, [c.weights[:, animated] for c in train])
        test = (log_envelope(held.features, 32, 1e-3).reshape(held.frames, -1) - mean) / std
        names = [everything.channels[i] for i in animated]
        results.append(dict(score(test @ w + b, held.weights[:, animated], names), clip=held.name))
    return results


LOW_LATENCY = "lookahead_ms=80"


def network_folds(path: Path, data_dir: Path, epochs: int, cache: Path) -> Dict[str, Dict[str, dict]]:
    """The crossval JSON at ``path`` (``{config: {held-out clip: {"clean": scores, ...}}}``), run first when
    ``epochs`` is given."""
    if epochs:
        from audio2face_trainer import crossval

        crossval.main(["--data", str(data_dir), "--epochs", str(epochs), "--compare", LOW_LATENCY, "--perturb",
                       "--cache", str(cache), "--json", str(path)])
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"{path}: not a crossval JSON ({exc})") from None
    if not isinstance(results, dict) or not {"plain", LOW_LATENCY} <= set(results):
        raise SystemExit(f"{path}: needs the configs 'plain' and '{LOW_LATENCY}' "
                         f"(crossval --compare {LOW_LATENCY} --json FILE)")
    return results


def print_network_folds(results: Dict[str, Dict[str, dict]]) -> None:
    labels = {"plain": "centred (260 ms lookahead)", LOW_LATENCY: "80 ms lookahead"}
    folds = [clip for clip in results["plain"] if clip in results[LOW_LATENCY]]
    means = {}
    for config, label in labels.items():
        for clip in folds:
            print_row(f"{label}, held out {clip}", results[config][clip]["clean"])
        means[config] = {m: float(np.mean([results[config][c]["clean"][m] for c in folds])) for m in METRICS}
        print_row(f"{label}, mean of {len(folds)} folds", means[config])
        for kind in PERTURBATIONS:
            if all(kind in results[config][c] for c in folds):
                jaw = float(np.mean([results[config][c][kind]["jaw_pearson"] for c in folds]))
                print(f"  {label + ', ' + kind + ' jaw r':44s} {'':9s} {'':9s} {'':8s} {jaw:8.3f}")
    ratio = means[LOW_LATENCY]["mse"] / means["plain"]["mse"]
    worst = max(results[LOW_LATENCY][c]["clean"]["mse"] / results["plain"][c]["clean"]["mse"] for c in folds)
    verdict = "met" if ratio <= 1.15 else "NOT met"
    print(f"  80 ms / centred, mean MSE = {ratio:.3f} (goal <= 1.15: {verdict}; worst fold {worst:.3f}); "
          f"Pearson {means[LOW_LATENCY]['pearson'] - means['plain']['pearson']:+.3f}, "
          f"jaw r {means[LOW_LATENCY]['jaw_pearson'] - means['plain']['jaw_pearson']:+.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "facegood"))
    parser.add_argument("--val-clip", default="1114_2_04", help="the clip both shipped models held out")
    parser.add_argument("--cache", default=None, help="feature cache folder")
    parser.add_argument("--network-cv", type=Path, metavar="FILE",
                        help="the whole network's cross-validation, both layouts: a crossval JSON")
    parser.add_argument("--network-epochs", type=int, default=0, metavar="N",
                        help="train it now (N epochs a fold) and write --network-cv")
    args = parser.parse_args()
    if args.network_epochs and not args.network_cv:
        parser.error("--network-epochs needs --network-cv FILE to write")
    data_dir = Path(args.data)
    if not (data_dir / "wav").is_dir():
        print(f"FACEGOOD data not found at {data_dir}: nothing to measure")
        return 1
    cache = Path(args.cache) if args.cache else default_cache_dir()
    models = shipped_models()
    started = time.perf_counter()

    print(f"1. shipped models on the held-out clip {args.val_clip}")
    print(f"  {'':44s} {'MSE':>9s} {'MAE':>9s} {'Pearson':>8s} {'jaw r':>8s}")
    held: Dict[str, Dict[str, float]] = {}
    for folder in models:
        params = load_bundle(folder).feature_params
        data = build_training_set([data_dir], params, cache, [args.val_clip], time_shift=1)
        held[folder.name], _ = bundle_scores(folder, data, animated_channels(data))
        ahead = 1000.0 * params.lookahead_samples / params.sample_rate
        print_row(f"{folder.name} ({ahead:g} ms lookahead)", held[folder.name])
    if len(held) == 2:
        default, low = held["default"], held["lowlatency"]
        ratio = low["mse"] / default["mse"]
        verdict = "met" if ratio <= 1.15 else "NOT met"
        print(f"  low-latency MSE / default MSE = {ratio:.3f} (goal <= 1.15: {verdict}); "
              f"Pearson {low['pearson'] - default['pearson']:+.3f}, "
              f"jaw r {low['jaw_pearson'] - default['jaw_pearson']:+.3f}")

    print("\n2. leave-one-clip-out over all clips, ridge member of the ensemble, per window layout")
    print(f"  {'':44s} {'MSE':>9s} {'MAE':>9s} {'Pearson':>8s} {'jaw r':>8s}")
    layouts = {"centred (260 ms lookahead)": FeatureParams(), "80 ms lookahead": FeatureParams(lookahead_ms=80)}
    means = {}
    for label, params in layouts.items():
        folds = ridge_folds(data_dir, params, cache)
        for fold in folds:
            print_row(f"{label}, held out {fold['clip']}", fold)
        means[label] = {m: float(np.mean([f[m] for f in folds])) for m in METRICS}
        print_row(f"{label}, mean of {len(folds)} folds", means[label])
    centred, low = means.values()
    print(f"  80 ms / centred, mean MSE = {low['mse'] / centred['mse']:.3f}; "
          f"Pearson {low['pearson'] - centred['pearson']:+.3f}, "
          f"jaw r {low['jaw_pearson'] - centred['jaw_pearson']:+.3f}")
    if args.network_cv:
        print("\n3. leave-one-clip-out over all clips, the whole network trained on each fold, per window layout")
        print(f"  {'':44s} {'MSE':>9s} {'MAE':>9s} {'Pearson':>8s} {'jaw r':>8s}")
        print_network_folds(network_folds(args.network_cv, data_dir, args.network_epochs, cache))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
