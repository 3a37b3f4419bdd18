"""BatchMatMul for the ``cpu`` backend: a big 2-D product is cut into row blocks, one per
worker thread of ``workers.py`` (single-threaded BLAS in each), for the reason given there:
OpenBLAS's own threads would keep spinning after the product and slow the Numba kernels that
follow. Batched, small or non-float products run the ``numpy`` kernel as they are.
"""
from __future__ import annotations

import numpy as np

from ...engine.registry import register_kernel
from ..numpy.linalg import batch_mat_mul as numpy_batch_mat_mul
from . import workers

MIN_FLOPS = 1 << 21  # below this a product is too small to be worth splitting


@register_kernel("BatchMatMul", "cpu")
def batch_mat_mul(a: np.ndarray, b: np.ndarray, *, transpose_a: bool,
                  transpose_b: bool) -> np.ndarray:
    if a.ndim != 2 or b.ndim != 2 or a.dtype != b.dtype or a.dtype.kind != "f":
        return numpy_batch_mat_mul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    a = a.T if transpose_a else a
    b = b.T if transpose_b else b
    m, k = a.shape
    n = b.shape[1]
    blocks = min(workers.size(), m)
    if 2 * m * n * k < MIN_FLOPS or blocks < 2:
        return np.matmul(a, b)
    out = np.empty((m, n), dtype=a.dtype)
    edges = np.linspace(0, m, blocks + 1).astype(int)

    def block(i: int) -> None:
        np.matmul(a[edges[i]:edges[i + 1]], b, out=out[edges[i]:edges[i + 1]])

    workers.run(block, range(blocks))
    return out
