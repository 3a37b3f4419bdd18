"""Ops that move data without arithmetic: reshape, transpose, expand_dims, squeeze, concat,
stack, unstack, split, slice, strided_slice, gather, pad, tile, reverse, broadcast_to.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, gradient, op, shape_arg, tensor_arg

__all__ = ["reshape", "broadcast_to"]


@op
def reshape(x: TensorLike, shape: Sequence[int]) -> Tensor:
    """The same values in a new shape; one dimension may be -1 (TF.js ``tf.reshape``).

    >>> import minitf as tf
    >>> tf.reshape(tf.range(6), [2, -1]).shape
    (2, 3)
    """
    t = tensor_arg(x, "x", "reshape")
    dims = [int(d) for d in (shape.shape if isinstance(shape, Tensor) else shape)] \
        if not isinstance(shape, int) else [shape]
    if dims.count(-1) > 1:
        raise ValueError(f"reshape: at most one dimension may be -1, got {dims}")
    known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if -1 in dims:
        if known == 0 or t.size % known:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {list(t.shape)} "
                             f"({t.size} values) into {dims}")
        dims[dims.index(-1)] = t.size // known
    new_shape = shape_arg(dims, "reshape")
    if int(np.prod(new_shape, dtype=np.int64)) != t.size:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {list(t.shape)} "
                         f"({t.size} values) into {list(new_shape)}")
    return run_kernel("Reshape", {"x": t}, shape=new_shape)


@gradient("Reshape", save=("x",))
def _reshape_grad(dy: Tensor, x: Tensor, shape: tuple[int, ...]) -> Tensor:
    return reshape(dy, x.shape)


@op
def broadcast_to(x: TensorLike, shape: Sequence[int]) -> Tensor:
    """``x`` repeated along broadcast dimensions to ``shape`` (TF.js ``tf.broadcastTo``)."""
    from .broadcast import broadcast_shapes

    t = tensor_arg(x, "x", "broadcast_to")
    target = shape_arg(shape, "broadcast_to")
    if broadcast_shapes(t.shape, target, "broadcast_to") != target:
        raise ValueError(f"broadcast_to: cannot broadcast shape {list(t.shape)} to {list(target)}")
    return run_kernel("BroadcastTo", {"x": t}, shape=target)


@gradient("BroadcastTo")
def _broadcast_to_grad(dy: Tensor, shape: tuple[int, ...]) -> Tensor:
    return dy  # the tape sums dy back to x's shape
