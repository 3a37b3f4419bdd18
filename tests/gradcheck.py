"""Gradient checks against central finite differences, in float64.

``check_gradients`` compares every element of the analytic gradient; ``check_directional``
compares the derivative along one random direction (chainer's check for large ops such as a
conv on 28x28x1 images, where per-element differences would take thousands of evaluations).
Both reduce the op's output(s) to a scalar with fixed random weights, so every output element
matters and a wrong gradient cannot hide in a plain sum.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

import minitf as tf


def _as_list(out: object) -> list:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _weights(fn: Callable, arrays: Sequence[np.ndarray], seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    outs = tf.tidy(lambda: [o.numpy() for o in _as_list(fn(*_tensors(arrays)))])
    return [rng.uniform(0.5, 1.5, size=o.shape) * rng.choice([-1, 1], size=o.shape) for o in outs]


def _tensors(arrays: Sequence[np.ndarray]) -> list[tf.Tensor]:
    return [tf.tensor(a, dtype="float64" if a.dtype.kind == "f" else None) for a in arrays]


def _loss(fn: Callable, weights: list[np.ndarray]) -> Callable:
    def loss(*ts: tf.Tensor) -> tf.Tensor:
        outs = _as_list(fn(*ts))
        total = tf.sum(tf.mul(outs[0], tf.tensor(weights[0], dtype="float64")))
        for o, w in zip(outs[1:], weights[1:]):
            total = tf.add(total, tf.sum(tf.mul(o, tf.tensor(w, dtype="float64"))))
        return total

    return loss


def _loss_value(loss: Callable, arrays: Sequence[np.ndarray]) -> float:
    return tf.tidy(lambda: loss(*_tensors(arrays)).numpy().item())


def analytic(fn: Callable, arrays: Sequence[np.ndarray],
             weights: list[np.ndarray]) -> list[np.ndarray]:
    """tf.grads of the weighted loss, for every float argument (others held constant)."""
    loss = _loss(fn, weights)
    floats = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]

    def run() -> list[np.ndarray]:
        ts = _tensors(arrays)

        def f(*fs: tf.Tensor) -> tf.Tensor:
            full = list(ts)
            for i, t in zip(floats, fs):
                full[i] = t
            return loss(*full)

        return [g.numpy() for g in tf.grads(f)([ts[i] for i in floats])]

    return tf.tidy(run)


def check_gradients(fn: Callable, arrays: Sequence[np.ndarray], seed: int = 0, eps: float = 1e-6,
                    rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Every element of the analytic gradient against a central difference."""
    weights = _weights(fn, arrays, seed)
    loss = _loss(fn, weights)
    grads = analytic(fn, arrays, weights)
    floats = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    for g, i in zip(grads, floats):
        assert g.shape == arrays[i].shape, \
            f"gradient {i} has shape {g.shape}, input {arrays[i].shape}"
        numeric = np.zeros_like(arrays[i])
        for idx in np.ndindex(arrays[i].shape):
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            numeric[idx] = (_loss_value(loss, plus) - _loss_value(loss, minus)) / (2 * eps)
        np.testing.assert_allclose(g, numeric, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of argument {i}")


def check_directional(fn: Callable, arrays: Sequence[np.ndarray], seed: int = 0,
                      eps: float = 1e-5, rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """<gradient, v> against (L(x + eps v) - L(x - eps v)) / (2 eps) for one random v."""
    rng = np.random.default_rng(seed + 1)
    weights = _weights(fn, arrays, seed)
    loss = _loss(fn, weights)
    grads = analytic(fn, arrays, weights)
    floats = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    directions = {i: rng.standard_normal(arrays[i].shape) for i in floats}
    plus = [a + eps * directions[i] if i in directions else a for i, a in enumerate(arrays)]
    minus = [a - eps * directions[i] if i in directions else a for i, a in enumerate(arrays)]
    numeric = (_loss_value(loss, plus) - _loss_value(loss, minus)) / (2 * eps)
    exact = sum(float(np.sum(g * directions[i])) for g, i in zip(grads, floats))
    np.testing.assert_allclose(exact, numeric, rtol=rtol, atol=atol)
