"""Farm overhead: short audio-only jobs through ``openjd run`` with local workers versus the plain CLI loop.

Makes N short clips (synthetic speech-like signal, ``--seconds`` each), then, on the same files:

* baseline: the plain CLI loop, one ``python -m audio2face animate CLIP --out CLIP.json`` per clip, in turn;
* farm: ``audio2face farm openjd`` (one task per clip, QC off like the baseline), then the AnimateAudio step run
  by ``--workers`` concurrent ``openjd run`` sessions, each given its share of the tasks (``--tasks``); the
  same again with ``--chunk`` clips per task;
* memory: one ``run-task`` on a ``--minutes`` shot with QC, its peak RSS from its result file (target 1.5 GiB).

Per clip: the farm's worker-seconds (wall x workers / clips) against the loop's seconds; their difference is the
overhead per task (with one clip per task), their ratio is printed, and so is the ratio of the wall times.
On a machine with fewer free cores than workers the worker-seconds include waiting for a core.

    python bench/farm.py [--jobs 50] [--seconds 1] [--workers 2] [--chunk 10] [--minutes 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List

import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
RATE = 16000
MEMORY_TARGET_MIB = 1536.0


def env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT / "scripts"), PYTHONUNBUFFERED="1")


def make_clips(folder: Path, count: int, seconds: float) -> List[Path]:
    from conftest import speech_like

    clips = []
    for i in range(count):
        clip = folder / f"clip{i:03d}.wav"
        sf.write(clip, speech_like(seconds, seed=i), RATE, subtype="PCM_16")
        clips.append(clip)
    return clips


def cli_loop(clips: List[Path], out: Path) -> float:
    out.mkdir()
    start = time.perf_counter()
    for clip in clips:
        cmd = [sys.executable, "-m", "audio2face", "animate", str(clip), "--out", str(out / f"{clip.stem}.json")]
        subprocess.run(cmd, check=True, capture_output=True, env=env())
    return time.perf_counter() - start


def openjd_binary() -> str:
    found = shutil.which("openjd", path=str(Path(sys.executable).parent)) or shutil.which("openjd")
    if not found:
        raise SystemExit("openjd-cli is not installed: pip install '.[farm]'")
    return found


def farm_run(clips: List[Path], folder: Path, workers: int, chunk: int) -> tuple:
    """(wall seconds, tasks) of the AnimateAudio step on ``workers`` concurrent openjd sessions."""
    folder.mkdir()
    jobs = folder / "jobs.csv"
    jobs.write_text("audio,output,qc\n" + "".join(f"{c},out/{c.stem}.json,false\n" for c in clips))
    template = folder / "template.yaml"
    subprocess.run([sys.executable, "-m", "audio2face", "farm", "openjd", str(jobs), "--out", str(template),
                    "--chunk", str(chunk)], check=True, capture_output=True, env=env())
    tasks = __import__("yaml").safe_load(template.read_text())["steps"][0]["parameterSpace"][
        "taskParameterDefinitions"][0]["range"]
    shares = [tasks[w::workers] for w in range(workers)]
    procs = []
    start = time.perf_counter()
    for w, share in enumerate(shares):
        spec = folder / f"tasks{w}.json"
        spec.write_text(json.dumps([{"Rows": t} for t in share]))
        procs.append(subprocess.Popen([openjd_binary(), "run", str(template), "--step", "AnimateAudio", "--tasks",
                                       f"file://{spec}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env()))
    outputs = [p.communicate()[0] for p in procs]
    wall = time.perf_counter() - start
    if any(p.returncode for p in procs):
        raise SystemExit("openjd run failed:\n" + outputs[0].decode()[-3000:])
    done = len(list((folder / "out").glob("*.json")))
    if done != len(clips):
        raise SystemExit(f"openjd run wrote {done} of {len(clips)} outputs")
    return wall, len(tasks)


def memory_run(folder: Path, minutes: float) -> dict:
    from conftest import speech_like

    folder.mkdir()
    audio = folder / "shot.wav"
    with sf.SoundFile(audio, "w", RATE, 1, "PCM_16") as out:
        for minute in range(int(round(minutes))):
            out.write(speech_like(60.0, seed=minute))
    jobs = folder / "jobs.csv"
    jobs.write_text(f"audio,output\n{audio},out/shot.json\n")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "audio2face", "farm", "run-task", str(jobs), "--results",
                    str(folder / "res")], check=True, capture_output=True, env=env())
    record = json.loads((folder / "res" / "job-0000.json").read_text())
    record["wall"] = time.perf_counter() - start
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each clip")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=10, help="clips per task in the second farm run (0 = skip)")
    parser.add_argument("--minutes", type=float, default=10.0, help="the memory run's shot (0 = skip)")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.jobs} clips of {args.seconds:g} s; {args.workers} openjd workers; cores {os.cpu_count()}, "
          f"load {load:.1f} at start")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clips = make_clips(folder, args.jobs, args.seconds)
        loop = cli_loop(clips, folder / "plain")
        per_clip = loop / args.jobs
        rows = [("CLI loop (baseline)", loop, args.jobs, 1, per_clip)]
        runs = [1] + ([args.chunk] if args.chunk > 1 else [])
        for chunk in runs:
            wall, tasks = farm_run(clips, folder / f"farm{chunk}", args.workers, chunk)
            rows.append((f"openjd, chunk {chunk}", wall, tasks, args.workers, wall * args.workers / args.jobs))
        print(f"{'run':<22}{'wall s':>8}{'wall vs loop':>14}{'tasks':>7}{'workers':>9}{'worker-s/clip':>15}"
              f"{'vs loop':>9}{'overhead/clip s':>17}")
        for label, wall, tasks, workers, cost in rows:
            print(f"{label:<22}{wall:>8.1f}{wall / loop:>13.2f}x{tasks:>7d}{workers:>9d}{cost:>15.3f}"
                  f"{cost / per_clip:>8.2f}x{cost - per_clip:>17.3f}")
        if args.minutes > 0:
            record = memory_run(folder / "memory", args.minutes)
            verdict = "meets" if record["peak_rss_mb"] < MEMORY_TARGET_MIB else "MISSES"
            print(f"{args.minutes:g}-minute shot, one task with QC: {record['wall']:.1f} s, peak RSS "
                  f"{record['peak_rss_mb']:.0f} MiB: {verdict} the {MEMORY_TARGET_MIB:.0f} MiB target "
                  f"(QC score {record['qc_score']}, {record['keys_written']} keys)")


if __name__ == "__main__":
    main()
