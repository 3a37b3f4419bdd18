"""Sum and Mean for the ``cpu`` backend, as parallel Numba loops.

A reduction over leading or trailing axes is a reduction of a 2-D view [rows, cols] of the
C-contiguous input, along one of its axes:

- leading axes (the bias gradient: [n, h, w, c] summed over n, h, w) reduce the rows. The rows
  are split into a fixed number of chunks; each thread sums its chunks into a row of partial
  sums, vectorized along the columns, and NumPy adds up the few partial rows. The chunk count
  does not depend on the number of threads, so results are the same on every machine.
- trailing axes (a sum over the last axis) reduce each row on its own, one row per iteration.

Only large float32 inputs take these paths; every other case (other dtypes, all axes or axes in
the middle, small inputs) runs the ``numpy`` reference kernel. Floating-point sums depend on
the order of addition, so results agree with NumPy to rounding, not bit for bit; the kernels
allow LLVM to reorder the additions (``fastmath`` reassoc) so that it can vectorize them.

Debugging: ``NUMBA_DISABLE_JIT=1`` runs the loops below as plain Python.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
from numba import njit, prange

from ...engine.registry import register_kernel
from ..numpy import reduction as reference

# Below this many input elements NumPy is as fast (measured): a parallel dispatch costs 33-65 us,
# and NumPy's own loops run at memory speed except along short rows.
MIN_SIZE = 131_072
CHUNKS = 16  # row chunks of a leading-axes reduction: enough to keep every thread busy

_ZERO = np.float32(0.0)
_REDUCE_MATH = {"reassoc", "contract"}  # never fastmath=True: it would break NaN and inf


@njit(parallel=True, cache=True, fastmath=_REDUCE_MATH)
def _sum_rows(x, partial):  # pragma: no cover
    """partial[t] = the sum of chunk t of the rows of x [rows, cols]."""
    rows, cols = x.shape
    chunks = partial.shape[0]
    for t in prange(chunks):
        for c in range(cols):
            partial[t, c] = 0
        for r in range(t * rows // chunks, (t + 1) * rows // chunks):
            for c in range(cols):
                partial[t, c] += x[r, c]


@njit(parallel=True, cache=True, fastmath=_REDUCE_MATH)
def _sum_cols(x, out):  # pragma: no cover
    """out[r] = the sum of row r of x [rows, cols]."""
    rows, cols = x.shape
    for r in prange(rows):
        total = _ZERO
        for c in range(cols):
            total += x[r, c]
        out[r] = total


def _as_rows_and_cols(shape: Sequence[int], axes: Sequence[int]) -> tuple[int, int, bool] | None:
    """(rows, cols, leading) when ``axes`` are the leading (or trailing) axes of ``shape`` and
    some axis is kept; None otherwise."""
    k, rank = len(set(axes)), len(shape)
    if k == 0 or k == rank:
        return None
    if set(axes) == set(range(k)):
        return math.prod(shape[:k]), math.prod(shape[k:]), True
    if set(axes) == set(range(rank - k, rank)):
        return math.prod(shape[:rank - k]), math.prod(shape[rank - k:]), False
    return None


def _sum(x: np.ndarray, axes: Sequence[int], keep_dims: bool, mean: bool,
         fallback: Callable[..., np.ndarray]) -> np.ndarray:
    split = _as_rows_and_cols(x.shape, axes)
    if (split is None or x.size < MIN_SIZE or x.dtype != np.float32
            or not x.flags.c_contiguous or not x.flags.writeable):
        return fallback(x, axes=axes, keep_dims=keep_dims)
    rows, cols, leading = split
    if leading:
        partial = np.empty((min(rows, CHUNKS), cols), dtype=np.float32)
        _sum_rows(x.reshape(rows, cols), partial)
        total, count = partial.sum(axis=0), rows
    else:
        total, count = np.empty(rows, dtype=np.float32), cols
        _sum_cols(x.reshape(rows, cols), total)
    if mean:
        total /= np.float32(count)
    shape = [1 if a in axes else d for a, d in enumerate(x.shape) if keep_dims or a not in axes]
    return total.reshape(shape)


@register_kernel("Sum", "cpu")
def sum_(x: np.ndarray, *, axes: tuple[int, ...], keep_dims: bool) -> np.ndarray:
    return _sum(x, axes, keep_dims, False, reference.sum_)


@register_kernel("Mean", "cpu")
def mean(x: np.ndarray, *, axes: tuple[int, ...], keep_dims: bool) -> np.ndarray:
    return _sum(x, axes, keep_dims, True, reference.mean)
