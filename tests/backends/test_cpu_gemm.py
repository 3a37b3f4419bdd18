"""``gemm.py``'s matrix product (built from ``simd.py``'s 8-lane vectors) against NumPy, on
Hypothesis-drawn shapes: row counts around the 6-row tile, products as short as one step, A in
row-major and transposed layouts; and ``simd.py``'s plain-NumPy stand-ins (what runs under
``NUMBA_DISABLE_JIT=1``) against the compiled operations. Skipped where numba is missing."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

pytest.importorskip("numba")

from numba import njit  # noqa: E402

from minitf.backends.cpu import gemm, simd  # noqa: E402


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    c = np.full((a.shape[0], b.shape[1]), np.nan, dtype=np.float32)  # every cell gets written
    assert gemm.fits(b, c)
    gemm.matmul(*gemm.as_virtual(a), b, c)
    return c


@given(m=st.integers(1, 20), k=st.integers(1, 40), bands=st.integers(1, 4),
       transposed=st.booleans(), seed=st.integers(0, 2**16))
def test_matmul_matches_numpy(m, k, bands, transposed, seed) -> None:
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal((k, m)).T if transposed else rng.standard_normal((m, k)))
    a = a.astype(np.float32)
    b = rng.standard_normal((k, bands * gemm.COLS)).astype(np.float32)
    np.testing.assert_allclose(_matmul(a, b), a.astype(np.float64) @ b,
                               rtol=1e-5, atol=1e-5 * np.sqrt(k))


def test_matmul_reads_a_virtual_matrix() -> None:
    """A[m, p] = x[rows[m] + taps[p]] with overlapping rows, as a convolution's columns."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal(50).astype(np.float32)
    rows = np.array([0, 3, 6, 9, 12, 15, 18, 21, 30], dtype=gemm.INDEX)
    taps = np.array([0, 1, 2, 10, 11, 12], dtype=gemm.INDEX)
    a = x[rows[:, None] + taps[None, :]]
    b = rng.standard_normal((6, 32)).astype(np.float32)
    c = np.empty((9, 32), np.float32)
    gemm.matmul(x, rows, taps, b, c)
    np.testing.assert_allclose(c, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-5)


def test_matmul_mnist_shapes() -> None:
    """The products of the convnet's big layer, forward, input and filter gradient; the last
    one (k = 3456) runs in several passes of DEPTH steps."""
    rng = np.random.default_rng(0)
    cols = rng.standard_normal((3456, 288)).astype(np.float32)
    w = rng.standard_normal((288, 32)).astype(np.float32)
    dz = rng.standard_normal((3456, 32)).astype(np.float32)
    for a, b in ((cols, w), (dz, np.ascontiguousarray(w.T)), (cols.T, dz)):
        want = a.astype(np.float64) @ b
        assert np.abs(_matmul(a, b) - want).max() <= 1e-5 * np.abs(want).max()


def test_fits_only_what_the_kernel_handles() -> None:
    c = np.empty((4, 32), np.float32)
    assert gemm.fits(np.ones((3, 32), np.float32), c)
    assert not gemm.fits(np.ones((3, 10), np.float32), np.empty((4, 10), np.float32))
    assert not gemm.fits(np.ones((3, 32), np.float64), c)
    assert not gemm.fits(np.ones((32, 3), np.float32).T, c)  # B not C-contiguous
    assert gemm.as_virtual(np.ones((4, 6), np.float32)[:, ::2]) is None  # neither layout
    assert gemm.as_virtual(np.ones((4, 6))) is None  # float64


@njit
def _compiled(x, y, z, s):  # pragma: no cover
    out = np.empty(4 * simd.LANES, dtype=np.float32)
    simd.store8(out, 0, simd.load8(x, 3))
    simd.store8(out, 8, simd.splat8(s))
    simd.store8(out, 16, simd.fma8(simd.load8(x, 0), simd.load8(y, 0), simd.load8(z, 0)))
    simd.store8(out, 24, simd.zero8())
    return out


def test_simd_stand_ins_match_the_compiled_operations() -> None:
    rng = np.random.default_rng(1)
    x, y, z = (rng.standard_normal(12).astype(np.float32) for _ in range(3))
    s = np.float32(2.5)
    want = np.concatenate([simd._py_load8(x, 3), simd._py_splat8(s),
                           simd._py_fma8(x[:8], y[:8], z[:8]), simd._py_zero8()])
    np.testing.assert_array_equal(_compiled(x, y, z, s), want)
    out = np.zeros(10, np.float32)
    simd._py_store8(out, 1, simd._py_splat8(s))
    np.testing.assert_array_equal(out, [0] + [2.5] * 8 + [0])
