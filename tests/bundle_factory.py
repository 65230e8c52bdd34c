"""Small ONNX model bundles built in the tests with ``onnx.helper`` (no trained model needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

FEATURES = {"sample_rate": 16000, "window_ms": 520.0, "subframes": 64, "subframe_length": 256, "hop": 128,
            "lpc_order": 32}


def tiny_onnx(channels: int, emotion_size: int = 4, seed: int = 0, opset: int = 13) -> bytes:
    """A linear model: sigmoid(flatten(features) @ W + emotion @ E + b), as ONNX bytes."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((32 * 64, channels)) * 0.05).astype(np.float32)
    b = (rng.standard_normal(channels) * 0.1).astype(np.float32)
    inits = [
        numpy_helper.from_array(w, "W"),
        numpy_helper.from_array(b, "B"),
        numpy_helper.from_array(np.array([-1, 32 * 64], dtype=np.int64), "flat_shape"),
    ]
    nodes = [
        helper.make_node("Reshape", ["features", "flat_shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "W"], ["lin"]),
        helper.make_node("Add", ["lin", "B"], ["pre"]),
    ]
    inputs = [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 32, 64])]
    last = "pre"
    if emotion_size:
        e = (rng.standard_normal((emotion_size, channels)) * 0.5).astype(np.float32)
        inits.append(numpy_helper.from_array(e, "E"))
        nodes += [
            helper.make_node("MatMul", ["emotion", "E"], ["emo"]),
            helper.make_node("Add", ["pre", "emo"], ["pre2"]),
        ]
        inputs.append(helper.make_tensor_value_info("emotion", TensorProto.FLOAT, ["N", emotion_size]))
        last = "pre2"
    nodes.append(helper.make_node("Sigmoid", [last], ["weights"]))
    graph = helper.make_graph(
        nodes, "tiny", inputs, [helper.make_tensor_value_info("weights", TensorProto.FLOAT, ["N", channels])], inits
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def tiny_metadata(channels: Sequence[str], emotion_size: int = 4, fps: float = 30.0) -> Dict:
    """``model.json`` content matching ``tiny_onnx``."""
    presets = {"open": [1.0] + [0.0] * (emotion_size - 1)} if emotion_size else {}
    return {
        "format": "audio2face-bundle",
        "format_version": 1,
        "channels": list(channels),
        "fps": fps,
        "features": dict(FEATURES),
        "emotion": {"size": emotion_size, "neutral": [0.0] * emotion_size, "presets": presets},
        "inputs": {"features": "features", "emotion": "emotion"},
        "output": "weights",
        "provenance": {"source": "tests/bundle_factory.py (random weights)"},
        "metrics": {},
    }


def make_bundle(
    folder: Path,
    channels: Optional[List[str]] = None,
    emotion_size: int = 4,
    fps: float = 30.0,
    seed: int = 0,
) -> Path:
    """Write a tiny bundle folder and return it."""
    channels = channels or ["jawOpen", "mouthFunnel", "mouthSmileLeft", "mouthSmileRight", "mouthClose"]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.onnx").write_bytes(tiny_onnx(len(channels), emotion_size, seed))
    import json

    (folder / "model.json").write_text(json.dumps(tiny_metadata(channels, emotion_size, fps), indent=2))
    return folder
