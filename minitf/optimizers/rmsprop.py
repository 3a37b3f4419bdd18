"""RMSProp, plain or centered, with optional momentum (TF.js ``tf.train.rmsprop``)."""
from __future__ import annotations

from typing import Any

from ..serialization import register_class
from ..tensor import Tensor, Variable
from .base import EPSILON, Optimizer


@register_class(package="optimizers")
class RMSPropOptimizer(Optimizer):
    """TF.js ``RMSPropOptimizer`` (class name 'RMSProp'); slots ``rms``, ``momentum``, ``mg``::

        s   ← ρ·s + (1 − ρ)·g²                          slot <var>/rms, ρ = decay
        mom ← μ·mom + lr·g / √(s + ε)                   slot <var>/momentum
        θ   ← θ − mom

    Centered (``centered=True``) also keeps the mean gradient and divides by its variance:
    ``mg ← ρ·mg + (1 − ρ)·g`` (slot <var>/mg), ``mom ← μ·mom + lr·g / √(s − (mg² + ε))``. TF.js
    *subtracts* ε there, and minitf does the same so that results match.

    ``tf.train.rmsprop(learning_rate, decay=0.9, momentum=0.0, epsilon=1e-7, centered=False)``;
    learning_rate is required (the compile string ``'rmsprop'`` uses 0.001). The ``momentum``
    slot exists even when μ = 0, as in TF.js.
    """

    class_name = "RMSProp"

    def __init__(self, learning_rate: float, decay: float = 0.9, momentum: float = 0.0,
                 epsilon: float | None = None, centered: bool = False) -> None:
        super().__init__()
        if learning_rate is None:
            raise ValueError("RMSProp: learning_rate must be given")
        self.learning_rate = learning_rate
        self.decay = decay
        self.momentum = momentum
        self.epsilon = EPSILON if epsilon is None else epsilon
        self.centered = bool(centered)
        self.slot_names = ("rms", "momentum", "mg") if centered else ("rms", "momentum")

    def _update(self, x: Variable, g: Tensor, slots: dict[str, Variable]) -> None:
        self._apply("ApplyRMSProp", x, g, slots, lr=self.learning_rate, rho=self.decay,
                    mu=self.momentum, epsilon=self.epsilon, centered=self.centered)

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "decay": self.decay,
                "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered}
