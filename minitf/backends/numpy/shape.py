"""Shape kernels: reshape, transposes, slicing, gathering, padding, tiling, concatenation."""
from __future__ import annotations

import numpy as np

from ...engine.registry import register_kernel


@register_kernel("Reshape", "numpy")
def reshape(x: np.ndarray, *, shape: tuple[int, ...]) -> np.ndarray:
    return x.reshape(shape)


@register_kernel("BroadcastTo", "numpy")
def broadcast_to(x: np.ndarray, *, shape: tuple[int, ...]) -> np.ndarray:
    return np.ascontiguousarray(np.broadcast_to(x, shape))
