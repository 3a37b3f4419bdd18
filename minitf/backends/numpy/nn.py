"""nn kernels on NumPy arrays: Softmax, LogSoftmax and FusedBatchNorm.

The cross-entropies and dropout are composites of other ops (ops/nn.py) and have no kernel.
Outputs keep the input dtype: float32 in, float32 out.
"""
from __future__ import annotations

import numpy as np

from ...engine.registry import register_kernel


def _shifted(logits: np.ndarray, axis: int) -> np.ndarray:
    # Subtracting the row max changes neither softmax nor log-softmax, and makes every
    # exponent <= 0, so exp cannot overflow for large logits.
    return logits - logits.max(axis=axis, keepdims=True)


@register_kernel("Softmax", "numpy")
def softmax(logits: np.ndarray, *, dim: int) -> np.ndarray:
    if logits.shape[dim] == 0:
        return logits.copy()
    e = np.exp(_shifted(logits, dim))
    return e / e.sum(axis=dim, keepdims=True)


@register_kernel("LogSoftmax", "numpy")
def log_softmax(logits: np.ndarray, *, axis: int) -> np.ndarray:
    if logits.shape[axis] == 0:
        return logits.copy()
    shifted = _shifted(logits, axis)
    # log(sum(exp(shifted))) >= 0 because the largest term is exp(0) = 1: no log(0).
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


@register_kernel("FusedBatchNorm", "numpy")
def fused_batch_norm(x: np.ndarray, mean: np.ndarray, variance: np.ndarray, offset: np.ndarray,
                     scale: np.ndarray, *, variance_epsilon: float) -> np.ndarray:
    eps = x.dtype.type(variance_epsilon)  # a float64 epsilon must not upcast float32 data
    inv_std = 1 / np.sqrt(variance + eps)
    return (x - mean) * (inv_std * scale) + offset
