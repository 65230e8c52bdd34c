"""Turning a finished training into a model bundle: best weights, emotions, ONNX, check, report, metadata."""

from __future__ import annotations

import datetime
import logging
import math
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import numpy as np
from audio2face.bundle import SHARED_FILE
from audio2face.errors import Audio2FaceError

from .config import changed_settings
from .emotion import mine_emotions
from .export import EMOTION_INPUT, FEATURES_INPUT, OUTPUT, ExportInputs, build_onnx, run_onnx
from .loop import Training
from .metrics import jaw_channel, score
from .report import REPORT_JSON, REPORT_PNG, loss_curve_png, metrics_json
from .shared_graph import checked_shared_graph, shared_block

logger = logging.getLogger(__name__)

EXPORT_TOLERANCE = 1e-4
"""Largest allowed |TensorFlow - onnxruntime| on any output weight."""
PROBE_FRAMES = 1500


def _finite(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def export_inputs(training: Training) -> ExportInputs:
    """The exporter's view of the current weights."""
    norm = training.norm
    return ExportInputs(
        spec=training.spec,
        params={k: v.numpy() for k, v in training.eval_params.items()},
        input_mean=norm.input_mean,
        input_scale=norm.input_scale,
        target_mean=norm.target_mean,
        target_scale=norm.target_scale,
        animated=[int(i) for i in norm.animated],
        constants=norm.constants,
        channel_count=len(training.data.channels),
        lower=norm.lower,
        upper=norm.upper,
        lpc_order=int(training.data.train[0].features.shape[1]),
        spectrum_bins=int(norm.spectrum_bins),
        spectrum_floor=float(norm.spectrum_floor),
        linear_weights=training.linear_weights,
        linear_bias=training.linear_bias,
        linear_blend=float(training.config.linear_blend),
    )


def emotion_block(training: Training) -> tuple:
    """The bundle's emotion block and the mining report (from the current emotion vectors)."""
    table = training.emotion.numpy()
    if training.config.recipe != "ours":
        neutral = [round(float(v), 6) for v in table[0]]
        return {"size": int(table.shape[1]), "neutral": neutral, "presets": {}}, {
            "method": "one fixed random vector (FACEGOOD's recipe)"}
    x = training.x_var.numpy()
    probe = x[np.linspace(0, len(x) - 1, min(PROBE_FRAMES, len(x))).astype(int)]
    names = [training.data.channels[i] for i in training.norm.animated]
    return mine_emotions(
        table, lambda vector: training.norm.weights(training.predict_normalised(probe, vector)), jaw_channel(names)
    )


def check_export(training: Training, onnx_bytes: bytes, emotions: List[np.ndarray]) -> float:
    """Max |TensorFlow - onnxruntime| over validation frames and emotions; raises beyond the tolerance."""
    raw = np.concatenate([c.features for c in training.data.val])
    frames = raw[np.linspace(0, len(raw) - 1, min(256, len(raw))).astype(int)]
    worst = 0.0
    rng = np.random.default_rng(0)
    size = training.spec.emotion_size
    trials = list(emotions) + ([rng.normal(0, 1, size).astype(np.float32)] if size else [])
    for vector in trials or [np.zeros(0, np.float32)]:
        expected = training.predict_weights(frames, vector)
        emotion = np.broadcast_to(vector, (len(frames), size)) if size else None
        got = run_onnx(onnx_bytes, frames, emotion)
        worst = max(worst, float(np.max(np.abs(got - expected))))
    if not worst <= EXPORT_TOLERANCE:
        raise Audio2FaceError(f"ONNX export check failed: TensorFlow and onnxruntime differ by {worst:.3g} "
                              f"(tolerance {EXPORT_TOLERANCE:g})")
    return worst


def shared_model(training: Training, model: Any, onnx_bytes: bytes, neutral: np.ndarray) -> Tuple[bytes, float]:
    """``model_shared.onnx`` for ``model``, and its largest difference from it on validation frames."""
    raw = np.concatenate([c.features for c in training.data.val])
    frames = raw[np.linspace(0, len(raw) - 1, min(256, len(raw))).astype(int)]
    size = training.spec.emotion_size
    emotion = np.broadcast_to(neutral, (len(frames), size)) if size else None
    return checked_shared_graph(model, onnx_bytes, frames, emotion)


def shipped_metrics(training: Training, onnx_bytes: bytes, neutral: np.ndarray) -> Dict[str, Any]:
    """Validation metrics of the exported model itself (onnxruntime, neutral emotion)."""
    norm = training.norm
    names = [training.data.channels[i] for i in norm.animated]
    per_clip, preds, trues = {}, [], []
    size = training.spec.emotion_size
    for clip in training.data.val:
        emotion = np.broadcast_to(neutral, (clip.frames, size)) if size else None
        pred = run_onnx(onnx_bytes, clip.features, emotion)[:, norm.animated]
        true = clip.weights[:, norm.animated]
        per_clip[clip.name] = score(pred, true, names)
        preds.append(pred)
        trues.append(true)
    return {"all": score(np.concatenate(preds), np.concatenate(trues), names), "clips": per_clip}


def build_bundle(
    training: Training,
    out: Path,
    *,
    command: Optional[List[str]] = None,
    provenance: Optional[Mapping[str, Any]] = None,
    status: str = "done",
) -> Dict[str, Any]:
    """Write the bundle for the best epoch of ``training`` to ``out``; returns the metadata written."""
    training.restore_best()
    block, mining = emotion_block(training)
    neutral = np.asarray(block["neutral"], np.float32)
    presets = [np.asarray(v, np.float32) for v in block["presets"].values()]
    model = build_onnx(export_inputs(training))
    onnx_bytes = model.SerializeToString()
    worst = check_export(training, onnx_bytes, [neutral, *presets])
    logger.info("ONNX export matches TensorFlow within %.2g", worst)
    shared_bytes, shared_worst = shared_model(training, model, onnx_bytes, neutral)
    metrics = shipped_metrics(training, onnx_bytes, neutral)
    history = training.history
    channels = training.data.channels
    animated = [channels[i] for i in training.norm.animated]
    info = {
        "trainer": "audio2face_trainer",
        "created": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "command": list(command or []),
        "data": training.data.sources,
        "train_clips": [[c.name, c.frames] for c in training.data.train],
        "validation_clips": [[c.name, c.frames] for c in training.data.val],
        "recipe": training.config.to_dict(),
        "network": training.spec.to_dict(),
        "epochs": len(history),
        "best_epoch": training.best_epoch,
        "stopped": status,
        "training_seconds": round(training.seconds, 1),
        "animated_channels": animated,
        "emotion_mining": mining,
        "export_max_abs_difference": worst,
        "shared_max_abs_difference": shared_worst,
    }
    info.update(dict(provenance or {}))
    summary = {
        "validation": metrics["all"],
        "validation_clips": metrics["clips"],
        "best_epoch": training.best_epoch,
        "epochs": len(history),
        "best_val_loss": training.best_loss if math.isfinite(training.best_loss) else None,
    }
    metadata = {
        "format": "audio2face-bundle",
        "format_version": 1,
        "channels": list(channels),
        "animated_channels": animated,
        "fps": float(training.data.fps),
        "features": training.data.params.to_dict(),
        "emotion": block,
        "inputs": {"features": FEATURES_INPUT, "emotion": EMOTION_INPUT} if block["size"] else
                  {"features": FEATURES_INPUT},
        "output": OUTPUT,
        "shared": shared_block(),
        "provenance": _finite(info),
        "metrics": _finite(summary),
    }
    extra = {REPORT_JSON: metrics_json(_finite({"summary": summary, "history": history,
                                                 "emotion_mining": mining})), SHARED_FILE: shared_bytes}
    changed = "".join(f", {name}={value}" for name, value in changed_settings(training.config).items())
    png = loss_curve_png(history, training.best_epoch, title=f"{out.name}: {training.config.recipe} recipe{changed}")
    if png is not None:
        extra[REPORT_PNG] = png
    write_model_bundle(out, onnx_bytes, metadata, extra)
    return metadata


def write_model_bundle(out: Path, onnx_bytes: bytes, metadata: Dict[str, Any], extra: Dict[str, bytes]) -> Path:
    """The one call that writes the bundle folder (atomically, through the core's bundle module)."""
    from audio2face.bundle import write_bundle

    return write_bundle(out, onnx_bytes, metadata, extra)
