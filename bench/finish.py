"""How long a post knob change costs: ``finish`` on a kept ``Prediction`` vs a full ``animate``, same run.

The panel keeps the ``Prediction`` (decoded audio, features, network output) and re-runs only ``finish``
(retarget, post-processing, key reduction) when a post knob moves. This prints, for one clip, the time of
a full ``animate`` (the baseline) and of ``finish`` with several post settings, each the best of N runs.

    python bench/finish.py [--seconds 30] [--repeats 5] [--model DIR] [--mapping arkit]

Target: ``finish`` in milliseconds, a small fraction of ``animate``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Callable, List

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
FACEGOOD = ROOT.parent / "shared" / "facegood" / "wav"

from audio2face.pipeline import AnimateSettings, animate, finish, predict  # noqa: E402
from audio2face.post import PostSettings  # noqa: E402


def speech(seconds: float) -> tuple:
    """(samples at 16 kHz, description): FACEGOOD speech when present, else a synthetic signal."""
    clips = sorted(FACEGOOD.glob("*.wav")) if FACEGOOD.is_dir() else []
    if clips:
        from audio2face.audio import load_audio

        samples = np.concatenate([load_audio(c) for c in clips])
        return np.resize(samples, int(seconds * 16000)), f"FACEGOOD speech ({len(clips)} clips, cut/repeated)"
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import speech_like

    return speech_like(seconds), "synthetic speech-like signal (FACEGOOD data not found)"


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Fastest wall time of ``repeats`` runs, in seconds."""
    times: List[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--model")
    parser.add_argument("--mapping", default="arkit")
    args = parser.parse_args(argv)
    samples, what = speech(args.seconds)
    path = Path(__file__).resolve().parent / ".finish_bench.wav"
    sf.write(path, samples, 16000, subtype="PCM_16")
    try:
        settings = AnimateSettings(model=args.model, mapping=args.mapping)
        animate(path, settings)  # load and warm the model once, as the panel has
        full = best_of(max(args.repeats // 2, 1), lambda: animate(path, settings))
        prediction = predict(path, settings)
        frames = prediction.raw.shape[0]
        print(f"{args.seconds:g} s of {what}, {frames} frames at {prediction.fps:g} fps, mapping {args.mapping}")
        print(f"  baseline: full animate (decode, features, network, finish)  {full * 1000:9.1f} ms")
        cases = {
            "finish, default post": settings,
            "finish, smoothing 40 ms, strength 0.8": dataclasses.replace(
                settings, post=PostSettings(smoothing_ms=40.0, strength=0.8)),
            "finish, silence gate off, time offset -40 ms": dataclasses.replace(
                settings, post=PostSettings(silence_gate=False, time_offset_ms=-40.0)),
            "finish, key reduction 0.01": dataclasses.replace(settings, reduce=0.01),
        }
        for label, case in cases.items():
            seconds = best_of(args.repeats, lambda case=case: finish(prediction, case))
            print(f"  {label:<58} {seconds * 1000:9.1f} ms  ({full / seconds:6.1f}x faster)")
    finally:
        path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
