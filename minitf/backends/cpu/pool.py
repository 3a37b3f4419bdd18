"""Pooling kernels for the ``cpu`` backend: MaxPool, MaxPoolGrad, AvgPool and AvgPoolGrad in
Numba.

Same signatures, attributes and rules as ``minitf/backends/numpy/pool.py``:

- max pooling: padded cells count as -inf (a window of padding only gives -inf) and a NaN in a
  window gives NaN. Each window's gradient goes to the first cell, in row-major window order,
  that holds its maximum (TF's tie rule); a padded cell that wins drops the gradient, and a
  window holding a NaN passes none (NaN equals no cell).
- average pooling divides each window by its number of real (unpadded) cells.

Each window is scanned once, also for MaxPoolGrad, which keeps per channel the running maximum
and the cell holding it. Channels are the innermost loop (NHWC), so the loops vectorize along
them. The 2x2 window (the Keras and TF.js default) has a straight-line body of its own: its four
cells stay in registers, where the general loop keeps its running values in memory, and that
makes it 5-8x faster (measured).

Parallel work is one task per (image, output row), so batch 1 still uses every thread. The
forward kernels write disjoint outputs. The gradients add into dx, and neighbouring output rows
read overlapping input rows when the stride is smaller than the window; output rows
``period = ceil(kh / sh)`` apart never do, so a gradient runs in ``period`` rounds, each over
every ``period``-th output row (one round for the usual 2x2 window with stride 2).

Large float32 inputs take these kernels; others (other dtypes, small inputs) run the ``numpy``
reference kernels.

Debugging: ``NUMBA_DISABLE_JIT=1`` runs the loops below as plain Python.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numba import njit, prange

from ...engine.registry import register_kernel
from ..numpy import pool as reference
from .conv import Pairs, _out_hw

# Below this many input elements, Numba's parallel dispatch (33-65 us) costs more than NumPy.
MIN_SIZE = 32_768

_NEG_INF = np.float32(-np.inf)  # float32 constants: the kernels are compiled for float32 only
_ZERO = np.float32(0.0)


@njit
def _larger(m, v):  # pragma: no cover
    """The running maximum m after seeing v: NaN wins, and then stays (nothing beats NaN)."""
    return v if (v > m) | (v != v) else m


@njit(cache=True, nogil=True)
def _max_pool_row(x, y, b, p, kh, kw, sh, sw, top, left):  # pragma: no cover
    """Output row p of image b of the max pooling of x into y."""
    _, height, width, c = x.shape
    out_w = y.shape[2]
    r = p * sh - top
    for q in range(out_w):
        s = q * sw - left
        if kh == 2 and kw == 2 and r >= 0 and r + 2 <= height and s >= 0 and s + 2 <= width:
            # The common 2x2 window, inside the image: its four cells stay in registers and
            # the loop over channels vectorizes (5x faster than the general loop below).
            for k in range(c):
                v0, v1 = x[b, r, s, k], x[b, r, s + 1, k]
                v2, v3 = x[b, r + 1, s, k], x[b, r + 1, s + 1, k]
                y[b, p, q, k] = _larger(_larger(_larger(v0, v1), v2), v3)
            continue
        for k in range(c):
            y[b, p, q, k] = _NEG_INF
        for i in range(max(-r, 0), min(kh, height - r)):
            for j in range(max(-s, 0), min(kw, width - s)):
                for k in range(c):
                    y[b, p, q, k] = _larger(y[b, p, q, k], x[b, r + i, s + j, k])


@njit(parallel=True, cache=True)
def _max_pool(x, y, kh, kw, sh, sw, top, left):  # pragma: no cover
    n, out_h = y.shape[0], y.shape[1]
    for t in prange(n * out_h):
        _max_pool_row(x, y, t // out_h, t % out_h, kh, kw, sh, sw, top, left)


@njit(cache=True, nogil=True)
def max_pool_images(x, y, kh, kw, sh, sw, top, left):  # pragma: no cover
    """``_max_pool`` in one thread, for a worker that pools its own chunk of images
    (``chain.py``); the arguments after the arrays are ``_window_args``'."""
    for b in range(y.shape[0]):
        for p in range(y.shape[1]):
            _max_pool_row(x, y, b, p, kh, kw, sh, sw, top, left)


@njit(parallel=True, cache=True)
def _max_pool_grad(dy, x, dx, kh, kw, sh, sw, top, left):  # pragma: no cover
    n, height, width, c = x.shape
    _, out_h, out_w, _ = dy.shape
    pixels = x.reshape(n, height * width, c)  # cells as one index: no division to find them
    dpixels = dx.reshape(n, height * width, c)
    no_overlap = kh == 2 and kw == 2 and sh >= 2 and sw >= 2
    period = (kh + sh - 1) // sh
    for first in range(period):
        rows = (out_h - first + period - 1) // period
        for t in prange(n * rows):
            b, p = t // rows, first + (t % rows) * period
            r = p * sh - top
            # Per channel: the window's running maximum and the pixel holding it (-1: padding).
            best = np.empty(c, dtype=np.float32)
            at = np.empty(c, dtype=np.int32)
            for q in range(out_w):
                s = q * sw - left
                if no_overlap and r >= 0 and r + 2 <= height and s >= 0 and s + 2 <= width:
                    # The common 2x2 window, inside the image and alone on its cells: find each
                    # channel's first maximum in registers, then write all four cells. (Short
                    # loops with few arrays each: LLVM vectorizes them; one loop doing it all
                    # was left scalar, 8x slower.)
                    for k in range(c):
                        v0, v1 = x[b, r, s, k], x[b, r, s + 1, k]
                        v2, v3 = x[b, r + 1, s, k], x[b, r + 1, s + 1, k]
                        m = _larger(_larger(_larger(v0, v1), v2), v3)
                        at[k] = 0 if v0 == m else 1 if v1 == m else 2 if v2 == m else (
                            3 if v3 == m else -1)  # -1: a NaN, which equals nothing
                    for cell in range(4):
                        i, j = cell // 2, cell % 2
                        for k in range(c):
                            dx[b, r + i, s + j, k] = dy[b, p, q, k] if at[k] == cell else _ZERO
                    continue
                for i in range(kh):
                    for j in range(kw):
                        start = i == 0 and j == 0
                        if r + i < 0 or r + i >= height or s + j < 0 or s + j >= width:
                            if start:  # padding (-inf) is the first cell; later ones never win
                                best[:] = _NEG_INF
                                at[:] = -1
                            continue
                        pixel = np.int32((r + i) * width + s + j)
                        for k in range(c):
                            v = pixels[b, pixel, k]
                            take = start | (v > best[k]) | (v != v)  # the first, larger, or NaN
                            best[k] = v if take else best[k]
                            at[k] = pixel if take else at[k]
                for k in range(c):
                    if best[k] == best[k] and at[k] >= 0:  # no NaN, and not a padded cell
                        dpixels[b, at[k], k] += dy[b, p, q, k]


@njit
def _span(start, size, limit):  # pragma: no cover
    """The cells [lo, hi) of a window [start, start + size) that lie inside [0, limit)."""
    lo, hi = max(start, 0), min(start + size, limit)
    return lo, max(hi, lo)


# error_model="numpy": a window of padding only gives 0 / 0 = NaN, as in NumPy.
@njit(parallel=True, cache=True, error_model="numpy")
def _avg_pool(x, y, kh, kw, sh, sw, top, left):  # pragma: no cover
    n, height, width, c = x.shape
    _, out_h, out_w, _ = y.shape
    for t in prange(n * out_h):
        b, p = t // out_h, t % out_h
        r_lo, r_hi = _span(p * sh - top, kh, height)
        for q in range(out_w):
            s_lo, s_hi = _span(q * sw - left, kw, width)
            for k in range(c):
                y[b, p, q, k] = 0
            for r in range(r_lo, r_hi):
                for s in range(s_lo, s_hi):
                    for k in range(c):
                        y[b, p, q, k] += x[b, r, s, k]
            count = np.float32((r_hi - r_lo) * (s_hi - s_lo))
            for k in range(c):
                y[b, p, q, k] /= count


@njit(parallel=True, cache=True)
def _avg_pool_grad(dy, dx, kh, kw, sh, sw, top, left):  # pragma: no cover
    n, height, width, c = dx.shape
    _, out_h, out_w, _ = dy.shape
    period = (kh + sh - 1) // sh
    for first in range(period):
        rows = (out_h - first + period - 1) // period
        for t in prange(n * rows):
            b, p = t // rows, first + (t % rows) * period
            r_lo, r_hi = _span(p * sh - top, kh, height)
            share = np.empty(c, dtype=np.float32)
            for q in range(out_w):
                s_lo, s_hi = _span(q * sw - left, kw, width)
                cells = (r_hi - r_lo) * (s_hi - s_lo)
                if cells == 0:
                    continue
                for k in range(c):
                    share[k] = dy[b, p, q, k] / np.float32(cells)
                for r in range(r_lo, r_hi):
                    for s in range(s_lo, s_hi):
                        for k in range(c):
                            dx[b, r, s, k] += share[k]


def _fast(x: np.ndarray, *others: np.ndarray) -> bool:
    """Whether the kernels above take these arrays: x large enough, and all float32 (the one
    specialization compiled)."""
    return x.size >= MIN_SIZE and all(a.dtype == np.float32 for a in (x, *others))


def _contiguous(a: np.ndarray) -> np.ndarray:
    """``a`` as a C-contiguous writable array (each other layout compiles a new
    specialization); a copy only when it is not one already."""
    return a if a.flags.c_contiguous and a.flags.writeable else np.array(a, order="C")


def _pooled_shape(x_shape: Sequence[int], filter_size: Sequence[int], strides: Sequence[int],
                  pad: Pairs) -> tuple[int, int, int, int]:
    out_h, out_w = _out_hw(x_shape[1:3], filter_size, strides, pad, (1, 1))
    return x_shape[0], out_h, out_w, x_shape[3]


def _window_args(filter_size: Sequence[int], strides: Sequence[int],
                 pad: Pairs) -> tuple[int, ...]:
    """kh, kw, sh, sw, top, left: the integers every kernel above takes after its arrays."""
    return filter_size[0], filter_size[1], strides[0], strides[1], pad[1][0], pad[2][0]


@register_kernel("MaxPool", "cpu")
def max_pool(x: np.ndarray, *, filter_size: Sequence[int], strides: Sequence[int],
             pad: Pairs) -> np.ndarray:
    if not _fast(x):
        return reference.max_pool(x, filter_size=filter_size, strides=strides, pad=pad)
    y = np.empty(_pooled_shape(x.shape, filter_size, strides, pad), dtype=x.dtype)
    _max_pool(_contiguous(x), y, *_window_args(filter_size, strides, pad))
    return y


@register_kernel("MaxPoolGrad", "cpu")
def max_pool_grad(dy: np.ndarray, x: np.ndarray, *, filter_size: Sequence[int],
                  strides: Sequence[int], pad: Pairs) -> np.ndarray:
    if not _fast(x, dy):
        return reference.max_pool_grad(dy, x, filter_size=filter_size, strides=strides, pad=pad)
    dx = np.zeros(x.shape, dtype=dy.dtype)
    _max_pool_grad(_contiguous(dy), _contiguous(x), dx, *_window_args(filter_size, strides, pad))
    return dx


@register_kernel("AvgPool", "cpu")
def avg_pool(x: np.ndarray, *, filter_size: Sequence[int], strides: Sequence[int],
             pad: Pairs) -> np.ndarray:
    if not _fast(x):
        return reference.avg_pool(x, filter_size=filter_size, strides=strides, pad=pad)
    y = np.empty(_pooled_shape(x.shape, filter_size, strides, pad), dtype=x.dtype)
    _avg_pool(_contiguous(x), y, *_window_args(filter_size, strides, pad))
    return y


@register_kernel("AvgPoolGrad", "cpu")
def avg_pool_grad(dy: np.ndarray, x: np.ndarray, *, filter_size: Sequence[int],
                  strides: Sequence[int], pad: Pairs) -> np.ndarray:
    if not _fast(x, dy):
        return reference.avg_pool_grad(dy, x, filter_size=filter_size, strides=strides, pad=pad)
    dx = np.zeros(x.shape, dtype=dy.dtype)
    _avg_pool_grad(_contiguous(dy), dx, *_window_args(filter_size, strides, pad))
    return dx
