"""The bundle's second graph, ``model_shared.onnx``: the network run once per distinct sub-frame.

The network's first layers (the spectral front end, the standardisation and the convolutions along the
LPC axis) see one sub-frame at a time, and neighbouring frames' windows share sub-frames (at 30 fps each
sub-frame sits in about 2.5 frames). This graph takes the distinct sub-frames as columns
(``subframes``: ``(lpc_order, D)``) and which column each frame's sub-frame is (``index``: ``(N, subframes)``),
runs those layers on the ``D`` columns as one image, gathers their outputs into frames and runs the rest
of ``model.onnx`` unchanged. The numbers are ``model.onnx``'s up to float32 rounding.

It is made from ``model.onnx`` by editing the graph, so any bundle our exporter wrote can gain one
(``python -m audio2face_trainer share BUNDLE``).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import numpy as np
import onnx
from audio2face.bundle import METADATA_FILE, MODEL_FILE, SHARED_FILE, SHARED_INDEX, SHARED_SUBFRAMES
from audio2face.errors import Audio2FaceError
from onnx import TensorProto, helper, numpy_helper

logger = logging.getLogger(__name__)

SHARED_TOLERANCE = 1e-5
"""Largest allowed |model.onnx - model_shared.onnx| on any output weight."""


def _attribute(node: onnx.NodeProto, name: str) -> List[int]:
    for attribute in node.attribute:
        if attribute.name == name:
            return list(attribute.ints)
    return []


def _per_subframe_end(nodes: List[onnx.NodeProto]) -> int:
    """Index of the last node of the per-sub-frame layers: the activation after the last LPC-axis convolution."""
    last = None
    for i, node in enumerate(nodes):
        if node.op_type != "Conv":
            continue
        if _attribute(node, "kernel_shape")[1:] != [1] or _attribute(node, "strides")[1:] not in ([], [1]):
            break
        last = i
    if last is None or last + 1 >= len(nodes) or nodes[last + 1].op_type not in ("Relu", "LeakyRelu"):
        raise Audio2FaceError("model.onnx has no convolutions along the LPC axis to share")
    return last + 1


def share_subframes(model: onnx.ModelProto, features_input: str = "features") -> onnx.ModelProto:
    """``model`` (per frame: ``features`` ``(N, lpc_order, subframes)``) as the shared graph (module doc).

    Raises:
        Audio2FaceError: a graph of another shape than our exporter's.
    """
    graph = model.graph
    nodes = list(graph.node)
    inputs = {value.name: value for value in graph.input}
    if features_input not in inputs:
        raise Audio2FaceError(f"model.onnx has no input {features_input!r}")
    dims = inputs[features_input].type.tensor_type.shape.dim
    rows, subframes = int(dims[1].dim_value), int(dims[2].dim_value)
    end = _per_subframe_end(nodes)
    weights = {init.name: init for init in graph.initializer}
    channels = int(weights[nodes[end - 1].input[1]].dims[0])
    made: List[onnx.TensorProto] = []

    def const(name: str, value: np.ndarray) -> str:
        made.append(numpy_helper.from_array(np.asarray(value), f"shared_{name}"))
        return f"shared_{name}"

    prefix, aside, produced = [], [], {features_input}
    for node in nodes[: end + 1]:
        copy = _copy(node)
        reads = [name for name in copy.input if name and name not in weights]
        if not any(name in produced for name in reads):
            aside.append(copy)  # the emotion's reshape: nothing to do with sub-frames
            continue
        if not all(name in produced for name in reads):
            raise Audio2FaceError(f"model.onnx node {node.name or node.op_type} mixes sub-frames with other inputs")
        copy.input[:] = ["shared_columns" if name == features_input else name for name in copy.input]
        if copy.op_type == "Reshape" and copy.input[1] in weights and list(weights[copy.input[1]].dims) == [4]:
            copy.input[1] = const("image_shape", np.array([1, 1, rows, -1], np.int64))  # one image, D wide
        produced.update(copy.output)
        prefix.append(copy)
    formant = nodes[end].output[0]
    rest = aside + [_copy(node) for node in nodes[end + 1 :]]
    crossing: Set[str] = {name for node in rest for name in node.input if name in produced} - {formant}
    axis0 = const("axis0", np.array([0], np.int64))
    glue = [
        helper.make_node("Unsqueeze", [SHARED_SUBFRAMES, axis0], ["shared_columns"]),
        helper.make_node("Reshape", [formant, const("by_channel", np.array([channels, -1], np.int64))],
                         ["shared_formant_cd"]),
        helper.make_node("Transpose", ["shared_formant_cd"], ["shared_formant_dc"], perm=[1, 0]),
        helper.make_node("Gather", ["shared_formant_dc", SHARED_INDEX], ["shared_formant_nwc"], axis=0),
        helper.make_node("Transpose", ["shared_formant_nwc"], ["shared_formant_ncw"], perm=[0, 2, 1]),
        helper.make_node("Unsqueeze", ["shared_formant_ncw", const("axis2", np.array([2], np.int64))],
                         ["shared_formant"]),
    ]
    renamed: Dict[str, str] = {formant: "shared_formant"}
    for name in sorted(crossing):  # the standardised input the linear ensemble member reads per frame
        glue += [
            helper.make_node("Squeeze", [name, axis0], [f"shared_{name}_rd"]),
            helper.make_node("Transpose", [f"shared_{name}_rd"], [f"shared_{name}_dr"], perm=[1, 0]),
            helper.make_node("Gather", [f"shared_{name}_dr", SHARED_INDEX], [f"shared_{name}_nwr"], axis=0),
            helper.make_node("Transpose", [f"shared_{name}_nwr"], [f"shared_{name}"], perm=[0, 2, 1]),
        ]
        renamed[name] = f"shared_{name}"
    for node in rest:
        node.input[:] = [renamed.get(name, name) for name in node.input]
    graph_inputs = [
        helper.make_tensor_value_info(SHARED_SUBFRAMES, TensorProto.FLOAT, [rows, "D"]),
        helper.make_tensor_value_info(SHARED_INDEX, TensorProto.INT64, ["N", subframes]),
        *[value for value in graph.input if value.name != features_input],
    ]
    body = glue[:1] + prefix + glue[1:] + rest
    used = {name for node in body for name in node.input}
    kept = [init for init in list(graph.initializer) + made if init.name in used]
    shared = helper.make_graph(body, f"{graph.name}_shared", graph_inputs, list(graph.output), kept)
    result = helper.make_model(shared, opset_imports=list(model.opset_import), producer_name=model.producer_name)
    result.ir_version = model.ir_version
    onnx.checker.check_model(result)
    return result


def _copy(node: onnx.NodeProto) -> onnx.NodeProto:
    copy = onnx.NodeProto()
    copy.CopyFrom(node)
    return copy


def columns_of(features: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Per-frame ``features`` ``(N, rows, subframes)`` as (columns ``(rows, N * subframes)``, index)."""
    frames, rows, subframes = features.shape
    columns = np.ascontiguousarray(np.transpose(features, (1, 0, 2)).reshape(rows, frames * subframes))
    return columns.astype(np.float32), np.arange(frames * subframes, dtype=np.int64).reshape(frames, subframes)


def shared_difference(model_bytes: bytes, shared_bytes: bytes, features: np.ndarray,
                      emotion: Optional[np.ndarray]) -> float:
    """Max |model.onnx - model_shared.onnx| on ``features``.

    Every second frame is made a copy of the one before, and the shared graph gets each pair's columns
    once, in reverse order, so the index is checked as well as the numbers.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    # the graphs as written (onnxruntime 1.19 fuses the float64 front end into a kernel it lacks)
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    plain = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    shared = ort.InferenceSession(shared_bytes, options, providers=["CPUExecutionProvider"])
    features = np.array(features, np.float32)
    features[1::2] = features[0::2][: len(features[1::2])]
    extra = {}
    if emotion is not None and any(value.name == "emotion" for value in plain.get_inputs()):
        extra["emotion"] = np.asarray(emotion, np.float32)
    expected = plain.run(None, {"features": features, **extra})[0]
    columns, index = columns_of(features[0::2])
    index = np.repeat(columns.shape[1] - 1 - index, 2, axis=0)[: len(features)]
    got = shared.run(None, {SHARED_SUBFRAMES: columns[:, ::-1].copy(), SHARED_INDEX: index, **extra})[0]
    return float(np.max(np.abs(got - expected))) if expected.size else 0.0


def checked_shared_graph(model: onnx.ModelProto, model_bytes: bytes, features: np.ndarray,
                         emotion: Optional[np.ndarray], where: Optional[Path] = None) -> Tuple[bytes, float]:
    """The serialised shared graph of ``model`` and its largest difference from it on ``features``.

    Raises:
        Audio2FaceError: beyond ``SHARED_TOLERANCE``.
    """
    shared = share_subframes(model).SerializeToString()
    worst = shared_difference(model_bytes, shared, features, emotion)
    if not worst <= SHARED_TOLERANCE:
        raise Audio2FaceError(f"the shared graph differs from model.onnx by {worst:.3g} "
                              f"(tolerance {SHARED_TOLERANCE:g})", where)
    return shared, worst


def add_shared_graph(folder: Path) -> Dict[str, object]:
    """Give an existing bundle its ``model_shared.onnx`` (checked against ``model.onnx``), atomically."""
    from audio2face.bundle import write_bundle

    folder = Path(folder)
    meta = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    model_bytes = (folder / MODEL_FILE).read_bytes()
    params = meta["features"]
    rng = np.random.default_rng(0)
    probe = rng.normal(0.0, 0.5, (64, int(params["lpc_order"]), int(params["subframes"]))).astype(np.float32)
    probe[:, 0, :] = 1.0
    size = int((meta.get("emotion") or {}).get("size", 0))
    emotion = rng.normal(0.0, 0.2, (len(probe), size)).astype(np.float32) if size else None
    shared, worst = checked_shared_graph(onnx.load_from_string(model_bytes), model_bytes, probe, emotion, folder)
    meta["shared"] = shared_block()
    extra = {item.name: item.read_bytes() for item in folder.iterdir()
             if item.is_file() and item.name not in (MODEL_FILE, METADATA_FILE, SHARED_FILE)}
    extra[SHARED_FILE] = shared
    write_bundle(folder, model_bytes, meta, extra)
    logger.info("%s: wrote %s (matches model.onnx within %.2g)", folder, SHARED_FILE, worst)
    return {"bundle": str(folder), "max_abs_difference": worst}


def shared_block() -> Dict[str, str]:
    """``model.json``'s ``"shared"`` entry."""
    return {"subframes": SHARED_SUBFRAMES, "index": SHARED_INDEX}


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m audio2face_trainer.shared_graph BUNDLE...``: add ``model_shared.onnx`` to bundles."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m audio2face_trainer.shared_graph",
                                     description="Give model bundles their model_shared.onnx (faster offline runs).")
    parser.add_argument("bundles", nargs="+", type=Path, metavar="BUNDLE")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for folder in args.bundles:
        try:
            result = add_shared_graph(folder)
        except (Audio2FaceError, OSError, ValueError) as exc:
            print(f"{folder}: {exc}", file=sys.stderr)
            return 1
        print(f"{folder}: {SHARED_FILE} written, max |difference| {result['max_abs_difference']:.2g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
