"""Convolutions for the ``cuda`` backend, by im2col and the tiled matrix product of linalg.py.

im2col copies every filter window of the (virtually) padded input into one row of a matrix
``cols`` [n * out_h * out_w, kh * kw * c], so that

- Conv2D is ``cols @ W`` with the filter as a [kh * kw * c, out] matrix,
- Conv2DBackpropFilter is ``cols^T @ dy`` (dW), and
- Conv2DBackpropInput is ``dy @ W^T`` (d cols), added back onto the image by col2im.

The im2col kernel has one thread per element of cols; padding is never stored, a read outside
the image gives 0. col2im has one thread per input pixel and channel, which adds up the
entries of every window covering it: nothing is written twice, so no atomics are needed and the
result does not depend on thread order. FusedConv2D adds the bias and applies the activation in
one pass over the product; FusedConv2DGrad applies the activation's derivative in one pass, then
gives the filter, bias and (when asked) image gradients. Images are NHWC, filters HWIO, ``pad``
TF's explicit pairs, as in ``minitf/backends/numpy/conv.py``; dtypes other than float32 run
the numpy kernels.

Debugging: ``NUMBA_ENABLE_CUDASIM=1`` runs the kernels as plain Python.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...engine.registry import register_kernel
from . import device, elementwise, lift, reduction
from .device import cuda, device_function, float32
from .elementwise import ONE, SIX, ZERO
from .linalg import matmul

Pairs = Sequence[Sequence[int]]
GEOMETRY = "UniTuple(int64, 13)"  # (h, w, c, out_h, out_w, kh, kw, sh, sw, dh, dw, top, left)


def geometry(x_shape: Sequence[int], filter_hw: Sequence[int], strides: Sequence[int],
             pad: Pairs, dilations: Sequence[int]) -> tuple[int, ...]:
    """The 13 numbers im2col and col2im need, as a tuple of ints."""
    _, h, w, c = x_shape
    (kh, kw), (sh, sw), (dh, dw) = filter_hw, strides, dilations
    (_, (top, bottom), (left, right), _) = pad
    out_h = (h + top + bottom - (kh - 1) * dh - 1) // sh + 1
    out_w = (w + left + right - (kw - 1) * dw - 1) // sw + 1
    return tuple(int(v) for v in (h, w, c, out_h, out_w, kh, kw, sh, sw, dh, dw, top, left))


@device.kernel("im2col", f"void(float32[::1], float32[::1], {GEOMETRY})")
def _im2col(x, cols, geo):  # pragma: no cover  (device code)
    h, w, c, out_h, out_w, kh, kw, sh, sw, dh, dw, top, left = geo
    width = kh * kw * c  # one row of cols: the window's (i, j, channel) in that order
    for e in range(cuda.grid(1), cols.size, cuda.gridsize(1)):
        row, col = e // width, e % width
        ch, j, i = col % c, (col // c) % kw, col // (c * kw)
        q, p, b = row % out_w, (row // out_w) % out_h, row // (out_w * out_h)
        y, xx = p * sh + i * dh - top, q * sw + j * dw - left
        if 0 <= y < h and 0 <= xx < w:
            cols[e] = x[((b * h + y) * w + xx) * c + ch]
        else:
            cols[e] = 0  # padding


@device.kernel("col2im", f"void(float32[::1], float32[::1], {GEOMETRY})")
def _col2im(cols, dx, geo):  # pragma: no cover  (device code)
    h, w, c, out_h, out_w, kh, kw, sh, sw, dh, dw, top, left = geo
    width = kh * kw * c
    for e in range(cuda.grid(1), dx.size, cuda.gridsize(1)):
        ch, xx, y, b = e % c, (e // c) % w, (e // (c * w)) % h, e // (c * w * h)
        acc = float32(0)
        for i in range(kh):  # window row p reads image row y at filter row i
            py = y + top - i * dh
            if py < 0 or py % sh != 0 or py // sh >= out_h:
                continue
            for j in range(kw):
                qx = xx + left - j * dw
                if qx < 0 or qx % sw != 0 or qx // sw >= out_w:
                    continue
                row = (b * out_h + py // sh) * out_w + qx // sw
                acc += cols[row * width + (i * kw + j) * c + ch]
        dx[e] = acc


def im2col(x: Any, geo: tuple[int, ...]) -> Any:
    h, w, c, out_h, out_w, kh, kw = geo[:7]
    cols = device.empty((int(x.shape[0]) * out_h * out_w, kh * kw * c), np.float32)
    device.launch(_im2col, cols.size, device.flat(x), device.flat(cols), geo)
    return cols


@register_kernel("Conv2D", "cuda")
def conv2d(x: Any, filter: Any, *, strides: Sequence[int], pad: Pairs,
           dilations: Sequence[int]) -> Any:
    if x.dtype != np.float32 or filter.dtype != np.float32:
        return lift.on_host("Conv2D", x, filter, strides=strides, pad=pad, dilations=dilations)
    kh, kw, c, out = filter.shape
    geo = geometry(x.shape, (kh, kw), strides, pad, dilations)
    cols = im2col(x, geo)
    y = matmul(cols, filter, cols.shape[0], out, kh * kw * c)
    return y.reshape((int(x.shape[0]), geo[3], geo[4], out))


# activation codes of FusedConv2D's epilogue
ACTIVATIONS = {"linear": 0, "relu": 1, "relu6": 2, "elu": 3, "sigmoid": 4}


@device_function
def activate(code, v):  # pragma: no cover  (device code)
    if code == 1:
        return elementwise.relu(v, v, v)
    if code == 2:
        return elementwise.relu6(v, v, v)
    if code == 3:
        return elementwise.elu(v, v, v)
    if code == 4:
        return elementwise.sigmoid(v, v, v)
    return v


@device.kernel("FusedConv2D", "void(float32[::1], float32[::1], int64, float32[::1])")
def _bias_activation(y, bias, code, out):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[i] = activate(code, y[i] + bias[i % bias.size])


@register_kernel("FusedConv2D", "cuda")
def fused_conv2d(x: Any, filter: Any, bias: Any, *, strides: Sequence[int], pad: Pairs,
                 dilations: Sequence[int], activation: str) -> Any:
    if not lift.dtypes_in((x, filter, bias), ("float32",)) or bias.size != filter.shape[3]:
        return lift.on_host("FusedConv2D", x, filter, bias, strides=strides, pad=pad,
                            dilations=dilations, activation=activation)
    y = conv2d(x, filter, strides=strides, pad=pad, dilations=dilations)
    device.launch(_bias_activation, int(y.size), device.flat(y), device.flat(bias),
                  ACTIVATIONS[activation], device.flat(y))  # in place: y is ours
    return y


@device_function
def activation_grad(code, dy, y):  # pragma: no cover  (device code)
    """dy times the activation's derivative, from its output y (ops/fused.py's formulas)."""
    if code == 1:
        return dy * (ONE if y > ZERO else ZERO)
    if code == 2:
        return dy * (ONE if ZERO < y < SIX else ZERO)
    if code == 3:
        return dy if y > ZERO else dy * (y + ONE)
    if code == 4:
        return dy * (y * (ONE - y))
    return dy


@device.kernel("FusedConv2DGrad", "void(float32[::1], float32[::1], int64, float32[::1])")
def _activation_grad(dy, y, code, dz):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), dz.size, cuda.gridsize(1)):
        dz[i] = activation_grad(code, dy[i], y[i])


@register_kernel("FusedConv2DGrad", "cuda")
def fused_conv2d_grad(x: Any, filter: Any, dy: Any, y: Any, *, strides: Sequence[int],
                      pad: Pairs, dilations: Sequence[int], activation: str,
                      input_grad: bool) -> tuple:
    """(dx, dfilter, dbias) of FusedConv2D, or (dfilter, dbias) without ``input_grad``."""
    conv = {"strides": strides, "pad": pad, "dilations": dilations}
    if not lift.dtypes_in((x, filter, dy, y), ("float32",)):
        return lift.on_host("FusedConv2DGrad", x, filter, dy, y, activation=activation,
                            input_grad=input_grad, **conv)
    dz = device.empty(tuple(dy.shape), np.float32)
    device.launch(_activation_grad, int(dz.size), device.flat(dy), device.flat(y),
                  ACTIVATIONS[activation], device.flat(dz))
    dfilter = conv2d_backprop_filter(x, dz, filter_shape=tuple(filter.shape), **conv)
    dbias = reduction.reduce(dz, "Sum", (0, 1, 2))
    if not input_grad:
        return dfilter, dbias
    dx = conv2d_backprop_input(dz, filter, input_shape=tuple(x.shape), **conv)
    return dx, dfilter, dbias


@register_kernel("Conv2DBackpropInput", "cuda")
def conv2d_backprop_input(dy: Any, filter: Any, *, input_shape: Sequence[int],
                          strides: Sequence[int], pad: Pairs,
                          dilations: Sequence[int]) -> Any:
    if dy.dtype != np.float32 or filter.dtype != np.float32:
        return lift.on_host("Conv2DBackpropInput", dy, filter, input_shape=input_shape,
                            strides=strides, pad=pad, dilations=dilations)
    kh, kw, c, out = filter.shape
    geo = geometry(input_shape, (kh, kw), strides, pad, dilations)
    rows = int(dy.size) // max(out, 1)
    dcols = matmul(dy, filter, rows, kh * kw * c, out, transpose_b=True)  # dy @ W^T
    dx = device.empty(tuple(input_shape), np.float32)
    device.launch(_col2im, int(dx.size), device.flat(dcols), device.flat(dx), geo)
    return dx


@register_kernel("Conv2DBackpropFilter", "cuda")
def conv2d_backprop_filter(x: Any, dy: Any, *, filter_shape: Sequence[int],
                           strides: Sequence[int], pad: Pairs,
                           dilations: Sequence[int]) -> Any:
    if x.dtype != np.float32 or dy.dtype != np.float32:
        return lift.on_host("Conv2DBackpropFilter", x, dy, filter_shape=filter_shape,
                            strides=strides, pad=pad, dilations=dilations)
    kh, kw, c, out = filter_shape
    geo = geometry(x.shape, (kh, kw), strides, pad, dilations)
    cols = im2col(x, geo)
    dw = matmul(cols, dy, kh * kw * c, out, cols.shape[0], transpose_a=True)  # cols^T @ dy
    return dw.reshape(tuple(filter_shape))
