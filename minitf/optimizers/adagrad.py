"""Adagrad (TF.js ``tf.train.adagrad``, class ``AdagradOptimizer``)."""
from __future__ import annotations

from typing import Any

from ..ops import fill
from ..serialization import register_class
from ..tensor import Tensor, Variable
from .base import EPSILON, Optimizer


@register_class(package="optimizers")
class AdagradOptimizer(Optimizer):
    """TF.js ``AdagradOptimizer`` (class name 'Adagrad'); one slot ``<var>/accumulator``::

        acc ← acc + g²                              acc starts at initial_accumulator_value
        θ   ← θ − lr · g / √(acc + ε)               ε = 1e-7, the backend epsilon

    ``tf.train.adagrad(learning_rate, initial_accumulator_value=0.1)``; learning_rate is
    required (the compile string ``'adagrad'`` uses 0.01). ε cannot be configured, as in TF.js.
    """

    class_name = "Adagrad"
    slot_names = ("accumulator",)

    def __init__(self, learning_rate: float, initial_accumulator_value: float = 0.1) -> None:
        super().__init__()
        if learning_rate is None:
            raise ValueError("Adagrad: learning_rate must be given")
        self.learning_rate = learning_rate
        self.initial_accumulator_value = initial_accumulator_value

    def _initial_slot(self, x: Variable, slot: str) -> Tensor:
        return fill(x.shape, self.initial_accumulator_value, x.dtype)

    def _update(self, x: Variable, g: Tensor, slots: dict[str, Variable]) -> None:
        self._apply("ApplyAdagrad", x, g, slots, lr=self.learning_rate, epsilon=EPSILON)

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate,
                "initial_accumulator_value": self.initial_accumulator_value}
