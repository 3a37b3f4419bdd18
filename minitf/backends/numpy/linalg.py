"""Linear-algebra kernels: batched matrix multiplication with NumPy's batch broadcasting."""
from __future__ import annotations

import numpy as np

from ...engine.registry import register_kernel


@register_kernel("BatchMatMul", "numpy")
def batch_mat_mul(a: np.ndarray, b: np.ndarray, *, transpose_a: bool,
                  transpose_b: bool) -> np.ndarray:
    # a: [..., m, k] (or [..., k, m] when transposed), b: [..., k, n]; batch dims broadcast.
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)
