"""Gradient descent with momentum, optionally Nesterov's (TF.js ``tf.train.momentum``)."""
from __future__ import annotations

from typing import Any

from ..serialization import register_class
from ..tensor import Tensor, Variable
from .sgd import SGDOptimizer


@register_class(package="optimizers")
class MomentumOptimizer(SGDOptimizer):
    """TF.js ``MomentumOptimizer`` (class name 'Momentum'), one slot ``<var>/momentum``::

        a ← μ·a + g                       (a starts at 0)
        θ ← θ − lr·a                      plain
        θ ← θ − lr·(g + μ·a)              use_nesterov=True, with the new a

    ``tf.train.momentum(learning_rate, momentum, use_nesterov=False)``: both rates are
    required. There is no compile string for it.
    """

    class_name = "Momentum"
    slot_names = ("momentum",)

    def __init__(self, learning_rate: float, momentum: float,
                 use_nesterov: bool = False) -> None:
        super().__init__(learning_rate)
        if momentum is None:
            raise ValueError("Momentum: momentum must be given")
        self.momentum = momentum
        self.use_nesterov = bool(use_nesterov)

    def set_momentum(self, momentum: float) -> None:
        """Change μ for the following steps (TF.js ``setMomentum``)."""
        self.momentum = momentum

    def _update(self, x: Variable, g: Tensor, slots: dict[str, Variable]) -> None:
        self._apply("ApplyMomentum", x, g, slots, lr=self.learning_rate, mu=self.momentum,
                    use_nesterov=self.use_nesterov)

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "momentum": self.momentum,
                "use_nesterov": self.use_nesterov}
