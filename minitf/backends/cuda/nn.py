"""Softmax, LogSoftmax and FusedBatchNorm for the ``cuda`` backend.

Softmax and LogSoftmax run one block of threads per row.

A row needs two reductions before any output can be written: its maximum (subtracting it makes
every exponent <= 0, so exp cannot overflow), then the sum of exp(x - max). Each is the shared-
memory tree of ``reduction.py``; the block then writes the row. Rows run along the softmax
axis, so another axis is first moved last (and moved back after). FusedBatchNorm is one
elementwise pass over x with its four parameter arrays broadcast (``lift.source``). Other dtypes
than float32 run the numpy kernels.

Debugging: ``NUMBA_ENABLE_CUDASIM=1`` runs the kernel as plain Python.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...engine.registry import register_kernel
from . import device, lift
from .device import INF, REDUCE_THREADS, cuda, float32
from .lift import source
from .reduction import MAX, SUM, tree
from .shape import permute

ZERO, ONE = np.float32(0), np.float32(1)


@device.kernel("Softmax/LogSoftmax", "void(float32[::1], int64, boolean, float32[::1])")
def _softmax_rows(x, n, log_out, out):  # pragma: no cover  (device code)
    partial = cuda.shared.array(REDUCE_THREADS, float32)
    t = cuda.threadIdx.x
    for row in range(cuda.blockIdx.x, out.size // n, cuda.gridDim.x):
        base = row * n
        top = -INF
        for j in range(t, n, cuda.blockDim.x):
            v = x[base + j]
            top = v if v > top or v != v else top
        partial[t] = top
        cuda.syncthreads()
        tree(partial, MAX)
        top = partial[0]
        cuda.syncthreads()  # all have read the max before partial is reused
        total = ZERO
        for j in range(t, n, cuda.blockDim.x):
            total += device.exp(x[base + j] - top)
        partial[t] = total
        cuda.syncthreads()
        tree(partial, SUM)
        total = partial[0]
        for j in range(t, n, cuda.blockDim.x):
            if log_out:  # log(total) >= 0: the largest term is exp(0) = 1
                out[base + j] = x[base + j] - top - device.log(total)
            else:
                out[base + j] = device.exp(x[base + j] - top) / total
        cuda.syncthreads()  # partial[0] is read before the next row overwrites it


def _softmax(name: str, logits: Any, axis: int, log_out: bool) -> Any:
    if logits.dtype != np.float32 or logits.ndim == 0:
        key = "dim" if name == "Softmax" else "axis"
        return lift.on_host(name, logits, **{key: axis})
    last = logits.ndim - 1
    perm = list(range(logits.ndim))
    perm[axis], perm[last] = last, axis  # swap the axis with the last one (its own inverse)
    x = permute(logits, perm) if axis != last else logits
    out = device.empty(x.shape, np.float32)
    n = int(x.shape[last])
    if out.size:
        rows = int(out.size) // n
        _softmax_rows[min(rows, device.MAX_BLOCKS), device.reduce_threads(n)](
            device.flat(x), n, log_out, device.flat(out))
    return permute(out, perm) if axis != last else out


@register_kernel("Softmax", "cuda")
def softmax(logits: Any, *, dim: int) -> Any:
    return _softmax("Softmax", logits, dim, False)


@register_kernel("LogSoftmax", "cuda")
def log_softmax(logits: Any, *, axis: int) -> Any:
    return _softmax("LogSoftmax", logits, axis, True)


_TUPLE = "UniTuple(int64, 2)"


@device.kernel("FusedBatchNorm", "void(" + "float32[::1], " * 6 + f"{_TUPLE}, " * 6 + "float32)")
def _batch_norm(x, mean, variance, offset, scale, out, shape, sx, sm, sv, so, ss,
                eps):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        inv_std = ONE / device.sqrt(variance[source(i, shape, sv)] + eps)
        centered = x[source(i, shape, sx)] - mean[source(i, shape, sm)]
        out[i] = centered * (inv_std * scale[source(i, shape, ss)]) + offset[source(i, shape, so)]


@register_kernel("FusedBatchNorm", "cuda")
def fused_batch_norm(x: Any, mean: Any, variance: Any, offset: Any, scale: Any, *,
                     variance_epsilon: float) -> Any:
    arrays = (x, mean, variance, offset, scale)
    if not lift.dtypes_in(arrays, ("float32",)):
        return lift.on_host("FusedBatchNorm", *arrays, variance_epsilon=variance_epsilon)
    shapes = [tuple(a.shape) for a in arrays]
    out = device.empty(np.broadcast_shapes(*shapes), np.float32)
    walk, strides = lift.broadcast_plan(tuple(out.shape), *shapes)
    device.launch(_batch_norm, int(out.size), *(device.flat(a) for a in (*arrays, out)), walk,
                  *strides, np.float32(variance_epsilon))
    return out
