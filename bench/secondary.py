"""Secondary motion against human statistics: blink rate, duration, timing; darts, brows, head; cost.

Material: the FACEGOOD clips (Mandarin, one speaker) and English lines spoken by several espeak-ng voices
(made here; skipped with a message when espeak-ng is missing). For each, the blinks our stage places are
compared with a baseline measured in the same run: a blinker at the same rate with uniform random timing
(a Poisson process, what a timer-driven blink gives).

Targets (see audio2face/secondary/blinks.py for the sources): 15-20 blinks a minute in conversation,
durations 100-400 ms, more in pauses than the share of time that is pause, rarely in the loud middle of a
syllable.

    python bench/secondary.py [--seed 0]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from audio2face.audio import load_audio  # noqa: E402
from audio2face.curves import Curves  # noqa: E402
from audio2face.secondary import SecondarySettings, apply_secondary  # noqa: E402
from audio2face.secondary.blinks import Blink  # noqa: E402
from audio2face.secondary.live import LiveSecondary  # noqa: E402
from audio2face.secondary.prosody import Prosody, analyse  # noqa: E402

FACEGOOD = ROOT.parent / "shared" / "facegood" / "wav"
FPS = 30.0
RATE = 16000
NAMES = ["jawOpen", "eyeBlinkLeft", "eyeBlinkRight", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookInRight",
         "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeLookDownLeft", "eyeLookDownRight",
         "browInnerUp", "browOuterUpLeft", "browOuterUpRight"]
LINES = [
    "Bob made a map of the moon, and my mom put it by the piano.",
    "When the storm passed, we walked back over the bridge, talking about nothing in particular.",
    "Please bring both boxes before five, or the movers will leave them on the porch.",
    "I never said she stole the money. I said that somebody did, and it might have been me.",
    "Well, maybe. But if we wait much longer, the whole plan falls apart, and then what?",
    "The quick brown fox jumps over the lazy dog, twice, and then it goes to sleep.",
]
VOICES = ["en-us", "en-gb", "en-us+f3", "en-gb-x-rp+m4", "en-us+m7"]


def english_material(folder: Path) -> List[Tuple[str, np.ndarray]]:
    """One take: every line in every voice, with a pause of 0.4-1.0 s between lines."""
    if shutil.which("espeak-ng") is None:
        print("note: espeak-ng not found (apt-get install espeak-ng): English material skipped")
        return []
    parts = []
    for voice in VOICES:
        for i, line in enumerate(LINES):
            wav = folder / f"{voice.replace('+', '_')}_{i}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(wav), line], check=True,
                           capture_output=True)
            parts.append(load_audio(wav, RATE))
            parts.append(np.zeros(int(RATE * (0.4 + 0.3 * (i % 3))), np.float32))
    return [(f"espeak {len(VOICES)} voices", np.concatenate(parts))]


def facegood_material() -> List[Tuple[str, np.ndarray]]:
    clips = sorted(FACEGOOD.glob("*.wav")) if FACEGOOD.is_dir() else []
    if not clips:
        print(f"note: {FACEGOOD} not found: FACEGOOD material skipped")
        return []
    return [(f"FACEGOOD {len(clips)} clips", np.concatenate([load_audio(c, RATE) for c in clips]))]


def poisson_blinks(seconds: float, count: int, rng: np.random.Generator) -> List[Blink]:
    """The baseline: the same number of blinks at uniform random times, 150 ms each."""
    return [Blink(float(t), 0.15, 1.0) for t in np.sort(rng.uniform(0, seconds - 0.3, count))]


def blink_figures(blinks: List[Blink], prosody: Prosody, seconds: float) -> Dict[str, float]:
    pause = np.zeros(prosody.frames, bool)
    for a, b in prosody.pauses:
        pause[a:b] = True
    closed = [min(int((b.start + 0.3 * b.duration) * FPS), prosody.frames - 1) for b in blinks]
    durations = np.array([b.duration for b in blinks]) * 1000 if blinks else np.zeros(1)
    return {
        "per_min": len(blinks) / seconds * 60,
        "d_p10": float(np.percentile(durations, 10)), "d_p50": float(np.percentile(durations, 50)),
        "d_p90": float(np.percentile(durations, 90)),
        "in_100_400": float(np.mean((durations >= 100) & (durations <= 400))),
        "in_pause": float(np.mean(pause[closed])) if blinks else 0.0,
        "pause_time": float(pause.mean()),
        "mid_syllable": float(np.mean(prosody.nucleus[closed])) if blinks else 0.0,
        "half": float(np.mean([b.amount < 1 for b in blinks])) if blinks else 0.0,
    }


def live_run(samples: np.ndarray, settings: SecondarySettings) -> Tuple[List[Blink], np.ndarray]:
    """The live stage frame by frame (audio pushed 260 ms ahead, as a stream does): blinks and ms per frame."""
    live = LiveSecondary(settings, NAMES, FPS, RATE)
    frames = int(samples.size / RATE * FPS)
    lead = int(0.26 * RATE)
    pushed = 0
    times = []
    zeros = np.zeros(len(NAMES), np.float32)
    for index in range(frames):
        need = min(int(index * RATE / FPS) + lead, samples.size)
        live.push(samples[pushed:need])
        pushed = need
        started = time.perf_counter()
        live.row(index, zeros)
        times.append((time.perf_counter() - started) * 1000)
    return live.blinks, np.array(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        material = facegood_material() + english_material(Path(tmp))
    if not material:
        print("no material: nothing measured")
        return 0
    settings = SecondarySettings(blinks=True, gaze=True, brows=True, head="head", seed=args.seed)
    print(f"{'material':24s} {'min':>5s} | {'blinks/min':>10s} {'dur p10/p50/p90 ms':>19s} {'100-400':>7s} "
          f"{'in pause':>8s} {'(time)':>6s} {'mid-syl':>7s} {'half':>5s}")
    rng = np.random.default_rng(args.seed)
    for label, samples in material:
        seconds = samples.size / RATE
        frames = int(seconds * FPS)
        curves = Curves(NAMES, FPS, np.zeros((frames, len(NAMES)), np.float32))
        started = time.perf_counter()
        out = apply_secondary(curves, samples, RATE, settings)
        cost = time.perf_counter() - started
        prosody = analyse(samples, RATE, FPS, frames)
        motion = out.secondary
        for who, blinks in (("ours", motion.blinks), ("poisson", poisson_blinks(seconds, len(motion.blinks), rng))):
            f = blink_figures(blinks, prosody, seconds)
            print(f"{label + ' ' + who:24s} {seconds / 60:5.1f} | {f['per_min']:10.1f} "
                  f"{f['d_p10']:6.0f}/{f['d_p50']:4.0f}/{f['d_p90']:4.0f}      {f['in_100_400']:7.2f} "
                  f"{f['in_pause']:8.2f} {f['pause_time']:6.2f} {f['mid_syllable']:7.2f} {f['half']:5.2f}")
        yaw = out.channel("eyeLookOutLeft") - out.channel("eyeLookInLeft")
        darts = int(np.sum(np.abs(np.diff(yaw)) > 1e-3) / 2)
        brow = out.channel("browInnerUp")
        raises = int(np.sum((brow[1:] > 0.05) & (brow[:-1] <= 0.05)))
        head = motion.rotations["head"]
        print(f"{'':24s}       | darts ~{darts / seconds * 60:.0f}/min, brow raises {raises / seconds * 60:.0f}/min, "
              f"head std yaw {head['rotateY'].std():.1f} pitch {head['rotateX'].std():.1f} "
              f"roll {head['rotateZ'].std():.1f} deg; cost {cost / seconds * 3600:.1f} s per hour of audio")
        live_blinks, per_frame = live_run(samples, settings)
        f = blink_figures(live_blinks, prosody, seconds)
        print(f"{label + ' live':24s} {seconds / 60:5.1f} | {f['per_min']:10.1f} {'':19s} {'':7s} "
              f"{f['in_pause']:8.2f} {f['pause_time']:6.2f} {f['mid_syllable']:7.2f}       "
              f"per frame p50 {np.percentile(per_frame, 50):.2f} ms, p99 {np.percentile(per_frame, 99):.2f} ms")
    print("targets: 15-20 blinks/min, durations 100-400 ms, in pause > (time), mid-syllable low")
    return 0


if __name__ == "__main__":
    sys.exit(main())
