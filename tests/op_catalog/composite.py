"""Catalog rows for composite ops (built from other ops, no kernel of their own)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minitf as tf
from strategies import arrays, shapes

from . import Row


@st.composite
def _same_shape_list(draw: st.DrawFn) -> list[np.ndarray]:
    shape = draw(shapes(0, 3))
    return [draw(arrays(shape)) for _ in range(draw(st.integers(1, 4)))]


ROWS = [
    Row("AddN", lambda *xs: tf.add_n(list(xs)), lambda *xs: np.sum(xs, axis=0), _same_shape_list()),
]
