"""``gemm.py``'s matrix product (built from ``simd.py``'s vectors) against NumPy, on
Hypothesis-drawn shapes: row counts around the 6-row tile, products as short as one step, A in
row-major and transposed layouts; and ``simd.py``'s plain-NumPy stand-ins (what runs under
``NUMBA_DISABLE_JIT=1``) against the compiled operations. Skipped where numba is missing."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, strategies as st

pytest.importorskip("numba")

from numba import njit  # noqa: E402

from minitf.backends.cpu import gemm, simd  # noqa: E402


def as_virtual(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, rows, taps) reading a row-major matrix, or the transpose of one, in place."""
    m, k = a.shape
    if a.flags.c_contiguous:
        return a.reshape(-1), np.arange(m, dtype=gemm.INDEX) * k, np.arange(k, dtype=gemm.INDEX)
    return a.T.reshape(-1), np.arange(m, dtype=gemm.INDEX), np.arange(k, dtype=gemm.INDEX) * m


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    c = np.full((a.shape[0], b.shape[1]), np.nan, dtype=np.float32)  # every cell gets written
    gemm.matmul(*as_virtual(a), b, c)
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


@njit
def _compiled(x, y, z, s):  # pragma: no cover
    lanes = simd.LANES
    out = np.empty(6 * lanes, dtype=np.float32)
    simd.store(out, 0, simd.load(x, 3))
    simd.store(out, lanes, simd.splat(s))
    simd.store(out, 2 * lanes, simd.fma(simd.load(x, 0), simd.load(y, 0), simd.load(z, 0)))
    simd.store(out, 3 * lanes, simd.zero())
    simd.store(out, 4 * lanes, simd.add(simd.load(x, 0), simd.load(y, 0)))
    simd.store(out, 5 * lanes, simd.sub(simd.load(x, 0), simd.load(y, 0)))
    return out


def test_simd_stand_ins_match_the_compiled_operations() -> None:
    rng = np.random.default_rng(1)
    lanes = simd.LANES
    x, y, z = (rng.standard_normal(lanes + 4).astype(np.float32) for _ in range(3))
    s = np.float32(2.5)
    want = np.concatenate([simd._py_load(x, 3), simd._py_splat(s),
                           simd._py_fma(x[:lanes], y[:lanes], z[:lanes]), simd._py_zero(),
                           simd._py_add(x[:lanes], y[:lanes]),
                           simd._py_sub(x[:lanes], y[:lanes])])
    np.testing.assert_array_equal(_compiled(x, y, z, s), want)
    out = np.zeros(lanes + 2, np.float32)
    simd._py_store(out, 1, simd._py_splat(s))
    np.testing.assert_array_equal(out, [0] + [2.5] * lanes + [0])


def test_lanes_follow_the_cpu() -> None:
    assert simd.lanes_for(frozenset({"avx2", "fma"})) == 8
    assert simd.lanes_for(frozenset({"avx2", "fma", "avx512f"})) == 16


_SIXTEEN_LANES = """
import numpy as np
from minitf.backends.cpu import gemm, simd
assert simd.LANES == 16 and gemm.COLS == 32 and simd.CACHE == (simd.NATIVE_LANES == 16)
rng = np.random.default_rng(3)
for m, k, n, transposed in ((13, 7, 32, False), (20, 600, 64, True)):
    a = rng.standard_normal((k, m)).T if transposed else rng.standard_normal((m, k))
    a = a.astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    c = np.full((m, n), np.nan, dtype=np.float32)
    x = a.T.reshape(-1) if transposed else a.reshape(-1)
    rows = np.arange(m, dtype=gemm.INDEX) * (1 if transposed else k)
    taps = np.arange(k, dtype=gemm.INDEX) * (m if transposed else 1)
    gemm.matmul(x, rows, taps, b, c)
    np.testing.assert_allclose(c, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)
from minitf.backends.cpu import winograd
from minitf.backends.numpy import conv as np_conv
x = rng.standard_normal((3, 8, 10, 16)).astype(np.float32)
f = rng.standard_normal((3, 3, 16, 32)).astype(np.float32)
y = np.empty((3, 6, 8, 32), dtype=np.float32)
winograd.conv(x, winograd.transform_filters(f), y)
want = np_conv.conv2d(x, f, strides=(1, 1), pad=((0, 0),) * 4, dilations=(1, 1))
np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-4)
print("ok")
"""


def test_sixteen_lanes_as_on_avx512(tmp_path) -> None:
    """The AVX-512 build (16 lanes, 32-column bands) of gemm.py and winograd.py, compiled for
    this CPU (where it has no AVX-512, LLVM splits each vector in two), in a fresh process with
    its own Numba cache."""
    environ = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "MINITF_SIMD_LANES": "16"}
    done = subprocess.run([sys.executable, "-c", _SIXTEEN_LANES], env=environ,
                          capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
