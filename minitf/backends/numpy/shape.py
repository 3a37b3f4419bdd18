"""Shape kernels: reshape, transposes, slicing, gathering, padding, tiling, concatenation.

Axes, sizes and paddings arrive already checked and normalised by the ops (non-negative axes,
no -1 sizes). Outputs are C-contiguous copies (``.copy()``, not ``np.ascontiguousarray``, which
turns a 0-d array into shape [1]); only Reshape shares its input's data, as in TF.js.
"""
from __future__ import annotations

import numpy as np

from ...engine.registry import register_kernel


@register_kernel("Reshape", "numpy")
def reshape(x: np.ndarray, *, shape: tuple[int, ...]) -> np.ndarray:
    return x.reshape(shape)


@register_kernel("BroadcastTo", "numpy")
def broadcast_to(x: np.ndarray, *, shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(x, shape).copy()


@register_kernel("Transpose", "numpy")
def transpose(x: np.ndarray, *, perm: tuple[int, ...]) -> np.ndarray:
    return np.transpose(x, perm).copy()


@register_kernel("Concat", "numpy")
def concat(*xs: np.ndarray, axis: int, sizes: tuple[int, ...]) -> np.ndarray:
    # ``sizes`` (each input's extent along ``axis``) is for the gradient, which splits dy by it.
    return np.concatenate(xs, axis=axis)


@register_kernel("Pack", "numpy")
def pack(*xs: np.ndarray, axis: int) -> np.ndarray:
    return np.stack(xs, axis=axis)


@register_kernel("Unpack", "numpy")
def unpack(x: np.ndarray, *, axis: int) -> tuple[np.ndarray, ...]:
    return tuple(part.copy() for part in np.moveaxis(x, axis, 0))


@register_kernel("SplitV", "numpy")
def split_v(x: np.ndarray, *, sizes: tuple[int, ...], axis: int) -> tuple[np.ndarray, ...]:
    cuts = np.cumsum(sizes)[:-1]
    return tuple(part.copy() for part in np.split(x, cuts, axis=axis))


@register_kernel("Slice", "numpy")
def slice_(x: np.ndarray, *, begin: tuple[int, ...], size: tuple[int, ...]) -> np.ndarray:
    return x[tuple(slice(b, b + n) for b, n in zip(begin, size))].copy()


def _strided(b: int, n: int, s: int) -> slice:
    """The Python slice taking ``n`` elements ``b, b + s, ..., b + (n - 1) s``."""
    if n == 0:
        return slice(0, 0)
    stop = b + n * s
    return slice(b, stop if stop >= 0 else None, s)  # a negative stop would count from the end


@register_kernel("StridedSlice", "numpy")
def strided_slice(x: np.ndarray, *, begin: tuple[int, ...], size: tuple[int, ...],
                  strides: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    # begin/size/strides have one entry per axis of x; ``shape`` adds new axes, drops shrunk ones.
    index = tuple(_strided(b, n, s) for b, n, s in zip(begin, size, strides))
    return x[index].copy().reshape(shape)


def _check_indices(kernel: str, indices: np.ndarray, limit: int) -> None:
    bad = indices[(indices < 0) | (indices >= limit)]
    if bad.size:
        raise ValueError(f"{kernel}: index {int(bad[0])} is not in [0, {limit - 1}]")


@register_kernel("GatherV2", "numpy")
def gather_v2(x: np.ndarray, indices: np.ndarray, *, axis: int) -> np.ndarray:
    _check_indices("GatherV2", indices, x.shape[axis])
    return np.take(x, indices, axis=axis)


@register_kernel("UnsortedSegmentSum", "numpy")
def unsorted_segment_sum(x: np.ndarray, segment_ids: np.ndarray, *,
                         num_segments: int) -> np.ndarray:
    _check_indices("UnsortedSegmentSum", segment_ids, num_segments)
    out = np.zeros((num_segments, *x.shape[segment_ids.ndim:]), dtype=x.dtype)
    np.add.at(out, segment_ids, x)  # unbuffered: repeated ids accumulate
    return out


@register_kernel("PadV2", "numpy")
def pad_v2(x: np.ndarray, *, paddings: tuple[tuple[int, int], ...],
           constant_value: float) -> np.ndarray:
    if x.ndim == 0:
        return x.copy()  # np.pad fails on scalars, which have nothing to pad
    return np.pad(x, paddings, constant_values=np.asarray(constant_value).astype(x.dtype))


@register_kernel("Tile", "numpy")
def tile(x: np.ndarray, *, reps: tuple[int, ...]) -> np.ndarray:
    return np.tile(x, reps)


@register_kernel("Reverse", "numpy")
def reverse(x: np.ndarray, *, axes: tuple[int, ...]) -> np.ndarray:
    return np.flip(x, axis=axes).copy()
