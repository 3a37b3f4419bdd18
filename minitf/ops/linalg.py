"""Matrix products: matmul (batched, with transposes) and dot.

matmul multiplies the last two axes and broadcasts the leading (batch) axes, as TF.js's
BatchMatMul does; its gradient is two more matmuls, summed back over broadcast batch axes by
the tape.
"""
from __future__ import annotations

from typing import Callable

from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, binary_args, gradient, op
from .broadcast import broadcast_shapes
from .shape import reshape

__all__ = ["matmul", "mat_mul", "dot"]


@op
def matmul(a: TensorLike, b: TensorLike, transpose_a: bool = False,
           transpose_b: bool = False) -> Tensor:
    """Matrix product over the last two axes: ``[..., m, k] @ [..., k, n] -> [..., m, n]``,
    with the leading axes broadcast (TF.js ``tf.matMul``, kernel BatchMatMul).

    ``transpose_a``/``transpose_b`` read a's/b's last two axes swapped, without copying.

    >>> import minitf as tf
    >>> tf.matmul(tf.ones([2, 3]), tf.ones([4, 3]), transpose_b=True).shape
    (2, 4)
    """
    ta, tb = binary_args(a, b, "matmul")
    if ta.dtype == "bool":
        raise TypeError("matmul: bool tensors cannot be multiplied; cast them first")
    for name, t in (("a", ta), ("b", tb)):
        if t.rank < 2:
            raise ValueError(f"matmul: input {name!r} must have rank >= 2, got shape "
                             f"{list(t.shape)}; use dot for vectors")
    k_a = ta.shape[-2] if transpose_a else ta.shape[-1]
    k_b = tb.shape[-1] if transpose_b else tb.shape[-2]
    if k_a != k_b:
        raise ValueError(f"matmul: inner dimensions do not match: a {list(ta.shape)}"
                         f"{' (transposed)' if transpose_a else ''} gives {k_a}, b "
                         f"{list(tb.shape)}{' (transposed)' if transpose_b else ''} gives {k_b}")
    try:
        broadcast_shapes(ta.shape[:-2], tb.shape[:-2])
    except ValueError:
        raise ValueError(f"matmul: batch dimensions of a {list(ta.shape)} and b "
                         f"{list(tb.shape)} do not broadcast") from None
    return run_kernel("BatchMatMul", {"a": ta, "b": tb}, transpose_a=bool(transpose_a),
                      transpose_b=bool(transpose_b))


@gradient("BatchMatMul", save=("a", "b"))
def _matmul_grad(dy: Tensor, a: Tensor, b: Tensor, transpose_a: bool,
                 transpose_b: bool) -> tuple[Callable, Callable]:
    # For y = a @ b: da = dy @ b^T and db = a^T @ dy. When the op read an input transposed,
    # its gradient is the transpose of that, which the flags give without a Transpose.
    # Deferred: the tape computes each only when that input needs a gradient.
    if not transpose_a and not transpose_b:
        return lambda: matmul(dy, b, False, True), lambda: matmul(a, dy, True, False)
    if not transpose_a and transpose_b:
        return lambda: matmul(dy, b), lambda: matmul(dy, a, True, False)
    if transpose_a and not transpose_b:
        return lambda: matmul(b, dy, False, True), lambda: matmul(a, dy)
    return lambda: matmul(b, dy, True, True), lambda: matmul(dy, a, True, True)


mat_mul = matmul  # the snake_case of TF.js's matMul


@op
def dot(a: TensorLike, b: TensorLike) -> Tensor:
    """Dot product of vectors and matrices (TF.js ``tf.dot``): ``[n].[n] -> []``,
    ``[m, n].[n] -> [m]``, ``[n].[n, p] -> [p]``, ``[m, n].[n, p] -> [m, p]``.

    >>> import minitf as tf
    >>> tf.dot(tf.tensor([1.0, 2.0]), tf.tensor([3.0, 4.0])).item()
    11.0
    """
    ta, tb = binary_args(a, b, "dot")
    for name, t in (("a", ta), ("b", tb)):
        if t.rank not in (1, 2):
            raise ValueError(f"dot: input {name!r} must be rank 1 or 2, got shape {list(t.shape)}")
    if ta.shape[-1] != tb.shape[0]:
        raise ValueError(f"dot: inner dimensions do not match: a {list(ta.shape)} ends in "
                         f"{ta.shape[-1]}, b {list(tb.shape)} starts with {tb.shape[0]}")
    a2 = reshape(ta, [1, ta.shape[0]]) if ta.rank == 1 else ta
    b2 = reshape(tb, [tb.shape[0], 1]) if tb.rank == 1 else tb
    return reshape(matmul(a2, b2), [*ta.shape[:-1], *tb.shape[1:]])
