"""Convolutions on NHWC images (TF.js channelsLast) with HWIO filters [kh, kw, in, out]:
conv1d, conv2d, conv2d_transpose, depthwise_conv2d, separable_conv2d, and the backprop ops that
their gradients run (Conv2DBackpropInput/Filter, DepthwiseConv2dNativeBackpropInput/Filter).

Padding is resolved here, once, by :func:`conv_padding` (shared with pool.py and the layers)
into TF's explicit form ``((0, 0), (top, bottom), (left, right), (0, 0))``; kernels only slice.
"""
from __future__ import annotations

from typing import Callable, Sequence, Union

import numpy as np

from .. import dtypes
from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, check_rank, float_arg, gradient, op, shape_arg, tensor_arg
from .shape import reshape

__all__ = ["conv1d", "conv2d", "conv2d_transpose", "depthwise_conv2d", "separable_conv2d"]

Pad = Union[str, int, Sequence[Sequence[int]]]  # 'valid', 'same', p, [[0,0],[t,b],[l,r],[0,0]]
ExplicitPad = tuple[tuple[int, int], ...]
IntOrPair = Union[int, Sequence[int]]


def pair(value: IntOrPair, name: str, op_name: str) -> tuple[int, int]:
    """``value`` as (height, width) positive ints: an int means the same for both."""
    items = [value, value] if _is_int(value) else list(value)
    if len(items) != 2 or not all(_is_int(v) and v >= 1 for v in items):
        raise ValueError(f"{op_name}: {name} must be a positive int or a pair of them, "
                         f"got {value!r}")
    return int(items[0]), int(items[1])


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def conv_padding(pad: Pad, in_hw: Sequence[int], filter_hw: Sequence[int],
                 strides: Sequence[int], dilations: Sequence[int],
                 op_name: str) -> tuple[ExplicitPad, tuple[int, int]]:
    """TF's padding arithmetic: the explicit padding and the output (height, width).

    With ``span = (k - 1) * dilation + 1``, the input rows one dilated filter covers:
    'valid' pads nothing and gives ``floor((in - span) / stride) + 1`` outputs; 'same' gives
    ``ceil(in / stride)`` outputs and pads ``max((out - 1) * stride + span - in, 0)`` cells, the
    odd one after (bottom/right); an int ``p`` pads p on every side; an explicit
    ``[[0, 0], [top, bottom], [left, right], [0, 0]]`` is used as given.
    """
    sides = _explicit_sides(pad, op_name)
    pads, out = [], []
    for axis in range(2):
        size, k, stride, dilation = in_hw[axis], filter_hw[axis], strides[axis], dilations[axis]
        span = (k - 1) * dilation + 1
        if pad == "same":
            n_out = -(-size // stride)
            total = max((n_out - 1) * stride + span - size, 0)
            before, after = total // 2, total - total // 2
        else:
            before, after = sides[axis]
            if size + before + after < span:
                what = ("rows", "height") if axis == 0 else ("columns", "width")
                raise ValueError(
                    f"{op_name}: the filter spans {span} {what[0]} (size {k}, dilation "
                    f"{dilation}) but the input {what[1]} is {size} plus padding {before}+{after}; "
                    "use pad='same', a smaller filter or a larger input")
            n_out = (size + before + after - span) // stride + 1
        pads.append((before, after))
        out.append(n_out)
    return ((0, 0), pads[0], pads[1], (0, 0)), (out[0], out[1])


def _explicit_sides(pad: Pad, op_name: str) -> tuple[tuple[int, int], tuple[int, int]]:
    if pad == "valid" or pad == "same":
        return (0, 0), (0, 0)
    if _is_int(pad) and pad >= 0:
        return (int(pad), int(pad)), (int(pad), int(pad))
    if not isinstance(pad, str):
        try:
            rows = [tuple(int(v) for v in side) for side in pad]
        except (TypeError, ValueError):
            rows = []
        if (len(rows) == 4 and all(len(r) == 2 and min(r) >= 0 for r in rows)
                and rows[0] == rows[3] == (0, 0)):
            return rows[1], rows[2]
    raise ValueError(f"{op_name}: pad must be 'valid', 'same', a non-negative int or "
                     f"[[0, 0], [top, bottom], [left, right], [0, 0]], got {pad!r}")


def pad_1d(pad: Pad, op_name: str) -> Pad:
    """A 1-D op's padding for the height-1 image it runs as: only the width is padded."""
    return pad if isinstance(pad, str) else ((0, 0), (0, 0), _explicit_sides(pad, op_name)[1],
                                             (0, 0))


def check_nhwc(data_format: str, op_name: str, layout: str = "NHWC") -> None:
    """Only channels-last data is supported, as the TF.js CPU backend does."""
    if data_format != layout:
        raise ValueError(f"{op_name}: data_format must be '{layout}' (channels last), "
                         f"got {data_format!r}")


def _strides_or_dilations(strides: tuple[int, int], dilations: tuple[int, int],
                          op_name: str) -> None:
    if max(strides) > 1 and max(dilations) > 1:
        raise ValueError(f"{op_name}: strides {list(strides)} and dilations {list(dilations)} "
                         "cannot both be greater than 1; TF.js allows one or the other")


def _image_and_filter(x: TensorLike, filter: TensorLike, op_name: str, x_ranks: tuple[int, ...],
                      filter_ranks: tuple[int, ...], names: tuple[str, str] = ("x", "filter")
                      ) -> tuple[Tensor, Tensor]:
    """``x`` and ``filter`` as float tensors of one dtype, with their ranks checked."""
    xt, ft = float_arg(x, names[0], op_name), float_arg(filter, names[1], op_name)
    dtype = dtypes.upcast(xt.dtype, ft.dtype)
    xt, ft = tensor_arg(xt, names[0], op_name, dtype), tensor_arg(ft, names[1], op_name, dtype)
    check_rank(xt, x_ranks, op_name, names[0])
    check_rank(ft, filter_ranks, op_name, names[1])
    return xt, ft


def _check_channels(x_shape: Sequence[int], filter_shape: Sequence[int], op_name: str,
                    name: str = "x") -> None:
    if x_shape[-1] != filter_shape[-2]:
        raise ValueError(f"{op_name}: {name} has {x_shape[-1]} channels (shape "
                         f"{list(x_shape)}) but the filter expects {filter_shape[-2]} (filter "
                         f"shape {list(filter_shape)}, in_channels is dim {len(filter_shape) - 2})")


def _batched(x: Tensor) -> Tensor:
    """A rank-3 image as a batch of one, as TF.js does."""
    return x if x.rank == 4 else reshape(x, (1, *x.shape))


def _like_input(y: Tensor, x: Tensor) -> Tensor:
    return y if x.rank == 4 else reshape(y, y.shape[1:])


def _attrs(kernel: str, x_shape: Sequence[int], filter_shape: Sequence[int], strides: IntOrPair,
           pad: Pad, dilations: IntOrPair, op_name: str) -> tuple[dict, tuple[int, ...]]:
    """Checks shared by a convolution and its backprops: the kernel attrs and dy's shape."""
    strides, dilations = pair(strides, "strides", op_name), pair(dilations, "dilations", op_name)
    _strides_or_dilations(strides, dilations, op_name)
    pads, out_hw = conv_padding(pad, x_shape[1:3], filter_shape[:2], strides, dilations, op_name)
    depthwise = kernel.startswith("Depthwise")
    out_channels = filter_shape[2] * filter_shape[3] if depthwise else filter_shape[3]
    return ({"strides": strides, "pad": pads, "dilations": dilations},
            (x_shape[0], *out_hw, out_channels))


def _check_dy(dy: Tensor, expected: tuple[int, ...], x_shape: Sequence[int],
              filter_shape: Sequence[int], op_name: str, name: str = "dy") -> None:
    if dy.shape != expected:
        raise ValueError(f"{op_name}: {name} must have shape {list(expected)} (the convolution "
                         f"of {list(x_shape)} with filter {list(filter_shape)}), got "
                         f"{list(dy.shape)}")


def _forward(kernel: str, x: TensorLike, filter: TensorLike, strides: IntOrPair, pad: Pad,
             data_format: str, dilations: IntOrPair, op_name: str) -> Tensor:
    """conv2d and depthwise_conv2d: checks, then run ``kernel`` on a batch."""
    xt, ft = _image_and_filter(x, filter, op_name, (3, 4), (4,))
    _check_channels(xt.shape, ft.shape, op_name)
    check_nhwc(data_format, op_name)
    x4 = _batched(xt)
    attrs, _ = _attrs(kernel, x4.shape, ft.shape, strides, pad, dilations, op_name)
    return _like_input(run_kernel(kernel, {"x": x4, "filter": ft}, **attrs), xt)


@op
def conv2d(x: TensorLike, filter: TensorLike, strides: IntOrPair = 1, pad: Pad = "valid",
           data_format: str = "NHWC", dilations: IntOrPair = 1) -> Tensor:
    """2-D convolution of images with a bank of filters, the core of a convnet (TF.js
    ``tf.conv2d``).

    x [batch, height, width, in] (rank 3 adds a batch of one), filter [kh, kw, in, out] ->
    [batch, out_height, out_width, out]; sizes follow :func:`conv_padding`. Kernel 'Conv2D';
    its gradients run 'Conv2DBackpropInput' (for x) and 'Conv2DBackpropFilter'.

    >>> import minitf as tf
    >>> tf.conv2d(tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1])).reshape([-1]).array_sync()
    [4.0, 4.0, 4.0, 4.0]
    """
    return _forward("Conv2D", x, filter, strides, pad, data_format, dilations, "conv2d")


@gradient("Conv2D", save=("x", "filter"))
def _conv2d_grad(dy: Tensor, x: Tensor, filter: Tensor, strides: tuple[int, int],
                 pad: ExplicitPad, dilations: tuple[int, int]) -> tuple[Callable, Callable]:
    # Deferred: the tape computes the image gradient only when the image needs one.
    return (lambda: conv2d_backprop_input(x.shape, dy, filter, strides, pad, dilations=dilations),
            lambda: conv2d_backprop_filter(x, dy, filter.shape, strides, pad, dilations=dilations))


def _backprop_input(kernel: str, x_shape: Sequence[int], dy: TensorLike, filter: TensorLike,
                    strides: IntOrPair, pad: Pad, dilations: IntOrPair, op_name: str,
                    names: tuple[str, str] = ("x_shape", "dy")) -> Tensor:
    """Shared by the Conv2D and depthwise input gradients: checks, then run ``kernel``."""
    dyt, ft = _image_and_filter(dy, filter, op_name, (3, 4), (4,), (names[1], "filter"))
    shape = shape_arg(x_shape, op_name, names[0])
    if len(shape) != dyt.rank:
        raise ValueError(f"{op_name}: {names[0]} {list(shape)} and {names[1]} (shape "
                         f"{list(dyt.shape)}) must have the same rank, 3 or 4")
    _check_channels(shape, ft.shape, op_name, names[0])
    shape4, dy4 = (shape if len(shape) == 4 else (1, *shape)), _batched(dyt)
    attrs, expected = _attrs(kernel, shape4, ft.shape, strides, pad, dilations, op_name)
    _check_dy(dy4, expected, shape, ft.shape, op_name, names[1])
    dx = run_kernel(kernel, {"dy": dy4, "filter": ft}, input_shape=shape4, **attrs)
    return _like_input(dx, dyt)


def _backprop_filter(kernel: str, x: TensorLike, dy: TensorLike, filter_shape: Sequence[int],
                     strides: IntOrPair, pad: Pad, dilations: IntOrPair, op_name: str) -> Tensor:
    """Shared by the Conv2D and depthwise filter gradients: checks, then run ``kernel``."""
    xt, dyt = _image_and_filter(x, dy, op_name, (3, 4), (3, 4), ("x", "dy"))
    shape = shape_arg(filter_shape, op_name, "filter_shape")
    if len(shape) != 4 or dyt.rank != xt.rank:
        raise ValueError(f"{op_name}: expected a rank-4 filter_shape and x, dy of equal rank 3 "
                         f"or 4, got {list(shape)}, {list(xt.shape)}, {list(dyt.shape)}")
    _check_channels(xt.shape, shape, op_name)
    x4, dy4 = _batched(xt), _batched(dyt)
    attrs, expected = _attrs(kernel, x4.shape, shape, strides, pad, dilations, op_name)
    _check_dy(dy4, expected, xt.shape, shape, op_name)
    return run_kernel(kernel, {"x": x4, "dy": dy4}, filter_shape=shape, **attrs)


@op
def conv2d_backprop_input(x_shape: Sequence[int], dy: TensorLike, filter: TensorLike,
                          strides: IntOrPair = 1, pad: Pad = "valid", data_format: str = "NHWC",
                          dilations: IntOrPair = 1) -> Tensor:
    """Gradient of conv2d with respect to its input x, of shape ``x_shape`` (TF.js
    ``conv2DBackpropInput``); dy [batch, out_h, out_w, out]. Kernel 'Conv2DBackpropInput'."""
    check_nhwc(data_format, "conv2d_backprop_input")
    return _backprop_input("Conv2DBackpropInput", x_shape, dy, filter, strides, pad, dilations,
                           "conv2d_backprop_input")


@op
def conv2d_backprop_filter(x: TensorLike, dy: TensorLike, filter_shape: Sequence[int],
                           strides: IntOrPair = 1, pad: Pad = "valid", data_format: str = "NHWC",
                           dilations: IntOrPair = 1) -> Tensor:
    """Gradient of conv2d with respect to its filter, of shape ``filter_shape`` (TF.js
    ``conv2DBackpropFilter``). Kernel 'Conv2DBackpropFilter'."""
    check_nhwc(data_format, "conv2d_backprop_filter")
    return _backprop_filter("Conv2DBackpropFilter", x, dy, filter_shape, strides, pad, dilations,
                            "conv2d_backprop_filter")


# Conv2DBackpropInput is linear in dy and in filter, and is the adjoint of conv2d in x, so
# <ddx, BI(dy, W)> = <conv2d(ddx, W), dy>; Conv2DBackpropFilter likewise: <ddw, BF(x, dy)> =
# <conv2d(x, ddw), dy>. Differentiating those products gives the gradients below.
@gradient("Conv2DBackpropInput", save=("dy", "filter"))
def _conv2d_backprop_input_grad(ddx: Tensor, dy: Tensor, filter: Tensor, input_shape: tuple,
                                strides: tuple[int, int], pad: ExplicitPad,
                                dilations: tuple[int, int]) -> tuple[Tensor, Tensor]:
    return (conv2d(ddx, filter, strides, pad, dilations=dilations),
            conv2d_backprop_filter(ddx, dy, filter.shape, strides, pad, dilations=dilations))


@gradient("Conv2DBackpropFilter", save=("x", "dy"))
def _conv2d_backprop_filter_grad(ddw: Tensor, x: Tensor, dy: Tensor, filter_shape: tuple,
                                 strides: tuple[int, int], pad: ExplicitPad,
                                 dilations: tuple[int, int]) -> tuple[Tensor, Tensor]:
    return (conv2d_backprop_input(x.shape, dy, ddw, strides, pad, dilations=dilations),
            conv2d(x, ddw, strides, pad, dilations=dilations))


@op
def conv2d_transpose(x: TensorLike, filter: TensorLike, output_shape: Sequence[int],
                     strides: IntOrPair, pad: Pad) -> Tensor:
    """Transposed ("deconvolution") 2-D convolution, upsampling x to ``output_shape`` (TF.js
    ``tf.conv2dTranspose``): the gradient of conv2d with respect to its input.

    x [batch, h, w, in] (or rank 3), filter [kh, kw, out, in] (note the order), output_shape
    [batch, out_h, out_w, out] (or rank 3). Kernel 'Conv2DBackpropInput'.

    >>> import minitf as tf
    >>> tf.conv2d_transpose(tf.ones([1, 1, 1]), tf.ones([2, 2, 1, 1]), [2, 2, 1], 1, 'valid').shape
    (2, 2, 1)
    """
    return _backprop_input("Conv2DBackpropInput", output_shape, x, filter, strides, pad, 1,
                           "conv2d_transpose", ("output_shape", "x"))


@op
def conv1d(x: TensorLike, filter: TensorLike, stride: int = 1, pad: Pad = "valid",
           data_format: str = "NWC", dilation: int = 1) -> Tensor:
    """1-D convolution over sequences (TF.js ``tf.conv1d``), run as a conv2d of height 1.

    x [batch, width, in] (rank 2 adds a batch of one), filter [k, in, out] ->
    [batch, out_width, out]; pad 'valid', 'same' or an int.

    >>> import minitf as tf
    >>> tf.conv1d(tf.ones([1, 4, 1]), tf.ones([2, 1, 1])).reshape([-1]).array_sync()
    [2.0, 2.0, 2.0]
    """
    xt, ft = _image_and_filter(x, filter, "conv1d", (2, 3), (3,))
    _check_channels(xt.shape, ft.shape, "conv1d")
    check_nhwc(data_format, "conv1d", "NWC")
    stride, dilation = pair(stride, "stride", "conv1d")[0], pair(dilation, "dilation", "conv1d")[0]
    _strides_or_dilations((stride, stride), (dilation, dilation), "conv1d")
    x3 = xt if xt.rank == 3 else reshape(xt, (1, *xt.shape))
    y = conv2d(reshape(x3, (x3.shape[0], 1, *x3.shape[1:])), reshape(ft, (1, *ft.shape)),
               (1, stride), pad_1d(pad, "conv1d"), dilations=(1, dilation))
    return reshape(y, y.shape[2:] if xt.rank == 2 else (y.shape[0], *y.shape[2:]))


@op
def depthwise_conv2d(x: TensorLike, filter: TensorLike, strides: IntOrPair = 1,
                     pad: Pad = "valid", data_format: str = "NHWC",
                     dilations: IntOrPair = 1) -> Tensor:
    """Depthwise 2-D convolution: each input channel has its own ``multiplier`` filters (TF.js
    ``tf.depthwiseConv2d``); output channel ``c * multiplier + m`` is channel c, filter m.

    x [batch, h, w, in] (or rank 3), filter [kh, kw, in, multiplier] ->
    [batch, out_h, out_w, in * multiplier]. Kernel 'DepthwiseConv2dNative'.

    >>> import minitf as tf
    >>> tf.depthwise_conv2d(tf.ones([1, 2, 2, 3]), tf.ones([2, 2, 3, 2]), 1, 'valid').shape
    (1, 1, 1, 6)
    """
    return _forward("DepthwiseConv2dNative", x, filter, strides, pad, data_format, dilations,
                    "depthwise_conv2d")


@gradient("DepthwiseConv2dNative", save=("x", "filter"))
def _depthwise_conv2d_grad(dy: Tensor, x: Tensor, filter: Tensor, strides: tuple[int, int],
                           pad: ExplicitPad,
                           dilations: tuple[int, int]) -> tuple[Callable, Callable]:
    return (lambda: depthwise_conv2d_native_backprop_input(x.shape, dy, filter, strides, pad,
                                                           dilations),
            lambda: depthwise_conv2d_native_backprop_filter(x, dy, filter.shape, strides, pad,
                                                            dilations))


@op
def depthwise_conv2d_native_backprop_input(x_shape: Sequence[int], dy: TensorLike,
                                           filter: TensorLike, strides: IntOrPair = 1,
                                           pad: Pad = "valid", dilations: IntOrPair = 1) -> Tensor:
    """Gradient of depthwise_conv2d with respect to x, of shape ``x_shape``.
    Kernel 'DepthwiseConv2dNativeBackpropInput'."""
    return _backprop_input("DepthwiseConv2dNativeBackpropInput", x_shape, dy, filter, strides,
                           pad, dilations, "depthwise_conv2d_native_backprop_input")


@op
def depthwise_conv2d_native_backprop_filter(x: TensorLike, dy: TensorLike,
                                            filter_shape: Sequence[int], strides: IntOrPair = 1,
                                            pad: Pad = "valid", dilations: IntOrPair = 1) -> Tensor:
    """Gradient of depthwise_conv2d with respect to its filter, of shape ``filter_shape``.
    Kernel 'DepthwiseConv2dNativeBackpropFilter'."""
    return _backprop_filter("DepthwiseConv2dNativeBackpropFilter", x, dy, filter_shape, strides,
                            pad, dilations, "depthwise_conv2d_native_backprop_filter")


# The same adjoint identities as for the Conv2D backprops, with depthwise convolutions.
@gradient("DepthwiseConv2dNativeBackpropInput", save=("dy", "filter"))
def _depthwise_backprop_input_grad(ddx: Tensor, dy: Tensor, filter: Tensor, input_shape: tuple,
                                   strides: tuple[int, int], pad: ExplicitPad,
                                   dilations: tuple[int, int]) -> tuple[Tensor, Tensor]:
    return (depthwise_conv2d(ddx, filter, strides, pad, dilations=dilations),
            depthwise_conv2d_native_backprop_filter(ddx, dy, filter.shape, strides, pad,
                                                    dilations))


@gradient("DepthwiseConv2dNativeBackpropFilter", save=("x", "dy"))
def _depthwise_backprop_filter_grad(ddw: Tensor, x: Tensor, dy: Tensor, filter_shape: tuple,
                                    strides: tuple[int, int], pad: ExplicitPad,
                                    dilations: tuple[int, int]) -> tuple[Tensor, Tensor]:
    return (depthwise_conv2d_native_backprop_input(x.shape, dy, ddw, strides, pad, dilations),
            depthwise_conv2d(x, ddw, strides, pad, dilations=dilations))


@op
def separable_conv2d(x: TensorLike, depthwise_filter: TensorLike, pointwise_filter: TensorLike,
                     strides: IntOrPair = 1, pad: Pad = "valid", dilation: IntOrPair = 1,
                     data_format: str = "NHWC") -> Tensor:
    """A depthwise convolution followed by a 1x1 convolution that mixes channels (TF.js
    ``tf.separableConv2d``): far fewer weights than one full conv2d.

    x [batch, h, w, in] (or rank 3), depthwise_filter [kh, kw, in, multiplier],
    pointwise_filter [1, 1, in * multiplier, out] -> [batch, out_h, out_w, out].

    >>> import minitf as tf
    >>> tf.separable_conv2d(tf.ones([1, 3, 3, 2]), tf.ones([3, 3, 2, 1]), tf.ones([1, 1, 2, 4]),
    ...                     1, 'valid').shape
    (1, 1, 1, 4)
    """
    pw = float_arg(pointwise_filter, "pointwise_filter", "separable_conv2d")
    check_rank(pw, 4, "separable_conv2d", "pointwise_filter")
    depth = depthwise_conv2d(x, depthwise_filter, strides, pad, data_format, dilation)
    if pw.shape[:2] != (1, 1) or pw.shape[2] != depth.shape[-1]:
        raise ValueError(f"separable_conv2d: pointwise_filter must have shape [1, 1, "
                         f"{depth.shape[-1]}, out] (in_channels * multiplier = {depth.shape[-1]}), "
                         f"got {list(pw.shape)}")
    return conv2d(depth, pw, 1, "valid")
