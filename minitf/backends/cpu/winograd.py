"""Winograd's minimal filtering F(2x2, 3x3): a 3x3 convolution of stride 1 with 2.25x fewer
multiplications, for ``conv.py``.

A direct 3x3 convolution spends 9 multiply-adds per input channel on each output pixel.
Winograd's algorithm (A. Lavin and S. Gray, "Fast Algorithms for Convolutional Neural
Networks", 2016) computes each 2x2 block of outputs from the 4x4 block of inputs that covers
it, the tile d, with 16 products instead of 36. For one input and one output channel, filter g:

    Y = A^T [(G g G^T) * (B^T d B)] A          (* element by element)

    B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    G   = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]
    A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]

With C input and K output channels, the products summed over the input channels become 16
matrix products, one for each of the 16 positions e of the transformed tile:

    M[e] = V[e] @ U[e]       V[e] [tiles, C]: the inputs' B^T d B at e, one row per tile
                             U[e] [C, K]:     the filters' G g G^T at e

``gemm.py`` runs them: 16 C K multiply-adds per tile of 4 outputs, against 36 C K for the
direct convolution. The transforms only add and subtract. In NHWC the channels of a pixel are
adjacent, so they work on vectors of LANES channels (``simd.py``). The tiles go in blocks of
BLOCK: a block's tiles are transformed into V, the 16 products write M, and M is transformed
back into the block's 2x2 outputs, while V and M are in the L1/L2 cache.

Rounding: the transforms add and subtract before the products, so results differ from the
direct convolution's in the last bits, about 1e-6 relative (float32).

``fits`` says where it applies: float32, a 3x3 filter, stride 1, no dilation, input channels a
multiple of LANES, output channels a multiple of gemm.COLS, and even output sizes (whole
tiles). ``conv.py`` uses it for the forward pass and for the input gradient, which is the
convolution of the zero-padded output gradient with the filters turned by 180 degrees
(``flipped``), so it needs no col2im either.

Debugging: ``NUMBA_DISABLE_JIT=1`` runs these loops as Python on NumPy vectors.
"""
from __future__ import annotations

import functools
from typing import Sequence

import numpy as np
from numba import njit

from . import gemm, workers
from .simd import CACHE, LANES, add, load, store, sub

_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])


def fits(channels: int, out: int, filter_hw: Sequence[int], strides: Sequence[int],
         dilations: Sequence[int], out_hw: Sequence[int], dtype: np.dtype) -> bool:
    """Whether this convolution can run through ``conv``."""
    return (dtype == np.float32 and tuple(filter_hw) == (3, 3) and tuple(strides) == (1, 1)
            and tuple(dilations) == (1, 1) and channels % LANES == 0 and out % gemm.COLS == 0
            and out_hw[0] % 2 == 0 and out_hw[1] % 2 == 0)


def transform_filters(filter: np.ndarray) -> np.ndarray:
    """U [16, C, K]: G g G^T of every 3x3 filter [3, 3, C, K] (HWIO), computed in float64."""
    u = np.einsum("ai,ijck,bj->abck", _G, filter.astype(np.float64), _G, optimize=True)
    return np.ascontiguousarray(u.reshape(16, *filter.shape[2:]), dtype=filter.dtype)


def flipped(filter: np.ndarray) -> np.ndarray:
    """The filters of the input gradient: each turned by 180 degrees, in and out swapped."""
    return np.ascontiguousarray(filter[::-1, ::-1].transpose(0, 1, 3, 2))


BLOCK = 24  # tiles per block: V and M of a block (16 x 24 x C floats each) stay in the cache


@functools.lru_cache(maxsize=16)
def _offsets(channels: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and taps of V[e] [BLOCK, C] for ``gemm``'s tile kernel: a row-major matrix."""
    rows = np.arange(BLOCK, dtype=gemm.INDEX) * gemm.INDEX(channels)
    taps = np.arange(channels, dtype=gemm.INDEX)
    rows.flags.writeable = taps.flags.writeable = False
    return rows, taps


def conv(x: np.ndarray, u: np.ndarray, y: np.ndarray) -> None:
    """y [n, oh, ow, K] = the 3x3 convolution (stride 1, 'valid') of x [n, oh + 2, ow + 2, C]
    with the filters whose transform is u (``transform_filters``); x and y C-contiguous."""
    channels, out = u.shape[1], u.shape[2]
    v = workers.scratch(16 * BLOCK, channels, x.dtype, "winograd_v")
    m = workers.scratch(16 * BLOCK, out, x.dtype, "winograd_m")
    rows, taps = _offsets(channels)
    _conv(x, u, y, v.reshape(-1), m.reshape(-1), rows, taps)


@njit(cache=CACHE, nogil=True)
def _conv(x, u, y, v, m, rows, taps):  # pragma: no cover
    """Block by block of BLOCK tiles: V, the 16 products M[e] = V[e] @ U[e], the outputs."""
    n, height, width, c = x.shape
    _, out_h, out_w, k = y.shape
    tiles_w = out_w // 2
    per_image = (out_h // 2) * tiles_w
    x_flat, y_flat = x.reshape(-1), y.reshape(-1)
    step_v, step_m = BLOCK * c, BLOCK * k  # from one position e of V (of M) to the next
    for first in range(0, n * per_image, BLOCK):
        tiles = min(BLOCK, n * per_image - first)
        for t in range(tiles):
            b, at = (first + t) // per_image, (first + t) % per_image
            corner = ((b * height + 2 * (at // tiles_w)) * width + 2 * (at % tiles_w)) * c
            for ch in range(0, c, LANES):
                _input_tile(x_flat, corner + ch, width * c, c, v, t * c + ch, step_v)
        for e in range(16):
            _product(v[e * step_v:(e + 1) * step_v], rows, taps, u[e],
                     m[e * step_m:(e + 1) * step_m].reshape(BLOCK, k), tiles)
        for t in range(tiles):
            b, at = (first + t) // per_image, (first + t) % per_image
            corner = ((b * out_h + 2 * (at // tiles_w)) * out_w + 2 * (at % tiles_w)) * k
            for ch in range(0, k, LANES):
                _output_tile(m, t * k + ch, step_m, y_flat, corner + ch, out_w * k, k)


@njit(cache=CACHE, nogil=True)
def _product(v, rows, taps, u, m, tiles):  # pragma: no cover
    """m[:tiles] = v[:tiles] @ u with gemm.py's tile kernel (what ``gemm.matmul`` loops
    over; not matmul itself: a cached Numba function calling matmul was measured to leave
    matmul 2-3x slower for the whole process when it was the first to load it)."""
    full = tiles - tiles % gemm.ROWS
    for j in range(0, u.shape[1], gemm.COLS):
        for i in range(0, full, gemm.ROWS):
            gemm._tile(v, rows, taps, u, m, i, j, 0, taps.shape[0])
        for i in range(full, tiles):
            gemm._row(v, rows, taps, u, m, i, j, 0, taps.shape[0])


@njit(cache=CACHE, nogil=True)
def _input_tile(x, at, row, c, v, to, step):  # pragma: no cover
    """B^T d B for LANES channels of the 4x4 tile whose corner is x[at] (rows ``row`` apart,
    pixels ``c`` apart), into v[to + e * step] for the 16 positions e."""
    d00, d01, d02, d03 = load(x, at), load(x, at + c), load(x, at + 2 * c), load(x, at + 3 * c)
    at += row
    d10, d11, d12, d13 = load(x, at), load(x, at + c), load(x, at + 2 * c), load(x, at + 3 * c)
    at += row
    d20, d21, d22, d23 = load(x, at), load(x, at + c), load(x, at + 2 * c), load(x, at + 3 * c)
    at += row
    d30, d31, d32, d33 = load(x, at), load(x, at + c), load(x, at + 2 * c), load(x, at + 3 * c)
    # B^T d: rows 0 - 2, 1 + 2, 2 - 1, 1 - 3
    a00, a01, a02, a03 = sub(d00, d20), sub(d01, d21), sub(d02, d22), sub(d03, d23)
    a10, a11, a12, a13 = add(d10, d20), add(d11, d21), add(d12, d22), add(d13, d23)
    a20, a21, a22, a23 = sub(d20, d10), sub(d21, d11), sub(d22, d12), sub(d23, d13)
    a30, a31, a32, a33 = sub(d10, d30), sub(d11, d31), sub(d12, d32), sub(d13, d33)
    # (B^T d) B: the same on the columns
    store(v, to, sub(a00, a02))
    store(v, to + step, add(a01, a02))
    store(v, to + 2 * step, sub(a02, a01))
    store(v, to + 3 * step, sub(a01, a03))
    store(v, to + 4 * step, sub(a10, a12))
    store(v, to + 5 * step, add(a11, a12))
    store(v, to + 6 * step, sub(a12, a11))
    store(v, to + 7 * step, sub(a11, a13))
    store(v, to + 8 * step, sub(a20, a22))
    store(v, to + 9 * step, add(a21, a22))
    store(v, to + 10 * step, sub(a22, a21))
    store(v, to + 11 * step, sub(a21, a23))
    store(v, to + 12 * step, sub(a30, a32))
    store(v, to + 13 * step, add(a31, a32))
    store(v, to + 14 * step, sub(a32, a31))
    store(v, to + 15 * step, sub(a31, a33))


@njit(cache=CACHE, nogil=True)
def _output_tile(m, at, step, y, to, row, k):  # pragma: no cover
    """A^T M A for LANES channels: M's 16 positions at m[at + e * step], the 2x2 outputs to
    y[to], y[to + k] (next pixel), y[to + row], y[to + row + k] (next row)."""
    m0, m1, m2, m3 = load(m, at), load(m, at + step), load(m, at + 2 * step), load(
        m, at + 3 * step)
    m4, m5, m6, m7 = load(m, at + 4 * step), load(m, at + 5 * step), load(
        m, at + 6 * step), load(m, at + 7 * step)
    m8, m9, m10, m11 = load(m, at + 8 * step), load(m, at + 9 * step), load(
        m, at + 10 * step), load(m, at + 11 * step)
    m12, m13, m14, m15 = load(m, at + 12 * step), load(m, at + 13 * step), load(
        m, at + 14 * step), load(m, at + 15 * step)
    # A^T M: rows 0 + 1 + 2, 1 - 2 - 3
    u0, u1 = add(add(m0, m4), m8), add(add(m1, m5), m9)
    u2, u3 = add(add(m2, m6), m10), add(add(m3, m7), m11)
    w0, w1 = sub(sub(m4, m8), m12), sub(sub(m5, m9), m13)
    w2, w3 = sub(sub(m6, m10), m14), sub(sub(m7, m11), m15)
    # (A^T M) A: the same on the columns
    store(y, to, add(add(u0, u1), u2))
    store(y, to + k, sub(sub(u1, u2), u3))
    store(y, to + row, add(add(w0, w1), w2))
    store(y, to + row + k, sub(sub(w1, w2), w3))
