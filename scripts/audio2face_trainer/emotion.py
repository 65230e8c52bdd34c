"""Mining a neutral emotion and named presets from the learned per-frame emotion vectors.

Method (documented in ``docs/trainer.md``):

- neutral: the component-wise median of the vectors learned for the training frames;
- candidates: for the first two principal directions of the vectors (centred on the neutral), the
  vectors at the 10th and 90th percentile of the training frames' projections (four candidates, each a
  state the training data really visited);
- names from what each candidate does to the animation on a probe set of training audio, compared with
  the neutral: ``energetic`` opens the jaw the most, ``calm`` the least (only when the change has that
  sign); ``expressive`` moves the face the most overall (mean per-channel standard deviation over
  time), ``subtle`` the least.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

logger = logging.getLogger(__name__)

PredictFn = Callable[[np.ndarray], np.ndarray]
"""Maps one emotion vector to predicted animated weights (frames, channels) of the probe frames."""


def mine_emotions(
    table: np.ndarray, predict: PredictFn, jaw: Optional[int], quantiles: Tuple[float, float] = (0.1, 0.9)
) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Neutral vector and presets.

    Args:
        table: (frames, E) learned emotion vectors of the training frames.
        predict: Network output for the probe frames under one emotion vector.
        jaw: Column of the jaw-open channel in ``predict``'s output (``None``: the most varying one).
        quantiles: Where along each principal direction the candidates sit.

    Returns:
        The bundle's ``emotion`` block (``size``, ``neutral``, ``presets``) and a report of each
        candidate's effect for the provenance.
    """
    table = np.asarray(table, dtype=np.float64)
    size = int(table.shape[1])
    neutral = np.median(table, axis=0)
    block: Dict[str, Any] = {"size": size, "neutral": _round(neutral), "presets": {}}
    centred = table - neutral
    if size == 0 or not np.any(np.abs(centred) > 1e-9):
        return block, {"method": "median; no variation to mine presets from"}
    _, _, directions = np.linalg.svd(centred[:: max(1, len(centred) // 20000)], full_matrices=False)
    base = predict(neutral.astype(np.float32)).astype(np.float64)
    if jaw is None:
        jaw = int(np.argmax(base.std(axis=0)))
    base_jaw = float(base[:, jaw].mean())
    base_activity = float(base.std(axis=0).mean())
    candidates: List[Dict[str, Any]] = []
    for k, direction in enumerate(directions[:2]):
        projection = centred @ direction
        for q in quantiles:
            vector = neutral + float(np.quantile(projection, q)) * direction
            out = predict(vector.astype(np.float32)).astype(np.float64)
            candidates.append({
                "component": k + 1,
                "quantile": q,
                "vector": vector,
                "jaw_open_change": float(out[:, jaw].mean()) - base_jaw,
                "activity_ratio": float(out.std(axis=0).mean()) / max(base_activity, 1e-9),
            })
    presets: Dict[str, np.ndarray] = {}
    by_jaw = sorted(candidates, key=lambda c: c["jaw_open_change"])
    if by_jaw[-1]["jaw_open_change"] > 0:
        presets["energetic"] = by_jaw[-1]["vector"]
    if by_jaw[0]["jaw_open_change"] < 0:
        presets["calm"] = by_jaw[0]["vector"]
    by_activity = sorted(candidates, key=lambda c: c["activity_ratio"])
    if by_activity[-1]["activity_ratio"] > 1:
        presets["expressive"] = by_activity[-1]["vector"]
    if by_activity[0]["activity_ratio"] < 1:
        presets["subtle"] = by_activity[0]["vector"]
    block["presets"] = {name: _round(vector) for name, vector in presets.items()}
    report = {
        "method": "neutral = median of the learned per-frame vectors; presets = 10th/90th percentile along "
                  "the first two principal directions, named by their effect on jaw-open and overall motion",
        "candidates": [
            {k: (round(v, 5) if isinstance(v, float) else v) for k, v in c.items() if k != "vector"}
            for c in candidates
        ],
        "presets": {
            name: next({"jaw_open_change": round(c["jaw_open_change"], 5),
                        "activity_ratio": round(c["activity_ratio"], 4)}
                       for c in candidates if c["vector"] is vector)
            for name, vector in presets.items()
        },
    }
    return block, report


def _round(vector: np.ndarray) -> List[float]:
    return [round(float(v), 6) for v in np.asarray(vector).reshape(-1)]
