"""Run a model bundle on LPC features with onnxruntime, in batches."""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

import numpy as np

from .bundle import Bundle
from .errors import Audio2FaceError
from .features import Features, SubframeRows
from .progress import CancelToken, ProgressFn, check, report

logger = logging.getLogger(__name__)

def predict(
    bundle: Bundle,
    features: Features,
    emotion: Any = None,
    *,
    batch_size: int = 256,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
) -> np.ndarray:
    """Predict per-frame channel weights.

    Args:
        bundle: A loaded bundle (``load_bundle``), its session open.
        features: float32 (frames, lpc_order, subframes) raw LPC features, or their distinct sub-frames
            (``SubframeRows``: run through the bundle's shared graph when it has one; the numbers agree with
            the per-frame graph's to float32 rounding).
        emotion: ``None`` (the bundle's neutral), a preset name, or a vector of ``bundle.emotion_size`` values.
        batch_size: Frames per onnxruntime call.
        progress: Called with (frames done, frames total).
        cancel: Stops between batches.

    Returns:
        float32 (frames, len(bundle.channels)).
    """
    params = bundle.feature_params
    expected = (params.lpc_order, params.subframes)
    if isinstance(features, SubframeRows):
        shape = (features.rows.shape[0], features.index.shape[1])
        if features.rows.ndim != 2 or features.index.ndim != 2 or shape != expected:
            raise Audio2FaceError(f"sub-frame features have {shape[0]} coefficients and {shape[1]} sub-frames "
                                  f"a frame, the model takes {expected[0]} and {expected[1]}")
    else:
        features = np.asarray(features, dtype=np.float32)
        if features.ndim != 3 or features.shape[1:] != expected:
            raise Audio2FaceError(
                f"features have shape {features.shape}, the model takes (frames, {expected[0]}, {expected[1]})"
            )
    frames = features.frames if isinstance(features, SubframeRows) else features.shape[0]
    out = np.zeros((frames, len(bundle.channels)), dtype=np.float32)
    if frames == 0:
        return out
    feeds_emotion = bundle.emotion_size > 0 and bundle.emotion_input is not None
    vector = bundle.emotion_vector(emotion) if feeds_emotion else None
    shared = isinstance(features, SubframeRows) and bundle.shared_session is not None
    session = bundle.shared_session if shared else bundle.session
    batch_size = max(1, int(batch_size))
    for begin in range(0, frames, batch_size):
        check(cancel)
        end = min(begin + batch_size, frames)
        feeds: Dict[str, np.ndarray]
        if shared:
            part = features.select(begin, end)
            feeds = {bundle.subframes_input: part.rows, bundle.index_input: part.index}
        elif isinstance(features, SubframeRows):
            feeds = {bundle.features_input: SubframeRows(features.rows, features.index[begin:end]).expand()}
        else:
            feeds = {bundle.features_input: features[begin:end]}
        if vector is not None:
            feeds[bundle.emotion_input] = np.broadcast_to(vector, (end - begin, vector.size)).astype(np.float32)
        (result,) = session.run([bundle.output_name], feeds)
        out[begin:end] = result
        report(progress, end, frames)
    return out
