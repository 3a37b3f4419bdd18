"""Elementwise functions of two tensors with NumPy broadcasting: arithmetic, comparisons,
logical ops, where, clip_by_value. Gradients are written at the broadcast shape; the tape sums
them back to each input's shape.
"""
from __future__ import annotations

from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, binary_args, gradient, op
from .broadcast import broadcast_shapes

__all__ = ["add", "mul"]


@op
def add(a: TensorLike, b: TensorLike) -> Tensor:
    """a + b elementwise, with broadcasting (TF.js ``tf.add``).

    >>> import minitf as tf
    >>> tf.add(tf.tensor([1.0, 2.0]), 1).array_sync()
    [2.0, 3.0]
    """
    ta, tb = binary_args(a, b, "add")
    broadcast_shapes(ta.shape, tb.shape, "add")
    return run_kernel("Add", {"a": ta, "b": tb})


@gradient("Add")
def _add_grad(dy: Tensor) -> tuple[Tensor, Tensor]:
    return dy, dy


@op
def mul(a: TensorLike, b: TensorLike) -> Tensor:
    """a * b elementwise, with broadcasting (TF.js ``tf.mul``)."""
    ta, tb = binary_args(a, b, "mul")
    broadcast_shapes(ta.shape, tb.shape, "mul")
    return run_kernel("Multiply", {"a": ta, "b": tb})


@gradient("Multiply", save=("a", "b"))
def _mul_grad(dy: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    return mul(dy, b), mul(dy, a)
