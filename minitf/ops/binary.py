"""Elementwise functions of two tensors with NumPy broadcasting: arithmetic, comparisons,
logical ops, where, clip_by_value and cast. Results have the broadcast shape of the inputs.

Operands meet at a common dtype first (``binary_args``: bool < int32 < float32 < float64; a bare
Python number takes the tensor's dtype). Arithmetic counts bools as int32; logical ops take bools
only. Gradients are written at the broadcast shape; the tape sums them back to each input's shape.
"""
from __future__ import annotations

from typing import Sequence

from .. import dtypes
from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import TensorLike, binary_args, check_dtype, gradient, op, tensor_arg
from .broadcast import broadcast_shapes
from .creation import zeros_like

__all__ = ["add", "sub", "mul", "div", "floor_div", "mod", "pow", "squared_difference",
           "maximum", "minimum", "clip_by_value", "where", "cast", "equal", "not_equal",
           "greater", "greater_equal", "less", "less_equal", "logical_and", "logical_or",
           "logical_not", "logical_xor", "add_n"]


def _arith_args(a: TensorLike, b: TensorLike, op_name: str) -> tuple[Tensor, Tensor]:
    """Both operands at their common dtype (bools counted as int32), checked to broadcast."""
    # Cast bool tensors first, so that in ``bools + 2`` the 2 is not taken as a bool.
    a, b = (cast(v, dtypes.int32) if isinstance(v, Tensor) and v.dtype == dtypes.bool_ else v
            for v in (a, b))
    ta, tb = binary_args(a, b, op_name)
    if ta.dtype == dtypes.bool_:  # bools given as lists or NumPy arrays
        ta, tb = cast(ta, dtypes.int32), cast(tb, dtypes.int32)
    broadcast_shapes(ta.shape, tb.shape, op_name)
    return ta, tb


def _bool_arg(x: TensorLike, name: str, op_name: str) -> Tensor:
    """A bool input; other dtypes are an error rather than a silent ``x != 0``."""
    t = tensor_arg(x, name, op_name)
    check_dtype(t, [dtypes.bool_], op_name, name)
    return t


# -- arithmetic -------------------------------------------------------------------------------
@op
def add(a: TensorLike, b: TensorLike) -> Tensor:
    """a + b elementwise, with broadcasting (TF.js ``tf.add``).

    >>> import minitf as tf
    >>> tf.add(tf.tensor([1.0, 2.0]), 1).array_sync()
    [2.0, 3.0]
    """
    ta, tb = _arith_args(a, b, "add")
    return run_kernel("Add", {"a": ta, "b": tb})


@gradient("Add")
def _add_grad(dy: Tensor) -> tuple[Tensor, Tensor]:
    return dy, dy


@op
def sub(a: TensorLike, b: TensorLike) -> Tensor:
    """a - b elementwise, with broadcasting (TF.js ``tf.sub``).

    >>> import minitf as tf
    >>> tf.sub(tf.tensor([[1.0], [2.0]]), tf.tensor([1.0, 0.0])).array_sync()
    [[0.0, 1.0], [1.0, 2.0]]
    """
    ta, tb = _arith_args(a, b, "sub")
    return run_kernel("Sub", {"a": ta, "b": tb})


@gradient("Sub")
def _sub_grad(dy: Tensor) -> tuple[Tensor, Tensor]:
    return dy, -dy


@op
def mul(a: TensorLike, b: TensorLike) -> Tensor:
    """a * b elementwise, with broadcasting (TF.js ``tf.mul``).

    >>> import minitf as tf
    >>> tf.mul(tf.tensor([1.0, 2.0]), tf.tensor([3.0, 4.0])).array_sync()
    [3.0, 8.0]
    """
    ta, tb = _arith_args(a, b, "mul")
    return run_kernel("Multiply", {"a": ta, "b": tb})


@gradient("Multiply", save=("a", "b"))
def _mul_grad(dy: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    return mul(dy, b), mul(dy, a)


@op
def div(a: TensorLike, b: TensorLike) -> Tensor:
    """a / b elementwise, with broadcasting (TF.js ``tf.div``).

    As in TF.js, two int32 operands give floor division (``floor_div``).

    >>> import minitf as tf
    >>> tf.div(tf.tensor([1.0, 3.0]), 2).array_sync()
    [0.5, 1.5]
    """
    ta, tb = _arith_args(a, b, "div")
    if ta.dtype == dtypes.int32:
        return run_kernel("FloorDiv", {"a": ta, "b": tb})
    return run_kernel("RealDiv", {"a": ta, "b": tb})


@gradient("RealDiv", save=("a", "b"))
def _div_grad(dy: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    return dy / b, -dy * a / (b * b)  # d/db a/b = -a/b^2


@op
def floor_div(a: TensorLike, b: TensorLike) -> Tensor:
    """floor(a / b) elementwise, with broadcasting; int32 stays int32 (TF.js ``tf.floorDiv``).

    >>> import minitf as tf
    >>> tf.floor_div(tf.tensor([7, -7], dtype="int32"), 2).array_sync()
    [3, -4]
    """
    ta, tb = _arith_args(a, b, "floor_div")
    return run_kernel("FloorDiv", {"a": ta, "b": tb})


@gradient("FloorDiv")
def _floor_div_grad(dy: Tensor) -> tuple[Tensor, Tensor]:
    return zeros_like(dy), zeros_like(dy)  # piecewise constant in a and b


@op
def mod(a: TensorLike, b: TensorLike) -> Tensor:
    """a - floor(a / b) * b: the remainder with the sign of b, like Python's % (TF.js ``tf.mod``).

    >>> import minitf as tf
    >>> tf.mod(tf.tensor([5.0, -5.0]), 3).array_sync()
    [2.0, 1.0]
    """
    ta, tb = _arith_args(a, b, "mod")
    return run_kernel("Mod", {"a": ta, "b": tb})


@gradient("Mod", save=("a", "b"))
def _mod_grad(dy: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    return dy, -dy * floor_div(a, b)


@op
def pow(a: TensorLike, b: TensorLike) -> Tensor:  # noqa: A001 (TF.js name)
    """a to the power b elementwise, with broadcasting (TF.js ``tf.pow``).

    >>> import minitf as tf
    >>> tf.pow(tf.tensor([2.0, 3.0]), 2).array_sync()
    [4.0, 9.0]
    """
    ta, tb = _arith_args(a, b, "pow")
    return run_kernel("Pow", {"a": ta, "b": tb})


@gradient("Pow", save=("a", "b", "y"))
def _pow_grad(dy: Tensor, a: Tensor, b: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    from .unary import log

    da = dy * b * pow(a, b - 1)
    # d/db a^b = a^b log(a) needs a > 0; elsewhere it is taken as 0, as in TF.js. log sees 1
    # there (log 1 = 0), so no NaN enters and a second-order gradient stays finite.
    db = dy * y * log(where(greater(a, 0), a, 1))
    return da, db


@op
def squared_difference(a: TensorLike, b: TensorLike) -> Tensor:
    """(a - b)^2 elementwise, with broadcasting (TF.js ``tf.squaredDifference``).

    >>> import minitf as tf
    >>> tf.squared_difference(tf.tensor([1.0, 5.0]), 3).array_sync()
    [4.0, 4.0]
    """
    ta, tb = _arith_args(a, b, "squared_difference")
    return run_kernel("SquaredDifference", {"a": ta, "b": tb})


@gradient("SquaredDifference", save=("a", "b"))
def _squared_difference_grad(dy: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    da = dy * (a - b) * 2
    return da, -da


@op
def maximum(a: TensorLike, b: TensorLike) -> Tensor:
    """The larger of a and b elementwise, with broadcasting (TF.js ``tf.maximum``).

    >>> import minitf as tf
    >>> tf.maximum(tf.tensor([1.0, 5.0]), 3).array_sync()
    [3.0, 5.0]
    """
    ta, tb = _arith_args(a, b, "maximum")
    return run_kernel("Maximum", {"a": ta, "b": tb})


@gradient("Maximum", save=("a", "b"))
def _maximum_grad(dy: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    return where(greater_equal(a, b), dy, 0), where(less(a, b), dy, 0)  # ties go to a


@op
def minimum(a: TensorLike, b: TensorLike) -> Tensor:
    """The smaller of a and b elementwise, with broadcasting (TF.js ``tf.minimum``).

    >>> import minitf as tf
    >>> tf.minimum(tf.tensor([1.0, 5.0]), 3).array_sync()
    [1.0, 3.0]
    """
    ta, tb = _arith_args(a, b, "minimum")
    return run_kernel("Minimum", {"a": ta, "b": tb})


@gradient("Minimum", save=("a", "b"))
def _minimum_grad(dy: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    return where(less_equal(a, b), dy, 0), where(greater(a, b), dy, 0)  # ties go to a


@op
def clip_by_value(x: TensorLike, clip_value_min: float, clip_value_max: float) -> Tensor:
    """x limited to [clip_value_min, clip_value_max]; same shape as x (TF.js ``tf.clipByValue``).

    >>> import minitf as tf
    >>> tf.clip_by_value(tf.tensor([-2.0, 0.5, 2.0]), -1, 1).array_sync()
    [-1.0, 0.5, 1.0]
    """
    t = tensor_arg(x, "x", "clip_by_value")
    if t.dtype == dtypes.bool_:
        t = cast(t, dtypes.int32)
    if not clip_value_min <= clip_value_max:
        raise ValueError(f"clip_by_value: clip_value_min ({clip_value_min}) must be <= "
                         f"clip_value_max ({clip_value_max})")
    return run_kernel("ClipByValue", {"x": t}, clip_value_min=float(clip_value_min),
                      clip_value_max=float(clip_value_max))


@gradient("ClipByValue", save=("x",))
def _clip_by_value_grad(dy: Tensor, x: Tensor, clip_value_min: float,
                        clip_value_max: float) -> Tensor:
    inside = logical_and(greater_equal(x, clip_value_min), less_equal(x, clip_value_max))
    return where(inside, dy, 0)


# -- selection and dtype ----------------------------------------------------------------------
@op
def where(condition: TensorLike, a: TensorLike, b: TensorLike) -> Tensor:
    """a where ``condition`` (bool) is true, else b; all three broadcast (TF.js ``tf.where``).

    >>> import minitf as tf
    >>> tf.where(tf.tensor([True, False]), tf.tensor([1.0, 2.0]), 0).array_sync()
    [1.0, 0.0]
    """
    cond = _bool_arg(condition, "condition", "where")
    ta, tb = binary_args(a, b, "where")
    broadcast_shapes(cond.shape, broadcast_shapes(ta.shape, tb.shape, "where"), "where")
    return run_kernel("Select", {"condition": cond, "a": ta, "b": tb})


@gradient("Select", save=("condition",))
def _select_grad(dy: Tensor, condition: Tensor) -> tuple[None, Tensor, Tensor]:
    return None, where(condition, dy, 0), where(condition, 0, dy)


@op
def cast(x: TensorLike, dtype: str) -> Tensor:
    """x converted to ``dtype``; floats to int32 truncate toward zero, to bool is x != 0
    (TF.js ``tf.cast``). Same shape as x.

    >>> import minitf as tf
    >>> tf.cast(tf.tensor([-1.7, 0.0, 2.5]), "int32").array_sync()
    [-1, 0, 2]
    """
    t = tensor_arg(x, "x", "cast")
    return run_kernel("Cast", {"x": t}, dtype=dtypes.check(dtype, "cast"))


@gradient("Cast", save=("x",))
def _cast_grad(dy: Tensor, x: Tensor, dtype: str) -> Tensor | None:
    if dtypes.is_float(x.dtype) and dtypes.is_float(dtype):
        return cast(dy, x.dtype)
    return None  # through an int or bool the gradient is zero (or undefined)


# -- comparisons: bool results, no gradient ---------------------------------------------------
def _compare(kernel: str, a: TensorLike, b: TensorLike, op_name: str) -> Tensor:
    ta, tb = binary_args(a, b, op_name)
    broadcast_shapes(ta.shape, tb.shape, op_name)
    return run_kernel(kernel, {"a": ta, "b": tb})


@op
def equal(a: TensorLike, b: TensorLike) -> Tensor:
    """a == b elementwise as bools, with broadcasting (TF.js ``tf.equal``).

    >>> import minitf as tf
    >>> tf.equal(tf.tensor([1.0, 2.0]), 2).array_sync()
    [False, True]
    """
    return _compare("Equal", a, b, "equal")


@op
def not_equal(a: TensorLike, b: TensorLike) -> Tensor:
    """a != b elementwise as bools, with broadcasting (TF.js ``tf.notEqual``).

    >>> import minitf as tf
    >>> tf.not_equal(tf.tensor([1.0, 2.0]), 2).array_sync()
    [True, False]
    """
    return _compare("NotEqual", a, b, "not_equal")


@op
def greater(a: TensorLike, b: TensorLike) -> Tensor:
    """a > b elementwise as bools, with broadcasting (TF.js ``tf.greater``).

    >>> import minitf as tf
    >>> tf.greater(tf.tensor([1.0, 2.0, 3.0]), 2).array_sync()
    [False, False, True]
    """
    return _compare("Greater", a, b, "greater")


@op
def greater_equal(a: TensorLike, b: TensorLike) -> Tensor:
    """a >= b elementwise as bools, with broadcasting (TF.js ``tf.greaterEqual``).

    >>> import minitf as tf
    >>> tf.greater_equal(tf.tensor([1.0, 2.0, 3.0]), 2).array_sync()
    [False, True, True]
    """
    return _compare("GreaterEqual", a, b, "greater_equal")


@op
def less(a: TensorLike, b: TensorLike) -> Tensor:
    """a < b elementwise as bools, with broadcasting (TF.js ``tf.less``).

    >>> import minitf as tf
    >>> tf.less(tf.tensor([1.0, 2.0, 3.0]), 2).array_sync()
    [True, False, False]
    """
    return _compare("Less", a, b, "less")


@op
def less_equal(a: TensorLike, b: TensorLike) -> Tensor:
    """a <= b elementwise as bools, with broadcasting (TF.js ``tf.lessEqual``).

    >>> import minitf as tf
    >>> tf.less_equal(tf.tensor([1.0, 2.0, 3.0]), 2).array_sync()
    [True, True, False]
    """
    return _compare("LessEqual", a, b, "less_equal")


# -- logic on bools ---------------------------------------------------------------------------
@op
def logical_and(a: TensorLike, b: TensorLike) -> Tensor:
    """a and b elementwise on bool tensors, with broadcasting (TF.js ``tf.logicalAnd``).

    >>> import minitf as tf
    >>> tf.logical_and(tf.tensor([True, True]), tf.tensor([True, False])).array_sync()
    [True, False]
    """
    ta, tb = _bool_arg(a, "a", "logical_and"), _bool_arg(b, "b", "logical_and")
    broadcast_shapes(ta.shape, tb.shape, "logical_and")
    return run_kernel("LogicalAnd", {"a": ta, "b": tb})


@op
def logical_or(a: TensorLike, b: TensorLike) -> Tensor:
    """a or b elementwise on bool tensors, with broadcasting (TF.js ``tf.logicalOr``).

    >>> import minitf as tf
    >>> tf.logical_or(tf.tensor([False, False]), tf.tensor([True, False])).array_sync()
    [True, False]
    """
    ta, tb = _bool_arg(a, "a", "logical_or"), _bool_arg(b, "b", "logical_or")
    broadcast_shapes(ta.shape, tb.shape, "logical_or")
    return run_kernel("LogicalOr", {"a": ta, "b": tb})


@op
def logical_not(x: TensorLike) -> Tensor:
    """not x elementwise on a bool tensor (TF.js ``tf.logicalNot``).

    >>> import minitf as tf
    >>> tf.logical_not(tf.tensor([True, False])).array_sync()
    [False, True]
    """
    return run_kernel("LogicalNot", {"x": _bool_arg(x, "x", "logical_not")})


@op
def logical_xor(a: TensorLike, b: TensorLike) -> Tensor:
    """a xor b elementwise on bool tensors, with broadcasting (TF.js ``tf.logicalXor``).

    >>> import minitf as tf
    >>> tf.logical_xor(tf.tensor([True, True]), tf.tensor([True, False])).array_sync()
    [False, True]
    """
    ta, tb = _bool_arg(a, "a", "logical_xor"), _bool_arg(b, "b", "logical_xor")
    broadcast_shapes(ta.shape, tb.shape, "logical_xor")
    return run_kernel("NotEqual", {"a": ta, "b": tb})  # on bools, a xor b is a != b


@op
def add_n(tensors: Sequence[TensorLike]) -> Tensor:
    """The sum of a list of tensors of one shape (TF.js ``tf.addN``).

    >>> import minitf as tf
    >>> tf.add_n([tf.tensor([1.0]), tf.tensor([2.0]), tf.tensor([3.0])]).array_sync()
    [6.0]
    """
    if not tensors:
        raise ValueError("add_n: needs at least one tensor")
    total = tensor_arg(tensors[0], "tensors[0]", "add_n")
    for i, t in enumerate(tensors[1:], 1):
        other = tensor_arg(t, f"tensors[{i}]", "add_n")
        if other.shape != total.shape:
            raise ValueError(f"add_n: all tensors must have one shape; tensors[0] is "
                             f"{list(total.shape)}, tensors[{i}] is {list(other.shape)}")
        total = add(total, other)
    return total
