"""Catalog rows for creation and random ops: forward checks only (no gradients)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minitf as tf

from . import Row

_none = st.just([])


def _row(kernel: str, fn, ref, args=_none, **kw) -> Row:
    return Row(kernel, fn, ref, args, grad=False, float_inputs=False, **kw)


ROWS = [
    _row("Fill", lambda: tf.fill([2, 3], 1.5, "float64"), lambda: np.full((2, 3), 1.5)),
    _row("Range", lambda: tf.range(0, 5, 0.5, "float64"), lambda: np.arange(0, 5, 0.5)),
    _row("LinSpace", lambda: tf.linspace(0, 1, 5), lambda: np.linspace(0, 1, 5)),
    _row("Eye", lambda: tf.eye(3, 4, [2]), lambda: np.broadcast_to(np.eye(3, 4), (2, 3, 4))),
    _row("OneHot", lambda i: tf.one_hot(i, 4), lambda i: np.eye(4, dtype=np.int32)[i],
         st.lists(st.integers(0, 3), min_size=1, max_size=6)
         .map(lambda v: [np.array(v, np.int32)])),
    # Random kernels: the test checks seeding and the statistics, not the values.
    _row("RandomNormal", lambda: tf.random_normal([4000], 1.0, 2.0, "float64", seed=3), None,
         extra={"mean": 1.0, "std": 2.0}),
    _row("TruncatedNormal", lambda: tf.truncated_normal([4000], 0.0, 1.0, "float64", seed=3), None,
         extra={"mean": 0.0, "std": 0.88, "bound": 2.0}),
    _row("RandomUniform", lambda: tf.random_uniform([4000], -1.0, 1.0, "float64", seed=3), None,
         extra={"mean": 0.0, "std": 0.577, "bound": 1.0}),
]
