"""Adamax, Adam with the infinity norm (TF.js ``tf.train.adamax``, ``AdamaxOptimizer``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..serialization import register_class
from ..tensor import Tensor, Variable
from .adam import float32_power
from .base import EPSILON, Optimizer


@register_class(package="optimizers")
class AdamaxOptimizer(Optimizer):
    """TF.js ``AdamaxOptimizer`` (class name 'Adamax'); slots ``<var>/m`` and ``<var>/v``::

        lr_t ← lr / (1 + decay·(t − 1))             t − 1 = steps taken before this one
        m    ← β1·m + (1 − β1)·g
        u    ← max(β2·u, |g|)                        slot <var>/v
        θ    ← θ − lr_t / (1 − β1ᵗ) · m / (u + ε)

    ``tf.train.adamax(learning_rate=0.002, beta1=0.9, beta2=0.999, epsilon=1e-7, decay=0.0)``.
    TF.js throws in ``getWeights``/``setWeights`` for Adamax; minitf saves 'iter', m and v.
    """

    class_name = "Adamax"
    slot_names = ("m", "v")

    def __init__(self, learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float | None = None, decay: float = 0.0) -> None:
        super().__init__()
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = EPSILON if epsilon is None else epsilon
        self.decay = decay
        self._restore_step_state()

    def _update(self, x: Variable, g: Tensor, slots: dict[str, Variable]) -> None:
        # lr_t in float32, as TF.js computes it with scalar tensors
        f = np.float32
        lr_t = f(self.learning_rate) / (f(self.iterations) * f(self.decay) + f(1))
        self._apply("ApplyAdamax", x, g, slots, lr=float(lr_t), beta1=self.beta1,
                    beta2=self.beta2, epsilon=self.epsilon, beta1_power=self._beta1_power)

    def _end_step(self) -> None:
        self._beta1_power = float(np.float32(self._beta1_power) * np.float32(self.beta1))

    def _restore_step_state(self) -> None:
        self._beta1_power = float32_power(self.beta1, self.iterations + 1)

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "beta1": self.beta1, "beta2": self.beta2,
                "epsilon": self.epsilon, "decay": self.decay}
