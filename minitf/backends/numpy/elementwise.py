"""Elementwise kernels on NumPy arrays: unary math, binary arithmetic with broadcasting,
comparisons, logical ops, select and cast. Outputs keep the input dtype unless stated.
"""
from __future__ import annotations

import numpy as np

from ...engine.registry import register_kernel


@register_kernel("Exp", "numpy")
def exp(x: np.ndarray) -> np.ndarray:
    return np.exp(x)


@register_kernel("Relu", "numpy")
def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0).astype(x.dtype)


@register_kernel("Step", "numpy")
def step(x: np.ndarray, *, alpha: float) -> np.ndarray:
    return np.where(x > 0, 1, alpha).astype(x.dtype)


@register_kernel("Identity", "numpy")
def identity(x: np.ndarray) -> np.ndarray:
    return x.copy()


@register_kernel("Add", "numpy")
def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.add(a, b)


@register_kernel("Multiply", "numpy")
def multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.multiply(a, b)
