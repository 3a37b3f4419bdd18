"""Reductions along axes: sum, mean, max, min, prod, argmax, argmin, all, any, and the composites
logsumexp and moments.

``axis=None`` reduces every axis; ``keep_dims`` keeps reduced axes as size 1 (TF.js names).
A reduction's gradient first puts dy back at x's shape (:func:`_dy_at_x`), then applies the
local derivative: 1 for sum, 1/n for mean, "is the extremum" for max and min.
"""
from __future__ import annotations

import builtins
from typing import Sequence

import numpy as np

from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, axes_arg, axis_arg, float_arg, gradient, op, tensor_arg
from .binary import add, cast, div, equal, logical_and, mul, sub, where
from .shape import broadcast_to, reshape
from .unary import exp, log, square

__all__ = ["sum", "mean", "max", "min", "prod", "argmax", "argmin", "arg_max", "arg_min",
           "all", "any", "logsumexp", "log_sum_exp", "moments"]

Axis = int | Sequence[int] | None


def _reduce(kernel: str, op_name: str, t: Tensor, axis: Axis, keep_dims: bool) -> Tensor:
    axes = axes_arg(axis, t.rank, op_name)
    return run_kernel(kernel, {"x": t}, axes=axes, keep_dims=bool(keep_dims))


def _check_not_empty(t: Tensor, axes: Sequence[int], op_name: str) -> None:
    for a in axes:
        if t.shape[a] == 0:
            raise ValueError(f"{op_name}: cannot reduce axis {a} of size 0 "
                             f"(input shape {list(t.shape)})")


def _keep_dims(t: Tensor, x_shape: Sequence[int], axes: Sequence[int]) -> Tensor:
    """A reduction's result reshaped so that the reduced axes are there again with size 1."""
    return reshape(t, [1 if i in axes else d for i, d in enumerate(x_shape)])


def _dy_at_x(dy: Tensor, x_shape: Sequence[int], axes: Sequence[int]) -> Tensor:
    """dy of a reduction, repeated along the reduced axes to the input's shape."""
    return broadcast_to(_keep_dims(dy, x_shape, axes), x_shape)


@op
def sum(x: TensorLike, axis: Axis = None, keep_dims: bool = False) -> Tensor:  # noqa: A001
    """Sum of elements along ``axis`` (TF.js ``tf.sum``); bools are summed as int32.

    >>> import minitf as tf
    >>> tf.sum(tf.tensor([[1.0, 2.0], [3.0, 4.0]]), 1).array_sync()
    [3.0, 7.0]
    """
    t = tensor_arg(x, "x", "sum")
    if t.dtype == "bool":
        t = tensor_arg(t, "x", "sum", "int32")
    return _reduce("Sum", "sum", t, axis, keep_dims)


@gradient("Sum", save=("x",))
def _sum_grad(dy: Tensor, x: Tensor, axes: tuple[int, ...], keep_dims: bool) -> Tensor:
    return _dy_at_x(dy, x.shape, axes)


@op
def mean(x: TensorLike, axis: Axis = None, keep_dims: bool = False) -> Tensor:
    """Arithmetic mean along ``axis`` (TF.js ``tf.mean``); ints and bools give float32.

    >>> import minitf as tf
    >>> tf.mean(tf.tensor([[1.0, 2.0], [3.0, 4.0]]), 0).array_sync()
    [2.0, 3.0]
    """
    return _reduce("Mean", "mean", float_arg(x, "x", "mean"), axis, keep_dims)


@gradient("Mean", save=("x",))
def _mean_grad(dy: Tensor, x: Tensor, axes: tuple[int, ...], keep_dims: bool) -> Tensor:
    count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    return mul(_dy_at_x(dy, x.shape, axes), 1.0 / builtins.max(count, 1))


@op
def max(x: TensorLike, axis: Axis = None, keep_dims: bool = False) -> Tensor:  # noqa: A001
    """Largest element along ``axis`` (TF.js ``tf.max``); the dtype is kept.

    >>> import minitf as tf
    >>> tf.max(tf.tensor([[1.0, 5.0], [3.0, 2.0]]), 1).array_sync()
    [5.0, 3.0]
    """
    t = tensor_arg(x, "x", "max")
    _check_not_empty(t, axes_arg(axis, t.rank, "max"), "max")
    return _reduce("Max", "max", t, axis, keep_dims)


@gradient("Max", save=("x", "y"))
def _max_grad(dy: Tensor, x: Tensor, y: Tensor, axes: tuple[int, ...],
              keep_dims: bool) -> Tensor:
    return _to_extremum(dy, x, y, axes)


@op
def min(x: TensorLike, axis: Axis = None, keep_dims: bool = False) -> Tensor:  # noqa: A001
    """Smallest element along ``axis`` (TF.js ``tf.min``); the dtype is kept.

    >>> import minitf as tf
    >>> tf.min(tf.tensor([[1.0, 5.0], [3.0, 2.0]]), 1).array_sync()
    [1.0, 2.0]
    """
    t = tensor_arg(x, "x", "min")
    _check_not_empty(t, axes_arg(axis, t.rank, "min"), "min")
    return _reduce("Min", "min", t, axis, keep_dims)


@gradient("Min", save=("x", "y"))
def _min_grad(dy: Tensor, x: Tensor, y: Tensor, axes: tuple[int, ...],
              keep_dims: bool) -> Tensor:
    return _to_extremum(dy, x, y, axes)


def _to_extremum(dy: Tensor, x: Tensor, y: Tensor, axes: tuple[int, ...]) -> Tensor:
    """dy sent to every element equal to the max (min) y, ties included, as TF.js does."""
    at_extremum = cast(equal(x, _keep_dims(y, x.shape, axes)), x.dtype)
    return mul(_dy_at_x(dy, x.shape, axes), at_extremum)


@op
def prod(x: TensorLike, axis: Axis = None, keep_dims: bool = False) -> Tensor:
    """Product of elements along ``axis`` (TF.js ``tf.prod``); bools multiply as int32.

    >>> import minitf as tf
    >>> tf.prod(tf.tensor([[1.0, 2.0], [3.0, 4.0]]), 1).array_sync()
    [2.0, 12.0]
    """
    t = tensor_arg(x, "x", "prod")
    if t.dtype == "bool":
        t = tensor_arg(t, "x", "prod", "int32")
    return _reduce("Prod", "prod", t, axis, keep_dims)


@gradient("Prod", save=("x",))
def _prod_grad(dy: Tensor, x: Tensor, axes: tuple[int, ...], keep_dims: bool) -> Tensor:
    # d prod / d x_i is the product of the other elements of its group. Dividing the product by
    # x_i fails at zeros, so with p = the product of the non-zero elements: no zero in the group
    # gives p / x_i; exactly one zero gives p at that zero and 0 elsewhere; more zeros give 0.
    is_zero = equal(x, 0)
    zeros_in_group = _keep_dims(sum(is_zero, axes), x.shape, axes)
    nonzero = where(is_zero, 1, x)
    p = _keep_dims(prod(nonzero, axes), x.shape, axes)
    the_only_zero = logical_and(is_zero, equal(zeros_in_group, 1))
    others = where(equal(zeros_in_group, 0), div(p, nonzero), where(the_only_zero, p, 0))
    return mul(_dy_at_x(dy, x.shape, axes), others)


@op
def argmax(x: TensorLike, axis: int = 0) -> Tensor:
    """Index of the largest element along one ``axis``, as int32 (TF.js ``tf.argMax``, default
    axis 0); the first one wins ties.

    >>> import minitf as tf
    >>> tf.argmax(tf.tensor([[1.0, 5.0], [3.0, 2.0]]), 1).array_sync()
    [1, 0]
    """
    return _arg_extremum("ArgMax", "argmax", x, axis)


@op
def argmin(x: TensorLike, axis: int = 0) -> Tensor:
    """Index of the smallest element along one ``axis``, as int32 (TF.js ``tf.argMin``).

    >>> import minitf as tf
    >>> tf.argmin(tf.tensor([[1.0, 5.0], [3.0, 2.0]]), 1).array_sync()
    [0, 1]
    """
    return _arg_extremum("ArgMin", "argmin", x, axis)


def _arg_extremum(kernel: str, op_name: str, x: TensorLike, axis: int) -> Tensor:
    t = tensor_arg(x, "x", op_name)
    if t.rank == 0:
        raise ValueError(f"{op_name}: input must have rank >= 1, got a scalar")
    a = axis_arg(axis, t.rank, op_name)
    _check_not_empty(t, [a], op_name)
    return run_kernel(kernel, {"x": t}, axis=a)  # int32 output: no gradient flows back


arg_max, arg_min = argmax, argmin  # the snake_case of TF.js's argMax / argMin


@op
def all(x: TensorLike, axis: Axis = None, keep_dims: bool = False) -> Tensor:  # noqa: A001
    """Logical AND along ``axis``; the input is read as bool (TF.js ``tf.all``).

    >>> import minitf as tf
    >>> tf.all(tf.tensor([[True, False], [True, True]]), 1).array_sync()
    [False, True]
    """
    return _reduce("All", "all", tensor_arg(x, "x", "all", "bool"), axis, keep_dims)


@op
def any(x: TensorLike, axis: Axis = None, keep_dims: bool = False) -> Tensor:  # noqa: A001
    """Logical OR along ``axis``; the input is read as bool (TF.js ``tf.any``).

    >>> import minitf as tf
    >>> tf.any(tf.tensor([[True, False], [False, False]]), 1).array_sync()
    [True, False]
    """
    return _reduce("Any", "any", tensor_arg(x, "x", "any", "bool"), axis, keep_dims)


@op
def logsumexp(x: TensorLike, axis: Axis = None, keep_dims: bool = False) -> Tensor:
    """log(sum(exp(x))) along ``axis`` without overflow (TF.js ``tf.logSumExp``).

    >>> import minitf as tf
    >>> round(tf.logsumexp(tf.tensor([1000.0, 1000.0])).item(), 2)   # 1000 + log(2)
    1000.69
    """
    t = float_arg(x, "x", "logsumexp")
    axes = axes_arg(axis, t.rank, "logsumexp")
    # log sum exp(x) = m + log sum exp(x - m) with m = max(x): the largest term is exp(0) = 1.
    m = max(t, axes, keep_dims=True)
    result = add(m, log(sum(exp(sub(t, m)), axes, keep_dims=True)))
    if keep_dims:
        return result
    return reshape(result, [d for i, d in enumerate(t.shape) if i not in axes])


log_sum_exp = logsumexp  # the snake_case of TF.js's logSumExp


@op
def moments(x: TensorLike, axes: Axis = None, keep_dims: bool = False) -> tuple[Tensor, Tensor]:
    """``(mean, variance)`` of x along ``axes`` (TF.js ``tf.moments``, which returns an object);
    the variance is the population one (divided by n), as batch normalisation uses it.

    >>> import minitf as tf
    >>> [m.item() for m in tf.moments(tf.tensor([1.0, 2.0, 3.0, 4.0]))]
    [2.5, 1.25]
    """
    t = float_arg(x, "x", "moments")
    reduced = axes_arg(axes, t.rank, "moments")
    m = mean(t, reduced, keep_dims=True)
    variance = mean(square(sub(t, m)), reduced, keep_dims)
    return (m if keep_dims else reshape(m, variance.shape)), variance
