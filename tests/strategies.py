"""Hypothesis strategies for op tests: shapes (broadcastable pairs included) and arrays whose
values stay inside an op's domain and away from its kinks, where a derivative is undefined.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from hypothesis import strategies as st


@st.composite
def shapes(draw: st.DrawFn, min_rank: int = 0, max_rank: int = 3, min_side: int = 1,
           max_side: int = 4) -> tuple[int, ...]:
    """A shape of rank ``min_rank..max_rank`` with sides ``min_side..max_side``."""
    rank = draw(st.integers(min_rank, max_rank))
    return tuple(draw(st.lists(st.integers(min_side, max_side), min_size=rank, max_size=rank)))


@st.composite
def broadcast_pair(draw: st.DrawFn, max_rank: int = 3, max_side: int = 4) -> tuple[tuple, tuple]:
    """Two shapes that broadcast together: some sides set to 1, some leading axes dropped."""
    full = draw(shapes(0, max_rank, 1, max_side))
    out = []
    for _ in range(2):
        shape = [1 if draw(st.booleans()) and draw(st.booleans()) else d for d in full]
        drop = draw(st.integers(0, len(shape)))
        out.append(tuple(shape[drop:]))
    return out[0], out[1]


def _away_from(values: np.ndarray, kinks: Sequence[float], margin: float) -> np.ndarray:
    for k in kinks:
        near = np.abs(values - k) < margin
        values = np.where(near, k + np.where(values >= k, margin, -margin) * 2, values)
    return values


@st.composite
def arrays(draw: st.DrawFn, shape: Sequence[int], lo: float = -3.0, hi: float = 3.0,
           kinks: Sequence[float] = (), margin: float = 1e-2, distinct: bool = False) -> np.ndarray:
    """A float64 array of ``shape`` with values in ``[lo, hi]``, kept ``margin`` from ``kinks``.

    ``distinct`` spaces all values at least ``margin`` apart (for max/min/sort-like ops, where
    ties are kinks too).
    """
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape, dtype=np.int64))
    if distinct:
        grid = np.linspace(lo, hi, max(size, 2) * 3)
        values = rng.choice(grid, size=size, replace=False)
    else:
        values = rng.uniform(lo, hi, size=size)
    return _away_from(values, kinks, margin).reshape(shape)


@st.composite
def unary(draw: st.DrawFn, lo: float = -3.0, hi: float = 3.0, kinks: Sequence[float] = (),
          max_rank: int = 3, distinct: bool = False) -> list[np.ndarray]:
    """Arguments ``[x]`` for an elementwise op of one tensor."""
    return [draw(arrays(draw(shapes(0, max_rank)), lo, hi, kinks, distinct=distinct))]


@st.composite
def binary(draw: st.DrawFn, lo: float = -3.0, hi: float = 3.0, kinks: Sequence[float] = (),
           lo_b: float | None = None, hi_b: float | None = None) -> list[np.ndarray]:
    """Arguments ``[a, b]`` of broadcastable shapes for a binary op."""
    sa, sb = draw(broadcast_pair())
    a = draw(arrays(sa, lo, hi, kinks))
    b = draw(arrays(sb, lo if lo_b is None else lo_b, hi if hi_b is None else hi_b, kinks))
    return [a, b]
