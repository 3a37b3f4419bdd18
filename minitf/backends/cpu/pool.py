"""Max pooling kernels for the ``cpu`` backend, in Numba, one batch element per thread.

Same signatures, attributes and rules as ``minitf/backends/numpy/pool.py``: padded cells count
as -inf (a window of padding only gives -inf), a NaN in a window gives NaN, and the gradient of
each window goes to the first cell, in row-major window order, that holds its maximum (TF's tie
rule); a padded cell that wins drops its gradient. Average pooling falls back to ``numpy``.

Debugging: ``NUMBA_DISABLE_JIT=1`` runs the loops below as plain Python.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numba import njit, prange

from ...engine.registry import register_kernel
from .conv import Pairs, _out_hw

_NO_DILATION = (1, 1)


@njit(parallel=True, cache=True)
def _max_pool(x, y, kh, kw, sh, sw, top, left):  # pragma: no cover
    n, height, width, c = x.shape
    _, out_h, out_w, _ = y.shape
    for b in prange(n):
        for p in range(out_h):
            for q in range(out_w):
                for k in range(c):
                    m = -np.inf
                    for i in range(kh):
                        r = p * sh + i - top
                        if r < 0 or r >= height:
                            continue
                        for j in range(kw):
                            s = q * sw + j - left
                            if s < 0 or s >= width:
                                continue
                            v = x[b, r, s, k]
                            if v > m or v != v:
                                m = v
                                if v != v:
                                    break
                        if m != m:
                            break
                    y[b, p, q, k] = m


@njit(parallel=True, cache=True)
def _max_pool_grad(dy, x, dx, kh, kw, sh, sw, top, left):  # pragma: no cover
    n, height, width, c = x.shape
    _, out_h, out_w, _ = dy.shape
    for b in prange(n):
        for p in range(out_h):
            for q in range(out_w):
                for k in range(c):
                    # The window's max (padding is -inf), then its first cell equal to it.
                    m = -np.inf
                    nan = False
                    for i in range(kh):
                        r = p * sh + i - top
                        if r < 0 or r >= height:
                            continue
                        for j in range(kw):
                            s = q * sw + j - left
                            if s < 0 or s >= width:
                                continue
                            v = x[b, r, s, k]
                            if v != v:
                                nan = True
                            elif v > m:
                                m = v
                    if nan:
                        continue  # NaN == NaN is false: no cell takes the gradient
                    done = False
                    for i in range(kh):
                        r = p * sh + i - top
                        for j in range(kw):
                            s = q * sw + j - left
                            inside = r >= 0 and r < height and s >= 0 and s < width
                            v = x[b, r, s, k] if inside else -np.inf
                            if v == m:
                                if inside:
                                    dx[b, r, s, k] += dy[b, p, q, k]
                                done = True
                                break
                        if done:
                            break


@register_kernel("MaxPool", "cpu")
def max_pool(x: np.ndarray, *, filter_size: Sequence[int], strides: Sequence[int],
             pad: Pairs) -> np.ndarray:
    x = np.ascontiguousarray(x)
    out_h, out_w = _out_hw(x.shape[1:3], filter_size, strides, pad, _NO_DILATION)
    y = np.empty((x.shape[0], out_h, out_w, x.shape[3]), dtype=x.dtype)
    _max_pool(x, y, filter_size[0], filter_size[1], strides[0], strides[1], pad[1][0], pad[2][0])
    return y


@register_kernel("MaxPoolGrad", "cpu")
def max_pool_grad(dy: np.ndarray, x: np.ndarray, *, filter_size: Sequence[int],
                  strides: Sequence[int], pad: Pairs) -> np.ndarray:
    dy, x = np.ascontiguousarray(dy), np.ascontiguousarray(x)
    dx = np.zeros(x.shape, dtype=dy.dtype)
    _max_pool_grad(dy, x, dx, filter_size[0], filter_size[1], strides[0], strides[1], pad[1][0],
                   pad[2][0])
    return dx
