"""Adam as plain TensorFlow ops, so the whole training step compiles with XLA and its state checkpoints."""

from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np
import tensorflow as tf


class Adam:
    """Adam (Kingma and Ba) over a fixed list of variables, each group with its own step-size variable.

    Args:
        variables: The variables to update, in a stable order.
        names: Their names (for checkpoints).
        beta1: First-moment decay.
        beta2: Second-moment decay.
        epsilon: Added to the root of the second moment.
    """

    def __init__(self, variables: Sequence[tf.Variable], names: Sequence[str], beta1: float = 0.9,
                 beta2: float = 0.999, epsilon: float = 1e-8) -> None:
        self.variables = list(variables)
        self.names = list(names)
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.m = [tf.Variable(tf.zeros_like(v), trainable=False) for v in self.variables]
        self.v = [tf.Variable(tf.zeros_like(v), trainable=False) for v in self.variables]
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False)

    def apply(self, grads: Sequence[tf.Tensor], rates: Sequence[tf.Tensor]) -> None:
        """One update; ``rates[i]`` is the step size of ``variables[i]``."""
        self.step.assign_add(1)
        t = tf.cast(self.step, tf.float32)
        correction1 = 1.0 - tf.pow(self.beta1, t)
        correction2 = 1.0 - tf.pow(self.beta2, t)
        for var, m, v, grad, rate in zip(self.variables, self.m, self.v, grads, rates):
            grad = tf.convert_to_tensor(grad)
            m.assign(self.beta1 * m + (1.0 - self.beta1) * grad)
            v.assign(self.beta2 * v + (1.0 - self.beta2) * tf.square(grad))
            var.assign_sub(rate * (m / correction1) / (tf.sqrt(v / correction2) + self.epsilon))

    def state(self) -> Dict[str, np.ndarray]:
        """Numpy copy of the moments and the step count."""
        out: Dict[str, np.ndarray] = {"adam/step": np.asarray(self.step.numpy())}
        for name, m, v in zip(self.names, self.m, self.v):
            out[f"adam_m/{name}"] = m.numpy()
            out[f"adam_v/{name}"] = v.numpy()
        return out

    def load(self, values: Dict[str, np.ndarray]) -> None:
        """Inverse of ``state``."""
        self.step.assign(int(values["adam/step"]))
        for name, m, v in zip(self.names, self.m, self.v):
            m.assign(values[f"adam_m/{name}"])
            v.assign(values[f"adam_v/{name}"])

    def slots(self) -> List[tf.Variable]:
        """All state variables."""
        return [*self.m, *self.v, self.step]
