"""End-to-end ``audio2face animate`` speed and peak memory.

Runs the real CLI in a child process (so peak RSS is that process's own) on 10 minutes of audio (FACEGOOD's
labelled clips repeated; a synthetic speech-like signal when they are absent), then on one hour, and prints
frames per second, real-time factor and peak RSS. The baseline in the same run is the same command on 10 s of
audio, whose peak RSS is the fixed cost (Python, onnxruntime, the model).

    python bench/animate.py [--minutes 10] [--hour/--no-hour] [--format json] [--model DIR]

Target: an hour of audio stays under 1 GB peak RSS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
FACEGOOD = ROOT.parent / "shared" / "facegood" / "wav"
RATE = 16000


def source_audio() -> tuple:
    """(samples, description) of the speech to repeat."""
    clips = sorted(FACEGOOD.glob("*.wav")) if FACEGOOD.is_dir() else []
    if clips:
        parts = [sf.read(c, dtype="int16")[0] for c in clips]
        return np.concatenate(parts), f"FACEGOOD clips ({len(clips)} files, repeated)"
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import speech_like

    print(f"note: {FACEGOOD} not found; using a synthetic speech-like signal")
    return (speech_like(60.0) * 32767).astype(np.int16), "synthetic speech-like signal"


def write_audio(path: Path, base: np.ndarray, seconds: float) -> None:
    """Write ``seconds`` of ``base`` repeated, streaming to disk to keep this process small."""
    total = int(seconds * RATE)
    with sf.SoundFile(path, "w", RATE, 1, "PCM_16") as out:
        written = 0
        while written < total:
            part = base[: total - written]
            out.write(part)
            written += part.size


def run_cli(audio: Path, out: Path, model: str) -> tuple:
    """(wall seconds, peak RSS MiB, frames) of one ``audio2face animate`` child process."""
    cmd = [sys.executable, "-m", "audio2face", "animate", str(audio), "--out", str(out)]
    if model:
        cmd += ["--model", model]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"))
    start = time.perf_counter()
    # A fresh child per measurement: ru_maxrss of RUSAGE_CHILDREN is the largest child so far, so
    # each measurement runs in its own grandchild through a small wrapper that reports its own child.
    wrapper = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE); "
        "sys.stdout.write(r.stdout.decode()); "
        "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
    )
    result = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"animate failed: {result.stderr.strip()}")
    rss_kib = int(result.stdout.strip().splitlines()[-1].split()[1])
    frames = int(result.stdout.split(": ")[1].split(" frames")[0])
    return wall, rss_kib / 1024.0, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--hour", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--format", default="json", choices=["json", "csv", "npy", "anim", "ma"])
    parser.add_argument("--model", default="", help="bundle folder (default: the bundled model)")
    args = parser.parse_args()
    base, what = source_audio()
    print(f"audio: {what}; output .{args.format}; cores: {os.cpu_count()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("baseline 10 s", 10.0), (f"{args.minutes:g} min", args.minutes * 60)]
        if args.hour:
            runs.append(("60 min", 3600.0))
        for label, seconds in runs:
            audio = Path(tmp) / f"{int(seconds)}.wav"
            write_audio(audio, base, seconds)
            wall, rss, frames = run_cli(audio, Path(tmp) / f"out.{args.format}", args.model)
            rows.append((label, seconds, wall, rss, frames))
            audio.unlink()
    base_rss = rows[0][3]
    print(f"{'run':<14}{'audio s':>9}{'wall s':>9}{'frames':>9}{'frames/s':>10}{'x realtime':>12}"
          f"{'peak MiB':>10}{'vs 10 s':>9}")
    for label, seconds, wall, rss, frames in rows:
        print(f"{label:<14}{seconds:>9.0f}{wall:>9.1f}{frames:>9d}{frames / wall:>10.0f}{seconds / wall:>12.1f}"
              f"{rss:>10.0f}{rss / base_rss:>8.2f}x")
    if args.hour:
        hour_rss = rows[-1][3]
        verdict = "meets" if hour_rss < 1024 else "MISSES"
        print(f"one hour peak RSS {hour_rss:.0f} MiB: {verdict} the 1 GB target")


if __name__ == "__main__":
    main()
