"""Creation kernels: Fill, Range, LinSpace, Eye, OneHot and the seeded random kernels.

Random kernels are pure functions of their attributes: the op layer turns ``seed=None`` into a
seed drawn from the global generator, so a kernel never keeps hidden state.
"""
from __future__ import annotations

import numpy as np

from ...dtypes import NUMPY
from ...engine.registry import register_kernel


@register_kernel("Fill", "numpy")
def fill(*, shape: tuple[int, ...], value: float, dtype: str) -> np.ndarray:
    return np.full(shape, value, dtype=NUMPY[dtype])


@register_kernel("Range", "numpy")
def range_(*, start: float, stop: float, step: float, dtype: str) -> np.ndarray:
    return np.arange(start, stop, step).astype(NUMPY[dtype])


@register_kernel("LinSpace", "numpy")
def linspace(*, start: float, stop: float, num: int, dtype: str) -> np.ndarray:
    return np.linspace(start, stop, num).astype(NUMPY[dtype])


@register_kernel("Eye", "numpy")
def eye(*, num_rows: int, num_columns: int, batch_shape: tuple[int, ...], dtype: str) -> np.ndarray:
    matrix = np.eye(num_rows, num_columns, dtype=NUMPY[dtype])
    return np.ascontiguousarray(np.broadcast_to(matrix, (*batch_shape, num_rows, num_columns)))


@register_kernel("OneHot", "numpy")
def one_hot(indices: np.ndarray, *, depth: int, on_value: float, off_value: float,
            dtype: str) -> np.ndarray:
    out = np.full((*indices.shape, depth), off_value, dtype=NUMPY[dtype])
    valid = (indices >= 0) & (indices < depth)  # out-of-range indices give an all-off row
    index = np.where(valid, indices, 0)
    np.put_along_axis(out, index[..., None], np.where(valid, on_value, off_value)[..., None]
                      .astype(out.dtype), axis=-1)
    return out


@register_kernel("RandomNormal", "numpy")
def random_normal(*, shape: tuple[int, ...], mean: float, stddev: float, seed: int,
                  dtype: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * stddev + mean).astype(NUMPY[dtype])


@register_kernel("TruncatedNormal", "numpy")
def truncated_normal(*, shape: tuple[int, ...], mean: float, stddev: float, seed: int,
                     dtype: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():  # redraw values beyond two standard deviations, as TF.js does
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return (values * stddev + mean).astype(NUMPY[dtype])


@register_kernel("RandomUniform", "numpy")
def random_uniform(*, shape: tuple[int, ...], minval: float, maxval: float, seed: int,
                   dtype: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "int32":
        return rng.integers(int(minval), int(maxval), size=shape).astype(np.int32)
    return rng.uniform(minval, maxval, size=shape).astype(NUMPY[dtype])
