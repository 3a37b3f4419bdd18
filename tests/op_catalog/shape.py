"""Catalog rows for shape ops (ops/shape.py).

A row's fn receives only tensors, so attributes (axes, permutations, sizes, an index) travel as
extra int32 arrays drawn by the row's strategy; ``ints`` turns them back into Python ints on
both sides. Int arrays are held constant by the gradient check.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

import minitf as tf
from strategies import arrays, shapes

from . import Row

NONE = -99  # stands for None in an encoded slice


def ints(v: Any) -> Any:
    """An int32 attribute array (or tensor) as a Python int or list of ints."""
    return np.asarray(v).tolist()


def i32(v: Any) -> np.ndarray:
    return np.array(v, dtype=np.int32)


@st.composite
def axes(draw, rank: int, min_size: int = 0) -> list[int]:
    """Distinct axes of a rank-``rank`` tensor, some written as negative numbers."""
    if rank == 0:
        return []
    chosen = draw(st.lists(st.integers(0, rank - 1), unique=True, min_size=min_size,
                           max_size=rank))
    return [a - rank if draw(st.booleans()) else a for a in chosen]


@st.composite
def _x(draw, min_rank: int = 1, max_rank: int = 3, max_side: int = 4) -> np.ndarray:
    return draw(arrays(draw(shapes(min_rank, max_rank, 1, max_side))))


@st.composite
def _x_only(draw) -> list[np.ndarray]:
    return [draw(_x(0))]


@st.composite
def _x_axis(draw, extra_rank: int = 0) -> list[np.ndarray]:
    """[x, axis] with axis in range for rank(x) + extra_rank (expand_dims, stack)."""
    x = draw(_x())
    return [x, i32(draw(axes(x.ndim + extra_rank, min_size=1))[0])]


@st.composite
def _x_axes(draw) -> list[np.ndarray]:
    x = draw(_x(0))
    return [x, i32(draw(axes(x.ndim)))]


@st.composite
def _squeezable(draw) -> list[np.ndarray]:
    x = draw(arrays(draw(shapes(1, 4, 1, 2))))
    ones = [i for i, d in enumerate(x.shape) if d == 1]
    return [x, i32(draw(st.lists(st.sampled_from(ones), unique=True)) if ones else [])]


@st.composite
def _transpose_args(draw) -> list[np.ndarray]:
    x = draw(_x(0, 4, 3))
    return [x, i32(draw(st.permutations(range(x.ndim))))]


@st.composite
def _concat_args(draw) -> list[np.ndarray]:
    """[axis, x0, x1, ...]: tensors equal in shape except along axis."""
    shape = draw(shapes(1, 3, 1, 3))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    xs = []
    for _ in range(draw(st.integers(1, 3))):
        part = list(shape)
        part[axis] = draw(st.integers(0, 3))
        xs.append(draw(arrays(part)))
    return [i32(axis), *xs]


@st.composite
def _stack_args(draw) -> list[np.ndarray]:
    shape = draw(shapes(0, 3, 1, 3))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return [i32(axis), *(draw(arrays(shape)) for _ in range(draw(st.integers(1, 3))))]


@st.composite
def _split_args(draw, with_rest: bool) -> list[np.ndarray]:
    """[x, sizes, axis]; with_rest puts one -1 among the sizes."""
    x, axis = draw(_x_axis())
    n = x.shape[int(axis)]
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
    sizes = list(np.diff([0, *cuts, n]))
    if with_rest:
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    return [x, i32(sizes), axis]


def _np_split(x: np.ndarray, sizes: np.ndarray, axis: np.ndarray) -> list[np.ndarray]:
    sizes = ints(sizes)
    if -1 in sizes:
        sizes[sizes.index(-1)] = x.shape[int(axis)] - (sum(sizes) + 1)
    return np.split(x, np.cumsum(sizes)[:-1], axis=int(axis))


@st.composite
def _slice_args(draw) -> list[np.ndarray]:
    """[x, begin, size] with some sizes -1 (to the end)."""
    x = draw(_x(0))
    begin = [draw(st.integers(0, d)) for d in x.shape]
    size = [draw(st.sampled_from([-1, draw(st.integers(0, d - b))]))
            for b, d in zip(begin, x.shape)]
    return [x, i32(begin), i32(size)]


def _np_slice(x: np.ndarray, begin: np.ndarray, size: np.ndarray) -> np.ndarray:
    return x[tuple(slice(b, None if s == -1 else b + s) for b, s in zip(ints(begin), ints(size)))]


@st.composite
def _index(draw) -> list[np.ndarray]:
    """[x, code]: a random NumPy basic index (ints, slices with steps, None, one Ellipsis)
    encoded as rows [kind, start, stop, step]; see ``decode``."""
    x = draw(_x(0, 3))
    named = draw(st.integers(0, x.ndim))
    dots = draw(st.sampled_from([None, *range(named + 1)]))
    named_axes = list(range(named)) if dots is None else \
        [*range(dots), *range(x.ndim - (named - dots), x.ndim)]
    rows = []
    for k, axis in enumerate(named_axes):
        if k == dots:
            rows.append([3, 0, 0, 0])
        if draw(st.booleans()):
            rows.append([2, 0, 0, 0])
        d = x.shape[axis]
        if draw(st.booleans()):
            rows.append([0, draw(st.integers(-d, d - 1)), 0, 0])
        else:
            ends = st.sampled_from([NONE, *range(-d - 1, d + 2)])
            step = draw(st.sampled_from([NONE, 1, 2, 3, -1, -2]))
            rows.append([1, draw(ends), draw(ends), step])
    if dots == named:
        rows.append([3, 0, 0, 0])
    if draw(st.booleans()):
        rows.append([2, 0, 0, 0])
    return [x, i32(rows).reshape(-1, 4)]


def decode(code: Any) -> tuple:
    """The index that ``_index`` encoded: kind 0 int, 1 slice, 2 None, 3 Ellipsis."""
    def opt(v: int) -> int | None:
        return None if v == NONE else v

    items = {0: lambda a, b, c: a, 1: lambda a, b, c: slice(opt(a), opt(b), opt(c)),
             2: lambda a, b, c: None, 3: lambda a, b, c: Ellipsis}
    return tuple(items[kind](a, b, c) for kind, a, b, c in ints(code))


@st.composite
def _list_index(draw) -> list[np.ndarray]:
    """[x, axis, indices] for ``x[:, ..., indices]`` with negative and repeated indices."""
    x, axis = draw(_x_axis())
    d = x.shape[int(axis) % x.ndim]
    return [x, i32(int(axis) % x.ndim), i32(draw(st.lists(st.integers(-d, d - 1), max_size=4)))]


def _take(x: Any, axis: Any, indices: Any) -> Any:
    return x[(slice(None),) * int(axis) + (ints(indices),)]


@st.composite
def _gather_args(draw) -> list[np.ndarray]:
    """[x, indices, axis] with repeated indices, so gradients must add up."""
    x, axis = draw(_x_axis())
    d = x.shape[int(axis)]
    index_shape = draw(shapes(0, 2, 1, 3))
    return [x, i32(draw(arrays(index_shape, 0, d - 1e-9)).astype(int)), axis]


@st.composite
def _batch_gather_args(draw) -> list[np.ndarray]:
    """[x, indices, axis] for batch_dims=1: x [B, ..., n, ...], indices [B, I...]."""
    x = draw(arrays(draw(shapes(2, 3, 1, 3))))
    axis = draw(st.integers(1, x.ndim - 1))
    index_shape = (x.shape[0], *draw(shapes(0, 2, 1, 3)))
    return [x, i32(draw(arrays(index_shape, 0, x.shape[axis] - 1e-9)).astype(int)), i32(axis)]


def _np_batch_gather(x: np.ndarray, indices: np.ndarray, axis: np.ndarray) -> np.ndarray:
    return np.stack([np.take(xb, ib, axis=int(axis) - 1) for xb, ib in zip(x, indices)])


@st.composite
def _segment_args(draw) -> list[np.ndarray]:
    """[x, segment_ids, num_segments]; some segments get no rows."""
    x = draw(_x(1, 3))
    k = draw(st.integers(1, 4))
    ids = draw(st.lists(st.integers(0, k - 1), min_size=x.shape[0], max_size=x.shape[0]))
    return [x, i32(ids), i32(k)]


def _np_segment_sum(x: np.ndarray, ids: np.ndarray, k: np.ndarray) -> np.ndarray:
    return np.stack([x[ids == s].sum(axis=0) for s in range(int(k))])


@st.composite
def _pad_args(draw) -> list[np.ndarray]:
    x = draw(_x(0))
    pads = [[draw(st.integers(0, 2)), draw(st.integers(0, 2))] for _ in x.shape]
    return [x, i32(pads).reshape(-1, 2), i32(draw(st.integers(-2, 2)))]


@st.composite
def _tile_args(draw) -> list[np.ndarray]:
    x = draw(_x(0, 3, 3))
    return [x, i32([draw(st.integers(1, 3)) for _ in x.shape])]


ROWS = [
    Row("Reshape", lambda x: tf.reshape(x, [-1]), lambda x: x.reshape(-1), _x_only()),
    Row("Reshape", lambda x, a: tf.expand_dims(x, ints(a)),
        lambda x, a: np.expand_dims(x, ints(a)), _x_axis(extra_rank=1), id="expand_dims"),
    Row("Reshape", lambda x, a: tf.squeeze(x, ints(a)),
        lambda x, a: np.squeeze(x, tuple(ints(a)) or None),
        _squeezable(), id="squeeze"),
    Row("BroadcastTo", lambda x: tf.broadcast_to(x, (2, *x.shape)),
        lambda x: np.broadcast_to(x, (2, *x.shape)), _x_only()),
    Row("Transpose", lambda x, p: tf.transpose(x, ints(p)), lambda x, p: np.transpose(x, ints(p)),
        _transpose_args()),
    Row("Concat", lambda a, *xs: tf.concat(list(xs), ints(a)),
        lambda a, *xs: np.concatenate(xs, ints(a)), _concat_args()),
    Row("Pack", lambda a, *xs: tf.stack(list(xs), ints(a)), lambda a, *xs: np.stack(xs, ints(a)),
        _stack_args()),
    Row("Unpack", lambda x, a: tf.unstack(x, ints(a)),
        lambda x, a: list(np.moveaxis(x, ints(a), 0)), _x_axis()),
    Row("SplitV", lambda x, s, a: tf.split(x, ints(s), ints(a)), _np_split,
        _split_args(with_rest=False)),
    Row("SplitV", lambda x, s, a: tf.split(x, ints(s), ints(a)), _np_split,
        _split_args(with_rest=True), id="SplitV-rest"),
    Row("Slice", lambda x, b, s: tf.slice(x, ints(b), ints(s)), _np_slice, _slice_args(),
        covers=("PadV2",)),
    Row("StridedSlice", lambda x, code: x[decode(code)], lambda x, code: x[decode(code)],
        _index(), id="getitem", covers=("UnsortedSegmentSum",)),
    Row("GatherV2", _take, _take, _list_index(), id="getitem-list"),
    Row("GatherV2", lambda x, i, a: tf.gather(x, i, ints(a)),
        lambda x, i, a: np.take(x, i, axis=ints(a)), _gather_args(),
        covers=("UnsortedSegmentSum",)),
    Row("GatherV2", lambda x, i, a: tf.gather(x, i, ints(a), batch_dims=1), _np_batch_gather,
        _batch_gather_args(), id="gather-batch_dims"),
    Row("UnsortedSegmentSum", lambda x, i, k: tf.unsorted_segment_sum(x, i, ints(k)),
        _np_segment_sum, _segment_args(), covers=("GatherV2",)),
    Row("PadV2", lambda x, p, c: tf.pad(x, ints(p), ints(c)),
        lambda x, p, c: np.pad(x, p, constant_values=ints(c)) if x.ndim else x, _pad_args(),
        covers=("Slice",)),
    Row("Tile", lambda x, r: tf.tile(x, ints(r)), lambda x, r: np.tile(x, ints(r)), _tile_args()),
    Row("Reverse", lambda x, a: tf.reverse(x, ints(a)), lambda x, a: np.flip(x, tuple(ints(a))),
        _x_axes()),
    Row("Reverse", lambda x: tf.reverse(x), lambda x: np.flip(x), _x_only(), id="Reverse-all"),
]
