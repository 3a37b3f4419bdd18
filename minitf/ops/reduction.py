"""Reductions along axes: sum, mean, max, min, prod, argmax, argmin, logsumexp, moments.

``axis=None`` reduces every axis; ``keep_dims`` keeps reduced axes as size 1 (TF.js names).
"""
from __future__ import annotations

import builtins
from typing import Sequence

from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, axes_arg, gradient, op, tensor_arg

__all__ = ["sum"]


@op
def sum(x: TensorLike, axis: int | Sequence[int] | None = None,  # noqa: A001 (TF.js name)
        keep_dims: bool = False) -> Tensor:
    """Sum of elements along ``axis`` (TF.js ``tf.sum``); bools are summed as int32.

    >>> import minitf as tf
    >>> tf.sum(tf.tensor([[1.0, 2.0], [3.0, 4.0]]), 1).array_sync()
    [3.0, 7.0]
    """
    t = tensor_arg(x, "x", "sum")
    if t.dtype == "bool":
        t = tensor_arg(t, "x", "sum", "int32")
    return run_kernel("Sum", {"x": t}, axes=axes_arg(axis, t.rank, "sum"), keep_dims=bool(keep_dims))


@gradient("Sum", save=("x",))
def _sum_grad(dy: Tensor, x: Tensor, axes: tuple[int, ...], keep_dims: bool) -> Tensor:
    from .shape import broadcast_to, reshape

    kept = [1 if i in axes else d for i, d in enumerate(x.shape)]
    return broadcast_to(reshape(dy, kept), x.shape)
