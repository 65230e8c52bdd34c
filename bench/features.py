"""Feature extraction speed at every frame rate, beside the previous (vectorised direct-sum) code in the same run.

For each rate (23.976, 24, 25, 29.97, 30, 50, 60 fps) prints, on the longest FACEGOOD clip (or a synthetic
speech-like signal when ``../shared/facegood`` is absent, and says so), audio-seconds processed per second
for ``compute_features`` now and for the code of ``--baseline`` (default: the commit before the FFT
autocorrelation, extracted with ``git archive``; its vectorised direct sums), the speed-up, the share of
distinct sub-frames the rate leaves to compute, and the largest difference from the literal reference
(``tests/lpc_reference.py``) on a short excerpt at that rate. Both by wall time (best of ``--repeat``) and by
the process's CPU time, all threads together (steadier on a shared machine). ``compute_features`` runs on
the cores this process may use (at most 4) by default; ``1 thread`` is the same code with ``workers=1``.
Then 30 fps over all clips and the working memory for 1 and 10 minutes of audio (it should not grow with
the length). Target: >= 400x real time at every rate, whole command.

    python bench/features.py [--repeat 3] [--reference-seconds 0.5] [--baseline REV]
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, List, Tuple  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "scripts", ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from audio2face.features import _thread_count, compute_features, frame_count, frame_window_starts  # noqa: E402
from lpc_reference import reference_features  # noqa: E402

RATE = 16000
FACEGOOD = ROOT.parent / "shared" / "facegood"
RATES = (23.976, 24.0, 25.0, 29.97, 30.0, 50.0, 60.0)
BASELINE = "5184497"
"""The last commit before the FFT autocorrelation (vectorised direct sums in FACEGOOD's order)."""
TARGET = 400.0


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


def baseline_features(revision: str, into: Path) -> Callable:
    """``compute_features`` of ``revision``'s core, imported as the package ``audio2face_baseline``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "scripts/audio2face"], capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"cannot extract the baseline {revision}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    shutil.move(str(into / "scripts" / "audio2face"), str(into / "audio2face_baseline"))
    sys.path.insert(0, str(into))
    return importlib.import_module("audio2face_baseline.features").compute_features


def timed(work: Callable[[], object], repeat: int) -> Tuple[float, float]:
    """(fastest wall time, fastest CPU time) of ``repeat`` runs, in seconds."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def distinct_share(samples: int, fps: float) -> float:
    """Distinct sub-frame starts over all sub-frames (1 = no frame shares any)."""
    frames = frame_count(samples, fps)
    starts = frame_window_starts(np.arange(frames), fps)[:, None] + np.arange(64) * 128
    return np.unique(starts).size / starts.size


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
    parser.add_argument("--reference-seconds", type=float, default=0.5, help="excerpt checked against the reference")
    parser.add_argument("--baseline", default=BASELINE, help="git revision whose features are the baseline")
    args = parser.parse_args()

    clips, note = load_clips()
    print(f"data: {note}")
    print(f"numpy {np.__version__}, BLAS on one thread (OMP/OPENBLAS/MKL_NUM_THREADS=1), {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f} (other work on the machine slows the wall times)\n")
    name, longest = max(clips, key=lambda clip: clip[1].size)
    seconds = longest.size / RATE
    excerpt = longest[len(longest) // 3 :][: int(args.reference_seconds * RATE)]

    with tempfile.TemporaryDirectory() as tmp:
        old = baseline_features(args.baseline, Path(tmp))
        header = (f"{'fps':>7} {'distinct':>9} {'threads':>8} {'now x rt':>9} {'1 thread':>9} {'before':>8} "
                  f"{'speed-up':>9} {'now CPU':>8} {'before':>8} {'speed-up':>9} {'vs reference':>13}")
        print(f"{name}, {seconds:.1f} s; x rt = audio seconds per second (wall, then CPU time)")
        print(header)
        print("-" * len(header))
        slowest = float("inf")
        for fps in RATES:
            wall, cpu = timed(lambda f=fps: compute_features(longest, f), args.repeat)
            one_wall, _ = timed(lambda f=fps: compute_features(longest, f, workers=1), max(1, args.repeat - 1))
            old_wall, old_cpu = timed(lambda f=fps: old(longest, f), max(1, args.repeat - 1))
            reference = reference_features(excerpt, fps)
            ours = compute_features(excerpt, fps).astype(np.float64)
            error = float((np.abs(ours - reference) / np.maximum(1.0, np.abs(reference))).max())
            slowest = min(slowest, seconds / wall)
            threads = _thread_count(None, frame_count(longest.size, fps))
            print(f"{fps:>7g} {distinct_share(longest.size, fps):>8.0%} {threads:>8d} {seconds / wall:>8.0f}x "
                  f"{seconds / one_wall:>8.0f}x {seconds / old_wall:>7.0f}x {old_wall / wall:>8.1f}x "
                  f"{seconds / cpu:>7.0f}x {seconds / old_cpu:>7.0f}x {old_cpu / cpu:>8.1f}x {error:>13.2g}")
    print(f"\nslowest rate (wall): {slowest:.0f}x real time (target >= {TARGET:.0f}x): "
          f"{'MET' if slowest >= TARGET else 'NOT MET'}")
    print("(vs reference: |a-b| / max(1, |b|) on the excerpt; the parity bound is 1e-6)")

    total_audio = sum(c[1].size for c in clips) / RATE
    total_wall = sum(timed(lambda s=c[1]: compute_features(s, 30.0), args.repeat)[0] for c in clips)
    print(f"30 fps over all {len(clips)} clips ({total_audio:.0f} s): {total_audio / total_wall:.0f}x real time")
    tiled = np.resize(longest, 600 * RATE)
    memory = {minutes: working_memory_mb(tiled[: minutes * 60 * RATE], 30.0) for minutes in (1, 10)}
    print("working memory beyond input and output: " + ", ".join(f"{m} min -> {mb:.0f} MB" for m, mb in memory.items()))


if __name__ == "__main__":
    main()
