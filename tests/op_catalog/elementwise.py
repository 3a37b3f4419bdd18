"""Catalog rows for elementwise ops (ops/unary.py, ops/binary.py)."""
from __future__ import annotations

import numpy as np

import minitf as tf
from strategies import binary, unary

from . import Row

ROWS = [
    Row("Exp", tf.exp, np.exp, unary(-2, 2)),
    Row("Relu", tf.relu, lambda x: np.maximum(x, 0), unary(kinks=[0]), covers=("Step",)),
    Row("Step", tf.step, lambda x: (x > 0).astype(x.dtype), unary(kinks=[0])),
    Row("Identity", tf.clone, lambda x: x, unary()),
    Row("Add", tf.add, np.add, binary()),
    Row("Multiply", tf.mul, np.multiply, binary()),
]
