"""What every public op shares: its own tidy scope, input conversion and argument checks.

``@op`` runs the op's body in a scope named after it, so a composite op (softmax, logsumexp,
cross-entropy) disposes its intermediates and returns only its result (TF.js ``op()``). The
helpers below convert inputs and check shapes, dtypes and axes *before* any kernel runs, with
errors that name the op and show what was expected and what was given.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Sequence, TypeVar

import numbers

import numpy as np

from .. import dtypes
from ..engine import scope
from ..engine.dispatch import to_tensor
from ..engine.registry import register_gradient
from ..tensor import Tensor

F = TypeVar("F", bound=Callable[..., Any])
TensorLike = Any  # Tensor, NumPy array, nested list or Python number
gradient = register_gradient  # ``@gradient("Relu", save=("x",))`` below each forward


def op(fn: F) -> F:
    """Make ``fn`` a public op: it runs in its own tidy scope named after it."""
    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        s = scope.start_scope(fn.__name__)
        try:
            result = fn(*args, **kwargs)
        except BaseException:
            scope.end_scope(s)
            raise
        scope.end_scope(s, result)
        return result

    return wrapped  # type: ignore[return-value]


def tensor_arg(x: TensorLike, name: str, op_name: str, dtype: str | None = None) -> Tensor:
    """Input ``name`` of ``op_name`` as a Tensor (cast to ``dtype`` when given)."""
    return to_tensor(x, dtype, where=f"{op_name} input {name!r}")


def float_arg(x: TensorLike, name: str, op_name: str) -> Tensor:
    """A float input: ints and bools are cast to float32, as TF.js's float-only ops do."""
    t = tensor_arg(x, name, op_name)
    return t if dtypes.is_float(t.dtype) else to_tensor(t, dtypes.float32, where=op_name)


def binary_args(a: TensorLike, b: TensorLike, op_name: str) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op at their common dtype.

    A bare Python number takes the other operand's dtype (a float number with an int tensor
    gives float32), so ``x * 2`` keeps x's dtype, as NumPy does.
    """
    if _is_number(a) and isinstance(b, Tensor):
        dtype = _weak_dtype(a, b.dtype)
        return tensor_arg(a, "a", op_name, dtype), tensor_arg(b, "b", op_name, dtype)
    if _is_number(b) and isinstance(a, Tensor):
        dtype = _weak_dtype(b, a.dtype)
        return tensor_arg(a, "a", op_name, dtype), tensor_arg(b, "b", op_name, dtype)
    ta, tb = tensor_arg(a, "a", op_name), tensor_arg(b, "b", op_name)
    dtype = dtypes.upcast(ta.dtype, tb.dtype)
    return tensor_arg(ta, "a", op_name, dtype), tensor_arg(tb, "b", op_name, dtype)


def _is_number(v: Any) -> bool:
    return isinstance(v, (numbers.Number, np.generic)) and not isinstance(v, np.ndarray)


def _weak_dtype(number: Any, tensor_dtype: str) -> str:
    if isinstance(number, (bool, np.bool_)):
        return tensor_dtype
    if isinstance(number, (float, np.floating)) and not dtypes.is_float(tensor_dtype):
        return dtypes.float32
    if tensor_dtype == dtypes.bool_:  # an int number next to bools compares and adds as int32
        return dtypes.int32
    return tensor_dtype


def axis_arg(axis: int, rank: int, op_name: str) -> int:
    """A non-negative axis; negative axes count from the end. Raises for out-of-range axes."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op_name}: axis must be an int, got {axis!r}")
    if not -max(rank, 1) <= axis < max(rank, 1):
        raise ValueError(f"{op_name}: axis {axis} is out of range for a tensor of rank {rank}")
    return int(axis) % max(rank, 1)


def axes_arg(axis: int | Sequence[int] | None, rank: int, op_name: str) -> tuple[int, ...]:
    """Sorted non-negative axes; None means all axes. Raises for duplicates or bad values."""
    if axis is None:
        return tuple(range(rank))
    items = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    axes = tuple(sorted(axis_arg(a, rank, op_name) for a in items))
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op_name}: axis {list(items)} repeats an axis")
    return axes


def shape_arg(shape: Any, op_name: str, name: str = "shape") -> tuple[int, ...]:
    """A shape as a tuple of non-negative ints, with a clear error otherwise."""
    if isinstance(shape, Tensor):
        shape = shape.array_sync()
    if isinstance(shape, (int, np.integer)):
        shape = [shape]
    try:
        dims = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{op_name}: {name} must be a list of ints, got {shape!r}") from None
    if any(d < 0 for d in dims):
        raise ValueError(f"{op_name}: {name} {list(dims)} has a negative dimension")
    return dims


def check_rank(t: Tensor, ranks: int | Sequence[int], op_name: str, name: str = "x") -> None:
    """Raise unless ``t`` has one of the expected ranks."""
    allowed = (ranks,) if isinstance(ranks, int) else tuple(ranks)
    if t.rank not in allowed:
        want = " or ".join(str(r) for r in allowed)
        raise ValueError(f"{op_name}: input {name!r} must be rank {want}, got rank {t.rank} "
                         f"with shape {list(t.shape)}")


def check_dtype(t: Tensor, allowed: Sequence[str], op_name: str, name: str = "x") -> None:
    """Raise unless ``t``'s dtype is one of ``allowed``."""
    if t.dtype not in allowed:
        raise TypeError(f"{op_name}: input {name!r} must be {' or '.join(allowed)}, got {t.dtype}")
