"""Pooling on NHWC images: max_pool and avg_pool, the MaxPoolGrad and AvgPoolGrad ops their
gradients run, and 1-D helpers for the pooling layers.

Padded cells never count, as in TF: max pooling ignores them and average pooling divides by
the number of real cells in each window. Padding is resolved by ``conv.conv_padding``.
"""
from __future__ import annotations

from typing import Sequence

from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, check_rank, float_arg, gradient, op
from .conv import ExplicitPad, IntOrPair, Pad, conv_padding, pad_1d, pair
from .shape import reshape

__all__ = ["max_pool", "avg_pool"]


def _pool_args(x: TensorLike, filter_size: IntOrPair, strides: IntOrPair, pad: Pad,
               op_name: str, ranks: tuple[int, ...] = (3, 4)) -> tuple[Tensor, Tensor, dict]:
    """``x``, ``x`` as a float batch of images, and the kernel attrs; checks come first."""
    xt = float_arg(x, "x", op_name)
    check_rank(xt, ranks, op_name)
    x4 = xt if xt.rank == 4 else reshape(xt, (1, *xt.shape))
    attrs, _ = pool_attrs(x4.shape, filter_size, strides, pad, op_name)
    return xt, x4, attrs


def pool_attrs(x_shape: Sequence[int], filter_size: IntOrPair, strides: IntOrPair, pad: Pad,
               op_name: str) -> tuple[dict, tuple[int, ...]]:
    """The kernel attrs of a pooling of a batch of images of ``x_shape``, and its output shape."""
    size, strides = pair(filter_size, "filter_size", op_name), pair(strides, "strides", op_name)
    pads, out_hw = conv_padding(pad, x_shape[1:3], size, strides, (1, 1), op_name)
    if any(side >= k for k, sides in zip(size, pads[1:3]) for side in sides):
        raise ValueError(f"{op_name}: padding {[list(p) for p in pads]} must be smaller than "
                         f"filter_size {list(size)}, or some windows would hold no input")
    return ({"filter_size": size, "strides": strides, "pad": pads},
            (x_shape[0], *out_hw, x_shape[3]))


def _pool(kernel: str, x: TensorLike, filter_size: IntOrPair, strides: IntOrPair, pad: Pad,
          op_name: str) -> Tensor:
    xt, x4, attrs = _pool_args(x, filter_size, strides, pad, op_name)
    y = run_kernel(kernel, {"x": x4}, **attrs)
    return y if xt.rank == 4 else reshape(y, y.shape[1:])


@op
def max_pool(x: TensorLike, filter_size: IntOrPair, strides: IntOrPair,
             pad: Pad = "valid") -> Tensor:
    """The largest value in each window, per channel (TF.js ``tf.maxPool``): downsampling that
    keeps the strongest response.

    x [batch, h, w, channels] (or rank 3) -> [batch, out_h, out_w, channels]; pad 'valid',
    'same' or an int. Kernel 'MaxPool'; its gradient runs 'MaxPoolGrad'.

    >>> import minitf as tf
    >>> tf.max_pool(tf.tensor([[[1.0], [2.0]], [[3.0], [4.0]]]), 2, 2).reshape([-1]).array_sync()
    [4.0]
    """
    return _pool("MaxPool", x, filter_size, strides, pad, "max_pool")


@gradient("MaxPool", save=("x",))
def _max_pool_grad(dy: Tensor, x: Tensor, filter_size: tuple[int, int], strides: tuple[int, int],
                   pad: ExplicitPad) -> Tensor:
    return max_pool_grad(dy, x, filter_size, strides, pad)


@op
def max_pool_grad(dy: TensorLike, x: TensorLike, filter_size: IntOrPair, strides: IntOrPair,
                  pad: Pad = "valid") -> Tensor:
    """Gradient of max_pool: each window's dy goes to the first maximum of x in it, in row-major
    order, as TF picks. TF.js ``maxPoolGrad`` also takes the pooled output; this kernel finds
    the maxima from x alone. dy [batch, out_h, out_w, c], x [batch, h, w, c]. Kernel 'MaxPoolGrad'.
    """
    _, x4, attrs = _pool_args(x, filter_size, strides, pad, "max_pool_grad", (4,))
    return run_kernel("MaxPoolGrad", {"dy": _pooled_grad(dy, x4, attrs, "max_pool_grad"), "x": x4},
                      **attrs)


@op
def avg_pool(x: TensorLike, filter_size: IntOrPair, strides: IntOrPair,
             pad: Pad = "valid") -> Tensor:
    """The mean of each window, per channel, over its real (unpadded) cells (TF.js
    ``tf.avgPool``).

    x [batch, h, w, channels] (or rank 3) -> [batch, out_h, out_w, channels]; pad 'valid',
    'same' or an int. Kernel 'AvgPool'; its gradient runs 'AvgPoolGrad'.

    >>> import minitf as tf
    >>> x = tf.tensor([[[1.0], [2.0], [6.0]]])  # one row of three pixels
    >>> tf.avg_pool(x, [1, 2], [1, 2], 'same').reshape([-1]).array_sync()
    [1.5, 6.0]
    """
    return _pool("AvgPool", x, filter_size, strides, pad, "avg_pool")


@gradient("AvgPool", save=("x",))
def _avg_pool_grad(dy: Tensor, x: Tensor, filter_size: tuple[int, int], strides: tuple[int, int],
                   pad: ExplicitPad) -> Tensor:
    return avg_pool_grad(dy, x, filter_size, strides, pad)


@op
def avg_pool_grad(dy: TensorLike, x: TensorLike, filter_size: IntOrPair, strides: IntOrPair,
                  pad: Pad = "valid") -> Tensor:
    """Gradient of avg_pool: each window's dy, divided by its count of real cells, spread over
    them (TF.js ``avgPoolGrad``; only x's shape is used). Kernel 'AvgPoolGrad'."""
    _, x4, attrs = _pool_args(x, filter_size, strides, pad, "avg_pool_grad", (4,))
    return run_kernel("AvgPoolGrad", {"dy": _pooled_grad(dy, x4, attrs, "avg_pool_grad"), "x": x4},
                      **attrs)


@gradient("AvgPoolGrad", save=())
def _avg_pool_grad_grad(ddx: Tensor, filter_size: tuple[int, int], strides: tuple[int, int],
                        pad: ExplicitPad) -> tuple[Tensor, None]:
    # AvgPoolGrad is the adjoint of the linear map avg_pool, and does not depend on x's values.
    return avg_pool(ddx, filter_size, strides, pad), None


def _pooled_grad(dy: TensorLike, x4: Tensor, attrs: dict, op_name: str) -> Tensor:
    """``dy`` checked against the pooled shape of ``x4``, in x's dtype."""
    dyt = float_arg(dy, "dy", op_name)
    _, out_hw = conv_padding(attrs["pad"], x4.shape[1:3], attrs["filter_size"], attrs["strides"],
                             (1, 1), op_name)
    expected = (x4.shape[0], *out_hw, x4.shape[3])
    if dyt.shape != expected or dyt.dtype != x4.dtype:
        raise ValueError(f"{op_name}: dy must be {x4.dtype} of shape {list(expected)} (x pooled), "
                         f"got {dyt.dtype} of shape {list(dyt.shape)}")
    return dyt


def _pool1d(pool: str, x: TensorLike, pool_size: int, stride: int, pad: Pad) -> Tensor:
    xt = float_arg(x, "x", f"{pool}1d")
    check_rank(xt, (2, 3), f"{pool}1d")
    x3 = xt if xt.rank == 3 else reshape(xt, (1, *xt.shape))
    fn = max_pool if pool == "max_pool" else avg_pool
    y = fn(reshape(x3, (x3.shape[0], 1, *x3.shape[1:])), (1, pool_size), (1, stride),
           pad_1d(pad, f"{pool}1d"))
    return reshape(y, y.shape[2:] if xt.rank == 2 else (y.shape[0], *y.shape[2:]))


@op
def max_pool1d(x: TensorLike, pool_size: int, stride: int, pad: Pad = "valid") -> Tensor:
    """Max pooling over sequences [batch, width, channels] (or rank 2), as a max_pool of height
    1; a minitf helper for ``MaxPooling1D`` (TF.js has no such op)."""
    return _pool1d("max_pool", x, pool_size, stride, pad)


@op
def avg_pool1d(x: TensorLike, pool_size: int, stride: int, pad: Pad = "valid") -> Tensor:
    """Average pooling over sequences [batch, width, channels] (or rank 2), as an avg_pool of
    height 1; a minitf helper for ``AveragePooling1D`` (TF.js has no such op)."""
    return _pool1d("avg_pool", x, pool_size, stride, pad)
