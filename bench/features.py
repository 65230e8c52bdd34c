"""Feature extraction speed on one core, against the literal reference measured in the same run.

Prints audio-seconds processed per second of wall time for ``compute_features`` on the FACEGOOD clips
(or a synthetic speech-like signal when ``../shared/facegood`` is absent, and says so), at several frame
rates, its ratio to ``tests/lpc_reference.py`` (timed per frame on a short excerpt and scaled to each clip),
the largest difference from the reference on that excerpt, and the working memory for 1 and 10 minutes
of audio (it should not grow with the length). Target: >= 200x real time at 30 fps.

    python bench/features.py [--repeat 3] [--reference-seconds 1.0]
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, List, Tuple  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "scripts", ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from audio2face.features import compute_features  # noqa: E402
from lpc_reference import reference_features  # noqa: E402

RATE = 16000
FACEGOOD = ROOT.parent / "shared" / "facegood"


def load_clips() -> Tuple[List[Tuple[str, np.ndarray]], str]:
    """The labelled FACEGOOD clips as raw int16 values, or a synthetic stand-in."""
    import soundfile as sf

    paths = sorted((FACEGOOD / "wav").glob("*.wav"))
    if paths:
        return [(p.name, sf.read(p, dtype="int16")[0]) for p in paths], f"FACEGOOD clips from {FACEGOOD}"
    rng = np.random.default_rng(0)
    t = np.arange(120 * RATE) / RATE
    voice = sum(np.sin(2 * np.pi * k * 130 * t) / k for k in range(1, 8))
    signal = 0.2 * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2) * voice + 0.01 * rng.standard_normal(t.size)
    note = f"SYNTHETIC speech-like signal: FACEGOOD data not found at {FACEGOOD}"
    return [("synthetic_120s", (signal * 20000).astype(np.int16))], note


def best_time(work: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def working_memory_mb(samples: np.ndarray, fps: float) -> float:
    """Peak memory traced during extraction, less the returned array, in MB."""
    tracemalloc.start()
    features = compute_features(samples, fps)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - features.nbytes) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the fastest counts)")
    parser.add_argument("--reference-seconds", type=float, default=1.0, help="excerpt the reference times")
    args = parser.parse_args()

    clips, note = load_clips()
    print(f"data: {note}")
    print(f"numpy {np.__version__}, one thread (OMP/OPENBLAS/MKL_NUM_THREADS=1)\n")

    name, longest = max(clips, key=lambda clip: clip[1].size)
    excerpt = longest[len(longest) // 3 :][: int(args.reference_seconds * RATE)]
    frame_time = {}
    ref_error = {}
    for fps in (30.0, 24.0):
        start = time.perf_counter()
        reference = reference_features(excerpt, fps)
        frame_time[fps] = (time.perf_counter() - start) / reference.shape[0]
        ours = compute_features(excerpt, fps).astype(np.float64)
        ref_error[fps] = float((np.abs(ours - reference) / np.maximum(1.0, np.abs(reference))).max())
    per_frame = min(frame_time.values())
    print(
        f"literal reference (tests/lpc_reference.py) on {args.reference_seconds:g} s of {name}: "
        f"{per_frame * 1000:.1f} ms per frame = {1 / (30 * per_frame):.2f} audio-s/s at 30 fps"
    )
    print(
        "largest difference from it (float32 output, |a-b| / max(1, |b|)): "
        + ", ".join(f"{ref_error[f]:.2g} at {f:g} fps" for f in ref_error)
        + "\n"
    )

    rows = []
    for clip_name, samples in clips:
        seconds = samples.size / RATE
        elapsed = best_time(lambda s=samples: compute_features(s, 30.0), args.repeat)
        rows.append((clip_name, seconds, 30.0, elapsed))
    total_audio = sum(r[1] for r in rows)
    total_time = sum(r[3] for r in rows)
    rows.append(("all clips", total_audio, 30.0, total_time))
    for fps in (24.0, 25.0, 29.97, 60.0):
        elapsed = best_time(lambda f=fps: compute_features(longest, f), args.repeat)
        rows.append((name, longest.size / RATE, fps, elapsed))

    header = f"{'clip':<16} {'audio s':>8} {'fps':>6} {'time s':>8} {'audio-s/s':>10} {'x reference':>12}"
    print(header)
    print("-" * len(header))
    for clip_name, seconds, fps, elapsed in rows:
        speed = seconds / elapsed
        reference = 1.0 / (fps * per_frame)
        print(f"{clip_name:<16} {seconds:>8.1f} {fps:>6g} {elapsed:>8.3f} {speed:>9.0f}x {speed / reference:>11.0f}x")
    target = total_audio / total_time
    print(f"\n30 fps over all clips: {target:.0f}x real time (target >= 200x): {'MET' if target >= 200 else 'NOT MET'}")
    print("(x reference: the reference's measured time per frame, times the frames at that rate)")

    tiled = np.resize(longest, 600 * RATE)
    memory = {minutes: working_memory_mb(tiled[: minutes * 60 * RATE], 30.0) for minutes in (1, 10)}
    print("working memory beyond input and output: " + ", ".join(f"{m} min -> {mb:.0f} MB" for m, mb in memory.items()))


if __name__ == "__main__":
    main()
