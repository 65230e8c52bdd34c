"""Quality metrics of predicted animation against labels (numpy only)."""

from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np

JAW_OPEN_NAMES = ("mouth_stretch_c", "jawOpen", "jaw_open", "JawOpen")


def jaw_channel(names: Sequence[str]) -> Optional[int]:
    """Index of the jaw-open channel among ``names`` (FACEGOOD's ``mouth_stretch_c``, ARKit ``jawOpen``...)."""
    lowered = [n.lower() for n in names]
    for candidate in JAW_OPEN_NAMES:
        if candidate.lower() in lowered:
            return lowered.index(candidate.lower())
    for i, name in enumerate(lowered):
        if "jaw" in name and "open" in name:
            return i
    return None


def pearson_per_channel(pred: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Pearson correlation of each column; NaN where either column is constant."""
    p = pred - pred.mean(axis=0)
    t = true - true.mean(axis=0)
    denom = np.sqrt((p * p).sum(axis=0) * (t * t).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 1e-12, (p * t).sum(axis=0) / np.maximum(denom, 1e-30), np.nan)


def score(pred: np.ndarray, true: np.ndarray, names: Sequence[str]) -> Dict[str, float]:
    """MSE, MAE, mean per-channel Pearson correlation and jaw-open correlation.

    Args:
        pred: (frames, channels) predictions of the animated channels.
        true: (frames, channels) labels.
        names: Channel names (to find the jaw-open channel).
    """
    pred = np.asarray(pred, dtype=np.float64)
    true = np.asarray(true, dtype=np.float64)
    corr = pearson_per_channel(pred, true)
    jaw = jaw_channel(names)
    return {
        "mse": float(np.mean((pred - true) ** 2)),
        "mae": float(np.mean(np.abs(pred - true))),
        "pearson": float(np.nanmean(corr)) if np.any(np.isfinite(corr)) else float("nan"),
        "jaw_pearson": float(corr[jaw]) if jaw is not None else float("nan"),
        "frames": int(true.shape[0]),
    }
