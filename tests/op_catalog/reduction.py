"""Catalog rows for reductions (ops/reduction.py).

Axes and keep_dims travel as int32/bool arrays (see shape.py's ``ints``). max, min and argmax
draw distinct values: a tie is a kink of max and makes argmax ambiguous.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minitf as tf
from strategies import arrays, shapes

from . import Row
from .shape import axes, i32, ints


@st.composite
def _reduce_args(draw, lo: float = -3.0, hi: float = 3.0, distinct: bool = False,
                 max_side: int = 4) -> list[np.ndarray]:
    """[x, axes, keep_dims]."""
    x = draw(arrays(draw(shapes(0, 3, 1, max_side)), lo, hi, distinct=distinct))
    return [x, i32(draw(axes(x.ndim))), np.array(draw(st.booleans()))]


@st.composite
def _with_zeros(draw) -> list[np.ndarray]:
    """Prod's arguments with some elements exactly 0, so the zero-safe gradient is exercised."""
    x, ax, keep = draw(_reduce_args(-1.5, 1.5, max_side=3))
    zeros = draw(arrays(x.shape)) > 1.0
    return [np.where(zeros, 0.0, x), ax, keep]


@st.composite
def _arg_args(draw) -> list[np.ndarray]:
    """[x, axis] for argmax/argmin, with distinct values."""
    x = draw(arrays(draw(shapes(1, 3)), distinct=True))
    return [x, i32(draw(axes(x.ndim, min_size=1))[0])]


@st.composite
def _bool_args(draw) -> list[np.ndarray]:
    x, ax, keep = draw(_reduce_args())
    return [x > 0, ax, keep]


def _reduction(name: str, fn, ref, args, **kw) -> list[Row]:
    """Two rows: axes and keep_dims drawn, and axis=None (everything reduced)."""
    return [Row(name, lambda x, a, k: fn(x, ints(a), bool(k)),
                lambda x, a, k: ref(x, tuple(ints(a)), keepdims=bool(k)), args, **kw),
            Row(name, lambda x, a, k: fn(x), lambda x, a, k: ref(x), args, id=f"{name}-all", **kw)]


def _np_logsumexp(x: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))  # fine for |x| <= 3


def _np_moments(x: np.ndarray, axis=None, keepdims: bool = False) -> list[np.ndarray]:
    return [np.mean(x, axis, keepdims=keepdims), np.var(x, axis, keepdims=keepdims)]


ROWS = [
    *_reduction("Sum", tf.sum, np.sum, _reduce_args()),
    *_reduction("Mean", tf.mean, np.mean, _reduce_args()),
    *_reduction("Max", tf.max, np.max, _reduce_args(distinct=True)),
    *_reduction("Min", tf.min, np.min, _reduce_args(distinct=True)),
    *_reduction("Prod", tf.prod, np.prod, _reduce_args(-1.5, 1.5, max_side=3)),
    Row("Prod", lambda x, a, k: tf.prod(x, ints(a), bool(k)),
        lambda x, a, k: np.prod(x, tuple(ints(a)), keepdims=bool(k)), _with_zeros(),
        id="Prod-zeros"),
    Row("ArgMax", lambda x, a: tf.argmax(x, ints(a)), lambda x, a: np.argmax(x, ints(a)),
        _arg_args(), grad=False),
    Row("ArgMin", lambda x, a: tf.argmin(x, ints(a)), lambda x, a: np.argmin(x, ints(a)),
        _arg_args(), grad=False),
    *_reduction("All", tf.all, np.all, _bool_args(), grad=False, float_inputs=False),
    *_reduction("Any", tf.any, np.any, _bool_args(), grad=False, float_inputs=False),
    # composites: the row's kernel is the one whose rows they extend
    Row("Max", lambda x, a, k: tf.logsumexp(x, ints(a), bool(k)),
        lambda x, a, k: _np_logsumexp(x, tuple(ints(a)), bool(k)), _reduce_args(),
        id="logsumexp"),
    Row("Mean", lambda x, a, k: tf.moments(x, ints(a), bool(k)),
        lambda x, a, k: _np_moments(x, tuple(ints(a)), bool(k)), _reduce_args(), id="moments"),
]
