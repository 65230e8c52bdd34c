"""The linear member of our ensemble: ridge regression from the standardised front-end features.

Fitted in closed form on the training frames (never the validation clips); its regularisation is picked by
leave-one-clip-out cross-validation on the training clips. The exported model blends it with the
network's output (``TrainConfig.linear_blend``).
"""

from __future__ import annotations

import logging
from typing import List, Sequence, Tuple

import numpy as np

logger = logging.getLogger(__name__)

LAMBDAS_PER_FRAME = (0.1, 0.3, 1.0, 3.0, 10.0)
"""Candidate regularisations, in units of training frames (lambda = value x frames)."""


def fit_ridge(xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> Tuple[np.ndarray, np.ndarray, float]:
    """Ridge from flattened standardised features to normalised targets, one array pair per clip.

    Returns:
        weights (features, outputs), bias (outputs,), and the chosen lambda.
    """
    grams: List[np.ndarray] = []
    crosses: List[np.ndarray] = []
    sums_x: List[np.ndarray] = []
    sums_y: List[np.ndarray] = []
    counts: List[int] = []
    for x, y in zip(xs, ys):
        x = x.reshape(len(x), -1).astype(np.float64)
        y = y.astype(np.float64)
        grams.append(x.T @ x)
        crosses.append(x.T @ y)
        sums_x.append(x.sum(axis=0))
        sums_y.append(y.sum(axis=0))
        counts.append(len(x))

    def solve(members: Sequence[int], lam: float) -> Tuple[np.ndarray, np.ndarray]:
        n = sum(counts[i] for i in members)
        mean_x = sum(sums_x[i] for i in members) / n
        mean_y = sum(sums_y[i] for i in members) / n
        gram = sum(grams[i] for i in members) - n * np.outer(mean_x, mean_x)
        cross = sum(crosses[i] for i in members) - n * np.outer(mean_x, mean_y)
        weights = np.linalg.solve(gram + lam * np.eye(len(gram)), cross)
        return weights, mean_y - mean_x @ weights

    total = sum(counts)
    chosen = 1.0
    if len(xs) > 1:
        errors = []
        for per_frame in LAMBDAS_PER_FRAME:
            error = 0.0
            for held in range(len(xs)):
                rest = [i for i in range(len(xs)) if i != held]
                weights, bias = solve(rest, per_frame * sum(counts[i] for i in rest))
                x = xs[held].reshape(len(xs[held]), -1).astype(np.float64)
                error += float(np.sum((x @ weights + bias - ys[held]) ** 2))
            errors.append(error)
        chosen = LAMBDAS_PER_FRAME[int(np.argmin(errors))]
        logger.info("linear member: lambda %g x frames by leave-one-clip-out", chosen)
    weights, bias = solve(range(len(xs)), chosen * total)
    return weights.astype(np.float32), bias.astype(np.float32), chosen * total
