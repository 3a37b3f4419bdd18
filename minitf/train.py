"""The ``tf.train`` namespace: optimizer factories in TF.js's argument order.

Positional arguments follow TF.js (``tf.train.rmsprop(0.01, 0.9)``); keywords are the
snake_case names (``use_nesterov``, ``initial_accumulator_value``). ``epsilon=None`` means the
backend epsilon, 1e-7.

>>> import minitf as tf
>>> from minitf import train
>>> w = tf.variable([3.0])
>>> opt = train.adam(0.1)
>>> for _ in range(3):
...     opt.minimize(lambda: tf.sum(tf.square(w)))
>>> round(w.item(), 2)   # Adam moves about lr per step at first
2.7
>>> opt.dispose(); w.dispose()
"""
from __future__ import annotations

from .optimizers import (AdadeltaOptimizer, AdagradOptimizer, AdamaxOptimizer, AdamOptimizer,
                         MomentumOptimizer, RMSPropOptimizer, SGDOptimizer)

__all__ = ["sgd", "momentum", "rmsprop", "adam", "adamax", "adagrad", "adadelta"]


def sgd(learning_rate: float) -> SGDOptimizer:
    """Plain gradient descent: θ ← θ − lr·g (TF.js ``tf.train.sgd``)."""
    return SGDOptimizer(learning_rate)


def momentum(learning_rate: float, momentum: float,
             use_nesterov: bool = False) -> MomentumOptimizer:
    """Gradient descent with momentum μ, optionally Nesterov's (``tf.train.momentum``)."""
    return MomentumOptimizer(learning_rate, momentum, use_nesterov)


def rmsprop(learning_rate: float, decay: float = 0.9, momentum: float = 0.0,
            epsilon: float | None = None, centered: bool = False) -> RMSPropOptimizer:
    """RMSProp with decay ρ, optional momentum and centering (``tf.train.rmsprop``)."""
    return RMSPropOptimizer(learning_rate, decay, momentum, epsilon, centered)


def adam(learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
         epsilon: float | None = None) -> AdamOptimizer:
    """Adam (``tf.train.adam``)."""
    return AdamOptimizer(learning_rate, beta1, beta2, epsilon)


def adamax(learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
           epsilon: float | None = None, decay: float = 0.0) -> AdamaxOptimizer:
    """Adamax: Adam with the infinity norm and an optional learning-rate decay."""
    return AdamaxOptimizer(learning_rate, beta1, beta2, epsilon, decay)


def adagrad(learning_rate: float,
            initial_accumulator_value: float = 0.1) -> AdagradOptimizer:
    """Adagrad (``tf.train.adagrad``); ε is the backend epsilon and cannot be set."""
    return AdagradOptimizer(learning_rate, initial_accumulator_value)


def adadelta(learning_rate: float = 0.001, rho: float = 0.95,
             epsilon: float | None = None) -> AdadeltaOptimizer:
    """Adadelta (``tf.train.adadelta``); the compile string 'adadelta' uses lr 1.0 instead."""
    return AdadeltaOptimizer(learning_rate, rho, epsilon)
