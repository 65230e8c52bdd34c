"""Sparse keys: how many keys the reducer keeps, how far they stray, and how fast it runs.

For each tolerance (0.005, 0.01, 0.02) and each mode (hermite, linear) it reduces every channel of every clip,
writes the keys to a ``.ma`` file, parses that file with the strict test parser and evaluates it with the
independent evaluator (tests/maya_file_parsers.py) at every frame. The baseline is a key on every frame
(what a dense ``.ma`` holds): ratios are reduced keys over dense keys, in the same run.

Curves come from ``audio2face.pipeline.animate`` with the default model on the FACEGOOD clips when that model
exists; otherwise from FACEGOOD's ground-truth labels (bs_value/*.npy) and FACEGOOD's own model outputs
(facegood_predictions/*.csv), and the output says so.

    python bench/keys.py [--tolerances 0.005,0.01,0.02] [--limit-clips N] [--hour/--no-hour]

Target: at tolerance 0.01 (hermite), at most one key per three frames on average over the moving channels.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FACEGOOD = ROOT.parent / "shared" / "facegood"
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests")]

from audio2face.curves import Curves  # noqa: E402
from audio2face.formats import read_curves, write_curves  # noqa: E402
from audio2face.key_reduction import evaluate_keys, reduce_curves  # noqa: E402
from maya_file_parsers import evaluate, keys_from_ma, parse_ma  # noqa: E402


def model_curves(limit: int) -> Tuple[List[Curves], str]:
    """Predicted curves of the default model on the FACEGOOD clips, or ([], why not)."""
    try:
        from audio2face.bundle import default_model_path
        from audio2face.pipeline import AnimateSettings, animate
    except Exception as exc:  # noqa: BLE001 - any import failure means "no pipeline yet"
        return [], f"audio2face.pipeline is not importable ({exc})"
    if not (default_model_path() / "model.onnx").is_file():
        return [], f"no default model at {default_model_path()}"
    clips = sorted((FACEGOOD / "wav").glob("*.wav"))[:limit]
    if not clips:
        return [], f"no FACEGOOD clips under {FACEGOOD / 'wav'}"
    try:
        return [animate(clip, AnimateSettings()) for clip in clips], f"default model on {len(clips)} FACEGOOD clips"
    except Exception as exc:  # noqa: BLE001 - report and fall back
        return [], f"animate failed ({exc})"


def facegood_curves(limit: int) -> List[Tuple[str, List[Curves]]]:
    """FACEGOOD labels and FACEGOOD's own predictions, as named sets."""
    sets = []
    labels = sorted((FACEGOOD / "bs_value").glob("*.npy"))[:limit]
    if labels:
        sets.append((f"FACEGOOD ground-truth labels ({len(labels)} clips)", [read_curves(p, fps=30.0) for p in labels]))
    predictions = sorted((FACEGOOD / "facegood_predictions").glob("*.csv"))[:limit]
    if predictions:
        sets.append(
            (f"FACEGOOD's model outputs ({len(predictions)} files)", [read_curves(p, fps=30.0) for p in predictions])
        )
    return sets


def measure(clips: List[Curves], tolerance: float, mode: str, folder: Path) -> dict:
    """Keys, errors and timings of one tolerance/mode over all clips."""
    frames = keys = moving_frames = moving_keys = 0
    seconds = reduce_seconds = 0.0
    internal_error = file_error = 0.0
    for number, clip in enumerate(clips):
        start = time.perf_counter()
        reduced = reduce_curves(clip, tolerance, mode)
        reduce_seconds += time.perf_counter() - start
        path = folder / f"clip{number}_{mode}_{tolerance}.ma"
        write_curves(reduced, path)
        parsed = parse_ma(path.read_text(encoding="utf-8"))
        times = clip.times()
        seconds += clip.frame_count / clip.fps
        for column, name in enumerate(clip.names):
            dense = clip.weights[:, column].astype(np.float64)
            channel_keys = reduced.keys[name]
            frames += dense.size
            keys += len(channel_keys)
            internal_error = max(internal_error, float(np.abs(evaluate_keys(channel_keys, times) - dense).max()))
            if np.ptp(dense) > 0:
                moving_frames += dense.size
                moving_keys += len(channel_keys)
                curve = next(c for n, c in parsed.curves.items() if n == name or n.endswith("_" + name))
                evaluated = evaluate(keys_from_ma(curve), times, parsed.fps)
                file_error = max(file_error, float(np.abs(evaluated - dense).max()))
    channels = frames / max(sum(c.frame_count for c in clips), 1)
    return {
        "keys_per_frame": keys / frames,
        "moving_keys_per_frame": moving_keys / max(moving_frames, 1),
        "keys_per_second_per_channel": keys / seconds / channels,
        "dense_keys_per_second_per_channel": frames / seconds / channels,
        "internal_error": internal_error,
        "file_error": file_error,
        "samples_per_second": frames / max(reduce_seconds, 1e-9),
        "reduce_seconds": reduce_seconds,
    }


def report(title: str, clips: List[Curves], tolerances: List[float]) -> bool:
    """Print one table; return whether the 0.01 hermite target holds."""
    total_frames = sum(c.frame_count for c in clips)
    moving = sum(int(np.sum(np.ptp(c.weights, axis=0) > 0)) for c in clips)
    print(f"\n== {title}: {total_frames} frames, {len(clips[0].names)} channels, {moving} moving channel-clips")
    print(
        f"{'tol':>6} {'mode':>7} {'keys/frame':>10} {'moving':>8} {'keys/s/ch':>9} {'dense/s/ch':>10} "
        f"{'max err (file)':>14} {'max err (internal)':>18} {'Msamples/s':>10}"
    )
    target_met = True
    with tempfile.TemporaryDirectory() as tmp:
        for tolerance in tolerances:
            for mode in ("hermite", "linear"):
                row = measure(clips, tolerance, mode, Path(tmp))
                print(
                    f"{tolerance:>6g} {mode:>7} {row['keys_per_frame']:>10.4f} {row['moving_keys_per_frame']:>8.4f} "
                    f"{row['keys_per_second_per_channel']:>9.2f} {row['dense_keys_per_second_per_channel']:>10.2f} "
                    f"{row['file_error']:>14.6f} {row['internal_error']:>18.6f} "
                    f"{row['samples_per_second'] / 1e6:>10.2f}"
                )
                if row["file_error"] > tolerance:
                    print(f"   ERROR: the .ma keys stray {row['file_error']:.6f} > {tolerance}")
                    target_met = False
                if tolerance == 0.01 and mode == "hermite":
                    target_met &= row["moving_keys_per_frame"] <= 1 / 3
    return target_met


def hour_long(clip: Curves, folder: Path) -> None:
    """Time the reducer and the .ma writer on one hour: ``clip`` tiled, its moving channels only."""
    moving = [n for i, n in enumerate(clip.names) if np.ptp(clip.weights[:, i]) > 0]
    repeats = int(np.ceil(3600 * clip.fps / clip.frame_count))
    weights = np.tile(clip.select(moving).weights, (repeats, 1))[: int(3600 * clip.fps)]
    hour = Curves(moving, clip.fps, weights)
    start = time.perf_counter()
    write_curves(hour, folder / "dense.ma", blendshape_node="blendShape1")
    dense_write = time.perf_counter() - start
    start = time.perf_counter()
    reduced = reduce_curves(hour, 0.01)
    reduce_time = time.perf_counter() - start
    start = time.perf_counter()
    write_curves(reduced, folder / "sparse.ma", blendshape_node="blendShape1")
    sparse_write = time.perf_counter() - start
    keys = sum(len(k) for k in reduced.keys.values())
    dense_size = (folder / "dense.ma").stat().st_size
    sparse_size = (folder / "sparse.ma").stat().st_size
    print(f"\n== one hour ({hour.frame_count} frames x {len(moving)} moving channels, tiled), tolerance 0.01")
    print(f"baseline: write dense .ma {dense_write:.1f} s, {dense_size / 1e6:.1f} MB")
    print(f"reduce {reduce_time:.1f} s ({hour.weights.size / reduce_time / 1e6:.2f} Msamples/s), "
          f"write sparse .ma {sparse_write:.1f} s, {sparse_size / 1e6:.1f} MB, "
          f"{keys / hour.weights.size:.4f} keys/frame; reduce+write / dense write = "
          f"{(reduce_time + sparse_write) / dense_write:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tolerances", default="0.005,0.01,0.02")
    parser.add_argument("--limit-clips", type=int, default=5)
    parser.add_argument("--hour", action=argparse.BooleanOptionalAction, default=True,
                        help="also time one hour of curves (default on)")
    args = parser.parse_args()
    tolerances = [float(t) for t in args.tolerances.split(",")]
    clips, why = model_curves(args.limit_clips)
    if clips:
        sets = [(f"predicted curves: {why}", clips)]
    else:
        print(f"note: not using the default model: {why}.")
        if not FACEGOOD.is_dir():
            print(f"note: {FACEGOOD} not found either; nothing to measure")
            return 1
        print("      Falling back to FACEGOOD's labels and FACEGOOD's own model outputs.")
        sets = facegood_curves(args.limit_clips)
    ok = True
    for title, curves in sets:
        ok &= report(title, curves, tolerances)
    if args.hour:
        with tempfile.TemporaryDirectory() as tmp:
            hour_long(sets[-1][1][0], Path(tmp))
    print(f"\ntarget (0.01 hermite, moving channels: <= 1 key per 3 frames, every frame within tolerance): "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
