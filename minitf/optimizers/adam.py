"""Adam (TF.js ``tf.train.adam``, class ``AdamOptimizer``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..serialization import register_class
from ..tensor import Tensor, Variable
from .base import EPSILON, Optimizer


def float32_power(beta: float, t: int) -> float:
    """β^t as t float32 multiplications give it, i.e. the value the steps themselves reach.

    TF.js recomputes it with ``pow(β, t)`` in ``setWeights``, which can differ in the last bit;
    the product makes a restored optimizer continue exactly as an uninterrupted one.
    """
    return float(np.cumprod(np.full(t, beta, dtype=np.float32))[-1]) if t else 1.0


@register_class(package="optimizers")
class AdamOptimizer(Optimizer):
    """TF.js ``AdamOptimizer`` (class name 'Adam'); slots ``<var>/m`` and ``<var>/v``::

        m ← β1·m + (1 − β1)·g
        v ← β2·v + (1 − β2)·g²
        θ ← θ − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)

    ε is added *after* the bias correction, to √v̂. The powers β1ᵗ, β2ᵗ start at β and are
    multiplied by β after each step in float32 (TF.js keeps them in the variables accBeta1/2;
    here they are float32 numbers, so the optimizer holds no tensors besides its slots).

    ``tf.train.adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7)``.
    """

    class_name = "Adam"
    slot_names = ("m", "v")

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float | None = None) -> None:
        super().__init__()
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = EPSILON if epsilon is None else epsilon
        self._restore_step_state()

    def _update(self, x: Variable, g: Tensor, slots: dict[str, Variable]) -> None:
        self._apply("ApplyAdam", x, g, slots, lr=self.learning_rate, beta1=self.beta1,
                    beta2=self.beta2, epsilon=self.epsilon, beta1_power=self._beta1_power,
                    beta2_power=self._beta2_power)

    def _end_step(self) -> None:
        self._beta1_power = float(np.float32(self._beta1_power) * np.float32(self.beta1))
        self._beta2_power = float(np.float32(self._beta2_power) * np.float32(self.beta2))

    def _restore_step_state(self) -> None:
        self._beta1_power = float32_power(self.beta1, self.iterations + 1)
        self._beta2_power = float32_power(self.beta2, self.iterations + 1)

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "beta1": self.beta1, "beta2": self.beta2,
                "epsilon": self.epsilon}
