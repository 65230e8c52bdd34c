"""The training loop: compiled steps, validation, best checkpoint, early stopping, cancel and resume."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import tensorflow as tf
from audio2face.atomic import atomic_open, atomic_path
from audio2face.errors import Audio2FaceError

from .checkpoint import CHECKPOINT_VERSION, read_checkpoint
from .config import TrainConfig
from .data import ClipData, TrainingSet
from .frontend import log_envelope
from .linear import fit_ridge
from .metrics import score
from .network import NetworkSpec, forward, init_params
from .optimizer import Adam

logger = logging.getLogger(__name__)

EmitFn = Callable[..., Any]
PREDICT_CHUNK = 512
LOSS_EMA = 0.99


@dataclasses.dataclass
class Normalisation:
    """How raw inputs and weights map to what the network sees.

    Attributes:
        input_mean: Per-row mean of the front end's output (rows,).
        input_scale: Per-row factor after centring (rows,); 0 for constant rows.
        animated: Indices of the channels that move in the training data.
        constants: Training mean of every channel (the value of the channels that do not move).
        target_mean: Mean of each animated channel.
        target_scale: Scale of each animated channel.
        lower: Smallest value of each animated channel in the output (``-inf``: unclamped).
        upper: Largest value of each animated channel in the output (``inf``: unclamped).
        spectrum_bins: Bins of the spectral front end applied before standardising (0: none).
        spectrum_floor: Its floor.
    """

    input_mean: np.ndarray
    input_scale: np.ndarray
    animated: np.ndarray
    constants: np.ndarray
    target_mean: np.ndarray
    target_scale: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    spectrum_bins: int = 0
    spectrum_floor: float = 1e-3

    def features(self, raw: np.ndarray) -> np.ndarray:
        """Front end (if any) and standardisation of raw LPC features (frames, lpc_order, subframes)."""
        values = front_end(raw, self.spectrum_bins, self.spectrum_floor)
        return ((values - self.input_mean[None, :, None]) * self.input_scale[None, :, None]).astype(np.float32)

    def targets(self, weights: np.ndarray) -> np.ndarray:
        """Normalised animated channels of (frames, channels) weights."""
        return ((weights[:, self.animated] - self.target_mean) / self.target_scale).astype(np.float32)

    def weights(self, normalised: np.ndarray) -> np.ndarray:
        """Animated channels back in weight units (clamped to ``lower``/``upper``)."""
        values = (normalised * self.target_scale + self.target_mean).astype(np.float32)
        return np.clip(values, self.lower, self.upper).astype(np.float32)

    def to_arrays(self) -> Dict[str, np.ndarray]:
        """For checkpoints."""
        return {f"norm/{k}": np.asarray(v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_arrays(cls, values: Dict[str, np.ndarray]) -> Normalisation:
        """Inverse of ``to_arrays``."""
        fields = {f.name: values[f"norm/{f.name}"] for f in dataclasses.fields(cls)}
        fields["spectrum_bins"] = int(fields["spectrum_bins"])
        fields["spectrum_floor"] = float(fields["spectrum_floor"])
        return cls(**fields)


def front_end(raw: np.ndarray, bins: int, floor: float) -> np.ndarray:
    """Log spectral envelopes when ``bins > 0``, else the raw features."""
    return log_envelope(raw, bins, floor) if bins > 0 else raw


def compute_normalisation(train: List[ClipData], config: TrainConfig) -> Normalisation:
    """Statistics of the training clips (never the validation clips)."""
    weights = np.concatenate([c.weights for c in train]).astype(np.float64)
    animated = np.flatnonzero(np.ptp(weights, axis=0) > 1e-6)
    if animated.size == 0:
        raise Audio2FaceError("no channel moves in the training clips: nothing to learn")
    constants = weights.mean(axis=0)
    bins = config.spectrum_bins if config.recipe == "ours" else 0
    order = bins or train[0].features.shape[1]
    if config.recipe == "ours":
        total = np.zeros(order)
        total_sq = np.zeros(order)
        count = 0
        for clip in train:
            f = front_end(clip.features.astype(np.float64), bins, config.spectrum_floor)
            total += f.sum(axis=(0, 2))
            total_sq += (f * f).sum(axis=(0, 2))
            count += f.shape[0] * f.shape[2]
        mean = total / count
        std = np.sqrt(np.maximum(total_sq / count - mean * mean, 0.0))
        scale = np.where(std > 1e-6, 1.0 / np.maximum(std, 1e-6), 0.0)
    else:
        mean, scale = np.zeros(order), np.ones(order)
    moving = weights[:, animated]
    target_mean = moving.mean(axis=0) if config.target_scale != "none" else np.zeros(animated.size)
    if config.target_scale == "std":
        target_scale = np.maximum(moving.std(axis=0), 1e-4)
    elif config.target_scale == "global":
        target_scale = np.full(animated.size, max(float(moving.std()), 1e-4))
    else:
        target_scale = np.ones(animated.size)
    if config.clamp:
        lower, upper = moving.min(axis=0), moving.max(axis=0)
    else:
        lower, upper = np.full(animated.size, -np.inf), np.full(animated.size, np.inf)
    return Normalisation(mean.astype(np.float32), scale.astype(np.float32), animated.astype(np.int64),
                         constants.astype(np.float32), target_mean.astype(np.float32),
                         target_scale.astype(np.float32), lower.astype(np.float32), upper.astype(np.float32),
                         bins, float(config.spectrum_floor))


@dataclasses.dataclass
class RunResult:
    """What a finished (or cancelled) run leaves.

    Attributes:
        status: ``"done"``, ``"early_stopping"`` or ``"cancelled"``.
        epochs: Epochs completed.
        best_epoch: 1-based epoch of the best validation loss (0: none yet).
        history: One dict per epoch (losses, metrics, seconds, learning rate).
    """

    status: str
    epochs: int
    best_epoch: int
    history: List[Dict[str, Any]]


class Training:
    """One training run over a ``TrainingSet``.

    Args:
        config: The recipe and its settings.
        data: Clips split by clip.
        checkpoint_dir: Where checkpoints go (``None``: no checkpoints, no resume).
        emit: Called as ``emit(event, **fields)`` for protocol events.
        cancelled: Returns True when the run should save a checkpoint and stop.
    """

    def __init__(
        self,
        config: TrainConfig,
        data: TrainingSet,
        checkpoint_dir: Optional[Path] = None,
        emit: Optional[EmitFn] = None,
        cancelled: Optional[Callable[[], bool]] = None,
    ) -> None:
        self.config = config
        self.data = data
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir is not None else None
        self.emit = emit or (lambda event, **fields: None)
        self.cancelled = cancelled or (lambda: False)
        self.norm = compute_normalisation(data.train, config)
        order, subframes = data.train[0].features.shape[1:]
        self.spec = NetworkSpec(
            outputs=int(self.norm.animated.size), rows=int(self.norm.spectrum_bins or order),
            subframes=int(subframes),
            emotion_size=config.emotion_size, formant_channels=tuple(config.formant_channels),
            articulation_channels=config.articulation_channels, hidden=config.hidden, leaky=config.leaky,
        )
        self.params = init_params(self.spec, config.seed)
        self.param_names = list(self.params)
        self.ema_params = (
            {k: tf.Variable(v, trainable=False) for k, v in self.params.items()} if config.weight_ema > 0 else None
        )
        self._setup_arrays()
        self._setup_optimiser()
        self.linear_weights: Optional[np.ndarray] = None
        self.linear_bias: Optional[np.ndarray] = None
        if config.linear_blend > 0:
            # on recorded audio only: noisy copies shrink a linear fit's weights (errors in the regressors)
            recorded = [c for c in data.train if not c.augmented] or data.train
            self.linear_weights, self.linear_bias, _ = fit_ridge(
                [self.norm.features(c.features) for c in recorded], [self.norm.targets(c.weights) for c in recorded]
            )
        self.history: List[Dict[str, Any]] = []
        self.epoch = 0
        self.chunk = 0
        self.sums = np.zeros(4)
        self.seconds = 0.0
        self.best_loss = math.inf
        self.best_epoch = 0
        self.best_values: Optional[Dict[str, np.ndarray]] = None
        self.bad_epochs = 0
        self._train_chunk = tf.function(self._chunk_ours if config.recipe == "ours" else self._chunk_facegood,
                                        jit_compile=config.jit)
        self._predict = tf.function(self._predict_fn, jit_compile=config.jit)

    # --- setup -----------------------------------------------------------------------------------------

    def _setup_arrays(self) -> None:
        train = self.data.train
        self.train_frames = sum(c.frames for c in train)
        dense = self.config.recipe == "ours" and self.config.time_shift > 1
        if dense and any(c.dense_features is None or c.shift != self.config.time_shift for c in train):
            raise ValueError("time_shift needs the training set built with the same time_shift")
        features = [c.dense_features if dense else c.features for c in train]
        labels = [c.dense_weights if dense else c.weights for c in train]
        x = np.concatenate([self.norm.features(f) for f in features])
        y = np.concatenate([self.norm.targets(w) for w in labels])
        self.pool_frames = int(x.shape[0])
        self.x_var = tf.Variable(x, trainable=False, name="train_features")
        self.y_var = tf.Variable(y, trainable=False, name="train_targets")
        self.pair_gap = self.config.time_shift if dense else 1
        starts, offset = [], 0
        for w in labels:
            starts.append(np.arange(offset, offset + len(w) - self.pair_gap))
            offset += len(w)
        self.pair_starts = np.concatenate(starts).astype(np.int32)
        rng = np.random.default_rng([self.config.seed, 7])
        size = self.config.emotion_size
        if self.config.recipe == "ours":
            table = rng.normal(0.0, self.config.emotion_init, size=(self.pool_frames, size))
        else:
            # FACEGOOD's recipe: one fixed random emotion vector for every frame, never trained.
            table = np.broadcast_to(rng.normal(0.0, 1.0, size=(1, size)), (self.pool_frames, size))
        self.emotion = tf.Variable(table.astype(np.float32), trainable=self.config.recipe == "ours",
                                   name="emotion")
        self.val_x = [self.norm.features(c.features) for c in self.data.val]
        self.val_y = [self.norm.targets(c.weights) for c in self.data.val]

    def _setup_optimiser(self) -> None:
        variables = [self.params[n] for n in self.param_names]
        names = list(self.param_names)
        if self.config.recipe == "ours":
            variables.append(self.emotion)
            names.append("emotion")
        epsilon = 1e-8 if self.config.recipe == "facegood" else 1e-7
        self.optimiser = Adam(variables, names, epsilon=epsilon)
        self.lr_var = tf.Variable(self.config.learning_rate, dtype=tf.float32, trainable=False)
        self.emotion_lr_var = tf.Variable(self.config.emotion_lr, dtype=tf.float32, trainable=False)
        self.loss_ema = tf.Variable(tf.zeros(3), trainable=False)
        self.loss_ema_count = tf.Variable(0.0, trainable=False)

    @property
    def steps_per_epoch(self) -> int:
        """Optimiser steps in one epoch (one epoch shows every training frame about once)."""
        return max(1, self.train_frames // self.config.batch)

    @property
    def chunks_per_epoch(self) -> int:
        """Compiled calls per epoch."""
        return max(1, -(-self.steps_per_epoch // self.config.steps_per_call))

    # --- compiled steps --------------------------------------------------------------------------------

    def _chunk_ours(self, starts: tf.Tensor) -> tf.Tensor:
        """``steps_per_call`` steps on consecutive-frame pairs; returns summed [P, M, R, loss]."""
        spec, config = self.spec, self.config
        variables = self.optimiser.variables
        half = self.config.batch // 2
        totals = tf.zeros(4)
        for s in tf.range(tf.shape(starts)[0]):
            first = starts[s]
            index = tf.concat([first, first + self.pair_gap], axis=0)
            seed = tf.stack([tf.cast(self.optimiser.step, tf.int32), tf.constant(config.seed, tf.int32)])
            x = tf.gather(self.x_var, index)
            if config.input_noise > 0:
                x = x + config.input_noise * tf.random.stateless_normal(tf.shape(x), seed)
            y = tf.gather(self.y_var, index)
            with tf.GradientTape() as tape:
                emotion = tf.gather(self.emotion, index)
                pred = forward(self.params, spec, x, emotion, hidden_dropout=config.hidden_dropout,
                               seed=seed + 1)
                position = tf.reduce_mean(tf.square(pred - y))
                motion = tf.reduce_mean(tf.square((pred[half:] - pred[:half]) - (y[half:] - y[:half])))
                if spec.emotion_size:
                    change = tf.reduce_mean(tf.reduce_sum(tf.square(emotion[half:] - emotion[:half]), axis=1))
                    change = 2.0 * change / spec.emotion_size
                    regulariser = change / (tf.reduce_mean(tf.square(emotion)) + 1e-8)
                else:
                    regulariser = tf.constant(0.0)
                terms = tf.stack([position, motion, regulariser])
                ema = LOSS_EMA * self.loss_ema + (1.0 - LOSS_EMA) * tf.square(tf.stop_gradient(terms))
                count = self.loss_ema_count + 1.0
                scale = tf.sqrt(ema / (1.0 - tf.pow(LOSS_EMA, count))) + 1e-8
                loss = tf.reduce_sum(terms / scale)
            grads = tape.gradient(loss, variables)
            self.loss_ema.assign(ema)
            self.loss_ema_count.assign(count)
            rates = [self.lr_var] * (len(variables) - 1) + [self.emotion_lr_var]
            self.optimiser.apply(grads, rates)
            if self.ema_params is not None:
                decay = config.weight_ema
                for name, average in self.ema_params.items():
                    average.assign(decay * average + (1.0 - decay) * self.params[name])
            totals += tf.stack([position, motion, regulariser, position + motion])
        return totals

    def _chunk_facegood(self, batches: tf.Tensor) -> tf.Tensor:
        """FACEGOOD's step on shuffled frames; returns summed [P, M, 0, P + M]."""
        spec, config = self.spec, self.config
        variables = self.optimiser.variables
        half = self.config.batch // 2
        totals = tf.zeros(4)
        for s in tf.range(tf.shape(batches)[0]):
            index = batches[s]
            seed = tf.stack([tf.cast(self.optimiser.step, tf.int32), tf.constant(config.seed, tf.int32)])
            x = tf.gather(self.x_var, index)
            y = tf.gather(self.y_var, index)
            emotion = tf.gather(self.emotion, index)
            with tf.GradientTape() as tape:
                pred = forward(self.params, spec, x, emotion, hidden_dropout=config.hidden_dropout, seed=seed)
                position = tf.reduce_mean(tf.square(y - pred))
                motion = 2.0 * tf.reduce_mean(tf.square(y[:half] - y[half:] - pred[:half] + pred[half:]))
                loss = position + motion
            grads = tape.gradient(loss, variables)
            self.optimiser.apply(grads, [self.lr_var] * len(variables))
            totals += tf.stack([position, motion, 0.0, loss])
        return totals

    @property
    def eval_params(self) -> Dict[str, tf.Variable]:
        """The weights validated and exported: the moving average when enabled, else the raw weights."""
        return self.ema_params if self.ema_params is not None else self.params

    def _predict_fn(self, x: tf.Tensor, emotion: tf.Tensor) -> tf.Tensor:
        return forward(self.eval_params, self.spec, x, emotion)

    # --- schedule --------------------------------------------------------------------------------------

    def _epoch_schedule(self, epoch: int) -> np.ndarray:
        """Int32 [chunks, steps_per_call, batch or batch/2] frame indices for one epoch (deterministic)."""
        rng = np.random.default_rng([self.config.seed, epoch])
        per_step = self.config.batch // 2 if self.config.recipe == "ours" else self.config.batch
        pool = self.pair_starts if self.config.recipe == "ours" else np.arange(self.pool_frames, dtype=np.int32)
        needed = self.chunks_per_epoch * self.config.steps_per_call * per_step
        order = np.concatenate([rng.permutation(pool) for _ in range(-(-needed // len(pool)))])[:needed]
        return order.reshape(self.chunks_per_epoch, self.config.steps_per_call, per_step).astype(np.int32)

    def learning_rate(self, epoch: int, chunk: int) -> float:
        """Step size at a point of the run."""
        config = self.config
        if config.recipe == "facegood":
            return config.learning_rate * config.lr_decay ** (epoch // max(config.lr_decay_epochs, 1))
        position = epoch + chunk / self.chunks_per_epoch
        rate = config.learning_rate * config.lr_decay ** (position / max(config.lr_decay_epochs, 1))
        if config.warmup_epochs > 0 and position < config.warmup_epochs:
            rate *= (position + 1.0 / self.chunks_per_epoch) / config.warmup_epochs
        return float(rate)

    # --- evaluation ------------------------------------------------------------------------------------

    def neutral_emotion(self) -> np.ndarray:
        """Component-wise median of the learned per-frame emotion vectors."""
        return np.median(self.emotion.numpy(), axis=0).astype(np.float32)

    def predict_normalised(self, x: np.ndarray, emotion: np.ndarray) -> np.ndarray:
        """Model output (normalised units) for standardised features and one emotion vector or one per frame.

        With ``linear_blend`` the output is the ensemble of the network and the linear member.
        """
        frames = x.shape[0]
        emotions = np.broadcast_to(np.asarray(emotion, np.float32).reshape(-1, self.spec.emotion_size),
                                   (frames, self.spec.emotion_size))
        out = np.zeros((frames, self.spec.outputs), np.float32)
        for begin in range(0, frames, PREDICT_CHUNK):
            end = min(begin + PREDICT_CHUNK, frames)
            xb = np.zeros((PREDICT_CHUNK, *x.shape[1:]), np.float32)
            eb = np.zeros((PREDICT_CHUNK, self.spec.emotion_size), np.float32)
            xb[: end - begin] = x[begin:end]
            eb[: end - begin] = emotions[begin:end]
            out[begin:end] = self._predict(tf.constant(xb), tf.constant(eb)).numpy()[: end - begin]
        if self.linear_weights is not None and self.linear_bias is not None:
            blend = self.config.linear_blend
            linear = x.reshape(frames, -1) @ self.linear_weights + self.linear_bias
            out = ((1.0 - blend) * out + blend * linear).astype(np.float32)
        return out

    def predict_weights(self, raw_features: np.ndarray, emotion: Optional[np.ndarray] = None) -> np.ndarray:
        """All channels in weight units for raw features (what the exported model computes)."""
        emotion = self.neutral_emotion() if emotion is None else emotion
        animated = self.norm.weights(self.predict_normalised(self.norm.features(raw_features), emotion))
        out = np.broadcast_to(self.norm.constants, (raw_features.shape[0], self.norm.constants.size)).copy()
        out[:, self.norm.animated] = animated
        return out

    def validate(self) -> Tuple[float, Dict[str, Any]]:
        """Validation loss (position + motion, normalised units, neutral emotion) and metrics per clip."""
        neutral = self.neutral_emotion()
        names = [self.data.channels[i] for i in self.norm.animated]
        preds, trues, per_clip = [], [], {}
        position = motion = 0.0
        frames = pairs = 0
        for clip, x, y in zip(self.data.val, self.val_x, self.val_y):
            pred = self.predict_normalised(x, neutral)
            position += float(np.sum((pred - y) ** 2)) / y.shape[1]
            motion += float(np.sum((np.diff(pred, axis=0) - np.diff(y, axis=0)) ** 2)) / y.shape[1]
            frames += y.shape[0]
            pairs += y.shape[0] - 1
            raw_pred = self.norm.weights(pred)
            raw_true = clip.weights[:, self.norm.animated]
            per_clip[clip.name] = score(raw_pred, raw_true, names)
            preds.append(raw_pred)
            trues.append(raw_true)
        overall = score(np.concatenate(preds), np.concatenate(trues), names)
        loss = position / max(frames, 1) + motion / max(pairs, 1)
        return loss, {"all": overall, "clips": per_clip}

    # --- checkpoints -----------------------------------------------------------------------------------

    def _values(self) -> Dict[str, np.ndarray]:
        values = {f"param/{k}": v.numpy() for k, v in self.params.items()}
        if self.ema_params is not None:
            values.update({f"ema/{k}": v.numpy() for k, v in self.ema_params.items()})
        values["emotion"] = self.emotion.numpy()
        values["loss_ema"] = self.loss_ema.numpy()
        values["loss_ema_count"] = np.asarray(self.loss_ema_count.numpy())
        values.update(self.optimiser.state())
        return values

    def _best_snapshot(self) -> Dict[str, np.ndarray]:
        values = {f"param/{k}": v.numpy() for k, v in self.eval_params.items()}
        values["emotion"] = self.emotion.numpy()
        return values

    def save_checkpoint(self, reason: str) -> Optional[Path]:
        """Write ``last-<step>.npz`` (+ ``best.npz``) and ``state.json``; emit ``checkpoint``."""
        if self.checkpoint_dir is None:
            return None
        folder = self.checkpoint_dir
        folder.mkdir(parents=True, exist_ok=True)
        step = int(self.optimiser.step.numpy())
        name = f"last-{step}.npz"
        with atomic_path(folder / name, suffix=".npz") as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, **self._values())
        if self.best_values is not None and self._best_dirty:
            with atomic_path(folder / "best.npz", suffix=".npz") as tmp:
                with open(tmp, "wb") as handle:
                    np.savez(handle, **self.best_values)
            self._best_dirty = False
        state = {
            "version": CHECKPOINT_VERSION,
            "config": self.config.to_dict(),
            "fingerprint": self.data.fingerprint(),
            "weights": name,
            "epoch": self.epoch,
            "chunk": self.chunk,
            "sums": self.sums.tolist(),
            "seconds": self.seconds,
            "history": self.history,
            "best_loss": self.best_loss if math.isfinite(self.best_loss) else None,
            "best_epoch": self.best_epoch,
            "bad_epochs": self.bad_epochs,
        }
        with atomic_open(folder / "state.json", "w") as handle:
            json.dump(state, handle, indent=1)
        for old in folder.glob("last-*.npz"):
            if old.name != name:
                old.unlink()
        self.emit("checkpoint", epoch=self.epoch, path=str(folder), reason=reason, step=step)
        return folder

    _best_dirty = False

    def load_checkpoint(self) -> None:
        """Continue from ``state.json`` in the checkpoint folder (raises when absent or for other data)."""
        if self.checkpoint_dir is None:
            raise Audio2FaceError("nothing to resume: no checkpoint folder")
        folder = self.checkpoint_dir
        state, values, best = read_checkpoint(folder)
        if state["chunk"] > self.chunks_per_epoch:
            raise Audio2FaceError(f"checkpoint chunk {state['chunk']} is past the epoch's "
                                  f"{self.chunks_per_epoch}; it is damaged", folder)
        if state.get("fingerprint") != json.loads(json.dumps(self.data.fingerprint())):
            raise Audio2FaceError("the checkpoint was trained on other data (clips, channels or frame "
                                  "rate differ); train from scratch without --resume", folder)
        saved = TrainConfig.from_dict(state["config"])
        if dataclasses.replace(saved, epochs=self.config.epochs, patience=self.config.patience) != self.config:
            logger.warning("resuming with the checkpoint's settings (%s)", folder)
        try:
            self._assign(values)
        except (KeyError, ValueError) as exc:  # an array missing or of another shape
            raise Audio2FaceError(f"the checkpoint does not fit this network ({exc})", folder) from None
        self.epoch = int(state["epoch"])
        self.chunk = int(state["chunk"])
        self.sums = np.asarray(state["sums"], dtype=np.float64)
        self.seconds = float(state["seconds"])
        self.history = list(state["history"])
        self.best_loss = float(state["best_loss"]) if state.get("best_loss") is not None else math.inf
        self.best_epoch = int(state["best_epoch"])
        self.bad_epochs = int(state["bad_epochs"])
        self.best_values = best
        logger.info("resumed at epoch %d, step %d", self.epoch + 1, int(self.optimiser.step.numpy()))

    def _assign(self, values: Dict[str, np.ndarray]) -> None:
        for name in self.param_names:
            self.params[name].assign(values[f"param/{name}"])
            if self.ema_params is not None:
                self.ema_params[name].assign(values.get(f"ema/{name}", values[f"param/{name}"]))
        self.emotion.assign(values["emotion"])
        self.loss_ema.assign(values["loss_ema"])
        self.loss_ema_count.assign(float(values["loss_ema_count"]))
        self.optimiser.load(values)

    def restore_best(self) -> None:
        """Load the weights (and emotion vectors) of the best validation epoch into ``eval_params``."""
        if self.best_values is None:
            return
        for name in self.param_names:
            self.eval_params[name].assign(self.best_values[f"param/{name}"])
        self.emotion.assign(self.best_values["emotion"])

    # --- the loop --------------------------------------------------------------------------------------

    def run(self) -> RunResult:
        """Train until the epoch limit, early stopping or a cancel."""
        config = self.config
        total_chunks = self.chunks_per_epoch
        while self.epoch < config.epochs:
            schedule = self._epoch_schedule(self.epoch)
            started = time.perf_counter()
            last_report = 0.0
            while self.chunk < total_chunks:
                self.lr_var.assign(self.learning_rate(self.epoch, self.chunk))
                self.sums += self._train_chunk(tf.constant(schedule[self.chunk])).numpy()
                self.chunk += 1
                now = time.perf_counter()
                if now - last_report > 1.0 or self.chunk == total_chunks:
                    last_report = now
                    steps = min(self.chunk * config.steps_per_call, self.steps_per_epoch)
                    self.emit("progress", stage="train", epoch=self.epoch + 1, done=steps,
                              total=self.steps_per_epoch)
                if self.cancelled():
                    self.seconds += time.perf_counter() - started
                    self.save_checkpoint("cancel")
                    return RunResult("cancelled", self.epoch, self.best_epoch, self.history)
            stopped = self._end_epoch(time.perf_counter() - started)
            if stopped:
                return RunResult("early_stopping", self.epoch, self.best_epoch, self.history)
            if self.cancelled():
                return RunResult("cancelled", self.epoch, self.best_epoch, self.history)
        return RunResult("done", self.epoch, self.best_epoch, self.history)

    def _end_epoch(self, train_seconds: float) -> bool:
        """Validate, keep the best weights, checkpoint, report; True when early stopping triggers."""
        config = self.config
        val_started = time.perf_counter()
        val_loss, metrics = self.validate()
        steps = self.chunks_per_epoch * config.steps_per_call
        means = self.sums / steps
        seconds = train_seconds + time.perf_counter() - val_started
        self.seconds += seconds
        improved = val_loss < self.best_loss * (1.0 - 1e-4)
        if improved:
            self.best_loss = val_loss
            self.best_epoch = self.epoch + 1
            self.best_values = self._best_snapshot()
            self._best_dirty = True
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        record = {
            "epoch": self.epoch + 1,
            "train_loss": float(means[3]),
            "train_position": float(means[0]),
            "train_motion": float(means[1]),
            "train_emotion": float(means[2]),
            "val_loss": float(val_loss),
            "val": metrics["all"],
            "learning_rate": self.learning_rate(self.epoch, self.chunks_per_epoch - 1),
            "seconds": round(seconds, 3),
        }
        self.history.append(record)
        self.epoch += 1
        self.chunk = 0
        self.sums = np.zeros(4)
        stop = config.patience > 0 and self.bad_epochs >= config.patience
        done = len(self.history)
        remaining = 0 if stop else config.epochs - self.epoch
        eta = remaining * self.seconds / max(done, 1)
        logger.info(
            "epoch %d/%d: train %.4f, val %.4f (mse %.5f, pearson %.3f, jaw %.3f)%s, %.1f s",
            self.epoch, config.epochs, means[3], val_loss, metrics["all"]["mse"], metrics["all"]["pearson"],
            metrics["all"]["jaw_pearson"], " best" if improved else "", seconds,
        )
        self.save_checkpoint("epoch")
        self.emit(
            "epoch", epoch=self.epoch, epochs=config.epochs, train_loss=float(means[3]), val_loss=float(val_loss),
            val=metrics["all"], best=improved, best_epoch=self.best_epoch, seconds=round(seconds, 3),
            eta_s=round(eta, 1), learning_rate=record["learning_rate"],
        )
        return stop
