"""Elementwise functions of one tensor, each with its gradient written below it in minitf ops.

Every op returns a tensor of x's shape. Math ops are float-only: int and bool inputs are cast to
float32 first, as in TF.js. Sign-and-magnitude ops (neg, abs, sign, square) keep int32.
The gradient functions receive ``dy`` and the tensors named in ``save`` and return dx at x's
shape. Kernel names are TF.js's ('Exp', 'Relu', ...), so one grep finds kernel, op and test.
"""
from __future__ import annotations

from .. import dtypes
from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, float_arg, gradient, op, tensor_arg
from .binary import cast, greater, less_equal, logical_and, minimum, where
from .broadcast import broadcast_shapes
from .creation import zeros_like

__all__ = ["neg", "abs", "sign", "square", "floor", "ceil", "round", "exp", "log", "log1p",
           "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tanh", "erf", "sigmoid", "softplus",
           "softsign", "relu", "relu6", "elu", "selu", "leaky_relu", "prelu", "step"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_TWO_OVER_SQRT_PI = 1.1283791670955126  # d/dx erf(x) = 2/sqrt(pi) e^(-x^2)


def _numeric_arg(x: TensorLike, op_name: str) -> Tensor:
    """An input that may stay int32; bools are counted as int32 (0 and 1)."""
    t = tensor_arg(x, "x", op_name)
    return cast(t, dtypes.int32) if t.dtype == dtypes.bool_ else t


def _zero_grad(dy: Tensor) -> Tensor:
    return zeros_like(dy)  # piecewise-constant ops: the derivative is 0 wherever it exists


# -- sign and magnitude -----------------------------------------------------------------------
@op
def neg(x: TensorLike) -> Tensor:
    """-x elementwise; int32 stays int32 (TF.js ``tf.neg``).

    >>> import minitf as tf
    >>> tf.neg(tf.tensor([1.0, -2.0])).array_sync()
    [-1.0, 2.0]
    """
    return run_kernel("Neg", {"x": _numeric_arg(x, "neg")})


@gradient("Neg")
def _neg_grad(dy: Tensor) -> Tensor:
    return neg(dy)


@op
def abs(x: TensorLike) -> Tensor:  # noqa: A001 (TF.js name)
    """|x| elementwise; int32 stays int32 (TF.js ``tf.abs``).

    >>> import minitf as tf
    >>> tf.abs(tf.tensor([-1.5, 2.0])).array_sync()
    [1.5, 2.0]
    """
    return run_kernel("Abs", {"x": _numeric_arg(x, "abs")})


@gradient("Abs", save=("x",))
def _abs_grad(dy: Tensor, x: Tensor) -> Tensor:
    return dy * sign(x)  # 0 at the kink x = 0


@op
def sign(x: TensorLike) -> Tensor:
    """-1, 0 or 1 by the sign of each element; int32 stays int32 (TF.js ``tf.sign``).

    >>> import minitf as tf
    >>> tf.sign(tf.tensor([-3.0, 0.0, 2.0])).array_sync()
    [-1.0, 0.0, 1.0]
    """
    return run_kernel("Sign", {"x": _numeric_arg(x, "sign")})


gradient("Sign")(_zero_grad)


@op
def square(x: TensorLike) -> Tensor:
    """x * x elementwise; int32 stays int32 (TF.js ``tf.square``).

    >>> import minitf as tf
    >>> tf.square(tf.tensor([-3.0, 2.0])).array_sync()
    [9.0, 4.0]
    """
    return run_kernel("Square", {"x": _numeric_arg(x, "square")})


@gradient("Square", save=("x",))
def _square_grad(dy: Tensor, x: Tensor) -> Tensor:
    return dy * 2 * x


@op
def floor(x: TensorLike) -> Tensor:
    """The largest integer <= x, as floats (TF.js ``tf.floor``); its gradient is zero.

    >>> import minitf as tf
    >>> tf.floor(tf.tensor([-1.5, 1.5])).array_sync()
    [-2.0, 1.0]
    """
    return run_kernel("Floor", {"x": float_arg(x, "x", "floor")})


gradient("Floor")(_zero_grad)


@op
def ceil(x: TensorLike) -> Tensor:
    """The smallest integer >= x, as floats (TF.js ``tf.ceil``); its gradient is zero.

    >>> import minitf as tf
    >>> tf.ceil(tf.tensor([-1.5, 1.5])).array_sync()
    [-1.0, 2.0]
    """
    return run_kernel("Ceil", {"x": float_arg(x, "x", "ceil")})


gradient("Ceil")(_zero_grad)


@op
def round(x: TensorLike) -> Tensor:  # noqa: A001 (TF.js name)
    """The nearest integer, halves to even, as floats (TF.js ``tf.round``); zero gradient.

    >>> import minitf as tf
    >>> tf.round(tf.tensor([0.5, 1.5, 2.7])).array_sync()
    [0.0, 2.0, 3.0]
    """
    return run_kernel("Round", {"x": float_arg(x, "x", "round")})


gradient("Round")(_zero_grad)


# -- exponentials, powers, trigonometry -------------------------------------------------------
@op
def exp(x: TensorLike) -> Tensor:
    """e to the power of each element (TF.js ``tf.exp``).

    >>> import minitf as tf
    >>> tf.exp(tf.tensor([0.0])).array_sync()
    [1.0]
    """
    return run_kernel("Exp", {"x": float_arg(x, "x", "exp")})


@gradient("Exp", save=("y",))
def _exp_grad(dy: Tensor, y: Tensor) -> Tensor:
    return dy * y  # d/dx e^x = e^x, the saved output


@op
def log(x: TensorLike) -> Tensor:
    """Natural logarithm elementwise; -inf at 0, NaN below (TF.js ``tf.log``).

    >>> import minitf as tf
    >>> tf.log(tf.tensor([1.0])).array_sync()
    [0.0]
    """
    return run_kernel("Log", {"x": float_arg(x, "x", "log")})


@gradient("Log", save=("x",))
def _log_grad(dy: Tensor, x: Tensor) -> Tensor:
    return dy / x


@op
def log1p(x: TensorLike) -> Tensor:
    """log(1 + x), accurate for small x where 1 + x would round (TF.js ``tf.log1p``).

    >>> import minitf as tf
    >>> tf.log1p(tf.tensor([0.0])).array_sync()
    [0.0]
    """
    return run_kernel("Log1p", {"x": float_arg(x, "x", "log1p")})


@gradient("Log1p", save=("x",))
def _log1p_grad(dy: Tensor, x: Tensor) -> Tensor:
    return dy / (x + 1)


@op
def sqrt(x: TensorLike) -> Tensor:
    """Square root elementwise (TF.js ``tf.sqrt``).

    >>> import minitf as tf
    >>> tf.sqrt(tf.tensor([4.0, 9.0])).array_sync()
    [2.0, 3.0]
    """
    return run_kernel("Sqrt", {"x": float_arg(x, "x", "sqrt")})


@gradient("Sqrt", save=("y",))
def _sqrt_grad(dy: Tensor, y: Tensor) -> Tensor:
    return dy / (y * 2)  # d/dx sqrt(x) = 1 / (2 sqrt(x))


@op
def rsqrt(x: TensorLike) -> Tensor:
    """1 / sqrt(x) elementwise, as in normalisation layers (TF.js ``tf.rsqrt``).

    >>> import minitf as tf
    >>> tf.rsqrt(tf.tensor([4.0])).array_sync()
    [0.5]
    """
    return run_kernel("Rsqrt", {"x": float_arg(x, "x", "rsqrt")})


@gradient("Rsqrt", save=("y",))
def _rsqrt_grad(dy: Tensor, y: Tensor) -> Tensor:
    return dy * y * y * y * -0.5  # d/dx x^(-1/2) = -1/2 x^(-3/2) = -1/2 y^3


@op
def reciprocal(x: TensorLike) -> Tensor:
    """1 / x elementwise (TF.js ``tf.reciprocal``).

    >>> import minitf as tf
    >>> tf.reciprocal(tf.tensor([2.0, -4.0])).array_sync()
    [0.5, -0.25]
    """
    return run_kernel("Reciprocal", {"x": float_arg(x, "x", "reciprocal")})


@gradient("Reciprocal", save=("y",))
def _reciprocal_grad(dy: Tensor, y: Tensor) -> Tensor:
    return -dy * y * y  # d/dx 1/x = -1/x^2 = -y^2


@op
def sin(x: TensorLike) -> Tensor:
    """Sine of each element, in radians (TF.js ``tf.sin``).

    >>> import minitf as tf
    >>> tf.sin(tf.tensor([0.0])).array_sync()
    [0.0]
    """
    return run_kernel("Sin", {"x": float_arg(x, "x", "sin")})


@gradient("Sin", save=("x",))
def _sin_grad(dy: Tensor, x: Tensor) -> Tensor:
    return dy * cos(x)


@op
def cos(x: TensorLike) -> Tensor:
    """Cosine of each element, in radians (TF.js ``tf.cos``).

    >>> import minitf as tf
    >>> tf.cos(tf.tensor([0.0])).array_sync()
    [1.0]
    """
    return run_kernel("Cos", {"x": float_arg(x, "x", "cos")})


@gradient("Cos", save=("x",))
def _cos_grad(dy: Tensor, x: Tensor) -> Tensor:
    return -dy * sin(x)


@op
def tanh(x: TensorLike) -> Tensor:
    """Hyperbolic tangent, squashing to (-1, 1) (TF.js ``tf.tanh``).

    >>> import minitf as tf
    >>> tf.tanh(tf.tensor([0.0])).array_sync()
    [0.0]
    """
    return run_kernel("Tanh", {"x": float_arg(x, "x", "tanh")})


@gradient("Tanh", save=("y",))
def _tanh_grad(dy: Tensor, y: Tensor) -> Tensor:
    return dy * (1 - y * y)


@op
def erf(x: TensorLike) -> Tensor:
    """The Gauss error function 2/sqrt(pi) * integral of e^(-t^2) from 0 to x, in (-1, 1).

    The normal CDF is 0.5 * (1 + erf(x / sqrt(2))), which the exact gelu activation uses
    (TF.js ``tf.erf``).

    >>> import minitf as tf
    >>> tf.erf(tf.tensor([0.0])).array_sync()
    [0.0]
    """
    return run_kernel("Erf", {"x": float_arg(x, "x", "erf")})


@gradient("Erf", save=("x",))
def _erf_grad(dy: Tensor, x: Tensor) -> Tensor:
    return dy * exp(-(x * x)) * _TWO_OVER_SQRT_PI


# -- activations ------------------------------------------------------------------------------
@op
def sigmoid(x: TensorLike) -> Tensor:
    """1 / (1 + e^-x), squashing to (0, 1); no overflow for large |x| (TF.js ``tf.sigmoid``).

    >>> import minitf as tf
    >>> tf.sigmoid(tf.tensor([0.0])).array_sync()
    [0.5]
    """
    return run_kernel("Sigmoid", {"x": float_arg(x, "x", "sigmoid")})


@gradient("Sigmoid", save=("y",))
def _sigmoid_grad(dy: Tensor, y: Tensor) -> Tensor:
    return dy * y * (1 - y)


@op
def softplus(x: TensorLike) -> Tensor:
    """log(1 + e^x), a smooth relu; stable for large |x| (TF.js ``tf.softplus``).

    >>> import minitf as tf
    >>> tf.softplus(tf.tensor([-1000.0, 1000.0])).array_sync()
    [0.0, 1000.0]
    """
    return run_kernel("Softplus", {"x": float_arg(x, "x", "softplus")})


@gradient("Softplus", save=("x",))
def _softplus_grad(dy: Tensor, x: Tensor) -> Tensor:
    return dy * sigmoid(x)


@op
def softsign(x: TensorLike) -> Tensor:
    """x / (1 + |x|), squashing to (-1, 1) (Keras/TF.js ``softsign`` activation).

    >>> import minitf as tf
    >>> tf.softsign(tf.tensor([-1.0, 3.0])).array_sync()
    [-0.5, 0.75]
    """
    return run_kernel("Softsign", {"x": float_arg(x, "x", "softsign")})


@gradient("Softsign", save=("x",))
def _softsign_grad(dy: Tensor, x: Tensor) -> Tensor:
    denominator = abs(x) + 1
    return dy / (denominator * denominator)


@op
def relu(x: TensorLike) -> Tensor:
    """max(x, 0) elementwise (TF.js ``tf.relu``).

    >>> import minitf as tf
    >>> tf.relu(tf.tensor([-1.0, 2.0])).array_sync()
    [0.0, 2.0]
    """
    return run_kernel("Relu", {"x": float_arg(x, "x", "relu")})


@gradient("Relu", save=("x",))
def _relu_grad(dy: Tensor, x: Tensor) -> Tensor:
    return relu_grad(dy, x)


def relu_grad(dy: Tensor, y: Tensor) -> Tensor:
    """``dy * step(y)`` as one kernel, 'ReluGrad' (TF's name): relu's backward pass, where y is
    relu's input or its output (both are positive at the same places)."""
    return run_kernel("ReluGrad", {"dy": dy, "y": y})


@gradient("ReluGrad", save=("y",))
def _relu_grad_grad(ddy: Tensor, y: Tensor) -> tuple[Tensor, None]:
    return relu_grad(ddy, y), None  # linear in dy; piecewise constant in y


@op
def relu6(x: TensorLike) -> Tensor:
    """min(max(x, 0), 6) elementwise, as in MobileNet (TF.js ``tf.relu6``).

    >>> import minitf as tf
    >>> tf.relu6(tf.tensor([-1.0, 3.0, 8.0])).array_sync()
    [0.0, 3.0, 6.0]
    """
    return run_kernel("Relu6", {"x": float_arg(x, "x", "relu6")})


@gradient("Relu6", save=("x",))
def _relu6_grad(dy: Tensor, x: Tensor) -> Tensor:
    return where(logical_and(greater(x, 0), less_equal(x, 6)), dy, 0)  # TF.js: x = 6 passes


@op
def elu(x: TensorLike) -> Tensor:
    """x for x > 0, else e^x - 1: a relu with a smooth negative part (TF.js ``tf.elu``).

    >>> import minitf as tf
    >>> tf.elu(tf.tensor([0.0, 2.0])).array_sync()
    [0.0, 2.0]
    """
    return run_kernel("Elu", {"x": float_arg(x, "x", "elu")})


@gradient("Elu", save=("y",))
def _elu_grad(dy: Tensor, y: Tensor) -> Tensor:
    return where(greater(y, 0), dy, dy * (y + 1))  # for x <= 0, d/dx (e^x - 1) = e^x = y + 1


@op
def selu(x: TensorLike) -> Tensor:
    """scale * elu with alpha, self-normalising constants from Klambauer et al. (TF.js ``tf.selu``).

    >>> import minitf as tf
    >>> tf.selu(tf.tensor([0.0])).array_sync()
    [0.0]
    """
    return run_kernel("Selu", {"x": float_arg(x, "x", "selu")})


@gradient("Selu", save=("x",))
def _selu_grad(dy: Tensor, x: Tensor) -> Tensor:
    # exp of the clipped x: the branch where x > 0 is thrown away, and must not overflow
    negative_part = exp(minimum(x, 0)) * (SELU_SCALE * SELU_ALPHA)
    return where(greater(x, 0), dy * SELU_SCALE, dy * negative_part)


@op
def leaky_relu(x: TensorLike, alpha: float = 0.2) -> Tensor:
    """x for x > 0, else alpha * x: a relu that lets some gradient through (TF.js ``tf.leakyRelu``).

    >>> import minitf as tf
    >>> tf.leaky_relu(tf.tensor([-1.0, 2.0]), 0.5).array_sync()
    [-0.5, 2.0]
    """
    return run_kernel("LeakyRelu", {"x": float_arg(x, "x", "leaky_relu")}, alpha=float(alpha))


@gradient("LeakyRelu", save=("x",))
def _leaky_relu_grad(dy: Tensor, x: Tensor, alpha: float) -> Tensor:
    return dy * step(x, alpha)


@op
def prelu(x: TensorLike, alpha: TensorLike) -> Tensor:
    """x for x > 0, else alpha * x with a learned ``alpha`` (TF.js ``tf.prelu``).

    alpha broadcasts against x (usually one value per channel); the result has their
    broadcast shape.

    >>> import minitf as tf
    >>> tf.prelu(tf.tensor([-2.0, 2.0]), tf.tensor([0.5])).array_sync()
    [-1.0, 2.0]
    """
    tx, ta = float_arg(x, "x", "prelu"), float_arg(alpha, "alpha", "prelu")
    common = dtypes.upcast(tx.dtype, ta.dtype)
    tx, ta = tensor_arg(tx, "x", "prelu", common), tensor_arg(ta, "alpha", "prelu", common)
    broadcast_shapes(tx.shape, ta.shape, "prelu")
    return run_kernel("Prelu", {"x": tx, "alpha": ta})


@gradient("Prelu", save=("x", "alpha"))
def _prelu_grad(dy: Tensor, x: Tensor, alpha: Tensor) -> tuple[Tensor, Tensor]:
    positive = greater(x, 0)
    return where(positive, dy, dy * alpha), where(positive, 0, dy * x)


@op
def step(x: TensorLike, alpha: float = 0.0) -> Tensor:
    """1 where x > 0, else ``alpha`` (TF.js ``tf.step``); its gradient is zero.

    >>> import minitf as tf
    >>> tf.step(tf.tensor([-1.0, 2.0])).array_sync()
    [0.0, 1.0]
    """
    return run_kernel("Step", {"x": float_arg(x, "x", "step")}, alpha=float(alpha))


@gradient("Step")
def _step_grad(dy: Tensor, alpha: float) -> Tensor:
    return zeros_like(dy)
