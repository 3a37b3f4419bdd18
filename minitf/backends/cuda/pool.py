"""Pooling for the ``cuda`` backend: MaxPool, MaxPoolGrad, AvgPool and AvgPoolGrad.

The forward kernels have one thread per output element, which scans its window. The gradients
have one thread per *input* element, which visits every window that covers it and adds what
that window sends back; no two threads write the same element, so there are no atomics. Rules
as in ``minitf/backends/numpy/pool.py``: padded cells count as -inf for max pooling (never
stored), average pooling divides by a window's number of real cells, and a max window's
gradient goes to the first cell, in row-major order, holding its maximum (TF's tie rule). The
gradient recomputes each covering window's maximum instead of storing an argmax: for the usual
2x2 windows that is four reads. Dtypes other than float32 run the numpy kernels.

Debugging: ``NUMBA_ENABLE_CUDASIM=1`` runs the kernels as plain Python.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...engine.registry import register_kernel
from . import device, lift
from .conv import geometry
from .device import INF, cuda, device_function, float32

Pairs = Sequence[Sequence[int]]
GEOMETRY = "UniTuple(int64, 13)"  # conv.geometry's tuple, dilations 1
SIG = f"void(float32[::1], float32[::1], {GEOMETRY})"
GRAD_SIG = f"void(float32[::1], float32[::1], float32[::1], {GEOMETRY}, boolean)"


@device_function
def cell(x, b, y, xx, ch, h, w, c):  # pragma: no cover  (device code)
    """x[b, y, xx, ch], or -inf in the padding."""
    if 0 <= y < h and 0 <= xx < w:
        return x[((b * h + y) * w + xx) * c + ch]
    return -INF


@device_function
def window_max(x, b, p, q, ch, geo):  # pragma: no cover  (device code)
    """(max, first cell holding it as i * kw + j) of window (p, q); a NaN is the max."""
    h, w, c, out_h, out_w, kh, kw, sh, sw, dh, dw, top, left = geo
    best, first = -INF, 0
    for i in range(kh):
        for j in range(kw):
            v = cell(x, b, p * sh + i - top, q * sw + j - left, ch, h, w, c)
            if best != best:
                continue  # a NaN stays the maximum
            if v > best or v != v:
                best, first = v, i * kw + j
    return best, first


@device_function
def real_cells(p, q, geo):  # pragma: no cover  (device code)
    """How many cells of window (p, q) lie inside the image (not in the padding)."""
    h, w, c, out_h, out_w, kh, kw, sh, sw, dh, dw, top, left = geo
    rows = min(p * sh - top + kh, h) - max(p * sh - top, 0)
    cols = min(q * sw - left + kw, w) - max(q * sw - left, 0)
    return float32(rows * cols)


@device.kernel("MaxPool", SIG)
def _max_pool(x, out, geo):  # pragma: no cover  (device code)
    out_h, out_w, c = geo[3], geo[4], geo[2]
    for e in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        ch, q, p, b = e % c, (e // c) % out_w, (e // (c * out_w)) % out_h, e // (c * out_w * out_h)
        out[e] = window_max(x, b, p, q, ch, geo)[0]


@device.kernel("AvgPool", SIG)
def _avg_pool(x, out, geo):  # pragma: no cover  (device code)
    h, w, c, out_h, out_w, kh, kw, sh, sw, dh, dw, top, left = geo
    for e in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        ch, q, p, b = e % c, (e // c) % out_w, (e // (c * out_w)) % out_h, e // (c * out_w * out_h)
        total = float32(0)
        for i in range(kh):
            for j in range(kw):
                y, xx = p * sh + i - top, q * sw + j - left
                if 0 <= y < h and 0 <= xx < w:
                    total += x[((b * h + y) * w + xx) * c + ch]
        out[e] = total / real_cells(p, q, geo)


@device.kernel("MaxPoolGrad/AvgPoolGrad", GRAD_SIG)
def _pool_grad(dy, x, dx, geo, is_max):  # pragma: no cover  (device code)
    h, w, c, out_h, out_w, kh, kw, sh, sw, dh, dw, top, left = geo
    for e in range(cuda.grid(1), dx.size, cuda.gridsize(1)):
        ch, xx, y, b = e % c, (e // c) % w, (e // (c * w)) % h, e // (c * w * h)
        acc = float32(0)
        for i in range(kh):  # window row p holds image row y at its row i
            py = y + top - i
            if py < 0 or py % sh != 0 or py // sh >= out_h:
                continue
            p = py // sh
            for j in range(kw):
                qx = xx + left - j
                if qx < 0 or qx % sw != 0 or qx // sw >= out_w:
                    continue
                q = qx // sw
                g = dy[((b * out_h + p) * out_w + q) * c + ch]
                if not is_max:
                    acc += g / real_cells(p, q, geo)
                else:
                    best, first = window_max(x, b, p, q, ch, geo)
                    if first == i * kw + j and best == x[e]:
                        acc += g
        dx[e] = acc


def _geometry(x: Any, filter_size: Sequence[int], strides: Sequence[int], pad: Pairs) -> tuple:
    return geometry(x.shape, filter_size, strides, pad, (1, 1))


def _pool(name: str, kernel: Any, x: Any, filter_size: Sequence[int], strides: Sequence[int],
          pad: Pairs) -> Any:
    if x.dtype != np.float32:
        return lift.on_host(name, x, filter_size=filter_size, strides=strides, pad=pad)
    geo = _geometry(x, filter_size, strides, pad)
    out = device.empty((int(x.shape[0]), geo[3], geo[4], geo[2]), np.float32)
    device.launch(kernel, int(out.size), device.flat(x), device.flat(out), geo)
    return out


def _pool_grad_of(name: str, is_max: bool, dy: Any, x: Any, filter_size: Sequence[int],
                  strides: Sequence[int], pad: Pairs) -> Any:
    if dy.dtype != np.float32 or x.dtype != np.float32:
        return lift.on_host(name, dy, x, filter_size=filter_size, strides=strides, pad=pad)
    dx = device.empty(tuple(x.shape), np.float32)
    device.launch(_pool_grad, int(dx.size), device.flat(dy), device.flat(x), device.flat(dx),
                  _geometry(x, filter_size, strides, pad), is_max)
    return dx


@register_kernel("MaxPool", "cuda")
def max_pool(x: Any, *, filter_size: Sequence[int], strides: Sequence[int], pad: Pairs) -> Any:
    return _pool("MaxPool", _max_pool, x, filter_size, strides, pad)


@register_kernel("AvgPool", "cuda")
def avg_pool(x: Any, *, filter_size: Sequence[int], strides: Sequence[int], pad: Pairs) -> Any:
    return _pool("AvgPool", _avg_pool, x, filter_size, strides, pad)


@register_kernel("MaxPoolGrad", "cuda")
def max_pool_grad(dy: Any, x: Any, *, filter_size: Sequence[int], strides: Sequence[int],
                  pad: Pairs) -> Any:
    return _pool_grad_of("MaxPoolGrad", True, dy, x, filter_size, strides, pad)


@register_kernel("AvgPoolGrad", "cuda")
def avg_pool_grad(dy: Any, x: Any, *, filter_size: Sequence[int], strides: Sequence[int],
                  pad: Pairs) -> Any:
    return _pool_grad_of("AvgPoolGrad", False, dy, x, filter_size, strides, pad)
