"""A matrix product for the narrow matrices of convolutions, written with ``simd.py``'s vectors,
whose left operand may be a convolution's im2col matrix that is never written out.

The convolutions of the mnist-node convnet multiply tall matrices by narrow ones: the columns
of a batch chunk [3456, 288] by the filters [288, 32], and so on. Two things make a product of
our own worth having next to OpenBLAS's:

- **The left operand A can stay virtual.** ``matmul(x, rows, taps, b, c)`` reads A[m, p] as
  ``x[rows[m] + taps[p]]``: x is a flat array, ``rows`` says where row m starts, ``taps``
  where column p sits from there. A plain row-major matrix is ``rows = m * k``, ``taps = p``;
  its transpose swaps the two. And a convolution's im2col matrix is ``rows`` = the offset of
  each output pixel's window in the (flattened) image, ``taps`` = the offset of each filter tap
  (row, column, channel) inside a window: the same numbers im2col would copy out, read in place.
  The forward pass and the filter gradient then need no im2col (``conv.py``).
- **Nothing is packed.** OpenBLAS first copies both operands into its own layout; for a narrow
  B that costs about as much as the product. Here B (C-contiguous, its width a multiple of
  COLS) is read as it is: each row of a band of COLS columns is two vectors, side by side.

The inner kernel (``_tile``) computes a 6 x COLS tile of C = A @ B (COLS = 2 vectors: 16
columns with AVX2, 32 with AVX-512, see ``simd.py``): its running sums live in 12 vector
registers for the whole length of the product; each step p reads two vectors of B's
row p and six numbers of A's column p, each broadcast to a vector, and does 12 fused
multiply-adds. That is the loop every BLAS library is built around (K. Goto and R. van de
Geijn, "Anatomy of high-performance matrix multiplication", 2008); with AVX2, 6 x 16 uses 15 of
its 16 registers. It runs at 75-81 GFLOP/s on one core of this machine (OpenBLAS: 71-80 on the
same shapes, 86 on large square ones): close to the core's peak, so what is left to gain in a
convolution lies around the products, not in them.

Serial and ``nogil``: the worker threads of ``workers.py`` each run it on their own chunk.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .simd import CACHE, LANES, fma, load, splat, store, zero

ROWS, COLS = 6, 2 * LANES  # the tile: 6 rows of A, two vectors of B (16 or 32 columns)
DEPTH = 512  # steps of the product per pass over the tiles (A's block stays in the L2 cache)
INDEX = np.uint64  # rows and taps: unsigned, so reading x[r + t] checks no negative index


@njit(cache=CACHE, nogil=True)
def _tile(x, rows, taps, b, c, i, j, p0, p1):  # pragma: no cover
    """c[i:i+6, j:j+COLS] = A[i:i+6, p0:p1] @ b[p0:p1, j:j+COLS], added to c unless p0 == 0."""
    n = b.shape[1]
    if p0 == 0:
        s00, s01, s10, s11, s20, s21 = zero(), zero(), zero(), zero(), zero(), zero()
        s30, s31, s40, s41, s50, s51 = zero(), zero(), zero(), zero(), zero(), zero()
    else:
        s00, s01 = load(c, i * n + j), load(c, i * n + j + LANES)
        s10, s11 = load(c, (i + 1) * n + j), load(c, (i + 1) * n + j + LANES)
        s20, s21 = load(c, (i + 2) * n + j), load(c, (i + 2) * n + j + LANES)
        s30, s31 = load(c, (i + 3) * n + j), load(c, (i + 3) * n + j + LANES)
        s40, s41 = load(c, (i + 4) * n + j), load(c, (i + 4) * n + j + LANES)
        s50, s51 = load(c, (i + 5) * n + j), load(c, (i + 5) * n + j + LANES)
    r0, r1, r2 = rows[i], rows[i + 1], rows[i + 2]
    r3, r4, r5 = rows[i + 3], rows[i + 4], rows[i + 5]
    for p in range(p0, p1):
        t = taps[p]
        b0 = load(b, p * n + j)
        b1 = load(b, p * n + j + LANES)
        a = splat(x[r0 + t])
        s00, s01 = fma(a, b0, s00), fma(a, b1, s01)
        a = splat(x[r1 + t])
        s10, s11 = fma(a, b0, s10), fma(a, b1, s11)
        a = splat(x[r2 + t])
        s20, s21 = fma(a, b0, s20), fma(a, b1, s21)
        a = splat(x[r3 + t])
        s30, s31 = fma(a, b0, s30), fma(a, b1, s31)
        a = splat(x[r4 + t])
        s40, s41 = fma(a, b0, s40), fma(a, b1, s41)
        a = splat(x[r5 + t])
        s50, s51 = fma(a, b0, s50), fma(a, b1, s51)
    store(c, i * n + j, s00)
    store(c, i * n + j + LANES, s01)
    store(c, (i + 1) * n + j, s10)
    store(c, (i + 1) * n + j + LANES, s11)
    store(c, (i + 2) * n + j, s20)
    store(c, (i + 2) * n + j + LANES, s21)
    store(c, (i + 3) * n + j, s30)
    store(c, (i + 3) * n + j + LANES, s31)
    store(c, (i + 4) * n + j, s40)
    store(c, (i + 4) * n + j + LANES, s41)
    store(c, (i + 5) * n + j, s50)
    store(c, (i + 5) * n + j + LANES, s51)


@njit(cache=CACHE, nogil=True)
def _row(x, rows, taps, b, c, i, j, p0, p1):  # pragma: no cover
    """One row of ``_tile`` (the rows left over below the last full tile)."""
    n = b.shape[1]
    if p0 == 0:
        s0, s1 = zero(), zero()
    else:
        s0, s1 = load(c, i * n + j), load(c, i * n + j + LANES)
    r = rows[i]
    for p in range(p0, p1):
        a = splat(x[r + taps[p]])
        s0 = fma(a, load(b, p * n + j), s0)
        s1 = fma(a, load(b, p * n + j + LANES), s1)
    store(c, i * n + j, s0)
    store(c, i * n + j + LANES, s1)


@njit(cache=CACHE, nogil=True)
def matmul(x, rows, taps, b, c):  # pragma: no cover
    """c = A @ b with A[m, p] = x[rows[m] + taps[p]] (see the module docstring), tile by tile:
    for each block of DEPTH steps of the product, for each band of COLS columns of b, every 6
    rows of A in turn."""
    m, k, n = rows.shape[0], taps.shape[0], b.shape[1]
    full = m - m % ROWS
    for p0 in range(0, k, DEPTH):
        p1 = min(k, p0 + DEPTH)
        for j in range(0, n, COLS):
            for i in range(0, full, ROWS):
                _tile(x, rows, taps, b, c, i, j, p0, p1)
            for i in range(full, m):
                _row(x, rows, taps, b, c, i, j, p0, p1)
