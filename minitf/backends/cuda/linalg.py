"""BatchMatMul for the ``cuda`` backend: the textbook shared-memory tiled matrix product.

Each block of TPB x TPB threads computes one TPB x TPB tile of C = A B: thread (ty, tx) owns
C[row, col]. The k axis is walked TPB at a time; at each step the block first copies a tile
of A and a tile of B into shared memory (one element per thread), waits (``syncthreads``) until
all are there, then every thread adds up its row of the A tile times its column of the B tile,
and waits again before the tiles are overwritten. Each element of A and B is so read from
global memory k / TPB times fewer than in the naive product.

Transposed operands are read through swapped indices, never copied. Batches run along the
grid's third axis; an operand whose batch is broadcast (a single matrix) is read with a batch
step of 0, other broadcasts are copied out first. Other dtypes than float32 run the numpy kernel.

This kernel reaches perhaps 10-20% of cuBLAS (register blocking and tensor cores would go
further): see docs/gpu.md. Debugging: ``NUMBA_ENABLE_CUDASIM=1`` runs it as plain Python.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...engine.registry import register_kernel
from . import device, lift
from .device import cuda, float32
from .shape import broadcast_to

TPB = 16  # tile side: a block has TPB * TPB threads
MAX_GRID_Z = 65535  # the hardware's limit on the grid's third axis


@device.kernel("BatchMatMul", "void(float32[::1], float32[::1], float32[::1], int64, int64, "
                              "int64, boolean, boolean, int64, int64)")
def _matmul(a, b, out, m, n, k, ta, tb, a_step, b_step):  # pragma: no cover  (device code)
    tile_a = cuda.shared.array((TPB, TPB), float32)
    tile_b = cuda.shared.array((TPB, TPB), float32)
    ty, tx = cuda.threadIdx.y, cuda.threadIdx.x
    row = cuda.blockIdx.x * TPB + ty
    col = cuda.blockIdx.y * TPB + tx
    for batch in range(cuda.blockIdx.z, out.size // (m * n), cuda.gridDim.z):
        a0, b0 = batch * a_step, batch * b_step
        acc = float32(0)
        for k0 in range(0, k, TPB):
            ka, kb = k0 + tx, k0 + ty  # this thread loads A[row, ka] and B[kb, col]
            if row < m and ka < k:
                tile_a[ty, tx] = a[a0 + (ka * m + row if ta else row * k + ka)]
            else:
                tile_a[ty, tx] = 0
            if kb < k and col < n:
                tile_b[ty, tx] = b[b0 + (col * k + kb if tb else kb * n + col)]
            else:
                tile_b[ty, tx] = 0
            cuda.syncthreads()  # both tiles are complete
            for j in range(TPB):
                acc += tile_a[ty, j] * tile_b[j, tx]
            cuda.syncthreads()  # everyone is done with the tiles before they are overwritten
        if row < m and col < n:
            out[batch * m * n + row * n + col] = acc


def matmul(a: Any, b: Any, m: int, n: int, k: int, transpose_a: bool = False,
           transpose_b: bool = False, batches: int = 1, a_step: int = 0,
           b_step: int = 0) -> Any:
    """``batches`` products [m, k] x [k, n] of float32 arrays, as a new [batches, m, n] array
    (a and b are read as stored: [k, m] when transpose_a, [n, k] when transpose_b)."""
    out = device.empty((batches, m, n), np.float32)
    if out.size:
        grid = (-(-m // TPB), -(-n // TPB), min(batches, MAX_GRID_Z))
        _matmul[grid, (TPB, TPB)](device.flat(a), device.flat(b), device.flat(out), m, n, k,
                                  bool(transpose_a), bool(transpose_b), a_step, b_step)
    return out


def _batched(x: Any, batch: tuple[int, ...]) -> tuple[Any, int]:
    """x and its step between matrices for the output ``batch`` (0: one matrix for all)."""
    shape = tuple(x.shape)  # a plain tuple: the simulator's shapes refuse negative indices
    matrix = shape[-2] * shape[-1]
    own = int(np.prod(shape[:-2], dtype=np.int64))
    if own == int(np.prod(batch, dtype=np.int64)):
        return x, matrix
    if own == 1:
        return x, 0
    return broadcast_to(x, shape=(*batch, *shape[-2:])), matrix


@register_kernel("BatchMatMul", "cuda")
def batch_mat_mul(a: Any, b: Any, *, transpose_a: bool, transpose_b: bool) -> Any:
    if a.dtype != np.float32 or b.dtype != np.float32:
        return lift.on_host("BatchMatMul", a, b, transpose_a=transpose_a,
                            transpose_b=transpose_b)
    sa, sb = tuple(a.shape), tuple(b.shape)  # plain tuples: the simulator's refuse index -1
    m, k = (sa[-1], sa[-2]) if transpose_a else (sa[-2], sa[-1])
    n = sb[-2] if transpose_b else sb[-1]
    batch = tuple(np.broadcast_shapes(sa[:-2], sb[:-2]))
    a, a_step = _batched(a, batch)
    b, b_step = _batched(b, batch)
    batches = int(np.prod(batch, dtype=np.int64))
    out = matmul(a, b, m, n, k, transpose_a, transpose_b, batches, a_step, b_step)
    return out.reshape((*batch, m, n))
