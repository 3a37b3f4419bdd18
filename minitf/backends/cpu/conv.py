"""Convolution kernels for the ``cpu`` backend: im2col and col2im in Numba, the products in BLAS.

im2col writes every filter window of the (implicitly padded) input into one row of a
preallocated NumPy workspace [n * out_h * out_w, kh * kw * c]; the convolution and its filter
gradient are then one matmul each (NumPy/BLAS). col2im adds the rows of the input gradient's
columns back onto the image, one batch element per thread (no write races).

Same signatures and attributes as ``minitf/backends/numpy/conv.py``: NHWC images, HWIO filters,
``pad`` TF's explicit ``((0, 0), (top, bottom), (left, right), (0, 0))``.

Debugging: ``NUMBA_DISABLE_JIT=1 python -m pytest tests/backends/test_cpu_kernels.py`` runs the
loops below as plain Python, so breakpoints and prints work in them.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numba import njit, prange

from ...engine.registry import register_kernel

Pairs = Sequence[Sequence[int]]


@njit(parallel=True, cache=True)
def im2col(x, cols, kh, kw, sh, sw, dh, dw, top, left, out_h, out_w):  # pragma: no cover
    """cols[(b*out_h + p)*out_w + q, (i*kw + j)*c + k] = padded x[b, p*sh + i*dh, q*sw + j*dw, k]
    (zero in the padding)."""
    n, height, width, c = x.shape
    for bp in prange(n * out_h):
        b = bp // out_h
        p = bp % out_h
        for q in range(out_w):
            row = bp * out_w + q
            for i in range(kh):
                r = p * sh + i * dh - top
                for j in range(kw):
                    s = q * sw + j * dw - left
                    base = (i * kw + j) * c
                    if r < 0 or r >= height or s < 0 or s >= width:
                        for k in range(c):
                            cols[row, base + k] = 0
                    else:
                        for k in range(c):
                            cols[row, base + k] = x[b, r, s, k]


@njit(parallel=True, cache=True)
def col2im(cols, dx, kh, kw, sh, sw, dh, dw, top, left, out_h, out_w):  # pragma: no cover
    """The adjoint of im2col: add each row of cols back onto dx (zeroed by the caller)."""
    n, height, width, c = dx.shape
    for b in prange(n):
        for p in range(out_h):
            for q in range(out_w):
                row = (b * out_h + p) * out_w + q
                for i in range(kh):
                    r = p * sh + i * dh - top
                    if r < 0 or r >= height:
                        continue
                    for j in range(kw):
                        s = q * sw + j * dw - left
                        if s < 0 or s >= width:
                            continue
                        base = (i * kw + j) * c
                        for k in range(c):
                            dx[b, r, s, k] += cols[row, base + k]


def _out_hw(in_hw: Sequence[int], filter_hw: Sequence[int], strides: Sequence[int], pad: Pairs,
            dilations: Sequence[int]) -> tuple[int, int]:
    return tuple(  # type: ignore[return-value]
        (in_hw[a] + pad[a + 1][0] + pad[a + 1][1] - ((filter_hw[a] - 1) * dilations[a] + 1))
        // strides[a] + 1 for a in (0, 1))


def columns(x: np.ndarray, filter_hw: Sequence[int], strides: Sequence[int], pad: Pairs,
            dilations: Sequence[int]) -> tuple[np.ndarray, int, int]:
    """im2col of x into a fresh workspace: ([n*out_h*out_w, kh*kw*c], out_h, out_w)."""
    x = np.ascontiguousarray(x)
    n, _, _, c = x.shape
    kh, kw = filter_hw
    out_h, out_w = _out_hw(x.shape[1:3], filter_hw, strides, pad, dilations)
    cols = np.empty((n * out_h * out_w, kh * kw * c), dtype=x.dtype)
    im2col(x, cols, kh, kw, strides[0], strides[1], dilations[0], dilations[1], pad[1][0],
           pad[2][0], out_h, out_w)
    return cols, out_h, out_w


def add_columns(cols: np.ndarray, x_shape: Sequence[int], filter_hw: Sequence[int],
                strides: Sequence[int], pad: Pairs, dilations: Sequence[int],
                out_hw: Sequence[int]) -> np.ndarray:
    """col2im: the image gradient [n, h, w, c] from columns [n*out_h*out_w, kh*kw*c]."""
    dx = np.zeros(tuple(x_shape), dtype=cols.dtype)
    col2im(np.ascontiguousarray(cols), dx, filter_hw[0], filter_hw[1], strides[0], strides[1],
           dilations[0], dilations[1], pad[1][0], pad[2][0], out_hw[0], out_hw[1])
    return dx


@register_kernel("Conv2D", "cpu")
def conv2d(x: np.ndarray, filter: np.ndarray, *, strides: Sequence[int], pad: Pairs,
           dilations: Sequence[int]) -> np.ndarray:
    kh, kw, c, out = filter.shape
    dtype = np.result_type(x, filter)
    cols, out_h, out_w = columns(x.astype(dtype, copy=False), (kh, kw), strides, pad, dilations)
    y = cols @ filter.astype(dtype, copy=False).reshape(kh * kw * c, out)
    return y.reshape(x.shape[0], out_h, out_w, out)


@register_kernel("Conv2DBackpropInput", "cpu")
def conv2d_backprop_input(dy: np.ndarray, filter: np.ndarray, *, input_shape: Sequence[int],
                          strides: Sequence[int], pad: Pairs,
                          dilations: Sequence[int]) -> np.ndarray:
    kh, kw, c, out = filter.shape
    n, out_h, out_w, _ = dy.shape
    dtype = np.result_type(dy, filter)
    cols = (dy.astype(dtype, copy=False).reshape(-1, out)
            @ filter.astype(dtype, copy=False).reshape(kh * kw * c, out).T)
    return add_columns(cols, input_shape, (kh, kw), strides, pad, dilations, (out_h, out_w))


@register_kernel("Conv2DBackpropFilter", "cpu")
def conv2d_backprop_filter(x: np.ndarray, dy: np.ndarray, *, filter_shape: Sequence[int],
                           strides: Sequence[int], pad: Pairs,
                           dilations: Sequence[int]) -> np.ndarray:
    kh, kw, c, out = filter_shape
    dtype = np.result_type(x, dy)
    cols, _, _ = columns(x.astype(dtype, copy=False), (kh, kw), strides, pad, dilations)
    return (cols.T @ dy.astype(dtype, copy=False).reshape(-1, out)).reshape(kh, kw, c, out)
