"""Catalog rows for reductions and shape ops (ops/reduction.py, ops/shape.py)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minitf as tf
from strategies import arrays, shapes

from . import Row


@st.composite
def _with_axis(draw):
    x = draw(arrays(draw(shapes(1, 3))))
    return [x]


ROWS = [
    Row("Sum", lambda x: tf.sum(x, -1), lambda x: np.sum(x, -1), _with_axis()),
    Row("Sum", lambda x: tf.sum(x), lambda x: np.sum(x), _with_axis(),
        id="Sum-all"),
    Row("Reshape", lambda x: tf.reshape(x, [-1]), lambda x: x.reshape(-1), _with_axis()),
    Row("BroadcastTo", lambda x: tf.broadcast_to(x, (2, *x.shape)),
        lambda x: np.broadcast_to(x, (2, *x.shape)), _with_axis()),
]
