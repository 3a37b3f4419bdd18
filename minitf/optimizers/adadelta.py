"""Adadelta (TF.js ``tf.train.adadelta``, class ``AdadeltaOptimizer``)."""
from __future__ import annotations

from typing import Any

from ..serialization import register_class
from ..tensor import Tensor, Variable
from .base import EPSILON, Optimizer


@register_class(package="optimizers")
class AdadeltaOptimizer(Optimizer):
    """TF.js ``AdadeltaOptimizer`` (class name 'Adadelta'); slots ``accum_grad``, ``accum_var``::

        Δ   = √(u + ε) / √(acc + ε) · g       with acc from *before* this step, as TF.js does
        acc ← ρ·acc + (1 − ρ)·g²              slot <var>/accum_grad
        u   ← ρ·u + (1 − ρ)·Δ²                slot <var>/accum_var
        θ   ← θ − lr·Δ

    ``tf.train.adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)``; note that the compile
    string ``'adadelta'`` uses learning_rate 1.0 instead.
    """

    class_name = "Adadelta"
    slot_names = ("accum_grad", "accum_var")

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.95,
                 epsilon: float | None = None) -> None:
        super().__init__()
        self.learning_rate = learning_rate
        self.rho = rho
        self.epsilon = EPSILON if epsilon is None else epsilon

    def _update(self, x: Variable, g: Tensor, slots: dict[str, Variable]) -> None:
        self._apply("ApplyAdadelta", x, g, slots, lr=self.learning_rate, rho=self.rho,
                    epsilon=self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "rho": self.rho, "epsilon": self.epsilon}
