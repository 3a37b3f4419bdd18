"""Shape kernels for the ``cuda`` backend: Reshape (a view, no kernel), Transpose, BroadcastTo,
Slice, StridedSlice, Reverse, Concat, Pack, Unpack, SplitV, PadV2 and GatherV2.

Nearly all of them are one of two strided copies. An input walked with arbitrary strides (in
elements) from an offset is a *view*: a transpose permutes the strides, a slice starts at an
offset, a reversal uses negative strides, a broadcast uses stride 0. :func:`gather_copy`
writes such a view of x out as a new C-ordered array; :func:`scatter_copy` does the opposite,
writing a C-ordered x into a view of ``out`` (a slot of a concatenation, the inside of a pad).
Both work for every dtype (the kernel is compiled once per dtype).

GatherV2 reads x as [outer, n, inner] and picks rows of the middle axis. An index outside
[0, n) gives zeros, as TensorFlow does on GPUs, since raising would need the indices on the host
(the numpy kernel raises).

Debugging: ``NUMBA_ENABLE_CUDASIM=1`` runs the kernels as plain Python.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...engine.registry import register_kernel
from . import device, lift
from .creation import full
from .device import cuda

_COPY_SIGS = [f"void({t}[::1], {t}[::1], UniTuple(int64, 2), UniTuple(int64, 2), int64)"
              for t in ("float32", "int32", "boolean")]


@device.kernel("gather_copy", *_COPY_SIGS)
def _gather_copy(x, out, shape, strides, offset):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[i] = x[offset + lift.source(i, shape, strides)]


@device.kernel("scatter_copy", *_COPY_SIGS)
def _scatter_copy(x, out, shape, strides, offset):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        out[offset + lift.source(i, shape, strides)] = x[i]


def gather_copy(x: Any, shape: Sequence[int], strides: Sequence[int], offset: int = 0) -> Any:
    """A new array of ``shape``: element i is x at ``offset`` + (i's coordinates . strides)."""
    out = device.empty(tuple(shape), x.dtype)
    walk, (walk_strides,) = lift.collapse(tuple(shape), tuple(strides))
    device.launch(_gather_copy, out.size, device.flat(x), device.flat(out), walk, walk_strides,
                  offset)
    return out


def scatter_copy(x: Any, out: Any, strides: Sequence[int], offset: int = 0) -> None:
    """Write x (C-ordered) into ``out`` at ``offset`` + (coordinates . strides)."""
    walk, (walk_strides,) = lift.collapse(tuple(x.shape), tuple(strides))
    device.launch(_scatter_copy, x.size, device.flat(x), device.flat(out), walk, walk_strides,
                  offset)


def permute(x: Any, perm: Sequence[int]) -> Any:
    """x with its axes in the order ``perm`` (np.transpose), as a new array."""
    strides = lift.contiguous_strides(x.shape)
    return gather_copy(x, [x.shape[p] for p in perm], [strides[p] for p in perm])


@register_kernel("Reshape", "cuda")
def reshape(x: Any, *, shape: tuple[int, ...]) -> Any:
    return x.reshape(tuple(shape))  # a view of the same device memory, as in TF.js


@register_kernel("Transpose", "cuda")
def transpose(x: Any, *, perm: tuple[int, ...]) -> Any:
    return permute(x, perm)


@register_kernel("BroadcastTo", "cuda")
def broadcast_to(x: Any, *, shape: tuple[int, ...]) -> Any:
    walk, (strides,) = lift.broadcast_plan(shape, tuple(x.shape))
    return gather_copy(x, walk, strides).reshape(tuple(shape))


def _slice(x: Any, begin: Sequence[int], size: Sequence[int],
           steps: Sequence[int] | None = None) -> Any:
    strides = lift.contiguous_strides(x.shape)
    steps = steps or [1] * len(begin)
    if not all(size):
        return device.empty(tuple(size), x.dtype)
    offset = sum(b * s for b, s in zip(begin, strides))
    return gather_copy(x, size, [s * k for s, k in zip(strides, steps)], offset)


@register_kernel("Slice", "cuda")
def slice_(x: Any, *, begin: tuple[int, ...], size: tuple[int, ...]) -> Any:
    return _slice(x, begin, size)


@register_kernel("StridedSlice", "cuda")
def strided_slice(x: Any, *, begin: tuple[int, ...], size: tuple[int, ...],
                  strides: tuple[int, ...], shape: tuple[int, ...]) -> Any:
    return _slice(x, begin, size, strides).reshape(tuple(shape))


@register_kernel("Reverse", "cuda")
def reverse(x: Any, *, axes: tuple[int, ...]) -> Any:
    strides = list(lift.contiguous_strides(x.shape))
    offset = 0
    for a in axes:  # walk reversed axes backwards from their last element
        offset += (x.shape[a] - 1) * strides[a]
        strides[a] = -strides[a]
    return gather_copy(x, x.shape, strides, offset) if x.size else device.empty(x.shape, x.dtype)


@register_kernel("Concat", "cuda")
def concat(*xs: Any, axis: int, sizes: tuple[int, ...]) -> Any:
    if len({x.dtype for x in xs}) > 1:
        return lift.on_host("Concat", *xs, axis=axis, sizes=sizes)
    shape = list(xs[0].shape)
    shape[axis] = sum(x.shape[axis] for x in xs)
    out = device.empty(tuple(shape), xs[0].dtype)
    strides = lift.contiguous_strides(shape)
    start = 0
    for x in xs:  # each input fills its slot [start, start + size) along axis
        scatter_copy(x, out, strides, start * strides[axis])
        start += x.shape[axis]
    return out


@register_kernel("Pack", "cuda")
def pack(*xs: Any, axis: int) -> Any:
    expanded = [x.reshape(tuple(x.shape[:axis]) + (1,) + tuple(x.shape[axis:])) for x in xs]
    return concat(*expanded, axis=axis, sizes=(1,) * len(xs))


@register_kernel("Unpack", "cuda")
def unpack(x: Any, *, axis: int) -> tuple[Any, ...]:
    size = list(x.shape)
    size[axis] = 1
    rest = tuple(x.shape[:axis]) + tuple(x.shape[axis + 1:])
    return tuple(_slice(x, [i if d == axis else 0 for d in range(x.ndim)], size).reshape(rest)
                 for i in range(x.shape[axis]))


@register_kernel("SplitV", "cuda")
def split_v(x: Any, *, sizes: tuple[int, ...], axis: int) -> tuple[Any, ...]:
    parts, start = [], 0
    for n in sizes:
        size = list(x.shape)
        size[axis] = n
        parts.append(_slice(x, [start if d == axis else 0 for d in range(x.ndim)], size))
        start += n
    return tuple(parts)


@register_kernel("PadV2", "cuda")
def pad_v2(x: Any, *, paddings: tuple[tuple[int, int], ...], constant_value: float) -> Any:
    shape = tuple(before + side + after for side, (before, after) in zip(x.shape, paddings))
    out = full(shape, np.asarray(constant_value).astype(x.dtype))
    strides = lift.contiguous_strides(shape)
    offset = sum(before * s for (before, _), s in zip(paddings, strides))
    scatter_copy(x, out, strides, offset)
    return out


@device.kernel("GatherV2", *[f"void({t}[::1], int32[::1], {t}[::1], int64, int64, int64)"
                             for t in ("float32", "int32")])
def _gather_rows(x, indices, out, n, count, inner):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        r = i % inner
        k = (i // inner) % count
        j = indices[k]
        if 0 <= j < n:
            out[i] = x[((i // inner // count) * n + j) * inner + r]
        else:
            out[i] = 0


@register_kernel("GatherV2", "cuda")
def gather_v2(x: Any, indices: Any, *, axis: int) -> Any:
    shape = tuple(x.shape[:axis]) + tuple(indices.shape) + tuple(x.shape[axis + 1:])
    out = device.empty(shape, x.dtype)
    inner = int(np.prod(x.shape[axis + 1:], dtype=np.int64))
    device.launch(_gather_rows, out.size, device.flat(x), device.flat(indices), device.flat(out),
                  x.shape[axis], int(indices.size), inner)
    return out
