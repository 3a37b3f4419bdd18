"""Indexing ops: slice, strided_slice, gather, unsorted_segment_sum, and getitem (``x[...]``),
which is built from strided_slice and gather.

Each gradient moves dy back to where the data came from: slice -> pad, strided_slice ->
scatter into zeros, gather <-> unsorted_segment_sum.
"""
from __future__ import annotations

import builtins
from typing import Any, Sequence

import numpy as np

from .. import dtypes
from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, axis_arg, check_dtype, gradient, op, tensor_arg
from .shape import pad, reshape, transpose

__all__ = ["slice", "strided_slice", "gather", "unsorted_segment_sum", "getitem"]

def _per_axis(values: int | Sequence[int], rank: int, fill: int) -> list[int]:
    """TF.js's slice arguments: a number stands for axis 0; missing axes take ``fill``."""
    items = [int(values)] if isinstance(values, (int, np.integer)) else [int(v) for v in values]
    return items + [fill] * (rank - len(items))


@op
def slice(x: TensorLike, begin: int | Sequence[int],  # noqa: A001 (TF.js name)
          size: int | Sequence[int] | None = None) -> Tensor:
    """The block of ``size`` starting at ``begin``; a size of -1 (or a missing one) runs to the
    end of its axis (TF.js ``tf.slice``).

    >>> import minitf as tf
    >>> tf.slice(tf.tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [-1, 2]).array_sync()
    [[2, 3], [5, 6]]
    """
    t = tensor_arg(x, "x", "slice")
    starts = _per_axis(begin, t.rank, 0)
    sizes = _per_axis(-1 if size is None else size, t.rank, -1)
    if len(starts) != t.rank or len(sizes) != t.rank:
        raise ValueError(f"slice: begin {starts} and size {sizes} need one entry per axis of "
                         f"shape {list(t.shape)}")
    sizes = [n - b if s == -1 else s for b, s, n in zip(starts, sizes, t.shape)]
    for i, (b, s, n) in enumerate(zip(starts, sizes, t.shape)):
        if b < 0 or s < 0 or b + s > n:
            raise ValueError(f"slice: begin {starts} with size {sizes} does not fit in shape "
                             f"{list(t.shape)} (axis {i})")
    return run_kernel("Slice", {"x": t}, begin=tuple(starts), size=tuple(sizes))


@gradient("Slice", save=("x",))
def _slice_grad(dy: Tensor, x: Tensor, begin: tuple[int, ...], size: tuple[int, ...]) -> Tensor:
    return pad(dy, [(b, n - b - s) for b, s, n in zip(begin, size, x.shape)])




@op
def gather(x: TensorLike, indices: TensorLike, axis: int = 0, batch_dims: int = 0) -> Tensor:
    """The slices of ``x`` at int32 ``indices`` along ``axis`` (TF.js ``tf.gather``, kernel
    GatherV2): the shape is ``x.shape[:axis] + indices.shape[batch_dims:] + x.shape[axis+1:]``.

    With ``batch_dims`` b, the first b axes of x and indices are matched one to one (each batch
    entry has its own indices). Indices outside ``[0, x.shape[axis])`` are an error.

    >>> import minitf as tf
    >>> tf.gather(tf.tensor([10, 20, 30]), [2, 0, 2]).array_sync()
    [30, 10, 30]
    """
    t = tensor_arg(x, "x", "gather")
    idx = tensor_arg(indices, "indices", "gather")
    check_dtype(idx, [dtypes.int32], "gather", "indices")
    a = axis_arg(axis, t.rank, "gather")
    b = int(batch_dims) + (idx.rank if batch_dims < 0 else 0)
    if not 0 <= b <= min(a, idx.rank) or t.shape[:b] != idx.shape[:b]:
        raise ValueError(f"gather: batch_dims {batch_dims} must be <= axis {a} and <= the rank of "
                         f"indices, and name axes of equal size in x {list(t.shape)} and "
                         f"indices {list(idx.shape)}")
    if b == 0:
        return run_kernel("GatherV2", {"x": t, "indices": idx}, axis=a)
    # The folded gather below would read a bad index as a row of the next batch entry: check here.
    host = idx.numpy()
    if host.size and (host.min() < 0 or host.max() >= t.shape[a]):
        raise ValueError(f"gather: indices must lie in [0, {t.shape[a] - 1}] for axis {a} of "
                         f"shape {list(t.shape)}, got values from {host.min()} to {host.max()}")
    return _batched_gather(t, idx, a, b)


def _batched_gather(x: Tensor, indices: Tensor, axis: int, batch_dims: int) -> Tensor:
    from .binary import add, mul
    from .creation import range as arange

    # Fold the batch into the gathered axis: x as [outer..., batch, n, inner...] flattened to
    # [outer..., batch * n, inner...] holds row j of batch entry i at i * n + j.
    batch_shape, n = x.shape[:batch_dims], x.shape[axis]
    nb = int(np.prod(batch_shape, dtype=np.int64))
    xb = reshape(x, [nb, *x.shape[batch_dims:]])
    a = axis - batch_dims + 1  # where n sits in xb
    moved = transpose(xb, [*range(1, a), 0, *range(a, xb.rank)])
    flat = reshape(moved, [*moved.shape[:a - 1], nb * n, *moved.shape[a + 1:]])
    ib = reshape(indices, [nb, *indices.shape[batch_dims:]])
    offsets = reshape(mul(arange(nb, dtype="int32"), n), [nb] + [1] * (ib.rank - 1))
    picked = gather(flat, add(ib, offsets), a - 1)  # [outer..., batch, indices..., inner...]
    back = transpose(picked, [a - 1, *range(a - 1), *range(a, picked.rank)])
    return reshape(back, [*batch_shape, *back.shape[1:]])


@gradient("GatherV2", save=("x", "indices"))
def _gather_grad(dy: Tensor, x: Tensor, indices: Tensor, axis: int) -> tuple[Tensor, None]:
    # dy is [outer..., *indices.shape, inner...]: move the index axes to the front, add up the
    # rows that came from the same row of x, then move that axis back into place.
    index_axes = list(range(axis, axis + indices.rank))
    rest = [i for i in range(dy.rank) if i not in index_axes]
    summed = unsorted_segment_sum(transpose(dy, index_axes + rest), indices, x.shape[axis])
    return transpose(summed, [*range(1, axis + 1), 0,
                              *range(axis + 1, x.rank)]), None


@op
def unsorted_segment_sum(x: TensorLike, segment_ids: TensorLike, num_segments: int) -> Tensor:
    """Row k of the result is the sum of the slices ``x[i]`` whose ``segment_ids[i] == k``
    (TF.js ``tf.unsortedSegmentSum``); ``segment_ids`` covers the leading axes of x, and the
    result has shape ``[num_segments, *x.shape[segment_ids.rank:]]``. It is gather's gradient.

    >>> import minitf as tf
    >>> tf.unsorted_segment_sum(tf.tensor([1, 2, 3]), [0, 1, 0], 2).array_sync()
    [4, 2]
    """
    t = tensor_arg(x, "x", "unsorted_segment_sum")
    ids = tensor_arg(segment_ids, "segment_ids", "unsorted_segment_sum")
    check_dtype(ids, [dtypes.int32], "unsorted_segment_sum", "segment_ids")
    if t.shape[:ids.rank] != ids.shape:
        raise ValueError(f"unsorted_segment_sum: segment_ids of shape {list(ids.shape)} must "
                         f"match the leading axes of x's shape {list(t.shape)}")
    return run_kernel("UnsortedSegmentSum", {"x": t, "segment_ids": ids},
                      num_segments=int(num_segments))


@gradient("UnsortedSegmentSum", save=("segment_ids",))
def _segment_sum_grad(dy: Tensor, segment_ids: Tensor, num_segments: int) -> tuple[Tensor, None]:
    return gather(dy, segment_ids), None


@op
def strided_slice(x: TensorLike, begin: Sequence[int], end: Sequence[int],
                  strides: Sequence[int] | None = None, begin_mask: int = 0, end_mask: int = 0,
                  ellipsis_mask: int = 0, new_axis_mask: int = 0,
                  shrink_axis_mask: int = 0) -> Tensor:
    """Every ``strides[i]``-th element from ``begin[i]`` up to ``end[i]`` (exclusive) along each
    axis, as Python's ``x[b:e:s, ...]`` (TF.js ``tf.stridedSlice``).

    The masks are bit fields over the entries of ``begin``: bit i of ``begin_mask``/``end_mask``
    ignores ``begin[i]``/``end[i]`` (the slice runs from the start/to the end); ``ellipsis_mask``
    makes entry i a ``...``; ``new_axis_mask`` inserts an axis of size 1; ``shrink_axis_mask``
    takes the one element ``begin[i]`` and drops the axis. Axes no entry names are kept whole.

    >>> import minitf as tf
    >>> tf.strided_slice(tf.tensor([0, 1, 2, 3, 4]), [4], [0], [-2]).array_sync()
    [4, 2]
    """
    t = tensor_arg(x, "x", "strided_slice")
    steps = [1] * len(begin) if strides is None else [int(s) for s in strides]
    starts, sizes, steps, shape = _dense_slice(
        t.shape, [int(b) for b in begin], [int(e) for e in end], steps,
        begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask)
    return run_kernel("StridedSlice", {"x": t}, begin=starts, size=sizes, strides=steps,
                      shape=shape)


def _dense_slice(shape: tuple[int, ...], begin: list[int], end: list[int], strides: list[int],
                 begin_mask: int, end_mask: int, ellipsis_mask: int, new_axis_mask: int,
                 shrink_axis_mask: int) -> tuple[tuple[int, ...], ...]:
    """strided_slice's arguments as one (begin, size, stride) per axis of x, plus the output
    shape (new axes added, shrunk axes dropped)."""
    def bit(mask: int, i: int) -> bool:
        return bool(mask >> i & 1)

    if not len(begin) == len(end) == len(strides):
        raise ValueError(f"strided_slice: begin {begin}, end {end} and strides {strides} must "
                         f"have the same length")
    if bin(ellipsis_mask).count("1") > 1:
        raise ValueError("strided_slice: ellipsis_mask may set only one bit")
    entries = list(range(len(begin)))
    if not ellipsis_mask:
        entries.append(-1)  # an implied ellipsis at the end keeps the remaining axes whole
    named = sum(1 for i in entries if i >= 0 and not bit(ellipsis_mask | new_axis_mask, i))
    if named > len(shape):
        raise IndexError(f"strided_slice: {named} indices for a tensor of shape {list(shape)}")
    dense: list[tuple[int, int, int]] = []  # (begin, size, stride) per axis of x
    out_shape: list[int] = []
    for i in entries:
        if i < 0 or bit(ellipsis_mask, i):
            whole = shape[len(dense):len(dense) + len(shape) - named]
            dense += [(0, d, 1) for d in whole]
            out_shape += whole
        elif bit(new_axis_mask, i):
            out_shape.append(1)
        elif bit(shrink_axis_mask, i):
            d = shape[len(dense)]
            b = begin[i] + d if begin[i] < 0 else begin[i]
            if not 0 <= b < d:
                raise IndexError(f"strided_slice: index {begin[i]} is out of range for axis "
                                 f"{len(dense)} of size {d} (shape {list(shape)})")
            dense.append((b, 1, 1))
        else:
            d, s = shape[len(dense)], strides[i]
            if s == 0:
                raise ValueError(f"strided_slice: strides[{i}] is 0")
            b = _slice_bound(begin[i], d, s, bit(begin_mask, i), is_begin=True)
            e = _slice_bound(end[i], d, s, bit(end_mask, i), is_begin=False)
            n = max(0, -((b - e) // s))  # ceil((e - b) / s) elements
            dense.append((b, n, s))
            out_shape.append(n)
    starts, sizes, steps = zip(*dense) if dense else ((), (), ())
    return tuple(starts), tuple(sizes), tuple(steps), tuple(out_shape)


def _slice_bound(value: int, d: int, stride: int, masked: bool, is_begin: bool) -> int:
    """A begin or end resolved as Python slicing does: negatives count from the end, then the
    value is clamped to the axis; -1 with a negative stride means "before element 0"."""
    if masked:
        if is_begin:
            return 0 if stride > 0 else d - 1
        return d if stride > 0 else -1
    v = value + d if value < 0 else value
    return min(max(v, 0), d) if stride > 0 else min(max(v, -1), d - 1)


@gradient("StridedSlice", save=("x",))
def _strided_slice_grad(dy: Tensor, x: Tensor, begin: tuple[int, ...], size: tuple[int, ...],
                        strides: tuple[int, ...], shape: tuple[int, ...]) -> Tensor:
    # Scatter dy back into zeros: the flat positions in x of the taken elements, in dy's order.
    picks = np.ix_(*(b + s * np.arange(n) for b, n, s in zip(begin, size, strides)))
    positions = np.ravel_multi_index(picks, x.shape).reshape(-1).astype(np.int32)
    return reshape(unsorted_segment_sum(reshape(dy, [-1]), positions, x.size), x.shape)


@op
def getitem(x: TensorLike, index: Any) -> Tensor:
    """``x[index]`` with NumPy's meaning, for ints, slices (with steps), None, Ellipsis and one
    list, array or int32 tensor of indices (a gather along that axis). Boolean masks are not
    supported. ``Tensor.__getitem__`` calls this.

    >>> import minitf as tf
    >>> tf.tensor([[1, 2, 3], [4, 5, 6]])[:, ::-1][1].array_sync()
    [6, 5, 4]
    """
    t = tensor_arg(x, "x", "getitem")
    items = index if isinstance(index, tuple) else (index,)
    begin, end, strides = [], [], []
    masks = {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
             "shrink_axis_mask": 0}
    list_at = None  # position of the one list/tensor index, gathered after the slicing
    for i, item in enumerate(items):
        b, e, s = 0, 0, 1
        if item is None:
            masks["new_axis_mask"] |= 1 << i
        elif item is Ellipsis:
            masks["ellipsis_mask"] |= 1 << i
        elif isinstance(item, builtins.slice):
            if item.step == 0:
                raise ValueError("getitem: slice step cannot be zero")
            s = 1 if item.step is None else int(item.step)
            b, e = int(item.start or 0), int(item.stop or 0)
            masks["begin_mask"] |= (item.start is None) << i
            masks["end_mask"] |= (item.stop is None) << i
        elif isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            b, e = int(item), int(item) + 1
            masks["shrink_axis_mask"] |= 1 << i
        elif _is_index_list(item):
            if list_at is not None:
                raise TypeError(f"getitem: only one list or tensor index is supported, "
                                f"got {index!r}")
            list_at = i
            masks["begin_mask"] |= 1 << i
            masks["end_mask"] |= 1 << i
        else:
            raise TypeError(f"getitem: unsupported index {item!r}; use ints, slices, None, "
                            f"Ellipsis or one list of ints")
        begin.append(b)
        end.append(e)
        strides.append(s)
    named = sum(1 for item in items if item is not None and item is not Ellipsis)
    if named > t.rank:
        raise IndexError(f"getitem: too many indices for a tensor of shape {list(t.shape)}: "
                         f"{index!r}")
    y = strided_slice(t, begin, end, strides, **masks)
    if list_at is None:
        return y
    axis = _output_axis(items[:list_at], t.rank - named)
    indices = items[list_at]
    if not isinstance(indices, Tensor):  # host indices: negative ones count from the end
        indices = np.asarray(indices, dtype=np.int64)
        indices = np.where(indices < 0, indices + y.shape[axis], indices).astype(np.int32)
    return gather(y, indices, axis)


def _is_index_list(item: Any) -> bool:
    if isinstance(item, Tensor):
        return item.dtype == dtypes.int32
    if isinstance(item, (list, np.ndarray)):
        return np.asarray(item).dtype.kind in "iu" or np.size(item) == 0
    return False


def _output_axis(before: Sequence[Any], ellipsis_axes: int) -> int:
    """The axis of the sliced result that the index entry after ``before`` lands on."""
    axis = 0
    for item in before:
        if item is Ellipsis:
            axis += ellipsis_axes
        elif item is None or isinstance(item, builtins.slice):
            axis += 1
    return axis
