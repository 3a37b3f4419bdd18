"""Elementwise functions of one tensor, each with its gradient written below it in minitf ops.

The gradient functions receive ``dy`` and the tensors named in ``save``; they return dx at
x's shape. Kernel names are TF.js's ('Exp', 'Relu', ...), so one grep finds kernel, op and test.
"""
from __future__ import annotations

from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, float_arg, gradient, op

__all__ = ["exp", "relu", "step"]


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
def relu(x: TensorLike) -> Tensor:
    """max(x, 0) elementwise (TF.js ``tf.relu``).

    >>> import minitf as tf
    >>> tf.relu(tf.tensor([-1.0, 2.0])).array_sync()
    [0.0, 2.0]
    """
    return run_kernel("Relu", {"x": float_arg(x, "x", "relu")})


@gradient("Relu", save=("x",))
def _relu_grad(dy: Tensor, x: Tensor) -> Tensor:
    return dy * step(x)


@op
def step(x: TensorLike, alpha: float = 0.0) -> Tensor:
    """1 where x > 0, else ``alpha`` (TF.js ``tf.step``); its gradient is zero."""
    return run_kernel("Step", {"x": float_arg(x, "x", "step")}, alpha=float(alpha))


@gradient("Step")
def _step_grad(dy: Tensor, alpha: float) -> Tensor:
    from .creation import zeros_like

    return zeros_like(dy)
