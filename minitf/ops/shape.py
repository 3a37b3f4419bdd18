"""Ops that move data without arithmetic: reshape, broadcast_to, transpose, expand_dims, squeeze,
concat, stack, unstack, split, pad, tile, reverse. Indexing (slice, gather, ``x[...]``) is in
indexing.py.

Each gradient moves dy back the way the data came: transpose by the inverse permutation,
concat <-> split, stack <-> unstack, pad -> slice, tile -> sum of the copies.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import dtypes
from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import (TensorLike, axes_arg, axis_arg, gradient, op, shape_arg,
                  tensor_arg)

__all__ = ["reshape", "broadcast_to", "transpose", "expand_dims", "squeeze", "concat", "stack",
           "unstack", "split", "pad", "tile", "reverse"]


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
    """``x`` repeated along broadcast dimensions to ``shape`` (TF.js ``tf.broadcastTo``).

    >>> import minitf as tf
    >>> tf.broadcast_to(tf.tensor([1, 2]), [2, 2]).array_sync()
    [[1, 2], [1, 2]]
    """
    from .broadcast import broadcast_shapes

    t = tensor_arg(x, "x", "broadcast_to")
    target = shape_arg(shape, "broadcast_to")
    if broadcast_shapes(t.shape, target, "broadcast_to") != target:
        raise ValueError(f"broadcast_to: cannot broadcast shape {list(t.shape)} to {list(target)}")
    return run_kernel("BroadcastTo", {"x": t}, shape=target)


@gradient("BroadcastTo")
def _broadcast_to_grad(dy: Tensor, shape: tuple[int, ...]) -> Tensor:
    return dy  # the tape sums dy back to x's shape


@op
def transpose(x: TensorLike, perm: Sequence[int] | None = None) -> Tensor:
    """Permute the axes: output axis i is input axis ``perm[i]``; by default the axes are
    reversed (TF.js ``tf.transpose``).

    >>> import minitf as tf
    >>> tf.transpose(tf.tensor([[1, 2, 3]])).shape
    (3, 1)
    """
    t = tensor_arg(x, "x", "transpose")
    order = tuple(reversed(range(t.rank))) if perm is None else tuple(int(p) for p in perm)
    if sorted(order) != list(range(t.rank)):
        raise ValueError(f"transpose: perm {list(order)} is not a permutation of the axes of a "
                         f"tensor of shape {list(t.shape)}")
    return run_kernel("Transpose", {"x": t}, perm=order)


@gradient("Transpose")
def _transpose_grad(dy: Tensor, perm: tuple[int, ...]) -> Tensor:
    return transpose(dy, np.argsort(perm).tolist())


@op
def expand_dims(x: TensorLike, axis: int = 0) -> Tensor:
    """Insert an axis of size 1 at ``axis`` (TF.js ``tf.expandDims``).

    >>> import minitf as tf
    >>> tf.expand_dims(tf.tensor([1, 2]), 1).shape
    (2, 1)
    """
    t = tensor_arg(x, "x", "expand_dims")
    a = axis_arg(axis, t.rank + 1, "expand_dims")
    return reshape(t, [*t.shape[:a], 1, *t.shape[a:]])


@op
def squeeze(x: TensorLike, axis: int | Sequence[int] | None = None) -> Tensor:
    """Drop axes of size 1: those in ``axis``, or all of them when ``axis`` is None or empty,
    as in TF.js and TensorFlow (TF.js ``tf.squeeze``).

    >>> import minitf as tf
    >>> tf.squeeze(tf.zeros([1, 3, 1])).shape
    (3,)
    """
    t = tensor_arg(x, "x", "squeeze")
    if axis is None or (not isinstance(axis, (int, np.integer)) and len(axis) == 0):
        drop = [i for i, d in enumerate(t.shape) if d == 1]
    else:
        drop = axes_arg(axis, t.rank, "squeeze")
        for a in drop:
            if t.shape[a] != 1:
                raise ValueError(f"squeeze: axis {a} of shape {list(t.shape)} has size "
                                 f"{t.shape[a]}, not 1")
    return reshape(t, [d for i, d in enumerate(t.shape) if i not in drop])


def _tensor_list(tensors: Sequence[TensorLike], op_name: str) -> list[Tensor]:
    """The tensors of concat/stack, converted to their common dtype."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{op_name}: expected a non-empty list of tensors, got {tensors!r}")
    ts = [tensor_arg(v, f"tensors[{i}]", op_name) for i, v in enumerate(tensors)]
    dtype = dtypes.upcast(*(t.dtype for t in ts))
    return [tensor_arg(t, f"tensors[{i}]", op_name, dtype) for i, t in enumerate(ts)]


@op
def concat(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """Join tensors along an existing ``axis``; other axes must match (TF.js ``tf.concat``).

    >>> import minitf as tf
    >>> tf.concat([tf.tensor([1, 2]), tf.tensor([3])]).array_sync()
    [1, 2, 3]
    """
    ts = _tensor_list(tensors, "concat")
    first = ts[0]
    if first.rank == 0:
        raise ValueError("concat: cannot concatenate scalars; use stack")
    a = axis_arg(axis, first.rank, "concat")
    def outside_axis(t: Tensor) -> tuple[int, ...]:
        return t.shape[:a] + t.shape[a + 1:]

    for i, t in enumerate(ts):
        if t.rank != first.rank or outside_axis(t) != outside_axis(first):
            raise ValueError(f"concat: tensor {i} has shape {list(t.shape)}, which does not match "
                             f"tensor 0's shape {list(first.shape)} outside axis {a}")
    sizes = tuple(t.shape[a] for t in ts)
    return run_kernel("Concat", {f"x{i}": t for i, t in enumerate(ts)}, axis=a, sizes=sizes)


@gradient("Concat")
def _concat_grad(dy: Tensor, axis: int, sizes: tuple[int, ...]) -> tuple[Tensor, ...]:
    return tuple(split(dy, list(sizes), axis))


@op
def stack(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new ``axis`` (TF.js ``tf.stack``, kernel Pack).

    >>> import minitf as tf
    >>> tf.stack([tf.tensor([1, 2]), tf.tensor([3, 4])], 1).array_sync()
    [[1, 3], [2, 4]]
    """
    ts = _tensor_list(tensors, "stack")
    for i, t in enumerate(ts):
        if t.shape != ts[0].shape:
            raise ValueError(f"stack: tensor {i} has shape {list(t.shape)}, but tensor 0 has "
                             f"shape {list(ts[0].shape)}; all must be equal")
    a = axis_arg(axis, ts[0].rank + 1, "stack")
    return run_kernel("Pack", {f"x{i}": t for i, t in enumerate(ts)}, axis=a)


@gradient("Pack")
def _pack_grad(dy: Tensor, axis: int) -> tuple[Tensor, ...]:
    return tuple(unstack(dy, axis))


@op
def unstack(x: TensorLike, axis: int = 0) -> list[Tensor]:
    """The slices of ``x`` along ``axis``, as a list (TF.js ``tf.unstack``, kernel Unpack).

    >>> import minitf as tf
    >>> [t.array_sync() for t in tf.unstack(tf.tensor([[1, 2], [3, 4]]))]
    [[1, 2], [3, 4]]
    """
    t = tensor_arg(x, "x", "unstack")
    if t.rank == 0:
        raise ValueError("unstack: cannot unstack a scalar")
    return list(run_kernel("Unpack", {"x": t}, axis=axis_arg(axis, t.rank, "unstack")))


@gradient("Unpack")
def _unpack_grad(dy: list[Tensor], axis: int) -> Tensor:
    return stack(dy, axis)


@op
def split(x: TensorLike, num_or_size_splits: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """Cut ``x`` along ``axis`` into equal parts or parts of the given sizes, one of which may
    be -1 for the rest (TF.js ``tf.split``, kernel SplitV).

    >>> import minitf as tf
    >>> [t.array_sync() for t in tf.split(tf.tensor([1, 2, 3, 4]), [1, -1])]
    [[1], [2, 3, 4]]
    """
    t = tensor_arg(x, "x", "split")
    if t.rank == 0:
        raise ValueError("split: cannot split a scalar")
    a = axis_arg(axis, t.rank, "split")
    n = t.shape[a]
    if isinstance(num_or_size_splits, (int, np.integer)):
        parts = int(num_or_size_splits)
        if parts <= 0 or n % parts:
            raise ValueError(f"split: axis {a} of shape {list(t.shape)} cannot be split into "
                             f"{parts} equal parts")
        sizes = [n // parts] * parts
    else:
        sizes = [int(s) for s in num_or_size_splits]
        if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
            raise ValueError(f"split: sizes {sizes} may hold one -1 and otherwise sizes >= 0")
        if -1 in sizes:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes {list(num_or_size_splits)} do not add up to {n}, "
                             f"the size of axis {a} of shape {list(t.shape)}")
    return list(run_kernel("SplitV", {"x": t}, sizes=tuple(sizes), axis=a))


@gradient("SplitV")
def _split_grad(dy: list[Tensor], sizes: tuple[int, ...], axis: int) -> Tensor:
    return concat(dy, axis)


@op
def pad(x: TensorLike, paddings: Sequence[Sequence[int]], constant_value: float = 0) -> Tensor:
    """Add ``paddings[i] = [before, after]`` elements equal to ``constant_value`` around axis i
    (TF.js ``tf.pad``, kernel PadV2).

    >>> import minitf as tf
    >>> tf.pad(tf.tensor([1, 2]), [[1, 2]]).array_sync()
    [0, 1, 2, 0, 0]
    """
    t = tensor_arg(x, "x", "pad")
    pads = tuple((int(before), int(after)) for before, after in paddings)
    if len(pads) != t.rank or any(p < 0 for pair in pads for p in pair):
        raise ValueError(f"pad: expected {t.rank} pairs [before, after] >= 0 for shape "
                         f"{list(t.shape)}, got {[list(p) for p in pads]}")
    return run_kernel("PadV2", {"x": t}, paddings=pads, constant_value=constant_value)


@gradient("PadV2", save=("x",))
def _pad_grad(dy: Tensor, x: Tensor, paddings: tuple[tuple[int, int], ...],
              constant_value: float) -> Tensor:
    from .indexing import slice  # indexing imports this module

    return slice(dy, [before for before, _ in paddings], x.shape)


@op
def tile(x: TensorLike, reps: Sequence[int]) -> Tensor:
    """``x`` repeated ``reps[i]`` times along axis i (TF.js ``tf.tile``).

    >>> import minitf as tf
    >>> tf.tile(tf.tensor([1, 2]), [2]).array_sync()
    [1, 2, 1, 2]
    """
    t = tensor_arg(x, "x", "tile")
    counts = shape_arg(reps, "tile", "reps")
    if len(counts) != t.rank:
        raise ValueError(f"tile: reps {list(counts)} need one entry per axis of shape "
                         f"{list(t.shape)}")
    return run_kernel("Tile", {"x": t}, reps=counts)


@gradient("Tile", save=("x",))
def _tile_grad(dy: Tensor, x: Tensor, reps: tuple[int, ...]) -> Tensor:
    from .reduction import sum as reduce_sum

    # dy has shape [r0 * d0, r1 * d1, ...]; seen as [r0, d0, r1, d1, ...], copies lie on even axes.
    split_shape = [n for r, d in zip(reps, x.shape) for n in (r, d)]
    return reduce_sum(reshape(dy, split_shape), list(range(0, 2 * x.rank, 2)))


@op
def reverse(x: TensorLike, axis: int | Sequence[int] | None = None) -> Tensor:
    """``x`` with the order of elements reversed along ``axis`` (all axes by default;
    TF.js ``tf.reverse``).

    >>> import minitf as tf
    >>> tf.reverse(tf.tensor([[1, 2], [3, 4]]), 1).array_sync()
    [[2, 1], [4, 3]]
    """
    t = tensor_arg(x, "x", "reverse")
    return run_kernel("Reverse", {"x": t}, axes=axes_arg(axis, t.rank, "reverse"))


@gradient("Reverse")
def _reverse_grad(dy: Tensor, axes: tuple[int, ...]) -> Tensor:
    return reverse(dy, axes)

