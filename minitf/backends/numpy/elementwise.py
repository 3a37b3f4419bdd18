"""Elementwise kernels on NumPy arrays: unary math, binary arithmetic with broadcasting,
comparisons, logical ops, select and cast. Outputs keep the input dtype unless stated.

The op layer has already unified the input dtypes, so a kernel only guards against NumPy's own
upcasts (``np.where(x > 0, 1, alpha)`` or ``np.clip`` with float bounds on ints give float64):
those end in ``.astype(x.dtype)``.
"""
from __future__ import annotations

import math

import numpy as np

from ...dtypes import NUMPY
from ...engine.registry import register_kernel

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# -- unary: sign and magnitude ---------------------------------------------------------------
@register_kernel("Neg", "numpy")
def neg(x: np.ndarray) -> np.ndarray:
    return np.negative(x)


@register_kernel("Abs", "numpy")
def abs_(x: np.ndarray) -> np.ndarray:
    return np.abs(x)


@register_kernel("Sign", "numpy")
def sign(x: np.ndarray) -> np.ndarray:
    return np.sign(x)


@register_kernel("Square", "numpy")
def square(x: np.ndarray) -> np.ndarray:
    return np.square(x)


@register_kernel("Floor", "numpy")
def floor(x: np.ndarray) -> np.ndarray:
    return np.floor(x)


@register_kernel("Ceil", "numpy")
def ceil(x: np.ndarray) -> np.ndarray:
    return np.ceil(x)


@register_kernel("Round", "numpy")
def round_(x: np.ndarray) -> np.ndarray:
    return np.round(x)  # halves go to the even neighbour, as in TF.js


@register_kernel("Identity", "numpy")
def identity(x: np.ndarray) -> np.ndarray:
    return x.copy()


# -- unary: exponentials, powers, trigonometry -----------------------------------------------
@register_kernel("Exp", "numpy")
def exp(x: np.ndarray) -> np.ndarray:
    return np.exp(x)


@register_kernel("Log", "numpy")
def log(x: np.ndarray) -> np.ndarray:
    return np.log(x)


@register_kernel("Log1p", "numpy")
def log1p(x: np.ndarray) -> np.ndarray:
    return np.log1p(x)


@register_kernel("Sqrt", "numpy")
def sqrt(x: np.ndarray) -> np.ndarray:
    return np.sqrt(x)


@register_kernel("Rsqrt", "numpy")
def rsqrt(x: np.ndarray) -> np.ndarray:
    return 1 / np.sqrt(x)


@register_kernel("Reciprocal", "numpy")
def reciprocal(x: np.ndarray) -> np.ndarray:
    return 1 / x


@register_kernel("Sin", "numpy")
def sin(x: np.ndarray) -> np.ndarray:
    return np.sin(x)


@register_kernel("Cos", "numpy")
def cos(x: np.ndarray) -> np.ndarray:
    return np.cos(x)


@register_kernel("Tanh", "numpy")
def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(x)


# NumPy has no erf; math.erf is accurate to double precision.
_erf = np.vectorize(math.erf, otypes=[np.float64])


@register_kernel("Erf", "numpy")
def erf(x: np.ndarray) -> np.ndarray:
    return _erf(x).astype(x.dtype)


# -- unary: activations ----------------------------------------------------------------------
@register_kernel("Sigmoid", "numpy")
def sigmoid(x: np.ndarray) -> np.ndarray:
    # With z = e^-|x| <= 1 nothing overflows: 1 / (1 + z) for x >= 0, z / (1 + z) for x < 0.
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype)


@register_kernel("Softplus", "numpy")
def softplus(x: np.ndarray) -> np.ndarray:
    # log(1 + e^x) = log1p(e^-|x|) + max(x, 0): the exponent is never positive.
    return (np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)).astype(x.dtype)


@register_kernel("Softsign", "numpy")
def softsign(x: np.ndarray) -> np.ndarray:
    return x / (1 + np.abs(x))


@register_kernel("Relu", "numpy")
def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0).astype(x.dtype)


@register_kernel("Relu6", "numpy")
def relu6(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0, 6).astype(x.dtype)


@register_kernel("Elu", "numpy")
def elu(x: np.ndarray) -> np.ndarray:
    # expm1 only sees x <= 0, so large positive x cannot overflow in the unused branch.
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0))).astype(x.dtype)


@register_kernel("Selu", "numpy")
def selu(x: np.ndarray) -> np.ndarray:
    negative = SELU_ALPHA * np.expm1(np.minimum(x, 0))
    return (SELU_SCALE * np.where(x > 0, x, negative)).astype(x.dtype)


@register_kernel("LeakyRelu", "numpy")
def leaky_relu(x: np.ndarray, *, alpha: float) -> np.ndarray:
    return np.where(x > 0, x, alpha * x).astype(x.dtype)


@register_kernel("Prelu", "numpy")
def prelu(x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, alpha * x).astype(x.dtype)


@register_kernel("ReluGrad", "numpy")
def relu_grad(dy: np.ndarray, y: np.ndarray) -> np.ndarray:
    # dy * step(y) in one kernel; y may be relu's input or its output (same sign test)
    return dy * (y > 0).astype(dy.dtype)


@register_kernel("Step", "numpy")
def step(x: np.ndarray, *, alpha: float) -> np.ndarray:
    return np.where(x > 0, 1, alpha).astype(x.dtype)


# -- binary arithmetic (inputs share one dtype; NumPy broadcasts) -----------------------------
@register_kernel("Add", "numpy")
def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.add(a, b)


@register_kernel("Sub", "numpy")
def sub(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.subtract(a, b)


@register_kernel("Multiply", "numpy")
def multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.multiply(a, b)


@register_kernel("RealDiv", "numpy")
def real_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.true_divide(a, b)


@register_kernel("FloorDiv", "numpy")
def floor_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.floor_divide(a, b)


@register_kernel("Mod", "numpy")
def mod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.mod(a, b)  # the sign of b, like Python's %


@register_kernel("Pow", "numpy")
def pow_(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f":
        return np.power(a, b)
    # NumPy refuses negative integer exponents; TF.js computes in floats and truncates.
    with np.errstate(all="ignore"):
        return np.trunc(np.power(a.astype(np.float64), b)).astype(a.dtype)


@register_kernel("SquaredDifference", "numpy")
def squared_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.square(a - b)


@register_kernel("Maximum", "numpy")
def maximum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(a, b)


@register_kernel("Minimum", "numpy")
def minimum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.minimum(a, b)


@register_kernel("ClipByValue", "numpy")
def clip_by_value(x: np.ndarray, *, clip_value_min: float, clip_value_max: float) -> np.ndarray:
    return np.clip(x, clip_value_min, clip_value_max).astype(x.dtype)


# -- comparisons and logic (bool outputs) -----------------------------------------------------
@register_kernel("Equal", "numpy")
def equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.equal(a, b)


@register_kernel("NotEqual", "numpy")
def not_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.not_equal(a, b)


@register_kernel("Greater", "numpy")
def greater(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.greater(a, b)


@register_kernel("GreaterEqual", "numpy")
def greater_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.greater_equal(a, b)


@register_kernel("Less", "numpy")
def less(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.less(a, b)


@register_kernel("LessEqual", "numpy")
def less_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.less_equal(a, b)


@register_kernel("LogicalAnd", "numpy")
def logical_and(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.logical_and(a, b)


@register_kernel("LogicalOr", "numpy")
def logical_or(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.logical_or(a, b)


@register_kernel("LogicalNot", "numpy")
def logical_not(x: np.ndarray) -> np.ndarray:
    return np.logical_not(x)


# -- select and cast --------------------------------------------------------------------------
@register_kernel("Select", "numpy")
def select(condition: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(condition, a, b)


@register_kernel("Cast", "numpy")
def cast(x: np.ndarray, *, dtype: str) -> np.ndarray:
    return x.astype(NUMPY[dtype])  # float to int truncates toward zero; to bool is x != 0
