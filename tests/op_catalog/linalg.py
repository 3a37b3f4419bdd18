"""Catalog rows for matrix products (ops/linalg.py): matmul with broadcast batch axes and every
transpose combination, and dot for each pairing of vectors and matrices."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minitf as tf
from strategies import arrays, broadcast_pair

from . import Row
from .shape import ints


@st.composite
def _matmul_args(draw) -> list[np.ndarray]:
    """[a, b, flags]: [..., m, k] and [..., k, n] (stored transposed when the flag says so),
    batch shapes that broadcast, flags = [transpose_a, transpose_b]."""
    batch_a, batch_b = draw(broadcast_pair(max_rank=2, max_side=3))
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    ta, tb = draw(st.booleans()), draw(st.booleans())
    a = draw(arrays((*batch_a, *((k, m) if ta else (m, k)))))
    b = draw(arrays((*batch_b, *((n, k) if tb else (k, n)))))
    return [a, b, np.array([ta, tb], dtype=np.int32)]


def _np_matmul(a: np.ndarray, b: np.ndarray, flags: np.ndarray) -> np.ndarray:
    ta, tb = ints(flags)
    return np.matmul(np.swapaxes(a, -1, -2) if ta else a, np.swapaxes(b, -1, -2) if tb else b)


@st.composite
def _dot_args(draw) -> list[np.ndarray]:
    m, k, n = (draw(st.integers(1, 4)) for _ in range(3))
    a_shape = draw(st.sampled_from([(k,), (m, k)]))
    b_shape = draw(st.sampled_from([(k,), (k, n)]))
    return [draw(arrays(a_shape)), draw(arrays(b_shape))]


ROWS = [
    Row("BatchMatMul", lambda a, b, f: tf.matmul(a, b, *map(bool, ints(f))), _np_matmul,
        _matmul_args()),
    Row("BatchMatMul", tf.dot, np.dot, _dot_args(), id="dot"),
]
