"""End-to-end ``audio2face animate`` speed and peak memory, beside a baseline revision of the code.

Runs the real CLI in a child process (so peak RSS is that process's own) on 10 s (the fixed cost: Python,
onnxruntime, the model), 10 minutes and one hour of audio (FACEGOOD's labelled clips repeated, 16 kHz
16-bit; a synthetic speech-like signal when they are absent), and prints wall time, frames per second,
real-time factor, CPU and peak RSS. Each length also runs the same command on the code of ``--baseline``
(extracted with ``git archive``), in the same run, and the two outputs are compared (largest difference of
any weight). The silence gate's detector is ``--vad-method``: ``robust`` (the default settings: no flag is
passed) or ``energy``. The default baseline: for ``robust``, the commit before its band energies were
measured while decoding (the gate read the whole clip); for ``energy``, the commit before chunked decoding
and the FFT features (it knows no other detector).

    python bench/animate.py [--minutes 10] [--hour/--no-hour] [--format npy] [--model DIR] [--baseline REV]
                            [--vad-method robust|energy]

Targets: one hour in <= 25 s on 2 cores, peak RSS <= 400 MB, output equal to the baseline's within 1e-6.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Optional

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
FACEGOOD = ROOT.parent / "shared" / "facegood" / "wav"
RATE = 16000
BASELINE = "5184497"
"""The last commit before chunked decoding, streamed features and the FFT autocorrelation (energy gate only)."""
ROBUST_BASELINE = "997fb24"
"""The last commit before the robust gate's band energies were measured while decoding."""


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


def extract_baseline(revision: str, into: Path) -> Path:
    """``scripts/`` of ``revision`` (``git archive``) under ``into``; returns that ``scripts`` folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "scripts"], capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"cannot extract the baseline {revision}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into / "scripts"


def knows_vad_methods(scripts: Path) -> bool:
    """Whether the code under ``scripts`` has the ``--vad`` option (older code gates on energy only)."""
    return "vad_method" in (scripts / "audio2face" / "post.py").read_text(encoding="utf-8")


def run_cli(audio: Path, out: Path, model: str, scripts: Path, vad_method: str) -> tuple:
    """(wall seconds, CPU seconds, peak RSS MiB, frames) of one ``audio2face animate`` child process."""
    cmd = [sys.executable, "-m", "audio2face", "animate", str(audio), "--out", str(out)]
    if model:
        cmd += ["--model", model]
    if vad_method != "robust" and knows_vad_methods(scripts):
        cmd += ["--vad", vad_method]  # robust is the default: the default settings pass no flag
    env = dict(os.environ, PYTHONPATH=str(scripts))
    # A fresh child per measurement: ru_maxrss of RUSAGE_CHILDREN is the largest child so far, so
    # each measurement runs in its own grandchild through a small wrapper that reports its own child.
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE); wall = time.perf_counter() - t; "
        "sys.stdout.write(r.stdout.decode()); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print('MAXRSS', u.ru_maxrss, u.ru_utime + u.ru_stime, wall); sys.exit(r.returncode)"
    )
    result = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"animate failed: {result.stderr.strip()}")
    _, rss_kib, cpu, wall = result.stdout.strip().splitlines()[-1].split()
    frames = int(result.stdout.split(": ")[1].split(" frames")[0])
    return float(wall), float(cpu), int(rss_kib) / 1024.0, frames


def largest_difference(first: Path, second: Path) -> float:
    """Largest absolute difference between the weights of two curve files."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from audio2face.formats import read_curves

    a, b = read_curves(first), read_curves(second)
    if a.weights.shape != b.weights.shape or a.names != b.names:
        return float("inf")
    return float(np.abs(a.weights.astype(np.float64) - b.weights).max()) if a.weights.size else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--hour", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--format", default="npy", choices=["json", "csv", "npy", "anim", "ma"])
    parser.add_argument("--model", default="", help="bundle folder (default: the bundled model)")
    parser.add_argument("--baseline", default=None, help="git revision whose code is the baseline (default: "
                        f"{ROBUST_BASELINE} for the robust gate, {BASELINE} for the energy gate)")
    parser.add_argument("--vad-method", default="robust", choices=["robust", "energy"],
                        help="the silence gate's detector (default robust: the default settings)")
    args = parser.parse_args()
    if args.baseline is None:
        args.baseline = ROBUST_BASELINE if args.vad_method == "robust" else BASELINE
    base, what = source_audio()
    print(f"audio: {what}; output .{args.format}; silence gate: {args.vad_method}; cores: {os.cpu_count()}; "
          f"load average {os.getloadavg()[0]:.1f} (the machine is shared)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = {"now": ROOT / "scripts", f"baseline {args.baseline}": extract_baseline(args.baseline, folder / "old")}
        if args.vad_method == "robust" and not knows_vad_methods(paths[f"baseline {args.baseline}"]):
            print(f"note: {args.baseline} gates on energy only: its output differs from the robust gate's")
        runs = [("10 s", 10.0), (f"{args.minutes:g} min", args.minutes * 60)]
        if args.hour:
            runs.append(("60 min", 3600.0))
        for label, seconds in runs:
            audio = folder / f"{int(seconds)}.wav"
            write_audio(audio, base, seconds)
            outputs = {}
            for code, scripts in paths.items():
                outputs[code] = folder / f"{code.split()[0]}.{args.format}"
                wall, cpu, rss, frames = run_cli(audio, outputs[code], args.model, scripts, args.vad_method)
                rows.append((label, code, seconds, wall, cpu, rss, frames, None))
            difference: Optional[float] = largest_difference(*outputs.values())
            rows[-2] = rows[-2][:-1] + (difference,)
            for output in outputs.values():
                output.unlink()
            audio.unlink()
    print(f"{'run':<9}{'code':<18}{'audio s':>8}{'wall s':>8}{'CPU s':>7}{'frames':>8}{'frames/s':>9}"
          f"{'x realtime':>11}{'peak MiB':>9}{'max |diff|':>11}")
    for label, code, seconds, wall, cpu, rss, frames, difference in rows:
        diff = "" if difference is None else f"{difference:.1e}"
        print(f"{label:<9}{code:<18}{seconds:>8.0f}{wall:>8.1f}{cpu:>7.1f}{frames:>8d}{frames / wall:>9.0f}"
              f"{seconds / wall:>11.1f}{rss:>9.0f}{diff:>11}")
    if args.hour:
        now, old = rows[-2], rows[-1]
        print(f"one hour: {now[3]:.1f} s (baseline {old[3]:.1f} s, {old[3] / now[3]:.2f}x faster), "
              f"peak {now[5]:.0f} MiB (baseline {old[5]:.0f} MiB); targets 25 s: "
              f"{'met' if now[3] <= 25 else 'NOT met'}, 400 MiB: {'met' if now[5] <= 400 else 'NOT met'}, "
              f"identical within 1e-6: {'yes' if (now[7] or 0) <= 1e-6 else 'NO'}")


if __name__ == "__main__":
    main()
