"""Convolution kernels on NumPy arrays, by im2col: every filter window of the padded input
becomes one row of a matrix ("columns"), so a convolution is one matmul, and its two backprops
are the other two products of the same three matrices. Scattering columns back onto the image
(col2im) loops over the kh * kw filter offsets only; each step adds one strided slice.

Images are NHWC, filters HWIO [kh, kw, in, out]; ``pad`` is always TF's explicit form
``((0, 0), (top, bottom), (left, right), (0, 0))``, resolved by ops/conv.py.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...engine.registry import register_kernel

Pairs = Sequence[Sequence[int]]


def windows(x: np.ndarray, filter_hw: Sequence[int], strides: Sequence[int], pad: Pairs,
            dilations: Sequence[int], fill: float = 0.0) -> np.ndarray:
    """A view [n, out_h, out_w, kh, kw, c] of the windows of x padded with ``fill``.

    Element [b, p, q, i, j, c] is padded x[b, p * stride_h + i * dilation_h,
    q * stride_w + j * dilation_w, c].
    """
    (kh, kw), (sh, sw), (dh, dw) = filter_hw, strides, dilations
    xp = np.pad(x, pad, constant_values=fill)
    spans = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    win = sliding_window_view(xp, spans, axis=(1, 2))  # [n, h', w', c, span_h, span_w]
    return win[:, ::sh, ::sw, :, ::dh, ::dw].transpose(0, 1, 2, 4, 5, 3)


def add_windows(cols: np.ndarray, x_shape: Sequence[int], strides: Sequence[int], pad: Pairs,
                dilations: Sequence[int]) -> np.ndarray:
    """col2im, the adjoint of :func:`windows`: add each window [n, out_h, out_w, kh, kw, c]
    back where it was read from, and drop the padding."""
    n, out_h, out_w, kh, kw, c = cols.shape
    (sh, sw), (dh, dw) = strides, dilations
    (_, (top, bottom), (left, right), _) = pad
    height, width = x_shape[1], x_shape[2]
    dxp = np.zeros((n, height + top + bottom, width + left + right, c), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + (out_h - 1) * sh + 1, sh)
            columns = slice(j * dw, j * dw + (out_w - 1) * sw + 1, sw)
            dxp[:, rows, columns, :] += cols[:, :, :, i, j, :]
    return np.ascontiguousarray(dxp[:, top:top + height, left:left + width, :])


@register_kernel("Conv2D", "numpy")
def conv2d(x: np.ndarray, filter: np.ndarray, *, strides: Sequence[int], pad: Pairs,
           dilations: Sequence[int]) -> np.ndarray:
    kh, kw, c, out = filter.shape
    win = windows(x, (kh, kw), strides, pad, dilations)
    n, out_h, out_w = win.shape[:3]
    y = win.reshape(-1, kh * kw * c) @ filter.reshape(kh * kw * c, out)  # im2col, then matmul
    return y.reshape(n, out_h, out_w, out)


@register_kernel("FusedConv2D", "numpy")
def fused_conv2d(x: np.ndarray, filter: np.ndarray, bias: np.ndarray, *, strides: Sequence[int],
                 pad: Pairs, dilations: Sequence[int], activation: str) -> np.ndarray:
    """activation(conv2d + bias): the three reference kernels in a row."""
    from .elementwise import elu, relu, relu6, sigmoid

    y = conv2d(x, filter, strides=strides, pad=pad, dilations=dilations) + bias
    act = {"linear": None, "relu": relu, "relu6": relu6, "elu": elu, "sigmoid": sigmoid}
    return y if act[activation] is None else act[activation](y)


def activation_grad(dy: np.ndarray, y: np.ndarray, activation: str) -> np.ndarray:
    """dy times the derivative of ``activation`` at its output y (ops/fused.py's formulas)."""
    if activation == "relu":
        return dy * (y > 0).astype(dy.dtype)
    if activation == "relu6":
        return dy * ((y > 0) & (y < 6)).astype(dy.dtype)
    if activation == "elu":
        return np.where(y > 0, dy, dy * (y + 1))
    if activation == "sigmoid":
        return dy * (y * (1 - y))
    return dy


@register_kernel("FusedConv2DGrad", "numpy")
def fused_conv2d_grad(x: np.ndarray, filter: np.ndarray, dy: np.ndarray, y: np.ndarray, *,
                      strides: Sequence[int], pad: Pairs, dilations: Sequence[int],
                      activation: str, input_grad: bool) -> tuple[np.ndarray, ...]:
    """(dx, dfilter, dbias) of FusedConv2D, or (dfilter, dbias) without ``input_grad``."""
    conv = {"strides": strides, "pad": pad, "dilations": dilations}
    dz = activation_grad(dy, y, activation)
    dfilter = conv2d_backprop_filter(x, dz, filter_shape=filter.shape, **conv)
    dbias = dz.sum(axis=(0, 1, 2), dtype=dz.dtype)
    if not input_grad:
        return dfilter, dbias
    return conv2d_backprop_input(dz, filter, input_shape=x.shape, **conv), dfilter, dbias


@register_kernel("Conv2DBackpropInput", "numpy")
def conv2d_backprop_input(dy: np.ndarray, filter: np.ndarray, *, input_shape: Sequence[int],
                          strides: Sequence[int], pad: Pairs,
                          dilations: Sequence[int]) -> np.ndarray:
    kh, kw, c, out = filter.shape
    n, out_h, out_w, _ = dy.shape
    cols = dy.reshape(-1, out) @ filter.reshape(kh * kw * c, out).T
    return add_windows(cols.reshape(n, out_h, out_w, kh, kw, c), input_shape, strides, pad,
                       dilations)


@register_kernel("Conv2DBackpropFilter", "numpy")
def conv2d_backprop_filter(x: np.ndarray, dy: np.ndarray, *, filter_shape: Sequence[int],
                           strides: Sequence[int], pad: Pairs,
                           dilations: Sequence[int]) -> np.ndarray:
    kh, kw, c, out = filter_shape
    cols = windows(x, (kh, kw), strides, pad, dilations).reshape(-1, kh * kw * c)
    return (cols.T @ dy.reshape(-1, out)).reshape(kh, kw, c, out)


# Depthwise: channel c of x meets only filter[:, :, c, :]; output channel c * multiplier + m.
@register_kernel("DepthwiseConv2dNative", "numpy")
def depthwise_conv2d_native(x: np.ndarray, filter: np.ndarray, *, strides: Sequence[int],
                            pad: Pairs, dilations: Sequence[int]) -> np.ndarray:
    kh, kw, c, mult = filter.shape
    win = windows(x, (kh, kw), strides, pad, dilations)
    y = np.einsum("npqijc,ijcm->npqcm", win, filter)
    return y.reshape(*y.shape[:3], c * mult)


@register_kernel("DepthwiseConv2dNativeBackpropInput", "numpy")
def depthwise_conv2d_native_backprop_input(dy: np.ndarray, filter: np.ndarray, *,
                                           input_shape: Sequence[int], strides: Sequence[int],
                                           pad: Pairs, dilations: Sequence[int]) -> np.ndarray:
    kh, kw, c, mult = filter.shape
    dy5 = dy.reshape(*dy.shape[:3], c, mult)
    cols = np.einsum("npqcm,ijcm->npqijc", dy5, filter)
    return add_windows(cols, input_shape, strides, pad, dilations)


@register_kernel("DepthwiseConv2dNativeBackpropFilter", "numpy")
def depthwise_conv2d_native_backprop_filter(x: np.ndarray, dy: np.ndarray, *,
                                            filter_shape: Sequence[int], strides: Sequence[int],
                                            pad: Pairs, dilations: Sequence[int]) -> np.ndarray:
    kh, kw, c, mult = filter_shape
    win = windows(x, (kh, kw), strides, pad, dilations)
    dy5 = dy.reshape(*dy.shape[:3], c, mult)
    return np.einsum("npqijc,npqcm->ijcm", win, dy5)
