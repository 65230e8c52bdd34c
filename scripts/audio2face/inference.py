"""Run a model bundle on LPC features with onnxruntime, in batches."""

from __future__ import annotations

import logging
from typing import Any, Optional

import numpy as np

from .bundle import Bundle
from .errors import Audio2FaceError
from .progress import CancelToken, ProgressFn, check, report

logger = logging.getLogger(__name__)


def predict(
    bundle: Bundle,
    features: np.ndarray,
    emotion: Any = None,
    *,
    batch_size: int = 256,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> np.ndarray:
    """Predict per-frame channel weights.

    Args:
        bundle: A loaded bundle (``load_bundle``), its session open.
        features: float32 (frames, lpc_order, subframes) raw LPC features.
        emotion: ``None`` (the bundle's neutral), a preset name, or a vector of ``bundle.emotion_size`` values.
        batch_size: Frames per onnxruntime call.
        progress: Called with (frames done, frames total).
        cancel: Stops between batches.

    Returns:
        float32 (frames, len(bundle.channels)).
    """
    params = bundle.feature_params
    features = np.asarray(features, dtype=np.float32)
    expected = (params.lpc_order, params.subframes)
    if features.ndim != 3 or features.shape[1:] != expected:
        raise Audio2FaceError(
            f"features have shape {features.shape}, the model takes (frames, {expected[0]}, {expected[1]})"
        )
    frames = features.shape[0]
    out = np.zeros((frames, len(bundle.channels)), dtype=np.float32)
    if frames == 0:
        return out
    feeds_emotion = bundle.emotion_size > 0 and bundle.emotion_input is not None
    vector = bundle.emotion_vector(emotion) if feeds_emotion else None
    batch_size = max(1, int(batch_size))
    for begin in range(0, frames, batch_size):
        check(cancel)
        end = min(begin + batch_size, frames)
        feeds = {bundle.features_input: features[begin:end]}
        if vector is not None:
            feeds[bundle.emotion_input] = np.broadcast_to(vector, (end - begin, vector.size)).astype(np.float32)
        (result,) = bundle.session.run([bundle.output_name], feeds)
        out[begin:end] = result
        report(progress, end, frames)
    return out
