"""Reduction kernels along a tuple of axes (already normalised to non-negative ints)."""
from __future__ import annotations

import numpy as np

from ...engine.registry import register_kernel


@register_kernel("Sum", "numpy")
def sum_(x: np.ndarray, *, axes: tuple[int, ...], keep_dims: bool) -> np.ndarray:
    return np.sum(x, axis=axes, keepdims=keep_dims, dtype=x.dtype)
