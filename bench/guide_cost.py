"""What the phone guide costs in ``audio2face animate``: wall time, CPU and peak memory, beside no guide and the
previous recogniser, all in the same run.

For 10 minutes and one hour of audio (``bench/animate.py``'s material: FACEGOOD's clips repeated, 16 kHz
16-bit; a synthetic speech-like signal when they are absent) the real CLI runs in a child process, four
ways: ``--guide-strength 0`` and ``--guide-strength 1`` on this code, ``--guide-strength 1`` on this code on
one core for the recogniser (``AUDIO2FACE_PHONE_WORKERS=0``: no helper process), and ``--guide-strength 1``
on ``--baseline``'s code (default: the commit before the cheaper recogniser and the helper process,
extracted with ``git archive``). Printed per run: wall and CPU seconds (CPU counts every process of the run,
the helper included), peak RSS of the largest process (``ru_maxrss``) and of the process tree summed
(sampled every 20 ms from /proc; Linux only), and the guide's share: (run - no guide) / run, of wall and of
CPU. The machine may be shared: the CPU figures and the in-run ratios are the ones to compare.

    python bench/guide_cost.py [--minutes 10] [--hour/--no-hour] [--model DIR] [--baseline REV]

Target (issue 14): one hour with ``--guide-strength 1`` in < 60 s on 2 cores, peak RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from animate import ROOT, extract_baseline, source_audio, write_audio  # noqa: E402

BASELINE = "997fb24"
"""The last commit before the recogniser's cheaper search, per-stretch PCM and the helper process."""

WRAPPER = r"""
import os, resource, subprocess, sys, threading, time

def tree_rss_kib(root):
    parents = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                with open(f'/proc/{name}/stat') as f:
                    parents[int(name)] = int(f.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [p for p, parent in parents.items() if parent == pid and p not in tree]
    total = 0
    for pid in tree:
        try:
            with open(f'/proc/{pid}/status') as f:
                total += next(int(l.split()[1]) for l in f if l.startswith('VmRSS:'))
        except (OSError, StopIteration):
            pass
    return total

t = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
peak = [0]
def watch():
    while child.poll() is None:
        try:
            peak[0] = max(peak[0], tree_rss_kib(child.pid))
        except OSError:
            pass
        time.sleep(0.02)
watcher = threading.Thread(target=watch, daemon=True)
if os.path.isdir('/proc'):
    watcher.start()
out = child.stdout.read()
child.wait()
wall = time.perf_counter() - t
sys.stdout.write(out.decode())
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print('MEASURE', u.ru_maxrss, peak[0], u.ru_utime + u.ru_stime, wall)
sys.exit(child.returncode)
"""

Measure = Tuple[float, float, float, float]  # wall s, CPU s, largest process MiB, tree MiB (0: not sampled)


def run_cli(audio: Path, out: Path, model: str, scripts: Path, strength: float, one_core: bool) -> Measure:
    """One ``audio2face animate`` child process: (wall s, CPU s, largest-process peak MiB, tree peak MiB)."""
    cmd = [sys.executable, "-m", "audio2face", "animate", str(audio), "--out", str(out),
           "--guide-strength", f"{strength:g}"]
    if model:
        cmd += ["--model", model]
    env = dict(os.environ, PYTHONPATH=str(scripts))
    if one_core:
        env["AUDIO2FACE_PHONE_WORKERS"] = "0"
    result = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"animate failed: {result.stderr.strip()}")
    _, rss_kib, tree_kib, cpu, wall = result.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu), int(rss_kib) / 1024.0, int(tree_kib) / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--hour", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--model", default="", help="bundle folder (default: the bundled model)")
    parser.add_argument("--baseline", default=BASELINE, help="git revision whose recogniser is the baseline")
    args = parser.parse_args()
    base, what = source_audio()
    print(f"audio: {what}; cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f} (the machine may be shared)")
    rows: List[Tuple[str, str, float, Measure]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old = extract_baseline(args.baseline, folder / "old")
        variants = [
            ("no guide", ROOT / "scripts", 0.0, False),
            ("guide", ROOT / "scripts", 1.0, False),
            ("guide, one core", ROOT / "scripts", 1.0, True),
            (f"guide @{args.baseline}", old, 1.0, False),
        ]
        lengths = [(f"{args.minutes:g} min", args.minutes * 60)] + ([("60 min", 3600.0)] if args.hour else [])
        for label, seconds in lengths:
            audio = folder / f"{int(seconds)}.wav"
            write_audio(audio, base, seconds)
            for name, scripts, strength, one_core in variants:
                measure = run_cli(audio, folder / "out.npy", args.model, scripts, strength, one_core)
                rows.append((label, name, seconds, measure))
                print(f"  {label} {name}: {measure[0]:.1f} s wall, {measure[1]:.1f} s CPU", flush=True)
            audio.unlink()
    print(f"\n{'run':<8}{'code':<22}{'wall s':>8}{'CPU s':>8}{'x realtime':>11}{'peak MiB':>9}{'tree MiB':>9}"
          f"{'guide share wall':>17}{'CPU':>6}")
    plain: Dict[str, Measure] = {}
    for label, name, seconds, (wall, cpu, rss, tree) in rows:
        if name == "no guide":
            plain[label] = (wall, cpu, rss, tree)
            share = ""
        else:
            share = f"{(wall - plain[label][0]) / wall:>17.2f}{(cpu - plain[label][1]) / cpu:>6.2f}"
        tree_text = f"{tree:>9.0f}" if tree else f"{'-':>9}"
        print(f"{label:<8}{name:<22}{wall:>8.1f}{cpu:>8.1f}{seconds / wall:>11.1f}{rss:>9.0f}{tree_text}{share}")
    if args.hour:
        hour = {name: m for label, name, _, m in rows if label == "60 min"}
        now, old_m, none = hour["guide"], hour[f"guide @{args.baseline}"], hour["no guide"]
        added_now, added_old = now[1] - none[1], old_m[1] - none[1]
        print(f"\none hour with the guide: {now[0]:.1f} s wall, {now[1]:.1f} s CPU, peak {now[2]:.0f} MiB "
              f"(tree {now[3]:.0f} MiB); baseline {old_m[0]:.1f} s wall, {old_m[1]:.1f} s CPU, peak {old_m[2]:.0f} MiB")
        ratio = f"{added_old / added_now:.1f}x" if added_now > 0 else "-"
        print(f"the guide adds {added_now:.1f} s CPU (baseline {added_old:.1f} s: {ratio} less) and "
              f"{now[0] - none[0]:.1f} s wall (baseline {old_m[0] - none[0]:.1f} s) to the run without it")
        peak = max(now[2], now[3])
        print(f"targets: < 60 s wall: {'met' if now[0] < 60 else 'NOT met'} (on this machine, at this load); "
              f"< 1 GB peak: {'met' if peak < 1024 else 'NOT met'}")


if __name__ == "__main__":
    main()
