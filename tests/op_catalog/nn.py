"""Catalog rows for ops/nn.py: Softmax, LogSoftmax, FusedBatchNorm, the cross-entropies, dropout.

The cross-entropies and dropout are composites that register no kernel of their own; their
rows carry the op's TF.js-style name so that ``-k Entropy`` and ``-k Dropout`` select them.
The references below are the textbook formulas, written without the stability tricks the ops
use, which is fine for the moderate logits drawn here (tests/ops/test_nn_extra.py covers
extreme ones).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minitf as tf
from strategies import arrays, shapes

from . import Row

EPS = 0.001  # batch_norm's default variance_epsilon


def softmax_ref(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax_ref(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.log(softmax_ref(x, axis))


def sigmoid_ce_ref(z: np.ndarray, x: np.ndarray) -> np.ndarray:
    p = 1 / (1 + np.exp(-x))
    return -z * np.log(p) - (1 - z) * np.log(1 - p)


def softmax_ce_ref(z: np.ndarray, x: np.ndarray, axis: int = -1) -> np.ndarray:
    return -np.sum(z * np.log(softmax_ref(x, axis)), axis=axis)


def batch_norm_ref(x: np.ndarray, mean: np.ndarray, variance: np.ndarray,
                   offset: np.ndarray | float = 0.0, scale: np.ndarray | float = 1.0) -> np.ndarray:
    return (x - mean) / np.sqrt(variance + EPS) * scale + offset


def dropout_ref(x: np.ndarray, rate: float, seed: int, noise_shape: tuple | None = None
                ) -> np.ndarray:
    """x * mask / (1 - rate), with the uniform draws taken from tf.random_uniform's seed."""
    shape = x.shape if noise_shape is None else noise_shape
    u = tf.tidy(lambda: tf.random_uniform(shape, seed=seed).numpy())
    return x * (u >= rate) / (1 - rate)


def channel_noise(shape: tuple) -> list[int]:
    """A noise shape that drops whole channels: 1 everywhere but the last axis."""
    return [1] * (len(shape) - 1) + [shape[-1]]


@st.composite
def same_shape(draw: st.DrawFn, ranges: list[tuple[float, float]], min_rank: int = 1
               ) -> list[np.ndarray]:
    """Arrays of one shape of rank >= ``min_rank``, one per (lo, hi) value range."""
    shape = draw(shapes(min_rank, 3))
    return [draw(arrays(shape, lo, hi)) for lo, hi in ranges]


@st.composite
def batch_norm_args(draw: st.DrawFn, params: int = 4) -> list[np.ndarray]:
    """[x, mean, variance(, offset, scale)]: x of rank 1-4, each parameter shaped [C],
    [1, ..., C] or like x."""
    shape = draw(shapes(1, 4, max_side=3))
    ranges = [(-1.0, 1.0), (0.5, 2.0), (-1.0, 1.0), (0.5, 2.0)][:params]
    out = [draw(arrays(shape))]
    for lo, hi in ranges:
        param_shape = draw(st.sampled_from([shape[-1:], (1,) * (len(shape) - 1) + shape[-1:],
                                            shape]))
        out.append(draw(arrays(param_shape, lo, hi)))
    return out


LOGITS = same_shape([(-3.0, 3.0)])
LABELS_LOGITS = same_shape([(0.0, 1.0), (-3.0, 3.0)])

ROWS = [
    Row("Softmax", lambda x: tf.softmax(x), softmax_ref, LOGITS),
    Row("Softmax", lambda x: tf.softmax(x, 0), lambda x: softmax_ref(x, 0), LOGITS,
        id="Softmax-dim0"),
    Row("LogSoftmax", lambda x: tf.log_softmax(x), log_softmax_ref, LOGITS),
    Row("LogSoftmax", lambda x: tf.log_softmax(x, 0), lambda x: log_softmax_ref(x, 0), LOGITS,
        id="LogSoftmax-axis0"),
    Row("FusedBatchNorm", tf.batch_norm, batch_norm_ref, batch_norm_args(), max_examples=10,
        grad_rtol=1e-5, grad_atol=1e-5),
    Row("FusedBatchNorm", lambda x, m, v: tf.batch_norm(x, m, v), batch_norm_ref,
        batch_norm_args(params=2), id="FusedBatchNorm-no-offset-scale", max_examples=10,
        grad_rtol=1e-5, grad_atol=1e-5),
    Row("SigmoidCrossEntropyWithLogits", tf.sigmoid_cross_entropy_with_logits, sigmoid_ce_ref,
        LABELS_LOGITS),
    Row("SoftmaxCrossEntropyWithLogits", tf.softmax_cross_entropy_with_logits, softmax_ce_ref,
        LABELS_LOGITS),
    Row("SoftmaxCrossEntropyWithLogits",
        lambda z, x: tf.softmax_cross_entropy_with_logits(z, x, 0),
        lambda z, x: softmax_ce_ref(z, x, 0), LABELS_LOGITS,
        id="SoftmaxCrossEntropyWithLogits-dim0"),
    Row("Dropout", lambda x: tf.dropout(x, 0.3, seed=7), lambda x: dropout_ref(x, 0.3, 7),
        same_shape([(-3.0, 3.0)], min_rank=0)),
    Row("Dropout", lambda x: tf.dropout(x, 0.5, channel_noise(x.shape), seed=3),
        lambda x: dropout_ref(x, 0.5, 3, tuple(channel_noise(x.shape))), LOGITS,
        id="Dropout-noise_shape"),
]
