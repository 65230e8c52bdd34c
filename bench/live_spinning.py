"""Live streaming with several inference threads: onnxruntime's thread spinning on (its default) and off.

A stream runs the model on a few frames every audio block; between blocks onnxruntime's idle intra-op
threads spin-wait by default. ``bundle.load_bundle(..., spin=False)`` (what ``streaming.live_bundle`` does
for more than one thread) makes them sleep instead. This prints, for the same model and audio in the same
run (alternating, ``--rounds`` times): the processing time per frame pushing as fast as possible (p50,
p99), the delay to the weights and the CPU used while streaming at real time (100 % = one core), using
``bench/live.py``'s measuring code.

    python bench/live_spinning.py [--audio FILE] [--model DIR] [--threads 2] [--seconds 6] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "scripts")]

import live as bench  # noqa: E402 - bench/live.py
from audio2face.audio import load_audio  # noqa: E402
from audio2face.bundle import load_bundle  # noqa: E402
from audio2face.pipeline import AnimateSettings  # noqa: E402
from audio2face.streaming import StreamSession  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio", default=str(bench.ROOT / "examples" / "hello.wav"), help="speech file")
    parser.add_argument("--model", default="", help="bundle folder (default: as bench/live.py)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--block-ms", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=6.0, help="audio streamed at real time per run")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.threads} inference threads; {args.block_ms:g} ms blocks")
    with tempfile.TemporaryDirectory() as tmp:
        folder, what = bench.model_folder(args.model, Path(tmp))
        print(f"model: {what}")
        bundles = {spin: load_bundle(folder, threads=args.threads, spin=spin) for spin in (True, False)}
        rate = float(bundles[True].feature_params.sample_rate)
        samples = load_audio(args.audio, int(rate))
        size = max(int(rate * args.block_ms / 1000.0), 1)
        settings = AnimateSettings(model=str(folder), fps=30.0, threads=args.threads)
        print("spinning | per frame p50 / p99 | delay p50 / p99 | CPU at real time")
        for _ in range(args.rounds):
            for spin, bundle in bundles.items():
                def session(loaded=bundle) -> StreamSession:  # noqa: ANN001
                    return StreamSession(settings, sample_rate=rate, bundle=loaded)

                bench.run_fast(session(), bench.blocks(samples[: int(rate)], size))  # warm-up
                fast = bench.run_fast(session(), bench.blocks(samples, size))
                delays, _, cpu = bench.run_realtime(session(), bench.blocks(samples[: int(args.seconds * rate)], size),
                                                    rate)
                print(f"{'on ' if spin else 'off'}      | {bench.ms(fast, 50):5.2f} / {bench.ms(fast, 99):5.2f} ms "
                      f"| {bench.ms(delays, 50):5.1f} / {bench.ms(delays, 99):5.1f} ms | {100 * cpu:3.0f} % of a core")


if __name__ == "__main__":
    main()
