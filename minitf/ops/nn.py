"""Neural-network ops: softmax, log_softmax, batch_norm, the stable cross-entropies from logits
and dropout.

Softmax, LogSoftmax and FusedBatchNorm are kernels with their gradients below them; the
cross-entropies and dropout are composites of other ops, so their gradients come from those
ops. Every op runs in its own scope (``@op``), so a composite's intermediates are disposed.
"""
from __future__ import annotations

from typing import Sequence

from .. import dtypes
from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, axis_arg, float_arg, gradient, op, shape_arg, tensor_arg
from .binary import add, cast, div, greater_equal, mul, sub, where
from .creation import clone, scalar, zeros_like
from .random import random_uniform
from .reduction import sum as reduce_sum
from .unary import exp, log1p, neg, rsqrt

__all__ = ["softmax", "log_softmax", "batch_norm", "sigmoid_cross_entropy_with_logits",
           "softmax_cross_entropy_with_logits", "dropout"]


def _logits_arg(logits: TensorLike, axis: int, op_name: str) -> tuple[Tensor, int]:
    t = float_arg(logits, "logits", op_name)
    if t.rank == 0:
        raise ValueError(f"{op_name}: logits must have rank >= 1, got a scalar")
    return t, axis_arg(axis, t.rank, op_name)


@op
def softmax(logits: TensorLike, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``: scores to probabilities (TF.js ``tf.softmax``).

    Any shape of rank >= 1; the result has the same shape and sums to 1 along ``dim``.
    It is computed from max-shifted logits, so logits of 1e3 do not overflow.

    >>> import minitf as tf
    >>> tf.softmax(tf.tensor([[1.0, 1.0], [5.0, 5.0]])).array_sync()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    t, dim = _logits_arg(logits, dim, "softmax")
    return run_kernel("Softmax", {"logits": t}, dim=dim)


@gradient("Softmax", save=("y",))
def _softmax_grad(dy: Tensor, y: Tensor, dim: int) -> Tensor:
    # dy_i * y_i - y_i * sum_j(dy_j * y_j): the Jacobian diag(y) - y y^T applied to dy.
    dy_y = mul(dy, y)
    return sub(dy_y, mul(y, reduce_sum(dy_y, dim, keep_dims=True)))


@op
def log_softmax(logits: TensorLike, axis: int = -1) -> Tensor:
    """log(softmax(x)) along ``axis``, computed stably (TF.js ``tf.logSoftmax``).

    Same shape as ``logits`` (rank >= 1). Equal to x - max - log(sum(exp(x - max))), which
    stays finite where log(softmax(x)) would give log(0) = -inf.

    >>> import minitf as tf
    >>> [round(v, 4) for v in tf.log_softmax(tf.tensor([0.0, 0.0])).array_sync()]
    [-0.6931, -0.6931]
    """
    t, axis = _logits_arg(logits, axis, "log_softmax")
    return run_kernel("LogSoftmax", {"logits": t}, axis=axis)


@gradient("LogSoftmax", save=("y",))
def _log_softmax_grad(dy: Tensor, y: Tensor, axis: int) -> Tensor:
    # y = x - logsumexp(x), so dx = dy - softmax(x) * sum(dy), and softmax(x) = exp(y).
    return sub(dy, mul(exp(y), reduce_sum(dy, axis, keep_dims=True)))


def _broadcasts_to(shape: Sequence[int], target: Sequence[int]) -> bool:
    return len(shape) <= len(target) and all(
        d in (1, t) for d, t in zip(reversed(shape), reversed(target)))


def _param_arg(p: TensorLike | None, name: str, x: Tensor, default: float) -> Tensor:
    if p is None:
        return scalar(default, x.dtype)
    t = tensor_arg(p, name, "batch_norm", x.dtype)
    if not _broadcasts_to(t.shape, x.shape):
        raise ValueError(f"batch_norm: {name} of shape {list(t.shape)} must broadcast to x's shape "
                         f"{list(x.shape)} (e.g. [{x.shape[-1] if x.rank else 1}] or "
                         f"{list(x.shape)})")
    return t


@op
def batch_norm(x: TensorLike, mean: TensorLike, variance: TensorLike,
               offset: TensorLike | None = None, scale: TensorLike | None = None,
               variance_epsilon: float = 0.001) -> Tensor:
    """(x - mean) / sqrt(variance + eps) * scale + offset (TF.js ``tf.batchNorm``).

    Normalizes activations with given moments; the BatchNormalization layer passes batch
    moments while training and moving averages at inference. ``x`` has any rank (2-4 in
    practice: [batch, features] or NHWC); mean, variance, offset and scale broadcast to
    x's shape, typically [channels] or x's own shape. Missing offset is 0, missing scale 1.

    >>> import minitf as tf
    >>> tf.batch_norm(tf.tensor([[1.0, 3.0]]), [2.0], [1.0], variance_epsilon=0).array_sync()
    [[-1.0, 1.0]]
    """
    t = float_arg(x, "x", "batch_norm")
    if variance_epsilon < 0:
        raise ValueError(f"batch_norm: variance_epsilon must be >= 0, got {variance_epsilon}")
    inputs = {"x": t,
              "mean": _param_arg(mean, "mean", t, 0.0),
              "variance": _param_arg(variance, "variance", t, 1.0),
              "offset": _param_arg(offset, "offset", t, 0.0),
              "scale": _param_arg(scale, "scale", t, 1.0)}
    return run_kernel("FusedBatchNorm", inputs, variance_epsilon=float(variance_epsilon))


@gradient("FusedBatchNorm", save=("x", "mean", "variance", "scale"))
def _batch_norm_grad(dy: Tensor, x: Tensor, mean: Tensor, variance: Tensor, scale: Tensor,
                     variance_epsilon: float) -> tuple[Tensor, ...]:
    # With s = (variance + eps)^(-1/2) and c = x - mean: y = c * s * scale + offset.
    # All five are returned at x's shape; the tape sums them back to each input's shape.
    inv_std = rsqrt(add(variance, variance_epsilon))
    centered = sub(x, mean)
    dx = mul(dy, mul(scale, inv_std))
    dvariance = mul(mul(dx, centered), mul(-0.5, mul(inv_std, inv_std)))  # ds/dv = -s^3 / 2
    dscale = mul(dy, mul(centered, inv_std))
    return dx, neg(dx), dvariance, dy, dscale


@op
def sigmoid_cross_entropy_with_logits(labels: TensorLike, logits: TensorLike) -> Tensor:
    """-z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)) elementwise, from logits x and labels z.

    The binary cross-entropy of TF.js ``tf.losses.sigmoidCrossEntropy`` before reduction,
    computed as max(x, 0) - x z + log1p(exp(-|x|)), finite for any x. labels and logits have
    the same shape, and so does the result. The gradient is sigmoid(x) - z for the logits
    and -x for the labels.

    >>> import minitf as tf
    >>> [round(v, 4) for v in tf.sigmoid_cross_entropy_with_logits([1.0, 0.0], [0.0, 0.0])
    ...  .array_sync()]
    [0.6931, 0.6931]
    """
    op_name = "sigmoid_cross_entropy_with_logits"
    x = float_arg(logits, "logits", op_name)
    z = tensor_arg(labels, "labels", op_name, x.dtype)
    _check_same_shape(z, x, op_name)
    # exp(-|x|) <= 1 never overflows, and log1p keeps precision when it is tiny. Both branches
    # pick by x >= 0 (not relu and abs separately), so the gradient at x = 0 is 1/2 - z.
    positive = greater_equal(x, 0)
    relu_x = where(positive, x, zeros_like(x))
    neg_abs_x = where(positive, neg(x), x)
    return add(sub(relu_x, mul(x, z)), log1p(exp(neg_abs_x)))


@op
def softmax_cross_entropy_with_logits(labels: TensorLike, logits: TensorLike,
                                      dim: int = -1) -> Tensor:
    """-sum(labels * log_softmax(logits)) along ``dim``: categorical cross-entropy from logits.

    The per-example loss of TF.js ``tf.losses.softmaxCrossEntropy`` before reduction. labels
    and logits have the same shape (rank >= 1); the result drops ``dim``. Stable for large
    logits through log_softmax; the logits' gradient is softmax(x) * sum(labels) - labels.

    >>> import minitf as tf
    >>> [round(v, 4) for v in tf.softmax_cross_entropy_with_logits([[0.0, 1.0]], [[0.0, 0.0]])
    ...  .array_sync()]
    [0.6931]
    """
    op_name = "softmax_cross_entropy_with_logits"
    x, dim = _logits_arg(logits, dim, op_name)
    z = tensor_arg(labels, "labels", op_name, x.dtype)
    _check_same_shape(z, x, op_name)
    return neg(reduce_sum(mul(z, log_softmax(x, dim)), dim))


def _check_same_shape(labels: Tensor, logits: Tensor, op_name: str) -> None:
    if labels.shape != logits.shape:
        raise ValueError(f"{op_name}: labels and logits must have the same shape, got labels "
                         f"{list(labels.shape)} and logits {list(logits.shape)}")


@op
def dropout(x: TensorLike, rate: float, noise_shape: Sequence[int] | None = None,
            seed: int | None = None) -> Tensor:
    """Zero each element with probability ``rate`` and scale the rest by 1 / (1 - rate).

    TF.js ``tf.dropout``: regularizes training while keeping the expected value of each
    element. The mask has ``noise_shape`` (default x's shape), which must broadcast to x's
    shape: [batch, 1, 1, channels] drops whole channels. The same ``seed`` gives the same
    mask. ``rate`` 0 returns a copy of x; the result has x's shape and dtype.

    >>> import minitf as tf
    >>> sorted(set(tf.dropout(tf.ones([100]), 0.5, seed=1).array_sync()))
    [0.0, 2.0]
    """
    t = float_arg(x, "x", "dropout")
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate}")
    shape = t.shape if noise_shape is None else shape_arg(noise_shape, "dropout", "noise_shape")
    if not _broadcasts_to(shape, t.shape):
        raise ValueError(f"dropout: noise_shape {list(shape)} must broadcast to x's shape "
                         f"{list(t.shape)}")
    if rate == 0:
        return clone(t)
    # Drawn in float32 whatever x's dtype, so float32 and float64 inputs get the same mask.
    keep = greater_equal(random_uniform(shape, 0, 1, dtypes.float32, seed), rate)
    return mul(t, div(cast(keep, t.dtype), 1 - rate))
