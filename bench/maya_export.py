"""Training-data export: ``getAttr`` calls and time, per-target sampling (before) vs one call per frame (now).

Runs against the in-memory Maya stand-in (tests/maya_standin): a blendShape with ``--targets`` keyed
weights over ``--frames`` frames. The baseline is the former loop, one ``getAttr(node.alias, time=f)``
per target per frame, measured in the same run; ``export.sample_weights`` makes one
``getAttr(node.weight, time=f)`` per frame. Both must give the same array. The call counts are what
carries over to Maya (each call is one DG context evaluation there); the stand-in's seconds are not
Maya's seconds.

    python bench/maya_export.py [--targets 52] [--frames 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests")]

import maya_standin  # noqa: E402
from maya_standin.fixtures import Session  # noqa: E402


def per_target(cmds, scene_module, node, frames):  # noqa: ANN001 - the baseline, as export.py had it
    names = scene_module.targets(node)
    weights = np.zeros((len(frames), len(names)), dtype=np.float32)
    for column, name in enumerate(names):
        weights[:, column] = [float(cmds.getAttr(f"{node}.{name}", time=float(f))) for f in frames]
    return weights


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--targets", type=int, default=52)
    parser.add_argument("--frames", type=int, default=1000)
    args = parser.parse_args()
    scene = maya_standin.install("gui")
    session = Session(scene)
    from audio2face_maya import dataset_export as export
    from audio2face_maya import scene as scene_module
    from maya_standin import cmds

    rig = {i * 2: f"target{i:02d}" for i in range(args.targets)}  # sparse indices, as real rigs have
    node = session.build_rig(rig)
    rng = np.random.default_rng(0)
    for name in rig.values():
        frames_keyed = np.arange(1, args.frames + 1, 4)
        session.key(f"{node}.{name}", list(zip(frames_keyed.tolist(), rng.random(len(frames_keyed)).tolist())))
    frames = export.frame_range(1, args.frames)
    calls = {"n": 0}
    real = cmds.getAttr

    def counted(*a, **k):  # noqa: ANN002, ANN003
        if "time" in k:
            calls["n"] += 1
        return real(*a, **k)

    cmds.getAttr = counted
    started = time.perf_counter()
    before = per_target(cmds, scene_module, node, frames)
    before_s, before_calls = time.perf_counter() - started, calls["n"]
    calls["n"] = 0
    started = time.perf_counter()
    _names, now = export.sample_weights(node, frames)
    now_s, now_calls = time.perf_counter() - started, calls["n"]
    cmds.getAttr = real
    assert np.array_equal(before, now), "both ways must read the same weights"
    print(f"rig: {args.targets} keyed targets x {len(frames)} frames (Maya stand-in)")
    print(f"  per target per frame (before): {before_calls:7d} getAttr calls  {before_s:7.2f} s")
    print(f"  one per frame (now)          : {now_calls:7d} getAttr calls  {now_s:7.2f} s")
    print(f"  calls: {before_calls / now_calls:.0f}x fewer; same weights: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
