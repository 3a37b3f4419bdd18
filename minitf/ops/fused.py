"""Fused ops (TF.js ``tf.fused``): a convolution, its bias and its activation as one kernel.

``conv2d -> add bias -> relu`` as three ops reads and writes the whole activation three times;
the fused kernel adds the bias and applies the activation while each block of the convolution's
output is still in the cache. Conv2D layers use it whenever their activation is one of
``ACTIVATIONS``. The gradient needs only the output y: every activation here has a derivative
that y alone determines (relu: y > 0; sigmoid: y (1 - y); ...). It is one kernel too,
'FusedConv2DGrad': the activation's derivative, the bias gradient and both convolution
gradients, chunk by chunk, so that the gradient before the activation is never written out
whole; under an outer tape (a gradient of a gradient) it is the same computation in ops.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Sequence

from ..engine import tape
from ..engine.backend import active
from ..engine.dispatch import run_kernel
from ..engine.registry import has_kernel
from ..tensor import Tensor
from . import binary, unary
from ._op import TensorLike, check_rank, float_arg, gradient, op, tensor_arg
from .conv import (IntOrPair, Pad, _attrs, _batched, _check_channels, _image_and_filter,
                   _like_input, check_nhwc, conv2d_backprop_filter, conv2d_backprop_input)
from .pool import max_pool, pool_attrs
from .reduction import sum as reduce_sum

__all__ = ["ACTIVATIONS", "conv2d", "conv2d_chain"]

ACTIVATIONS = ("linear", "relu", "relu6", "elu", "sigmoid")


@op
def conv2d(x: TensorLike, filter: TensorLike, strides: IntOrPair = 1, pad: Pad = "valid",
           data_format: str = "NHWC", dilations: IntOrPair = 1, bias: TensorLike | None = None,
           activation: str = "linear") -> Tensor:
    """``activation(conv2d(x, filter) + bias)`` in one kernel, 'FusedConv2D' (TF.js
    ``tf.fused.conv2d``); ``activation`` is one of ``ACTIVATIONS``, bias [out] or None.

    >>> import minitf as tf
    >>> tf.fused.conv2d(tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 1]), bias=tf.tensor([-5.0]),
    ...                 activation='relu').reshape([-1]).array_sync()
    [0.0]
    """
    op_name = "fused.conv2d"
    _check_activation(activation, op_name)
    xt, ft = _image_and_filter(x, filter, op_name, (3, 4), (4,))
    _check_channels(xt.shape, ft.shape, op_name)
    check_nhwc(data_format, op_name)
    x4 = _batched(xt)
    attrs, _ = _attrs("Conv2D", x4.shape, ft.shape, strides, pad, dilations, op_name)
    bt = _bias(bias, ft, op_name)
    y = run_kernel("FusedConv2D", {"x": x4, "filter": ft, "bias": bt}, activation=activation,
                   **attrs)
    return _like_input(y, xt)


def _check_activation(activation: str, op_name: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"{op_name}: activation must be one of {list(ACTIVATIONS)}, got "
                         f"{activation!r}")


def _bias(bias: TensorLike | None, filter: Tensor, op_name: str) -> Tensor:
    """The bias as a tensor of one value per filter (zeros for None)."""
    out = filter.shape[3]
    if bias is None:
        from .creation import zeros

        return zeros([out], filter.dtype)
    bt = tensor_arg(bias, "bias", op_name, filter.dtype)
    if bt.shape != (out,):
        raise ValueError(f"{op_name}: bias must have shape [{out}] (one per filter), got "
                         f"{list(bt.shape)}")
    return bt


@op
def conv2d_chain(x: TensorLike, stages: Sequence[dict[str, Any]]) -> Tensor:
    """Fused convolutions and max poolings in a row as one kernel, 'FusedConv2DChain' (minitf's
    own; TF.js has none): the way models run such runs of layers when they infer.

    Each stage is a dict holding ``"op"``, either ``"conv2d"`` with the arguments of
    ``fused.conv2d`` (filter, bias, strides, pad, dilations, activation) or ``"max_pool"`` with
    those of ``tf.max_pool`` (filter_size, strides, pad). x [batch, h, w, c].

    The ``cpu`` kernel takes a few images at a time through every stage, so the intermediate
    images stay in the cache (``backends/cpu/chain.py``). It keeps no intermediate output, so
    under a recording tape, or on a backend without a kernel of its own, the stages run as
    those ops one by one: the same numbers, and a gradient.

    >>> import minitf as tf
    >>> tf.fused.conv2d_chain(tf.ones([1, 3, 3, 1]), [
    ...     {"op": "conv2d", "filter": tf.ones([2, 2, 1, 1]), "activation": "relu"},
    ...     {"op": "max_pool", "filter_size": 2, "strides": 1}]).reshape([-1]).array_sync()
    [4.0]
    """
    op_name = "fused.conv2d_chain"
    steps = [_stage_args(stage, i, op_name) for i, stage in enumerate(stages)]
    if not steps:
        raise ValueError(f"{op_name}: stages is empty")
    if tape.recording() or not has_kernel("FusedConv2DChain", active().name):
        y = x
        for kind, args in steps:
            y = conv2d(y, **args) if kind == "conv2d" else max_pool(y, **args)
        return y
    xt = float_arg(x, "x", op_name)
    check_rank(xt, (4,), op_name)
    shape, inputs, kernel_stages = xt.shape, {"x": xt}, []
    for i, (kind, args) in enumerate(steps):
        where = f"{op_name} stage {i}"
        if kind == "max_pool":
            attrs, shape = pool_attrs(shape, args["filter_size"], args["strides"], args["pad"],
                                      where)
            kernel_stages.append({"op": kind, **attrs})
            continue
        _check_activation(args["activation"], where)
        check_nhwc(args["data_format"], where)
        ft = tensor_arg(args["filter"], "filter", where, xt.dtype)
        check_rank(ft, (4,), where)
        _check_channels(shape, ft.shape, where)
        attrs, shape = _attrs("Conv2D", shape, ft.shape, args["strides"], args["pad"],
                              args["dilations"], where)
        inputs[f"filter{i}"], inputs[f"bias{i}"] = ft, _bias(args["bias"], ft, where)
        kernel_stages.append({"op": kind, **attrs, "activation": args["activation"]})
    return run_kernel("FusedConv2DChain", inputs, stages=tuple(kernel_stages))


def _stage_args(stage: dict[str, Any], index: int, op_name: str) -> tuple[str, dict[str, Any]]:
    """(op, all of its arguments, defaults filled in) of one stage of ``conv2d_chain``."""
    kind = stage.get("op") if isinstance(stage, dict) else None
    if kind not in ("conv2d", "max_pool"):
        raise ValueError(f"{op_name}: stage {index} must be a dict with 'op' 'conv2d' or "
                         f"'max_pool', got {stage!r}")
    args = {key: value for key, value in stage.items() if key != "op"}
    try:
        bound = _signature(kind).bind(None, **args)
    except TypeError as e:
        raise TypeError(f"{op_name}: stage {index} ({kind}): {e}") from None
    bound.apply_defaults()
    return kind, {key: value for key, value in bound.arguments.items() if key != "x"}


def activation_grad(dy: Tensor, y: Tensor, activation: str) -> Tensor:
    """dy times the activation's derivative, written with the output y = activation(z)."""
    if activation == "linear":
        return dy
    if activation == "relu":  # y > 0 exactly where z > 0
        return unary.relu_grad(dy, y)
    if activation == "relu6":
        inside = binary.logical_and(binary.greater(y, 0), binary.less(y, 6))
        return binary.mul(dy, inside.cast(dy.dtype))
    if activation == "elu":  # z <= 0: y = e^z - 1, so dy/dz = e^z = y + 1
        return binary.where(binary.greater(y, 0), dy, binary.mul(dy, binary.add(y, 1)))
    if activation == "sigmoid":
        return binary.mul(dy, binary.mul(y, binary.sub(1, y)))
    raise ValueError(f"no fused gradient for activation {activation!r}")


@gradient("FusedConv2D", save=("x", "filter", "y"))
def _fused_conv2d_grad(dy: Tensor, x: Tensor, filter: Tensor, y: Tensor,
                       strides: tuple[int, int], pad: Sequence, dilations: tuple[int, int],
                       activation: str) -> tuple[Callable, Callable, Callable]:
    conv = {"strides": strides, "pad": pad, "dilations": dilations}
    if tape.recording():  # a gradient of this gradient is wanted: differentiable ops only
        dz = activation_grad(dy, y, activation)  # the gradient before the activation
        return (lambda: conv2d_backprop_input(x.shape, dz, filter, **conv),
                lambda: conv2d_backprop_filter(x, dz, filter.shape, **conv),
                lambda: reduce_sum(dz, axis=[0, 1, 2]))
    # One kernel gives all three: the tape asks for x's gradient first, and only when x needs
    # one (not for a first layer's images); the filter and bias gradients come with it.
    found: dict[str, Tensor] = {}

    def part(name: str) -> Tensor:
        if name not in found:
            names = ("dx", "dfilter", "dbias") if name == "dx" else ("dfilter", "dbias")
            found.update(zip(names, run_kernel(
                "FusedConv2DGrad", {"x": x, "filter": filter, "dy": dy, "y": y},
                activation=activation, input_grad=name == "dx", **conv)))
        return found.pop(name)

    return lambda: part("dx"), lambda: part("dfilter"), lambda: part("dbias")


@functools.lru_cache(maxsize=2)
def _signature(kind: str) -> inspect.Signature:
    """The signature of the op a stage names, built once (``inspect.signature`` takes ~25 us,
    and a model's chain calls this for every stage of every batch)."""
    return inspect.signature(conv2d if kind == "conv2d" else max_pool)
