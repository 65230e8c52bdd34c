"""Training recipes: ours (the default) and FACEGOOD's (the baseline of ``bench/quality.py``)."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Tuple

RECIPES = ("ours", "facegood")


@dataclasses.dataclass
class TrainConfig:
    """Everything that decides how a model is trained.

    Attributes:
        recipe: ``"ours"``: consecutive-frame pairs, learned per-frame emotion with the paper's regulariser,
            normalised loss terms, standardised inputs and targets, input noise. ``"facegood"``: FACEGOOD's
            loop: shuffled single frames, one fixed random emotion vector, position + motion over the two
            halves of the batch, raw inputs and targets, Adam decayed x0.98 every 10 epochs, dropout 0.5.
        epochs: Maximum epochs (one epoch shows every training frame about once).
        batch: Frames per step (ours: half as many consecutive pairs).
        learning_rate: Adam's initial step size.
        lr_decay: Multiplier applied every ``lr_decay_epochs`` epochs (ours: per epoch).
        lr_decay_epochs: Epochs between decays.
        warmup_epochs: Epochs of linear learning-rate warm-up (ours).
        emotion_size: E, the length of the emotion vector.
        emotion_lr: Adam step size of the per-frame emotion vectors.
        emotion_init: Standard deviation of their random initial values.
        input_noise: Standard deviation of Gaussian noise added to the standardised features (ours).
        hidden_dropout: Dropout rate on the hidden fully connected layer.
        target_scale: ``"std"``: each animated channel scaled to unit variance; ``"global"``: one scale for
            all; ``"none"``: raw weights.
        patience: Epochs without a better validation loss before stopping (0 = never stop early).
        steps_per_call: Optimiser steps per compiled call (fewer Python round trips).
        formant_channels: Output channels of the formant convolutions (half the paper's widths: on these
            few minutes of data they generalise as well and train three times faster on a CPU).
        articulation_channels: Output channels of the articulation convolutions (the paper: 256).
        hidden: Width of the hidden fully connected layer.
        leaky: Negative slope of the activations (0 = ReLU).
        time_shift: Oversampling of the training windows (ours): features are also computed between the
            label frames (at ``fps * time_shift``) with linearly interpolated labels, so the network sees
            windows shifted by fractions of a frame (the paper's time-shift augmentation).
        weight_ema: Decay of the exponential moving average of the weights that is validated and
            exported (0 = use the raw weights).
        clamp: Clamp each output to the range it spans in the training data (inside the exported graph).
        spectrum_bins: Frequencies of the spectral front end (ours; 0 = feed the raw LPC coefficients).
        spectrum_floor: Floor added to ``|A(w)|^2`` before the logarithm.
        linear_blend: Weight of the linear member of the ensemble (ridge regression on the standardised
            front-end features, fitted in closed form); the network gets ``1 - linear_blend``.
        seed: Seed of every random choice.
        jit: Compile the training step with XLA.
        augment_copies: Augmented copies of every training clip (``augment.py``: speed, room reverb, band
            limits, codec, noise, music, gain); 0 = none. Validation clips are never augmented.
    """

    recipe: str = "ours"
    epochs: int = 20
    batch: int = 64
    learning_rate: float = 1e-3
    lr_decay: float = 0.93
    lr_decay_epochs: int = 1
    warmup_epochs: float = 0.5
    emotion_size: int = 16
    emotion_lr: float = 1e-2
    emotion_init: float = 0.1
    input_noise: float = 0.2
    hidden_dropout: float = 0.2
    target_scale: str = "global"
    patience: int = 5
    steps_per_call: int = 8
    formant_channels: Tuple[int, ...] = (36, 54, 81, 122, 128)
    articulation_channels: int = 128
    hidden: int = 150
    leaky: float = 0.0
    time_shift: int = 2
    weight_ema: float = 0.998
    clamp: bool = True
    spectrum_bins: int = 32
    spectrum_floor: float = 1e-3
    linear_blend: float = 0.3
    seed: int = 0
    jit: bool = True
    augment_copies: int = 0

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready copy."""
        data = dataclasses.asdict(self)
        data["formant_channels"] = list(self.formant_channels)
        return data

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> TrainConfig:
        """Inverse of ``to_dict`` (unknown keys are ignored)."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "formant_channels" in values:
            values["formant_channels"] = tuple(values["formant_channels"])
        return cls(**values)


def recipe_config(recipe: str, **overrides: Any) -> TrainConfig:
    """The default configuration of a recipe, with ``overrides`` applied."""
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r} (known: {', '.join(RECIPES)})")
    if recipe == "facegood":
        base = TrainConfig(
            recipe="facegood", batch=32, learning_rate=1e-3, lr_decay=0.98, lr_decay_epochs=10,
            warmup_epochs=0.0, input_noise=0.0, hidden_dropout=0.5, target_scale="none", patience=0,
            time_shift=1, weight_ema=0.0, clamp=False, spectrum_bins=0, linear_blend=0.0,
        )
    else:
        base = TrainConfig()
    return dataclasses.replace(base, **overrides)


def changed_settings(config: TrainConfig) -> Dict[str, Any]:
    """The fields of ``config`` that differ from its recipe's defaults (what ``--set`` and the flags changed)."""
    base = recipe_config(config.recipe)
    return {field.name: getattr(config, field.name) for field in dataclasses.fields(config)
            if getattr(config, field.name) != getattr(base, field.name)}
