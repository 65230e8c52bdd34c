"""ONNX export of the trained network, built node by node with ``onnx.helper`` from the numpy weights.

The graph takes the raw LPC features (standardisation is inside), the emotion vector, and returns all
channels of the dataset: the animated ones denormalised, the others as constants. Opset 17 and IR
version 8, so onnxruntime 1.14 and later load it.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .frontend import dft_matrices
from .network import NetworkSpec, conv_layers, flat_size

logger = logging.getLogger(__name__)

OPSET = 17
IR_VERSION = 8
FEATURES_INPUT = "features"
EMOTION_INPUT = "emotion"
OUTPUT = "weights"


@dataclasses.dataclass
class ExportInputs:
    """Everything the graph needs besides the network weights.

    Attributes:
        spec: The network shape.
        params: Network weights by name (numpy).
        input_mean: Per-row mean subtracted after the front end, shape (rows,).
        input_scale: Per-row factor applied after the subtraction, shape (rows,).
        target_mean: Mean added to each animated channel, shape (V,).
        target_scale: Scale of each animated channel, shape (V,).
        animated: Indices of the animated channels among all ``channel_count`` channels.
        constants: Value of every channel (used for the channels that are not animated).
        channel_count: Number of output channels.
        lower: Per animated channel lower bound of the output (``None`` or ``-inf``: none).
        upper: Per animated channel upper bound of the output (``None`` or ``inf``: none).
        lpc_order: Rows of the raw input.
        spectrum_bins: Bins of the spectral front end (0: the raw LPC goes to the network).
        spectrum_floor: Floor of the front end's logarithm.
        linear_weights: Weights (rows * subframes, V) of the linear ensemble member, or ``None``.
        linear_bias: Its bias (V,).
        linear_blend: Its share of the output; the network gets the rest.
    """

    spec: NetworkSpec
    params: Dict[str, np.ndarray]
    input_mean: np.ndarray
    input_scale: np.ndarray
    target_mean: np.ndarray
    target_scale: np.ndarray
    animated: Sequence[int]
    constants: np.ndarray
    channel_count: int
    lower: Optional[np.ndarray] = None
    upper: Optional[np.ndarray] = None
    lpc_order: int = 32
    spectrum_bins: int = 0
    spectrum_floor: float = 1e-3
    linear_weights: Optional[np.ndarray] = None
    linear_bias: Optional[np.ndarray] = None
    linear_blend: float = 0.0


def build_onnx(inputs: ExportInputs, producer: str = "audio2face_trainer") -> onnx.ModelProto:
    """Build the ONNX model (checked with ``onnx.checker``)."""
    spec = inputs.spec
    nodes: List[onnx.NodeProto] = []
    inits: List[onnx.TensorProto] = []

    def const(name: str, value: np.ndarray, dtype: type = np.float32) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=dtype), name))
        return name

    rows = spec.rows
    source = FEATURES_INPUT
    if inputs.spectrum_bins:
        source = _front_end(nodes, const, inputs)
    mean = const("input_mean", np.asarray(inputs.input_mean, np.float32).reshape(rows, 1))
    scale = const("input_scale", np.asarray(inputs.input_scale, np.float32).reshape(rows, 1))
    nodes.append(helper.make_node("Sub", [source, mean], ["centred"]))
    nodes.append(helper.make_node("Mul", ["centred", scale], ["standardised"]))
    shape = const("image_shape", np.array([-1, 1, rows, spec.subframes]), np.int64)
    nodes.append(helper.make_node("Reshape", ["standardised", shape], ["h0"]))
    current = "h0"
    if spec.emotion_size:
        emo_shape = const("emotion_shape", np.array([-1, spec.emotion_size, 1, 1]), np.int64)
        nodes.append(helper.make_node("Reshape", [EMOTION_INPUT, emo_shape], ["emotion4d"]))
    width = spec.subframes
    for i, layer in enumerate(conv_layers(spec)):
        kernel = np.transpose(inputs.params[f"{layer.name}/kernel"], (3, 2, 0, 1))
        w = const(f"{layer.name}_W", kernel)
        b = const(f"{layer.name}_B", inputs.params[f"{layer.name}/bias"])
        if layer.axis == 0:
            strides, pads = [layer.stride, 1], [layer.pad_before, 0, layer.pad_after, 0]
        else:
            strides, pads = [1, layer.stride], [0, layer.pad_before, 0, layer.pad_after]
            width = (width + layer.pad_before + layer.pad_after - layer.kernel) // layer.stride + 1
        kernel_shape = [int(kernel.shape[2]), int(kernel.shape[3])]
        conv = f"{layer.name}_conv"
        nodes.append(helper.make_node("Conv", [current, w, b], [conv], kernel_shape=kernel_shape,
                                      strides=strides, pads=pads))
        act = f"{layer.name}_act"
        if spec.leaky > 0:
            nodes.append(helper.make_node("LeakyRelu", [conv], [act], alpha=float(spec.leaky)))
        else:
            nodes.append(helper.make_node("Relu", [conv], [act]))
        current = act
        if layer.emotion_after and spec.emotion_size:
            target = const(f"emotion_expand_{i}", np.array([1, 1, 1, width]), np.int64)
            nodes.append(helper.make_node("Expand", ["emotion4d", target], [f"emotion_tiled_{i}"]))
            nodes.append(helper.make_node("Concat", [current, f"emotion_tiled_{i}"], [f"{layer.name}_mixed"],
                                          axis=1))
            current = f"{layer.name}_mixed"
    flat_shape = const("flat_shape", np.array([-1, flat_size(spec)]), np.int64)
    nodes.append(helper.make_node("Reshape", [current, flat_shape], ["flat"]))
    nodes.append(helper.make_node("Gemm", ["flat", const("hidden_W", inputs.params["hidden/kernel"]),
                                           const("hidden_B", inputs.params["hidden/bias"])], ["hidden"]))
    # Ensemble share and denormalisation folded into the output layers:
    # y = ((1 - a) (z W + b) + a (x L + c)) * scale + mean.
    t_scale = np.asarray(inputs.target_scale, np.float64)
    share = 1.0 - inputs.linear_blend if inputs.linear_weights is not None else 1.0
    out_w = inputs.params["output/kernel"].astype(np.float64) * t_scale[None, :] * share
    out_b = (inputs.params["output/bias"].astype(np.float64) * share * t_scale
             + np.asarray(inputs.target_mean, np.float64))
    nodes.append(helper.make_node("Gemm", ["hidden", const("output_W", out_w), const("output_B", out_b)],
                                  ["network_out"]))
    animated = "network_out"
    if inputs.linear_weights is not None and inputs.linear_bias is not None:
        blend = inputs.linear_blend
        lin_w = inputs.linear_weights.astype(np.float64) * t_scale[None, :] * blend
        lin_b = inputs.linear_bias.astype(np.float64) * t_scale * blend
        lin_shape = const("linear_shape", np.array([-1, rows * spec.subframes]), np.int64)
        nodes.append(helper.make_node("Reshape", ["standardised", lin_shape], ["linear_in"]))
        nodes.append(helper.make_node("Gemm", ["linear_in", const("linear_W", lin_w), const("linear_B", lin_b)],
                                      ["linear_out"]))
        nodes.append(helper.make_node("Add", ["network_out", "linear_out"], ["ensemble_out"]))
        animated = "ensemble_out"
    if inputs.upper is not None and np.all(np.isfinite(inputs.upper)):
        nodes.append(helper.make_node("Min", [animated, const("upper", inputs.upper)], ["animated_upper"]))
        animated = "animated_upper"
    if inputs.lower is not None and np.all(np.isfinite(inputs.lower)):
        nodes.append(helper.make_node("Max", [animated, const("lower", inputs.lower)], ["animated_lower"]))
        animated = "animated_lower"
    nodes.append(helper.make_node("Identity", [animated], ["animated"]))
    # Scatter the animated channels among the constant ones with an exact 0/1 matrix.
    select = np.zeros((len(inputs.animated), inputs.channel_count), np.float32)
    select[np.arange(len(inputs.animated)), np.asarray(inputs.animated, int)] = 1.0
    base = np.asarray(inputs.constants, np.float32).copy()
    base[np.asarray(inputs.animated, int)] = 0.0
    nodes.append(helper.make_node("MatMul", ["animated", const("scatter", select)], ["scattered"]))
    nodes.append(helper.make_node("Add", ["scattered", const("constant_channels", base)], [OUTPUT]))

    graph_inputs = [helper.make_tensor_value_info(FEATURES_INPUT, TensorProto.FLOAT,
                                                  ["N", inputs.lpc_order, spec.subframes])]
    if spec.emotion_size:
        graph_inputs.append(helper.make_tensor_value_info(EMOTION_INPUT, TensorProto.FLOAT,
                                                          ["N", spec.emotion_size]))
    graph_outputs = [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["N", inputs.channel_count])]
    graph = helper.make_graph(nodes, "audio2face", graph_inputs, graph_outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name=producer)
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def _front_end(nodes: List[onnx.NodeProto], const: Callable[..., str], inputs: ExportInputs) -> str:
    """``-log(|A(w)|^2 + floor)`` in float64 (see ``frontend.py``); returns the float32 output's name."""
    cos, sin = dft_matrices(inputs.lpc_order, inputs.spectrum_bins)
    nodes.append(helper.make_node("Cast", [FEATURES_INPUT], ["lpc64"], to=TensorProto.DOUBLE))
    nodes.append(helper.make_node("Transpose", ["lpc64"], ["lpc64_t"], perm=[0, 2, 1]))
    nodes.append(helper.make_node("MatMul", ["lpc64_t", const("dft_cos", cos, np.float64)], ["spec_real"]))
    nodes.append(helper.make_node("MatMul", ["lpc64_t", const("dft_sin", sin, np.float64)], ["spec_imag"]))
    nodes.append(helper.make_node("Mul", ["spec_real", "spec_real"], ["spec_real2"]))
    nodes.append(helper.make_node("Mul", ["spec_imag", "spec_imag"], ["spec_imag2"]))
    nodes.append(helper.make_node("Add", ["spec_real2", "spec_imag2"], ["spec_power"]))
    floor = const("spec_floor", np.array(inputs.spectrum_floor), np.float64)
    nodes.append(helper.make_node("Add", ["spec_power", floor], ["spec_floored"]))
    nodes.append(helper.make_node("Log", ["spec_floored"], ["spec_log"]))
    nodes.append(helper.make_node("Neg", ["spec_log"], ["spec_neglog"]))
    nodes.append(helper.make_node("Transpose", ["spec_neglog"], ["envelope64"], perm=[0, 2, 1]))
    nodes.append(helper.make_node("Cast", ["envelope64"], ["envelope"], to=TensorProto.FLOAT))
    return "envelope"


def run_onnx(model_bytes: bytes, features: np.ndarray, emotion: Optional[np.ndarray]) -> np.ndarray:
    """Run the exported model with onnxruntime (one thread)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    feeds = {FEATURES_INPUT: np.asarray(features, np.float32)}
    if emotion is not None and any(i.name == EMOTION_INPUT for i in session.get_inputs()):
        feeds[EMOTION_INPUT] = np.asarray(emotion, np.float32)
    return session.run([OUTPUT], feeds)[0]
