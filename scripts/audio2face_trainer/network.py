"""The network of Karras et al. 2017 with blendshape outputs, as plain TensorFlow variables.

Formant network: 5 convolutions down the input's first axis (LPC coefficients, or the bins of the
spectral front end, see ``frontend.py``; kernel 3, stride 2: 32 -> 1).
Articulation network: 5 convolutions along the 64 sub-frames (kernel 3, stride 2, the last one
collapses what is left), the emotion vector concatenated to the output of every articulation layer.
Output network: two fully connected layers (linear, as in the paper) to the animated channels.

The parameters are a plain ordered dict of ``tf.Variable`` so the ONNX exporter and the checkpoints can
walk them by name. Tensors are NHWC: ``[N, coefficients, sub-frames, channels]``.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

logger = logging.getLogger(__name__)

Params = Dict[str, tf.Variable]


@dataclasses.dataclass(frozen=True)
class NetworkSpec:
    """Shape of the network.

    Attributes:
        outputs: Animated channels predicted.
        rows: Rows of the input (LPC coefficients, or spectrum bins after the front end).
        subframes: Columns of the input (sub-frames in the window).
        emotion_size: Length of the emotion vector (E).
        formant_channels: Output channels of the 5 formant convolutions.
        articulation_channels: Output channels of every articulation convolution.
        articulation_layers: Number of articulation convolutions.
        hidden: Width of the first fully connected layer.
        leaky: Negative slope of the activation (0 = ReLU).
    """

    outputs: int
    rows: int = 32
    subframes: int = 64
    emotion_size: int = 16
    formant_channels: Tuple[int, ...] = (72, 108, 162, 243, 256)
    articulation_channels: int = 256
    articulation_layers: int = 5
    hidden: int = 150
    leaky: float = 0.0

    def to_dict(self) -> Dict[str, object]:
        """JSON-ready description."""
        data = dataclasses.asdict(self)
        data["formant_channels"] = list(self.formant_channels)
        return data

    @classmethod
    def from_dict(cls, data: Dict[str, object]) -> NetworkSpec:
        """Inverse of ``to_dict``."""
        values = dict(data)
        values["formant_channels"] = tuple(values.get("formant_channels", cls.formant_channels))  # type: ignore
        return cls(**values)  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class ConvLayer:
    """One convolution: kernel, stride and explicit padding along its axis (0 = coefficients, 1 = time)."""

    name: str
    axis: int
    kernel: int
    stride: int
    pad_before: int
    pad_after: int
    in_channels: int
    out_channels: int
    emotion_after: bool


def _same_padding(size: int, kernel: int, stride: int) -> Tuple[int, int, int]:
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return out, total // 2, total - total // 2


def conv_layers(spec: NetworkSpec) -> List[ConvLayer]:
    """The convolution stack of ``spec``, with the sizes worked out."""
    layers: List[ConvLayer] = []
    size, channels = spec.rows, 1
    for i, out_channels in enumerate(spec.formant_channels):
        size, before, after = _same_padding(size, 3, 2)
        layers.append(ConvLayer(f"formant{i + 1}", 0, 3, 2, before, after, channels, out_channels, False))
        channels = out_channels
    if size != 1:
        raise ValueError(f"{len(spec.formant_channels)} formant layers leave {size} coefficient rows, not 1")
    width = spec.subframes
    for i in range(spec.articulation_layers):
        last = i == spec.articulation_layers - 1
        if last:
            kernel, stride, before, after = width, width, 0, 0
            width = 1
        else:
            kernel, stride = 3, 2
            width, before, after = _same_padding(width, kernel, stride)
        in_channels = channels + (spec.emotion_size if i > 0 else 0)
        layers.append(
            ConvLayer(f"articulation{i + 1}", 1, kernel, stride, before, after, in_channels,
                      spec.articulation_channels, True)
        )
        channels = spec.articulation_channels
    return layers


def flat_size(spec: NetworkSpec) -> int:
    """Width of the articulation output fed to the fully connected layers."""
    return spec.articulation_channels + spec.emotion_size


def init_params(spec: NetworkSpec, seed: int = 0) -> Params:
    """He-initialised parameters, in a stable order."""
    rng = np.random.default_rng(seed)
    params: Params = {}

    def add(name: str, value: np.ndarray) -> None:
        params[name] = tf.Variable(value.astype(np.float32), name=name.replace("/", "_"))

    for layer in conv_layers(spec):
        shape = (layer.kernel, 1) if layer.axis == 0 else (1, layer.kernel)
        fan_in = layer.kernel * layer.in_channels
        add(f"{layer.name}/kernel",
            rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(*shape, layer.in_channels, layer.out_channels)))
        add(f"{layer.name}/bias", np.zeros(layer.out_channels))
    width = flat_size(spec)
    add("hidden/kernel", rng.normal(0.0, np.sqrt(1.0 / width), size=(width, spec.hidden)))
    add("hidden/bias", np.zeros(spec.hidden))
    add("output/kernel", rng.normal(0.0, np.sqrt(1.0 / spec.hidden), size=(spec.hidden, spec.outputs)))
    add("output/bias", np.zeros(spec.outputs))
    return params


def activation(x: tf.Tensor, leaky: float) -> tf.Tensor:
    """ReLU, or leaky ReLU when ``leaky > 0``."""
    return tf.nn.leaky_relu(x, alpha=leaky) if leaky > 0 else tf.nn.relu(x)



def _conv_as_matmul(h: tf.Tensor, kernel: tf.Variable, layer: ConvLayer) -> tf.Tensor:
    """The convolution of ``layer`` as strided slices and one matrix product (im2col).

    Mathematically the same as ``tf.nn.conv2d`` with explicit padding (which the ONNX export uses), but
    XLA compiles it to plain matrix products, several times faster on CPU than its convolution kernels.
    Kernel taps that only ever see padding are skipped.
    """
    axis = 1 + layer.axis
    size = h.shape[axis]
    out = (size + layer.pad_before + layer.pad_after - layer.kernel) // layer.stride + 1
    taps, columns = [], []
    for tap in range(layer.kernel):
        first = tap - layer.pad_before
        rows = [first + layer.stride * r for r in range(out)]
        valid = [0 <= r < size for r in rows]
        if not any(valid):
            continue
        lo = next(i for i, v in enumerate(valid) if v)
        hi = len(valid) - next(i for i, v in enumerate(reversed(valid)) if v)
        begin, end = rows[lo], rows[hi - 1] + 1
        piece = h[:, begin:end:layer.stride] if axis == 1 else h[:, :, begin:end:layer.stride]
        pads = [[0, 0]] * 4
        pads[axis] = [lo, out - hi]
        if lo or out - hi:
            piece = tf.pad(piece, pads)
        taps.append(tap)
        columns.append(piece)
    stacked = columns[0] if len(columns) == 1 else tf.concat(columns, axis=-1)
    weights = tf.reshape(kernel, [layer.kernel, layer.in_channels, layer.out_channels])
    if len(taps) != layer.kernel:
        weights = tf.gather(weights, taps)
    return tf.tensordot(stacked, tf.reshape(weights, [-1, layer.out_channels]), axes=1)


def forward(
    params: Params,
    spec: NetworkSpec,
    features: tf.Tensor,
    emotion: tf.Tensor,
    *,
    hidden_dropout: float = 0.0,
    seed: Optional[tf.Tensor] = None,
) -> tf.Tensor:
    """Predict normalised animated channels.

    Args:
        params: From ``init_params``.
        spec: The network shape.
        features: float32 [N, rows, subframes], already through the front end and standardised.
        emotion: float32 [N, emotion_size].
        hidden_dropout: Dropout rate on the hidden layer (training only; needs ``seed``).
        seed: int32 [2] stateless random seed for dropout.

    Returns:
        float32 [N, outputs].
    """
    h = tf.expand_dims(features, -1)
    n = tf.shape(features)[0]
    for layer in conv_layers(spec):
        h = _conv_as_matmul(h, params[f"{layer.name}/kernel"], layer)
        h = activation(h + params[f"{layer.name}/bias"], spec.leaky)
        if layer.emotion_after and spec.emotion_size:
            width = h.shape[2]
            tiled = tf.broadcast_to(emotion[:, None, None, :], tf.stack([n, 1, width, spec.emotion_size]))
            h = tf.concat([h, tiled], axis=-1)
    flat = tf.reshape(h, [n, flat_size(spec)])
    z = tf.matmul(flat, params["hidden/kernel"]) + params["hidden/bias"]
    if hidden_dropout > 0 and seed is not None:
        keep = tf.random.stateless_uniform(tf.shape(z), seed) >= hidden_dropout
        z = tf.where(keep, z / (1.0 - hidden_dropout), tf.zeros_like(z))
    return tf.matmul(z, params["output/kernel"]) + params["output/bias"]


def param_values(params: Params) -> Dict[str, np.ndarray]:
    """Numpy copies of the parameters."""
    return {name: var.numpy() for name, var in params.items()}


def assign_values(params: Params, values: Dict[str, np.ndarray], names: Sequence[str] = ()) -> None:
    """Load numpy values into the parameters (shapes must match)."""
    for name in names or list(params):
        var = params[name]
        value = values[name]
        if tuple(var.shape) != tuple(value.shape):
            raise ValueError(f"parameter {name} has shape {value.shape}, expected {tuple(var.shape)}")
        var.assign(value)


def count_parameters(params: Params) -> int:
    """Number of scalar parameters."""
    return int(sum(int(np.prod(v.shape)) for v in params.values()))


def forward_conv2d(params: Params, spec: NetworkSpec, features: tf.Tensor, emotion: tf.Tensor) -> tf.Tensor:
    """The same network through ``tf.nn.conv2d`` (how Keras convolution layers compute it).

    A reference for tests and for the eager baseline of ``bench/train_speed.py``.
    """
    h = tf.expand_dims(features, -1)
    n = tf.shape(features)[0]
    for layer in conv_layers(spec):
        strides = [1, layer.stride, 1, 1] if layer.axis == 0 else [1, 1, layer.stride, 1]
        pads = [layer.pad_before, layer.pad_after]
        padding = [[0, 0], pads, [0, 0], [0, 0]] if layer.axis == 0 else [[0, 0], [0, 0], pads, [0, 0]]
        h = tf.nn.conv2d(h, params[f"{layer.name}/kernel"], strides, padding)
        h = activation(h + params[f"{layer.name}/bias"], spec.leaky)
        if layer.emotion_after and spec.emotion_size:
            width = tf.shape(h)[2]
            tiled = tf.broadcast_to(emotion[:, None, None, :], tf.stack([n, 1, width, spec.emotion_size]))
            h = tf.concat([h, tiled], axis=-1)
    flat = tf.reshape(h, [n, flat_size(spec)])
    z = tf.matmul(flat, params["hidden/kernel"]) + params["hidden/bias"]
    return tf.matmul(z, params["output/kernel"]) + params["output/bias"]
