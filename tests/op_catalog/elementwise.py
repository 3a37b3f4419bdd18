"""Catalog rows for elementwise ops (ops/unary.py, ops/binary.py).

Domains keep away from singularities (log, sqrt, 1/x near 0; pow with a base <= 0) and from
kinks (abs and relu at 0, relu6 at 6, maximum/minimum at ties, floor at integers), where a
finite difference does not measure the derivative.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minitf as tf
from strategies import arrays, binary, broadcast_pair, shapes, unary

from minitf.ops.unary import relu_grad

from . import Row


@st.composite
def _same_shape_pair(draw) -> list[np.ndarray]:
    """[dy, y] of one shape, y kept away from relu's kink at 0."""
    shape = draw(shapes(0, 3))
    return [draw(arrays(shape)), draw(arrays(shape, kinks=[0]))]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
INTEGERS = list(range(-4, 5))
HALVES = [k + 0.5 for k in range(-4, 4)]


def _arrays(values: list) -> list[np.ndarray]:
    return [np.asarray(v) for v in values]  # NumPy turns 0-d results into scalars; undo that


@st.composite
def _nonzero_array(draw, shape, lo: float = 0.2, hi: float = 3.0) -> np.ndarray:
    """Values with |x| in [lo, hi] and random signs."""
    magnitude = draw(arrays(shape, lo, hi))
    return np.asarray(np.where(draw(arrays(shape)) < 0, -magnitude, magnitude))


@st.composite
def _nonzero(draw) -> list[np.ndarray]:
    return [draw(_nonzero_array(draw(shapes(0, 3))))]


@st.composite
def _nonzero_b(draw) -> list[np.ndarray]:
    sa, sb = draw(broadcast_pair())
    return [draw(arrays(sa)), draw(_nonzero_array(sb))]


@st.composite
def _quotients(draw) -> list[np.ndarray]:
    """[a, b] with a / b at least 0.1 from an integer, where floor(a / b) jumps."""
    sa, sb = draw(broadcast_pair())
    b = draw(_nonzero_array(sb, 0.5, 2.0))
    q = draw(arrays(np.broadcast_shapes(sa, sb), -3, 3, kinks=INTEGERS, margin=0.1))
    return _arrays([q * b, b])


@st.composite
def _int_quotients(draw) -> list[np.ndarray]:
    sa, sb = draw(broadcast_pair())
    a = np.round(draw(arrays(sa, -9, 9)))
    b = np.round(draw(_nonzero_array(sb, 1.0, 4.0)))
    return [a.astype(np.int32), b.astype(np.int32)]


@st.composite
def _int_exponents(draw) -> list[np.ndarray]:
    """[a, b]: a base of either sign, b an int32 exponent in -2..3."""
    sa, sb = draw(broadcast_pair())
    b = np.round(draw(arrays(sb, -2, 3))).astype(np.int32)
    return [draw(_nonzero_array(sa, 0.3, 2.0)), b]


@st.composite
def _select(draw) -> list[np.ndarray]:
    sa, sb = draw(broadcast_pair())
    sc = sa[draw(st.integers(0, len(sa))):]
    return [np.asarray(draw(arrays(sc)) > 0), draw(arrays(sa)), draw(arrays(sb))]


# a on multiples of 0.1 and b halfway between: never a tie, at least 0.05 apart
_apart = binary().map(lambda ab: _arrays([np.round(ab[0], 1), np.round(ab[1], 1) + 0.05]))
# small integers: many ties, which comparisons must get exactly right
_ties = binary().map(lambda ab: _arrays([np.round(ab[0]), np.round(ab[1])]))
_bools = binary().map(lambda ab: _arrays([ab[0] > 0, ab[1] > 0]))
_bool = unary().map(lambda xs: _arrays([xs[0] > 0]))
_rounded = unary().map(lambda xs: _arrays([np.round(xs[0])]))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _selu(x):
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1))


ROWS = [
    # -- unary: sign and magnitude
    Row("Neg", tf.neg, lambda x: -x, unary()),
    Row("Abs", tf.abs, np.abs, unary(kinks=[0])),
    Row("Sign", tf.sign, np.sign, unary(kinks=[0])),
    Row("Square", tf.square, lambda x: x * x, unary()),
    Row("Floor", tf.floor, np.floor, unary(kinks=INTEGERS)),
    Row("Ceil", tf.ceil, np.ceil, unary(kinks=INTEGERS)),
    Row("Round", tf.round, np.rint, unary(kinks=HALVES)),
    Row("Identity", tf.clone, lambda x: x, unary()),
    # -- unary: exponentials, powers, trigonometry
    Row("Exp", tf.exp, np.exp, unary(-2, 2)),
    Row("Log", tf.log, np.log, unary(0.2, 3)),
    Row("Log1p", tf.log1p, lambda x: np.log(1 + x), unary(-0.5, 3)),
    Row("Sqrt", tf.sqrt, np.sqrt, unary(0.2, 3)),
    Row("Rsqrt", tf.rsqrt, lambda x: x ** -0.5, unary(0.2, 3)),
    Row("Reciprocal", tf.reciprocal, lambda x: 1 / x, _nonzero()),
    Row("Sin", tf.sin, np.sin, unary()),
    Row("Cos", tf.cos, np.cos, unary()),
    Row("Tanh", tf.tanh, np.tanh, unary()),
    # -- unary: activations
    Row("Sigmoid", tf.sigmoid, _sigmoid, unary(-5, 5)),
    Row("Softplus", tf.softplus, lambda x: np.log(1 + np.exp(x)), unary(-5, 5)),
    Row("Softsign", tf.softsign, lambda x: x / (1 + np.abs(x)), unary()),
    Row("Relu", tf.relu, lambda x: np.maximum(x, 0), unary(kinks=[0]), covers=("Step",)),
    Row("Relu6", tf.relu6, lambda x: np.minimum(np.maximum(x, 0), 6), unary(-2, 8, kinks=[0, 6])),
    Row("Elu", tf.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1), unary(kinks=[0])),
    Row("Selu", tf.selu, _selu, unary(kinks=[0])),
    Row("LeakyRelu", lambda x: tf.leaky_relu(x, 0.3), lambda x: np.where(x > 0, x, 0.3 * x),
        unary(kinks=[0])),
    Row("Prelu", tf.prelu, lambda x, alpha: np.where(x > 0, x, alpha * x), binary(kinks=[0])),
    Row("ReluGrad", lambda dy, y: relu_grad(dy, y), lambda dy, y: dy * (y > 0),
        _same_shape_pair()),
    Row("Step", tf.step, lambda x: (x > 0).astype(x.dtype), unary(kinks=[0])),
    # -- binary arithmetic
    Row("Add", tf.add, lambda a, b: a + b, binary()),
    Row("Sub", tf.sub, lambda a, b: a - b, binary()),
    Row("Multiply", tf.mul, lambda a, b: a * b, binary()),
    Row("RealDiv", tf.div, lambda a, b: a / b, _nonzero_b()),
    Row("FloorDiv", tf.floor_div, lambda a, b: np.floor(a / b), _quotients()),
    Row("FloorDiv", tf.floor_div, lambda a, b: a // b, _int_quotients(), grad=False,
        float_inputs=False, id="FloorDiv-int32"),
    Row("Mod", tf.mod, lambda a, b: a - np.floor(a / b) * b, _quotients()),
    Row("Mod", tf.mod, lambda a, b: a % b, _int_quotients(), grad=False, float_inputs=False,
        id="Mod-int32"),
    Row("Pow", tf.pow, lambda a, b: np.exp(b * np.log(a)), binary(0.5, 2, lo_b=-2, hi_b=2)),
    Row("Pow", tf.pow, lambda a, b: a ** b.astype(np.float64), _int_exponents(),
        id="Pow-int-exponent"),
    Row("SquaredDifference", tf.squared_difference, lambda a, b: (a - b) ** 2, binary()),
    Row("Maximum", tf.maximum, lambda a, b: np.where(a > b, a, b), _apart),
    Row("Minimum", tf.minimum, lambda a, b: np.where(a < b, a, b), _apart),
    Row("ClipByValue", lambda x: tf.clip_by_value(x, -1, 1.5),
        lambda x: np.minimum(np.maximum(x, -1), 1.5), unary(kinks=[-1, 1.5])),
    # -- selection and dtype
    Row("Select", tf.where, lambda c, a, b: np.where(c, a, b), _select()),
    Row("Cast", lambda x: tf.cast(x, "float64"), lambda x: x, unary(), float_inputs=False),
    Row("Cast", lambda x: tf.cast(x, "int32"), lambda x: np.trunc(x).astype(np.int32),
        unary(kinks=INTEGERS), grad=False, id="Cast-int32"),
    Row("Cast", lambda x: tf.cast(x, "bool"), lambda x: x != 0, _rounded, grad=False,
        id="Cast-bool"),
    # -- comparisons and logic
    Row("Equal", tf.equal, lambda a, b: a == b, _ties, grad=False),
    Row("NotEqual", tf.not_equal, lambda a, b: a != b, _ties, grad=False),
    Row("Greater", tf.greater, lambda a, b: a > b, _ties, grad=False),
    Row("GreaterEqual", tf.greater_equal, lambda a, b: a >= b, _ties, grad=False),
    Row("Less", tf.less, lambda a, b: a < b, _ties, grad=False),
    Row("LessEqual", tf.less_equal, lambda a, b: a <= b, _ties, grad=False),
    Row("LogicalAnd", tf.logical_and, lambda a, b: a & b, _bools, grad=False, float_inputs=False),
    Row("LogicalOr", tf.logical_or, lambda a, b: a | b, _bools, grad=False, float_inputs=False),
    Row("LogicalNot", tf.logical_not, lambda x: ~x, _bool, grad=False, float_inputs=False),
    Row("NotEqual", tf.logical_xor, lambda a, b: a ^ b, _bools, grad=False, float_inputs=False,
        id="LogicalXor"),
]


def _erf(x):
    # Maclaurin series erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)): independent of
    # the kernel's math.erf; 60 terms reach double precision for |x| <= 3.
    total, term = np.zeros_like(x), x.copy()  # term_n = (-1)^n x^(2n+1) / n!
    for n in range(60):
        total = total + term / (2 * n + 1)
        term = -term * x * x / (n + 1)
    return 2 / np.sqrt(np.pi) * total


ROWS.append(Row("Erf", tf.erf, _erf, unary(-3, 3)))
