"""Reduction kernels along a tuple of axes (already normalised to non-negative ints).

Outputs keep the input dtype, except ArgMax/ArgMin (int32) and All/Any (bool). NumPy hands back
a scalar (np.generic) when every axis is reduced; dispatch wraps that as a rank-0 array.
"""
from __future__ import annotations

import numpy as np

from ...engine.registry import register_kernel


@register_kernel("Sum", "numpy")
def sum_(x: np.ndarray, *, axes: tuple[int, ...], keep_dims: bool) -> np.ndarray:
    return np.sum(x, axis=axes, keepdims=keep_dims, dtype=x.dtype)


@register_kernel("Mean", "numpy")
def mean(x: np.ndarray, *, axes: tuple[int, ...], keep_dims: bool) -> np.ndarray:
    return np.mean(x, axis=axes, keepdims=keep_dims, dtype=x.dtype)


@register_kernel("Prod", "numpy")
def prod(x: np.ndarray, *, axes: tuple[int, ...], keep_dims: bool) -> np.ndarray:
    return np.prod(x, axis=axes, keepdims=keep_dims, dtype=x.dtype)


@register_kernel("Max", "numpy")
def max_(x: np.ndarray, *, axes: tuple[int, ...], keep_dims: bool) -> np.ndarray:
    return np.max(x, axis=axes, keepdims=keep_dims)


@register_kernel("Min", "numpy")
def min_(x: np.ndarray, *, axes: tuple[int, ...], keep_dims: bool) -> np.ndarray:
    return np.min(x, axis=axes, keepdims=keep_dims)


@register_kernel("ArgMax", "numpy")
def arg_max(x: np.ndarray, *, axis: int) -> np.ndarray:
    return np.argmax(x, axis=axis).astype(np.int32)  # NumPy gives int64


@register_kernel("ArgMin", "numpy")
def arg_min(x: np.ndarray, *, axis: int) -> np.ndarray:
    return np.argmin(x, axis=axis).astype(np.int32)


@register_kernel("All", "numpy")
def all_(x: np.ndarray, *, axes: tuple[int, ...], keep_dims: bool) -> np.ndarray:
    return np.all(x, axis=axes, keepdims=keep_dims)


@register_kernel("Any", "numpy")
def any_(x: np.ndarray, *, axes: tuple[int, ...], keep_dims: bool) -> np.ndarray:
    return np.any(x, axis=axes, keepdims=keep_dims)
