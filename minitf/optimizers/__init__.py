"""Optimizers: one per file, each a TF.js update rule run as one fused kernel (TF.js ``tf.train``).

Classes keep TF.js's names (``AdamOptimizer``); their ``class_name`` is the short name TF.js
saves in model files ('Adam'). Users usually build them with the ``tf.train`` factories.

``get`` turns what ``model.compile(optimizer=...)`` accepts into an Optimizer: an instance, a
saved ``{'class_name', 'config'}`` dict, or a compile string with TF.js's default settings.
"""
from __future__ import annotations

from typing import Any, Callable

from ..serialization import deserialize
from .adadelta import AdadeltaOptimizer
from .adagrad import AdagradOptimizer
from .adam import AdamOptimizer
from .adamax import AdamaxOptimizer
from .base import EPSILON, Optimizer
from .momentum import MomentumOptimizer
from .rmsprop import RMSPropOptimizer
from .sgd import SGDOptimizer

__all__ = ["Optimizer", "SGDOptimizer", "MomentumOptimizer", "RMSPropOptimizer",
           "AdamOptimizer", "AdamaxOptimizer", "AdagradOptimizer", "AdadeltaOptimizer", "get"]

# Compile strings and the settings TF.js gives them (tfjs-layers optimizers.ts getOptimizer).
# Note the learning rates differ from the tf.train defaults: 'adadelta' 1.0, 'sgd' 0.01...
_BY_STRING: dict[str, Callable[[], Optimizer]] = {
    "Adagrad": lambda: AdagradOptimizer(0.01),
    "Adadelta": lambda: AdadeltaOptimizer(1.0, 0.95, EPSILON),
    "Adam": lambda: AdamOptimizer(0.001, 0.9, 0.999, EPSILON),
    "Adamax": lambda: AdamaxOptimizer(0.002, 0.9, 0.999, EPSILON, 0.0),
    "RMSProp": lambda: RMSPropOptimizer(0.001, 0.9, 0.0, EPSILON),
    "SGD": lambda: SGDOptimizer(0.01),
}
_BY_STRING.update({name.lower(): make for name, make in list(_BY_STRING.items())})


def _from_string(identifier: str) -> Optimizer:
    if identifier not in _BY_STRING:
        raise ValueError(f"Unknown optimizer {identifier!r}; known names: "
                         f"{', '.join(sorted(_BY_STRING))}")
    return _BY_STRING[identifier]()


def get(identifier: Any) -> Optimizer:
    """An Optimizer from an instance, ``{'class_name', 'config'}`` or a compile string.

    >>> get('adam').get_config()
    {'learning_rate': 0.001, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-07}
    >>> get({'class_name': 'SGD', 'config': {'learningRate': 0.1}}).learning_rate
    0.1
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier, "optimizers", _from_string)
    raise TypeError(f"optimizers.get: expected an Optimizer, a config dict or a name, got "
                    f"{type(identifier).__name__}")
