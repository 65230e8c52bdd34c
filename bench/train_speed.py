"""Training speed: our compiled training step vs an eager ``GradientTape`` loop of the same network.

The baseline is how FACEGOOD trains: batches from a shuffled ``tf.data`` pipeline, the network run eagerly
through ``tf.nn.conv2d`` (what Keras convolution layers call), a Keras Adam optimiser, one Python step per
batch. Ours: ``audio2face_trainer.loop.Training``'s step (consecutive-frame pairs, per-frame emotion
vectors, normalised loss terms, our Adam), the data resident in memory, several steps per call, compiled
with XLA (``tf.function(jit_compile=True)``), convolutions as matrix products. Same network, same batch
size, same process; the two are timed alternately, twice each, and the better round of each is kept, so
other load on the machine hits both alike. Also printed for context: the baseline step under a plain
``tf.function``, and our step without XLA.

Usage: PYTHONPATH=scripts python bench/train_speed.py [--batch 32] [--seconds 20] [--threads 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from audio2face.features import FeatureParams  # noqa: E402
from audio2face_trainer.config import recipe_config  # noqa: E402
from audio2face_trainer.data import ClipData, TrainingSet  # noqa: E402
from audio2face_trainer.loop import Training  # noqa: E402
from audio2face_trainer.network import forward_conv2d  # noqa: E402

CHANNELS = 30
FRAMES = 4000


def synthetic_set(seed: int = 0) -> TrainingSet:
    """Random LPC-like features and weights: speed does not depend on the values."""
    rng = np.random.default_rng(seed)

    def clip(name: str, frames: int) -> ClipData:
        features = rng.normal(0, 3, (frames, 32, 64)).astype(np.float32)
        features[:, 0, :] = 1.0
        weights = rng.uniform(0, 1, (frames, CHANNELS)).astype(np.float32)
        dense = rng.normal(0, 3, (2 * frames - 1, 32, 64)).astype(np.float32)
        dense[:, 0, :] = 1.0
        dense_weights = rng.uniform(0, 1, (2 * frames - 1, CHANNELS)).astype(np.float32)
        return ClipData(name, "", features, weights, dense, dense_weights, shift=2)

    names = [f"ch{i}" for i in range(CHANNELS)]
    return TrainingSet(names, 30.0, FeatureParams(), [clip("a", FRAMES)], [clip("b", 64)], [])


class EagerBaseline:
    """FACEGOOD's loop: tf.data batches, eager forward through conv2d, Keras Adam."""

    def __init__(self, training: Training, batch: int, compiled: bool = False) -> None:
        import keras

        self.training = training
        self.batch = batch
        x = training.x_var.numpy()
        y = training.y_var.numpy()
        e = np.broadcast_to(np.random.default_rng(1).normal(0, 1, (1, 16)), (len(x), 16)).astype(np.float32)
        dataset = tf.data.Dataset.from_tensor_slices((x, e, y)).shuffle(len(x)).batch(batch, drop_remainder=True)
        self.iterator = iter(dataset.repeat())
        self.variables = list(training.params.values())
        self.optimizer = keras.optimizers.Adam(
            keras.optimizers.schedules.ExponentialDecay(1e-3, 1000, 0.98, staircase=True), epsilon=1e-8)
        self.step_fn = tf.function(self._step) if compiled else self._step

    def _step(self, x: tf.Tensor, e: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        spec = self.training.spec
        half = self.batch // 2
        with tf.GradientTape() as tape:
            pred = forward_conv2d(self.training.params, spec, x, e)
            loss = tf.reduce_mean(tf.square(y - pred))
            loss += 2.0 * tf.reduce_mean(tf.square(y[:half] - y[half:] - pred[:half] + pred[half:]))
        grads = tape.gradient(loss, self.variables)
        self.optimizer.apply_gradients(zip(grads, self.variables))
        return loss

    def run(self, steps: int) -> None:
        for _ in range(steps):
            x, e, y = next(self.iterator)
            self.step_fn(x, e, y)


class Ours:
    """``Training``'s compiled step fed from its own epoch schedule."""

    def __init__(self, training: Training) -> None:
        self.training = training
        self.schedule = training._epoch_schedule(0)
        self.position = 0

    def run(self, steps: int) -> None:
        per_call = self.training.config.steps_per_call
        for _ in range(max(1, steps // per_call)):
            chunk = self.schedule[self.position % len(self.schedule)]
            self.position += 1
            self.training._train_chunk(tf.constant(chunk)).numpy()


def samples_per_second(runner, batch: int, seconds: float, steps_per_call: int = 1) -> float:
    """Steps for about ``seconds`` after one warm-up call; returns frames per second."""
    runner.run(steps_per_call)
    started = time.perf_counter()
    steps = 0
    while time.perf_counter() - started < seconds:
        runner.run(steps_per_call)
        steps += steps_per_call
    return steps * batch / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=32, help="frames per step, both loops")
    parser.add_argument("--seconds", type=float, default=20.0, help="timed seconds per loop and round")
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: all cores)")
    args = parser.parse_args()
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    data = synthetic_set()
    config = recipe_config("ours", batch=args.batch)
    ours_training = Training(config, data)
    plain_training = Training(recipe_config("ours", batch=args.batch, jit=False), data)
    baseline_training = Training(recipe_config("facegood", batch=args.batch), data)
    loops = {
        "eager GradientTape (FACEGOOD's loop)": (EagerBaseline(baseline_training, args.batch), 1),
        "ours (XLA, resident data)": (Ours(ours_training), config.steps_per_call),
    }
    context = {
        "baseline step under tf.function": (EagerBaseline(baseline_training, args.batch, compiled=True), 1),
        "ours without XLA": (Ours(plain_training), config.steps_per_call),
    }
    print(f"device: {'GPU' if tf.config.list_physical_devices('GPU') else 'CPU'}, {os.cpu_count()} cores, "
          f"batch {args.batch}, network {ours_training.spec.formant_channels} / "
          f"{ours_training.spec.articulation_channels} / {ours_training.spec.hidden}")
    best = {name: 0.0 for name in [*loops, *context]}
    for round_ in range(2):
        for name, (runner, per_call) in loops.items():
            rate = samples_per_second(runner, args.batch, args.seconds, per_call)
            best[name] = max(best[name], rate)
            print(f"  round {round_ + 1}: {name:40s} {rate:8.1f} samples/s", flush=True)
    for name, (runner, per_call) in context.items():
        best[name] = samples_per_second(runner, args.batch, args.seconds / 2, per_call)
    print("\nsamples per second (best round):")
    baseline = best["eager GradientTape (FACEGOOD's loop)"]
    for name, rate in best.items():
        print(f"  {name:40s} {rate:8.1f}   {rate / baseline:5.2f}x")
    ratio = best["ours (XLA, resident data)"] / baseline
    print(f"\nour step vs the eager loop: {ratio:.2f}x (target >= 3x): {'MET' if ratio >= 3 else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
