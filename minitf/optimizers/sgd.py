"""Stochastic gradient descent (TF.js ``tf.train.sgd``, class ``SGDOptimizer``)."""
from __future__ import annotations

from typing import Any

from ..serialization import register_class
from ..tensor import Tensor, Variable
from .base import Optimizer


@register_class(package="optimizers")
class SGDOptimizer(Optimizer):
    """θ ← θ − lr·g (TF.js ``SGDOptimizer``, class name 'SGD').

    ``learning_rate`` has no default in ``tf.train.sgd``; the compile string ``'sgd'`` uses
    0.01. There are no slots, so ``get_weights()`` is just ``[iter]``.

    >>> import minitf as tf
    >>> w = tf.variable([1.0])
    >>> g = tf.tensor([2.0])
    >>> SGDOptimizer(0.5).apply_gradients({w.name: g})
    >>> w.array_sync()
    [0.0]
    >>> tf.dispose([w, g])
    """

    class_name = "SGD"

    def __init__(self, learning_rate: float) -> None:
        super().__init__()
        if learning_rate is None:
            raise ValueError("SGD: learning_rate must be given")
        self.learning_rate = learning_rate

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the learning rate for the following steps (TF.js ``setLearningRate``)."""
        self.learning_rate = learning_rate

    def _update(self, x: Variable, g: Tensor, slots: dict[str, Variable]) -> None:
        self._apply("ApplyGradientDescent", x, g, slots, lr=self.learning_rate)

    def get_config(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate}
