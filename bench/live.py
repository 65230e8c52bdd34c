"""Live streaming cost and latency: processing time per frame, delay to the weights, CPU at real time.

Streams a speech file through ``audio2face.streaming.StreamSession`` in blocks as a microphone delivers
them, and prints one table:

* processing per frame: the time a ``push`` takes divided by the frames it returns (as fast as possible);
  the baseline in the same run is ``pipeline.animate`` on the whole file (per frame), and the table shows
  the ratio;
* delay: from the moment the block holding the last sample a frame needs is handed to ``push`` (in the
  real-time run) to the moment its weights come back (p50, p99), and the latency from the frame's own
  time in the audio to its weights (the model's lookahead - 260 ms for the default model, 80 ms for the
  low-latency one - + the block + the delay), also as ``audio2face live`` measures it (``LatencyMeter``);
* CPU: process CPU time over wall time while streaming at real time (100 % = one core).

    python bench/live.py [--audio FILE] [--model DIR] [--fps 30] [--block-ms 20] [--threads 2] [--seconds 8]

Without ``--model`` both shipped models run, one after the other (the default and the low-latency one);
without any installed model a network of the paper's size (Karras et al. 2017: 5 formant and 5
articulation convolutions, 150 hidden units, 116 outputs) with random weights, which costs what a trained
one does. Targets: p99 processing <= 10 ms per frame on 2 cores; p99 latency <= 120 ms with the low-latency
model.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from audio2face.audio import load_audio  # noqa: E402
from audio2face.bundle import load_bundle  # noqa: E402
from audio2face.pipeline import AnimateSettings, animate  # noqa: E402
from audio2face.streaming import LatencyMeter, StreamSession, shipped_models  # noqa: E402

TARGET_P99_MS = 10.0
TARGET_LATENCY_MS = 120.0


def paper_sized_onnx(outputs: int = 116, seed: int = 0) -> bytes:
    """Karras et al.'s layer shapes with random weights (ReLU convolutions, two linear layers)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    inits, nodes = [], []

    def weight(name: str, shape: Tuple[int, ...]) -> str:
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        inits.append(numpy_helper.from_array((rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32), name))
        return name

    inits.append(numpy_helper.from_array(np.array([-1, 1, 32, 64], dtype=np.int64), "nchw"))
    nodes.append(helper.make_node("Reshape", ["features", "nchw"], ["x0"]))
    current, channels = "x0", 1
    for i, width in enumerate((72, 108, 162, 243, 256)):  # formant: down the 32 coefficients to 1
        w = weight(f"fw{i}", (width, channels, 3, 1))
        b = weight(f"fb{i}", (width,))
        nodes.append(helper.make_node("Conv", [current, w, b], [f"fc{i}"], kernel_shape=[3, 1], strides=[2, 1],
                                      pads=[1, 0, 1, 0]))
        nodes.append(helper.make_node("Relu", [f"fc{i}"], [f"f{i}"]))
        current, channels = f"f{i}", width
    for i in range(5):  # articulation: along the 64 sub-frames, the last one collapses what is left
        last = i == 4
        kernel = [1, 4] if last else [1, 3]
        w = weight(f"aw{i}", (256, channels, *kernel))
        b = weight(f"ab{i}", (256,))
        attrs = {"kernel_shape": kernel, "strides": [1, 1 if last else 2]}
        if not last:
            attrs["pads"] = [0, 1, 0, 1]
        nodes.append(helper.make_node("Conv", [current, w, b], [f"ac{i}"], **attrs))
        nodes.append(helper.make_node("Relu", [f"ac{i}"], [f"a{i}"]))
        current, channels = f"a{i}", 256
    inits.append(numpy_helper.from_array(np.array([-1, 256], dtype=np.int64), "flat"))
    nodes.append(helper.make_node("Reshape", [current, "flat"], ["h0"]))
    nodes.append(helper.make_node("Gemm", ["h0", weight("d1", (256, 150)), weight("e1", (150,))], ["h1"]))
    nodes.append(helper.make_node("Gemm", ["h1", weight("d2", (150, outputs)), weight("e2", (outputs,))],
                                  ["weights"]))
    graph = helper.make_graph(
        nodes, "karras2017_random",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 32, 64])],
        [helper.make_tensor_value_info("weights", TensorProto.FLOAT, ["N", outputs])], inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def model_folders(requested: str, scratch: Path) -> List[Tuple[Path, str]]:
    """(bundle folder, description) of each model to run."""
    if requested:
        return [(Path(requested), requested)]
    shipped = [f for f in shipped_models() if (f / "model.onnx").is_file()]
    if shipped:
        return [(f, f"the bundled {f.name} model") for f in shipped]
    return [model_folder(scratch)]


def model_folder(scratch: Path) -> Tuple[Path, str]:
    """(bundle folder, description) of the paper-sized stand-in."""
    folder = scratch / "paper_sized"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(paper_sized_onnx())
    meta = {
        "format": "audio2face-bundle", "format_version": 1, "channels": [f"ch{i:03d}" for i in range(116)],
        "fps": 30.0, "features": {"sample_rate": 16000, "window_ms": 520, "subframes": 64, "subframe_length": 256,
                                  "hop": 128, "lpc_order": 32},
        "emotion": {"size": 0}, "inputs": {"features": "features"}, "output": "weights",
        "provenance": {"source": "bench/live.py: the paper's layer shapes, random weights"}, "metrics": {},
    }
    (folder / "model.json").write_text(json.dumps(meta))
    return folder, "a paper-sized network with random weights (no default model installed)"


def blocks(samples: np.ndarray, size: int) -> List[np.ndarray]:
    return [samples[i : i + size] for i in range(0, samples.size, size)]


def run_fast(session: StreamSession, chunks: List[np.ndarray]) -> List[float]:
    """Per-frame processing times (seconds), pushing as fast as possible."""
    per_frame: List[float] = []
    for chunk in chunks:
        start = time.perf_counter()
        frames = session.push(chunk)
        took = time.perf_counter() - start
        if frames:
            per_frame.extend([took / len(frames)] * len(frames))
    session.finish()
    return per_frame


def run_realtime(
    session: StreamSession, chunks: List[np.ndarray], rate: float
) -> Tuple[list, list, float, LatencyMeter]:
    """(delays, latencies, cpu fraction, the live command's meter) streaming at real time: block k is handed
    over when it has been heard.

    A frame's delay runs from the hand-over of the block holding the last sample its window needs to the
    return of the ``push`` that gave its weights.
    """
    meter = LatencyMeter(session.fps)
    pushed: List[int] = []  # samples pushed after each block
    handed_at: List[float] = []
    delays, latencies = [], []
    sent = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for chunk in chunks:
        sent += chunk.size
        pause = wall0 + sent / rate - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        pushed.append(sent)
        handed_at.append(time.perf_counter())
        frames = session.push(chunk)
        out = time.perf_counter()
        meter.add(frames, session.seconds_received, handed_at[-1], out)
        for frame in frames:
            block = bisect.bisect_left(pushed, session.samples_needed(frame.index))
            delays.append(out - handed_at[block])
            latencies.append(out - (wall0 + frame.index / session.fps))
    cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    session.finish()
    return delays, latencies, cpu, meter


def ms(values: List[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio", default=str(ROOT / "examples" / "hello.wav"), help="speech file")
    parser.add_argument("--model", default="", help="bundle folder (default: see the module docstring)")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--block-ms", type=float, default=20.0, help="audio block length, as a microphone delivers")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads (live uses 1 by default)")
    parser.add_argument("--batch-frames", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0, help="audio streamed at real time")
    args = parser.parse_args()
    load = os.getloadavg()

    with tempfile.TemporaryDirectory() as tmp:
        for folder, what in model_folders(args.model, Path(tmp)):
            measure(folder, what, args, load)
            print()


def measure(folder: Path, what: str, args: argparse.Namespace, load: Tuple[float, ...]) -> None:
    """Run and print the measurements for one model."""
    bundle = load_bundle(folder, threads=args.threads, spin=args.threads <= 1)
    samples = load_audio(args.audio, bundle.feature_params.sample_rate)
    rate = float(bundle.feature_params.sample_rate)
    settings = AnimateSettings(model=str(folder), fps=args.fps, threads=args.threads)
    size = max(int(rate * args.block_ms / 1000.0), 1)

    animate(samples[: int(rate)], settings, sample_rate=int(rate))  # warm-up (session, caches)
    start = time.perf_counter()
    offline = animate(samples, settings, sample_rate=int(rate))
    offline_per_frame = (time.perf_counter() - start) / max(offline.frame_count, 1)

    def session() -> StreamSession:
        return StreamSession(settings, sample_rate=rate, bundle=bundle, batch_frames=args.batch_frames)

    run_fast(session(), blocks(samples[: int(rate)], size))  # warm-up
    per_frame = run_fast(session(), blocks(samples, size))
    realtime = samples[: int(args.seconds * rate)]
    lookahead = session().lookahead_ms
    delays, latencies, cpu, meter = run_realtime(session(), blocks(realtime, size), rate)

    print(f"model: {what} ({len(bundle.channels)} channels, {lookahead:g} ms lookahead); audio: "
          f"{Path(args.audio).name} {samples.size / rate:.2f} s; {args.fps:g} fps; {args.block_ms:g} ms blocks; "
          f"onnxruntime threads {args.threads}; cores {os.cpu_count()}; "
          f"load average before/after {load[0]:.2f}/{os.getloadavg()[0]:.2f} (other work on the machine)")
    print(f"{'measure':<48}{'p50':>10}{'p99':>10}")
    print(f"{'processing per frame, streaming (ms)':<48}{ms(per_frame, 50):>10.2f}{ms(per_frame, 99):>10.2f}")
    print(f"{'processing per frame, offline animate (baseline)':<48}{offline_per_frame * 1000:>10.2f}{'':>10}")
    ratio = ms(per_frame, 50) / (offline_per_frame * 1000)
    print(f"{'streaming / offline per frame (p50)':<48}{ratio:>9.2f}x{'':>10}")
    print(f"{'delay: frame audio pushed -> weights (ms)':<48}{ms(delays, 50):>10.2f}{ms(delays, 99):>10.2f}")
    print(f"{'latency: frame time -> weights (ms)':<48}{ms(latencies, 50):>10.1f}{ms(latencies, 99):>10.1f}")
    print(f"{'latency as audio2face live reports it (ms)':<48}{meter.percentile_ms(50):>10.1f}"
          f"{meter.percentile_ms(99):>10.1f}")
    print(f"{'CPU at real time (% of one core)':<48}{cpu * 100:>10.1f}{'':>10}")
    verdict = "meets" if ms(per_frame, 99) <= TARGET_P99_MS else "MISSES"
    print(f"p99 processing {ms(per_frame, 99):.2f} ms per frame: {verdict} the {TARGET_P99_MS:g} ms target "
          f"({len(per_frame)} frames, {len(delays)} at real time)")
    if lookahead < 260.0:
        verdict = "meets" if ms(latencies, 99) <= TARGET_LATENCY_MS else "MISSES"
        print(f"p99 latency {ms(latencies, 99):.1f} ms: {verdict} the {TARGET_LATENCY_MS:g} ms target")


if __name__ == "__main__":
    main()
