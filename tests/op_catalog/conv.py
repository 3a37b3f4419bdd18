"""Catalog rows for convolutions and pooling (ops/conv.py, ops/pool.py).

Row fns receive only tensors, so each strategy draws a configuration (strides, dilations,
padding, and the shapes a backprop op needs) and passes it as a last int32 argument ``cfg``;
gradient checks hold int arguments constant. ``conv_attrs(cfg)`` / ``pool_attrs(cfg)`` turn it
back into keyword arguments, for minitf and for the reference alike.

The references are plain loops over output pixels and filter offsets, written from TF's
definitions and independent of the im2col kernels they check.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

import minitf as tf
from minitf.ops.conv import (conv2d_backprop_filter, conv2d_backprop_input,
                             depthwise_conv2d_native_backprop_filter,
                             depthwise_conv2d_native_backprop_input)
from minitf.ops.pool import avg_pool1d, avg_pool_grad, max_pool1d, max_pool_grad
from strategies import arrays

from . import Row

VALID, SAME = -1, -2  # pad codes in cfg; a code p >= 0 means p cells on every side
_PADS = {VALID: "valid", SAME: "same"}


# -- configurations ------------------------------------------------------------------------
def conv_attrs(cfg) -> dict:
    """cfg = [stride_h, stride_w, dilation_h, dilation_w, pad, ...] as conv2d keywords."""
    sh, sw, dh, dw, pad = (int(v) for v in np.asarray(cfg)[:5])
    return {"strides": (sh, sw), "pad": _PADS.get(pad, pad), "dilations": (dh, dw)}


def pool_attrs(cfg) -> dict:
    """cfg = [filter_h, filter_w, stride_h, stride_w, pad] as max_pool/avg_pool keywords."""
    kh, kw, sh, sw, pad = (int(v) for v in np.asarray(cfg)[:5])
    return {"filter_size": (kh, kw), "strides": (sh, sw), "pad": _PADS.get(pad, pad)}


def conv1d_attrs(cfg) -> dict:
    """The width half of a conv cfg as conv1d keywords."""
    attrs = conv_attrs(cfg)
    return {"stride": attrs["strides"][1], "pad": attrs["pad"], "dilation": attrs["dilations"][1]}


def pool1d_attrs(cfg) -> dict:
    """The width half of a pool cfg as max_pool1d/avg_pool1d keywords."""
    attrs = pool_attrs(cfg)
    return {"pool_size": attrs["filter_size"][1], "stride": attrs["strides"][1],
            "pad": attrs["pad"]}


def _extra(cfg) -> tuple[int, int]:
    """The two shape entries after the attrs: (height, width) of x, or of the filter."""
    return tuple(int(v) for v in np.asarray(cfg)[5:7])


def ref_padding(size: int, k: int, stride: int, dilation: int, pad) -> tuple[int, int, int]:
    """(before, after, out) for one spatial axis, from TF's padding rules."""
    span = (k - 1) * dilation + 1
    if pad == "same":
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + span - size, 0)
        return total // 2, total - total // 2, out
    p = 0 if pad == "valid" else pad
    return p, p, (size + 2 * p - span) // stride + 1


@st.composite
def _geometry(draw, pool: bool = False) -> dict:
    """Sizes and attrs of one small conv or pool: batch 1-2, sides 1-7, channels 1-3."""
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dilate = not pool and draw(st.booleans())
    strides = (1, 1) if dilate else (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilations = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilate else (1, 1)
    pad = draw(st.sampled_from([VALID, SAME, *range(min(kh, kw, 3))]))
    spans = [(k - 1) * d + 1 for k, d in zip((kh, kw), dilations)]
    least = [1 if pad == SAME else max(1, s - 2 * max(pad, 0)) for s in spans]
    h, w = draw(st.integers(least[0], 7)), draw(st.integers(least[1], 7))
    pad_attr = _PADS.get(pad, pad)
    out_h = ref_padding(h, kh, strides[0], dilations[0], pad_attr)[2]
    out_w = ref_padding(w, kw, strides[1], dilations[1], pad_attr)[2]
    return {"n": draw(st.integers(1, 2)), "h": h, "w": w, "c": draw(st.integers(1, 3)),
            "kh": kh, "kw": kw, "out": draw(st.integers(1, 3)), "out_h": out_h, "out_w": out_w,
            "cfg": [*strides, *dilations, pad] if not pool else [kh, kw, *strides, pad]}


@st.composite
def conv_args(draw, which: str = "forward", depthwise: bool = False) -> list[np.ndarray]:
    """forward: [x, filter, cfg]; input: [dy, filter, cfg + [h, w]];
    filter: [x, dy, cfg + [kh, kw]]. ``out`` is the channel multiplier when depthwise."""
    g = draw(_geometry())
    out_c = g["c"] * g["out"] if depthwise else g["out"]
    x = draw(arrays((g["n"], g["h"], g["w"], g["c"])))
    f = draw(arrays((g["kh"], g["kw"], g["c"], g["out"])))
    dy = draw(arrays((g["n"], g["out_h"], g["out_w"], out_c)))
    cfg = np.array(g["cfg"] + {"forward": [], "input": [g["h"], g["w"]],
                               "filter": [g["kh"], g["kw"]]}[which], dtype=np.int32)
    return {"forward": [x, f, cfg], "input": [dy, f, cfg], "filter": [x, dy, cfg]}[which]


@st.composite
def pool_args(draw, with_dy: bool = False, distinct: bool = False,
              ties: bool = False) -> list[np.ndarray]:
    """[x, cfg], or [dy, x, cfg]; ``distinct`` keeps max pooling off its kinks, ``ties``
    rounds x so that windows hold equal maxima."""
    g = draw(_geometry(pool=True))
    x = draw(arrays((g["n"], g["h"], g["w"], g["c"]), distinct=distinct))
    x = np.round(x) if ties else x
    cfg = np.array(g["cfg"], dtype=np.int32)
    if not with_dy:
        return [x, cfg]
    return [draw(arrays((g["n"], g["out_h"], g["out_w"], g["c"]))), x, cfg]


@st.composite
def conv1d_args(draw) -> list[np.ndarray]:
    """[x, filter, cfg] for conv1d: the width half of a 2-D geometry."""
    g = draw(_geometry())
    x = draw(arrays((g["n"], g["w"], g["c"])))
    f = draw(arrays((g["kw"], g["c"], g["out"])))
    _, stride, _, dilation, pad = g["cfg"]
    return [x, f, np.array([1, stride, 1, dilation, pad], dtype=np.int32)]


@st.composite
def pool1d_args(draw) -> list[np.ndarray]:
    """[x, cfg] for max_pool1d/avg_pool1d: the width half of a pool geometry."""
    g = draw(_geometry(pool=True))
    x = draw(arrays((g["n"], g["w"], g["c"]), distinct=True))
    _, kw, _, stride, pad = g["cfg"]
    return [x, np.array([1, kw, 1, stride, pad], dtype=np.int32)]


@st.composite
def separable_args(draw) -> list[np.ndarray]:
    x, depthwise, cfg = draw(conv_args(depthwise=True))
    pointwise = draw(arrays((1, 1, depthwise.shape[2] * depthwise.shape[3],
                             draw(st.integers(1, 3)))))
    return [x, depthwise, pointwise, cfg]


# -- references: loops over output pixels (p, q) and filter offsets (i, j) -------------------
def _padded(x: np.ndarray, k_hw, strides, dilations, pad, fill: float = 0.0):
    """x padded per TF, and (out_h, out_w, top, left)."""
    top, bottom, out_h = ref_padding(x.shape[1], k_hw[0], strides[0], dilations[0], pad)
    left, right, out_w = ref_padding(x.shape[2], k_hw[1], strides[1], dilations[1], pad)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    return xp, (out_h, out_w, top, left)


def _taps(out_h, out_w, kh, kw, strides, dilations):
    """Every (p, q, i, j, r, s): output pixel, filter offset, and padded input pixel it reads."""
    (sh, sw), (dh, dw) = strides, dilations
    for p in range(out_h):
        for q in range(out_w):
            for i in range(kh):
                for j in range(kw):
                    yield p, q, i, j, p * sh + i * dh, q * sw + j * dw


def conv2d_ref(x, f, strides, pad, dilations):
    xp, (out_h, out_w, _, _) = _padded(x, f.shape[:2], strides, dilations, pad)
    y = np.zeros((x.shape[0], out_h, out_w, f.shape[3]))
    for p, q, i, j, r, s in _taps(out_h, out_w, *f.shape[:2], strides, dilations):
        y[:, p, q, :] += xp[:, r, s, :] @ f[i, j]
    return y


def conv2d_backprop_input_ref(x_shape, dy, f, strides, pad, dilations):
    xp, (out_h, out_w, top, left) = _padded(np.zeros(x_shape), f.shape[:2], strides, dilations, pad)
    for p, q, i, j, r, s in _taps(out_h, out_w, *f.shape[:2], strides, dilations):
        xp[:, r, s, :] += dy[:, p, q, :] @ f[i, j].T
    return xp[:, top:top + x_shape[1], left:left + x_shape[2], :]


def conv2d_backprop_filter_ref(x, dy, f_shape, strides, pad, dilations):
    xp, (out_h, out_w, _, _) = _padded(x, f_shape[:2], strides, dilations, pad)
    df = np.zeros(f_shape)
    for p, q, i, j, r, s in _taps(out_h, out_w, *f_shape[:2], strides, dilations):
        df[i, j] += xp[:, r, s, :].T @ dy[:, p, q, :]
    return df


def depthwise_ref(x, f, strides, pad, dilations):
    xp, (out_h, out_w, _, _) = _padded(x, f.shape[:2], strides, dilations, pad)
    y = np.zeros((x.shape[0], out_h, out_w, f.shape[2] * f.shape[3]))
    for p, q, i, j, r, s in _taps(out_h, out_w, *f.shape[:2], strides, dilations):
        y[:, p, q, :] += (xp[:, r, s, :, None] * f[i, j]).reshape(x.shape[0], -1)
    return y


def depthwise_backprop_input_ref(x_shape, dy, f, strides, pad, dilations):
    xp, (out_h, out_w, top, left) = _padded(np.zeros(x_shape), f.shape[:2], strides, dilations, pad)
    dy5 = dy.reshape(*dy.shape[:3], *f.shape[2:])
    for p, q, i, j, r, s in _taps(out_h, out_w, *f.shape[:2], strides, dilations):
        xp[:, r, s, :] += (dy5[:, p, q] * f[i, j]).sum(axis=-1)
    return xp[:, top:top + x_shape[1], left:left + x_shape[2], :]


def depthwise_backprop_filter_ref(x, dy, f_shape, strides, pad, dilations):
    xp, (out_h, out_w, _, _) = _padded(x, f_shape[:2], strides, dilations, pad)
    dy5 = dy.reshape(*dy.shape[:3], *f_shape[2:])
    df = np.zeros(f_shape)
    for p, q, i, j, r, s in _taps(out_h, out_w, *f_shape[:2], strides, dilations):
        df[i, j] += (xp[:, r, s, :, None] * dy5[:, p, q]).sum(axis=0)
    return df


def conv1d_ref(x, f, stride, pad, dilation):
    left, right, out_w = ref_padding(x.shape[1], f.shape[0], stride, dilation, pad)
    xp = np.pad(x, ((0, 0), (left, right), (0, 0)))
    y = np.zeros((x.shape[0], out_w, f.shape[2]))
    for q in range(out_w):
        for j in range(f.shape[0]):
            y[:, q, :] += xp[:, q * stride + j * dilation, :] @ f[j]
    return y


def pool1d_ref(x, pool_size, stride, pad, reduce):
    left, _, out_w = ref_padding(x.shape[1], pool_size, stride, 1, pad)
    y = np.zeros((x.shape[0], out_w, x.shape[2]))
    for q in range(out_w):
        c0 = q * stride - left
        y[:, q, :] = reduce(x[:, max(c0, 0):min(c0 + pool_size, x.shape[1]), :], axis=1)
    return y


def _pool_windows(x_shape, filter_size, strides, pad):
    """Every (p, q, rows, cols): output pixel and the real (unpadded) cells of its window."""
    top, _, out_h = ref_padding(x_shape[1], filter_size[0], strides[0], 1, pad)
    left, _, out_w = ref_padding(x_shape[2], filter_size[1], strides[1], 1, pad)
    for p in range(out_h):
        for q in range(out_w):
            r0, c0 = p * strides[0] - top, q * strides[1] - left
            rows = slice(max(r0, 0), min(r0 + filter_size[0], x_shape[1]))
            cols = slice(max(c0, 0), min(c0 + filter_size[1], x_shape[2]))
            yield p, q, rows, cols


def pool_ref(x, filter_size, strides, pad, reduce):
    top, _, out_h = ref_padding(x.shape[1], filter_size[0], strides[0], 1, pad)
    left, _, out_w = ref_padding(x.shape[2], filter_size[1], strides[1], 1, pad)
    y = np.zeros((x.shape[0], out_h, out_w, x.shape[3]))
    for p, q, rows, cols in _pool_windows(x.shape, filter_size, strides, pad):
        y[:, p, q, :] = reduce(x[:, rows, cols, :], axis=(1, 2))
    return y


def max_pool_grad_ref(dy, x, filter_size, strides, pad):
    """dy of each window to its first maximum, scanning rows then columns."""
    dx = np.zeros_like(x)
    for p, q, rows, cols in _pool_windows(x.shape, filter_size, strides, pad):
        for b in range(x.shape[0]):
            for ch in range(x.shape[3]):
                window = x[b, rows, cols, ch]
                best = None
                for r in range(window.shape[0]):
                    for s in range(window.shape[1]):
                        if best is None or window[r, s] > window[best]:
                            best = (r, s)
                dx[b, rows.start + best[0], cols.start + best[1], ch] += dy[b, p, q, ch]
    return dx


def avg_pool_grad_ref(dy, x, filter_size, strides, pad):
    dx = np.zeros_like(x)
    for p, q, rows, cols in _pool_windows(x.shape, filter_size, strides, pad):
        count = (rows.stop - rows.start) * (cols.stop - cols.start)
        dx[:, rows, cols, :] += dy[:, p, q, None, None, :] / count
    return dx


# -- rows ----------------------------------------------------------------------------------
def _x_shape(dy, f, cfg) -> tuple[int, ...]:
    return (dy.shape[0], *_extra(cfg), f.shape[2])


def _f_shape(x, dy, cfg, depthwise=False) -> tuple[int, ...]:
    out = dy.shape[3] // x.shape[3] if depthwise else dy.shape[3]
    return (*_extra(cfg), x.shape[3], out)


def _separable(x, depthwise, pointwise, cfg):
    attrs = conv_attrs(cfg)
    return tf.separable_conv2d(x, depthwise, pointwise, attrs["strides"], attrs["pad"],
                               attrs["dilations"])


def _transpose_attrs(cfg) -> dict:
    attrs = conv_attrs(cfg)
    return {"strides": attrs["strides"], "pad": attrs["pad"]}


@st.composite
def transpose_args(draw) -> list[np.ndarray]:
    """[x, filter, cfg + [h, w]] for conv2d_transpose: no dilation, output [n, h, w, filter[2]]."""
    dy, f, cfg = draw(conv_args("input").filter(lambda a: tuple(a[2][2:4]) == (1, 1)))
    return [dy, f, cfg]


_ACTIVATION_REFS = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0),
                    "relu6": lambda z: np.clip(z, 0, 6),
                    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
                    "sigmoid": lambda z: 1 / (1 + np.exp(-z))}


@st.composite
def fused_args(draw) -> list[np.ndarray]:
    """[x, filter, bias, cfg] for tf.fused.conv2d."""
    x, f, cfg = draw(conv_args())
    return [x, f, draw(arrays((f.shape[3],))), cfg]


@st.composite
def chain_args(draw) -> list[np.ndarray]:
    """[x, filter1, bias1, filter2, bias2, cfg] for a tf.fused.conv2d_chain of a convolution
    (any geometry), a max pooling and a second convolution (both padded 'same', so that any
    size fits); cfg = the first convolution's cfg, then the pooling's kh, kw, sh, sw and the
    second filter's kh, kw."""
    x, f1, b1, cfg = draw(fused_args())
    pool = [draw(st.integers(1, 2)) for _ in range(4)]
    k2 = [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
    f2 = draw(arrays((*k2, f1.shape[3], draw(st.integers(1, 3)))))
    return [x, f1, b1, f2, draw(arrays((f2.shape[3],))), np.array([*cfg, *pool, *k2])]


def _chain_stages(f1, b1, f2, b2, cfg) -> list[dict]:
    kh, kw, sh, sw = (int(v) for v in cfg[5:9])
    return [{"op": "conv2d", "filter": f1, "bias": b1, "activation": "elu", **conv_attrs(cfg)},
            {"op": "max_pool", "filter_size": (kh, kw), "strides": (sh, sw), "pad": "same"},
            {"op": "conv2d", "filter": f2, "bias": b2, "pad": "same"}]


def _chain_ref(x, f1, b1, f2, b2, cfg):
    y = _ACTIVATION_REFS["elu"](conv2d_ref(x, f1, **conv_attrs(cfg)) + b1)
    pool = _chain_stages(f1, b1, f2, b2, cfg)[1]
    y = pool_ref(y, pool["filter_size"], pool["strides"], "same", reduce=np.max)
    return conv2d_ref(y, f2, (1, 1), "same", (1, 1)) + b2


_ACTIVATION_GRAD_REFS = {"relu": lambda y: (y > 0) * 1.0, "sigmoid": lambda y: y * (1 - y)}


@st.composite
def fused_grad_args(draw) -> list[np.ndarray]:
    """[x, filter, bias, dy, cfg]: dy of the convolution's output shape."""
    x, f, b, cfg = draw(fused_args())
    y = conv2d_ref(x, f, **conv_attrs(cfg))
    return [x, f, b, draw(arrays(y.shape)), cfg]


def _fused_grad_row(activation: str) -> Row:
    """The kernel that tf.grads of a fused conv runs: dx, dfilter and dbias at once."""
    def fn(x, f, b, dy, cfg):
        conv = lambda x_, f_, b_: tf.fused.conv2d(x_, f_, bias=b_, activation=activation,  # noqa: E731
                                                   **conv_attrs(cfg))
        return tf.grads(conv)([x, f, b], dy)

    def ref(x, f, b, dy, cfg):
        attrs = conv_attrs(cfg)
        dz = dy * _ACTIVATION_GRAD_REFS[activation](
            _ACTIVATION_REFS[activation](conv2d_ref(x, f, **attrs) + b))
        return [conv2d_backprop_input_ref(x.shape, dz, f, **attrs),
                conv2d_backprop_filter_ref(x, dz, f.shape, **attrs), dz.sum(axis=(0, 1, 2))]

    return Row("FusedConv2DGrad", id=f"FusedConv2DGrad-{activation}", fn=fn, ref=ref,
               args=fused_grad_args(), grad=False, max_examples=6, f32_atol=2e-4)


def _fused_row(activation: str) -> Row:
    return Row("FusedConv2D", id=f"FusedConv2D-{activation}",
               fn=lambda x, f, b, cfg: tf.fused.conv2d(x, f, bias=b, activation=activation,
                                                       **conv_attrs(cfg)),
               ref=lambda x, f, b, cfg: _ACTIVATION_REFS[activation](
                   conv2d_ref(x, f, **conv_attrs(cfg)) + b),
               args=fused_args(), max_examples=6, covers=_CONV_BACKPROPS, f32_atol=2e-4)


_CONV_TOL = {"f32_atol": 2e-4}
_CONV_BACKPROPS = ("Conv2DBackpropInput", "Conv2DBackpropFilter")
_DEPTHWISE_BACKPROPS = ("DepthwiseConv2dNativeBackpropInput",
                        "DepthwiseConv2dNativeBackpropFilter")

ROWS = [
    *(_fused_row(activation) for activation in tf.fused.ACTIVATIONS),
    *(_fused_grad_row(activation) for activation in _ACTIVATION_GRAD_REFS),
    Row("FusedConv2DChain",
        lambda x, f1, b1, f2, b2, cfg: tf.fused.conv2d_chain(x, _chain_stages(f1, b1, f2, b2, cfg)),
        _chain_ref, chain_args(), max_examples=8, covers=("FusedConv2D", "MaxPool"),
        f32_atol=2e-4),
    Row("Conv2D", lambda x, f, cfg: tf.conv2d(x, f, **conv_attrs(cfg)),
        lambda x, f, cfg: conv2d_ref(x, f, **conv_attrs(cfg)), conv_args(),
        covers=_CONV_BACKPROPS, **_CONV_TOL),
    Row("Conv2DBackpropInput",
        lambda dy, f, cfg: conv2d_backprop_input(_x_shape(dy, f, cfg), dy, f, **conv_attrs(cfg)),
        lambda dy, f, cfg: conv2d_backprop_input_ref(_x_shape(dy, f, cfg), dy, f,
                                                     **conv_attrs(cfg)),
        conv_args("input"), covers=("Conv2D", "Conv2DBackpropFilter"), **_CONV_TOL),
    Row("Conv2DBackpropFilter",
        lambda x, dy, cfg: conv2d_backprop_filter(x, dy, _f_shape(x, dy, cfg), **conv_attrs(cfg)),
        lambda x, dy, cfg: conv2d_backprop_filter_ref(x, dy, _f_shape(x, dy, cfg),
                                                      **conv_attrs(cfg)),
        conv_args("filter"), covers=("Conv2D", "Conv2DBackpropInput"), **_CONV_TOL),
    Row("Conv2DBackpropInput", id="Conv2DTranspose",
        fn=lambda x, f, cfg: tf.conv2d_transpose(x, f, _x_shape(x, f, cfg),
                                                 **_transpose_attrs(cfg)),
        ref=lambda x, f, cfg: conv2d_backprop_input_ref(_x_shape(x, f, cfg), x, f,
                                                        dilations=(1, 1), **_transpose_attrs(cfg)),
        args=transpose_args(), max_examples=8, **_CONV_TOL),
    Row("Conv2D", id="Conv1D", fn=lambda x, f, cfg: tf.conv1d(x, f, **conv1d_attrs(cfg)),
        ref=lambda x, f, cfg: conv1d_ref(x, f, **conv1d_attrs(cfg)), args=conv1d_args(),
        max_examples=8, **_CONV_TOL),
    Row("DepthwiseConv2dNative", lambda x, f, cfg: tf.depthwise_conv2d(x, f, **conv_attrs(cfg)),
        lambda x, f, cfg: depthwise_ref(x, f, **conv_attrs(cfg)), conv_args(depthwise=True),
        covers=_DEPTHWISE_BACKPROPS, **_CONV_TOL),
    Row("DepthwiseConv2dNativeBackpropInput",
        lambda dy, f, cfg: depthwise_conv2d_native_backprop_input(
            _x_shape(dy, f, cfg), dy, f, **conv_attrs(cfg)),
        lambda dy, f, cfg: depthwise_backprop_input_ref(_x_shape(dy, f, cfg), dy, f,
                                                        **conv_attrs(cfg)),
        conv_args("input", depthwise=True), max_examples=10,
        covers=("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropFilter"), **_CONV_TOL),
    Row("DepthwiseConv2dNativeBackpropFilter",
        lambda x, dy, cfg: depthwise_conv2d_native_backprop_filter(
            x, dy, _f_shape(x, dy, cfg, depthwise=True), **conv_attrs(cfg)),
        lambda x, dy, cfg: depthwise_backprop_filter_ref(x, dy, _f_shape(x, dy, cfg, True),
                                                         **conv_attrs(cfg)),
        conv_args("filter", depthwise=True), max_examples=10,
        covers=("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput"), **_CONV_TOL),
    Row("DepthwiseConv2dNative", id="SeparableConv2D", fn=_separable,
        ref=lambda x, d, p, cfg: depthwise_ref(x, d, **conv_attrs(cfg)) @ p[0, 0],
        args=separable_args(), max_examples=8, covers=("Conv2D",), **_CONV_TOL),
    Row("MaxPool", lambda x, cfg: tf.max_pool(x, **pool_attrs(cfg)),
        lambda x, cfg: pool_ref(x, reduce=np.max, **pool_attrs(cfg)),
        pool_args(distinct=True), covers=("MaxPoolGrad",)),
    Row("MaxPoolGrad", lambda dy, x, cfg: max_pool_grad(dy, x, **pool_attrs(cfg)),
        lambda dy, x, cfg: max_pool_grad_ref(dy, x, **pool_attrs(cfg)),
        pool_args(with_dy=True, ties=True), grad=False),
    Row("AvgPool", lambda x, cfg: tf.avg_pool(x, **pool_attrs(cfg)),
        lambda x, cfg: pool_ref(x, reduce=np.mean, **pool_attrs(cfg)), pool_args(),
        covers=("AvgPoolGrad",)),
    Row("AvgPoolGrad", lambda dy, x, cfg: avg_pool_grad(dy, x, **pool_attrs(cfg)),
        lambda dy, x, cfg: avg_pool_grad_ref(dy, x, **pool_attrs(cfg)),
        pool_args(with_dy=True), covers=("AvgPool",)),
    Row("MaxPool", id="MaxPool1D", fn=lambda x, cfg: max_pool1d(x, **pool1d_attrs(cfg)),
        ref=lambda x, cfg: pool1d_ref(x, reduce=np.max, **pool1d_attrs(cfg)),
        args=pool1d_args(), max_examples=8),
    Row("AvgPool", id="AvgPool1D", fn=lambda x, cfg: avg_pool1d(x, **pool1d_attrs(cfg)),
        ref=lambda x, cfg: pool1d_ref(x, reduce=np.mean, **pool1d_attrs(cfg)),
        args=pool1d_args(), max_examples=8),
]
