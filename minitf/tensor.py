"""Tensor and Variable: handles to data held by a backend.

A Tensor knows its id, shape, dtype, backend and data id; the numbers themselves live in the
backend's store. Tensors are immutable; a Variable can ``assign`` a new value. Every method is a
one-line call of an op in ``minitf.ops``, so ``a.add(b)`` and ``tf.add(a, b)`` run the same code.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .engine import scope

if TYPE_CHECKING:
    from .engine.backend import Backend

_ids = itertools.count(1)


class DisposedTensorError(ValueError):
    """Raised when a disposed tensor is used (TF.js: 'Tensor is disposed.')."""


def _ops() -> Any:
    from . import ops  # ops import this module, so the methods look them up at call time

    return ops


class Tensor:
    """An immutable n-dimensional array on a backend (TF.js ``tf.Tensor``)."""

    __array_priority__ = 100  # so that ``ndarray + Tensor`` calls Tensor.__radd__

    def __init__(self, backend: "Backend", data_id: int, shape: Sequence[int], dtype: str,
                 owned: bool = True) -> None:
        self.id = next(_ids)
        self.backend = backend
        self.data_id = data_id
        self.shape: tuple[int, ...] = tuple(int(d) for d in shape)
        self.dtype = dtype
        self.kept = False
        self.is_disposed = False
        scope.register(self, owned)

    # -- facts ---------------------------------------------------------------------------
    @property
    def rank(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def ndim(self) -> int:
        """Same as ``rank`` (the NumPy name)."""
        return len(self.shape)

    def check_alive(self, where: str = "") -> None:
        """Raise :class:`DisposedTensorError` if this tensor was disposed."""
        if self.is_disposed:
            at = f" (used by {where})" if where else ""
            raise DisposedTensorError(
                f"Tensor is disposed{at}: tensor id {self.id}, shape {list(self.shape)}, "
                f"dtype {self.dtype}. Keep it with tf.keep() or return it from tf.tidy().")

    # -- reading the data ----------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """A NumPy copy of the values, with this tensor's shape and dtype."""
        self.check_alive("numpy()")
        return np.array(self.backend.to_numpy(self.backend.read(self.data_id)), copy=True)

    def data_sync(self) -> np.ndarray:
        """The values as a flat NumPy array (TF.js ``dataSync``)."""
        return self.numpy().reshape(-1)

    def array_sync(self) -> Any:
        """The values as nested Python lists, or a number for a scalar (TF.js ``arraySync``)."""
        return self.numpy().tolist()

    def data(self) -> np.ndarray:
        """Same as ``data_sync`` (TF.js ``data()`` is async; here nothing needs waiting for)."""
        return self.data_sync()

    def array(self) -> Any:
        """Same as ``array_sync``."""
        return self.array_sync()

    def item(self) -> float | int | bool:
        """The single value of a one-element tensor as a Python number."""
        if self.size != 1:
            raise ValueError(f"item(): tensor has {self.size} elements, shape {list(self.shape)}")
        return self.numpy().reshape(()).item()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        out = self.numpy()
        return out if dtype is None else out.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError("the truth value of a tensor with more than one element is ambiguous; "
                             "use tf.any / tf.all or .item()")
        return bool(self.item())

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a scalar tensor")
        return self.shape[0]

    # -- printing (TF.js layout) ------------------------------------------------------------
    def to_string(self, verbose: bool = False) -> str:
        """The text TF.js prints for this tensor: ``Tensor`` then the values, indented."""
        from .format import tensor_to_string

        self.check_alive("print()")
        return tensor_to_string(self.numpy(), self.dtype, verbose)

    def print(self, verbose: bool = False) -> None:
        """Print the tensor as TF.js does (``verbose`` adds dtype, rank and shape)."""
        print(self.to_string(verbose))

    def __str__(self) -> str:
        return self.to_string() if not self.is_disposed else f"Tensor (disposed, id {self.id})"

    def __repr__(self) -> str:
        return self.__str__()

    # -- ownership ---------------------------------------------------------------------------
    def dispose(self) -> None:
        """Free this tensor's data now; calling it again does nothing."""
        scope.dispose_tensor(self)

    def clone(self) -> "Tensor":
        """A new tensor with the same values (TF.js ``clone``)."""
        return _ops().clone(self)

    # -- operators -------------------------------------------------------------------------
    def __add__(self, other: Any) -> "Tensor": return _ops().add(self, other)
    def __radd__(self, other: Any) -> "Tensor": return _ops().add(other, self)
    def __sub__(self, other: Any) -> "Tensor": return _ops().sub(self, other)
    def __rsub__(self, other: Any) -> "Tensor": return _ops().sub(other, self)
    def __mul__(self, other: Any) -> "Tensor": return _ops().mul(self, other)
    def __rmul__(self, other: Any) -> "Tensor": return _ops().mul(other, self)
    def __truediv__(self, other: Any) -> "Tensor": return _ops().div(self, other)
    def __rtruediv__(self, other: Any) -> "Tensor": return _ops().div(other, self)
    def __pow__(self, other: Any) -> "Tensor": return _ops().pow(self, other)
    def __rpow__(self, other: Any) -> "Tensor": return _ops().pow(other, self)
    def __matmul__(self, other: Any) -> "Tensor": return _ops().matmul(self, other)
    def __rmatmul__(self, other: Any) -> "Tensor": return _ops().matmul(other, self)
    def __neg__(self) -> "Tensor": return _ops().neg(self)
    def __abs__(self) -> "Tensor": return _ops().abs(self)
    def __eq__(self, other: Any) -> "Tensor":
        return _ops().equal(self, other)  # type: ignore[override]
    def __ne__(self, other: Any) -> "Tensor":
        return _ops().not_equal(self, other)  # type: ignore[override]
    def __gt__(self, other: Any) -> "Tensor": return _ops().greater(self, other)
    def __ge__(self, other: Any) -> "Tensor": return _ops().greater_equal(self, other)
    def __lt__(self, other: Any) -> "Tensor": return _ops().less(self, other)
    def __le__(self, other: Any) -> "Tensor": return _ops().less_equal(self, other)
    def __getitem__(self, index: Any) -> "Tensor": return _ops().getitem(self, index)
    __hash__ = object.__hash__

    # -- methods: one-line op calls, TF.js names in snake_case --------------------------------
    def add(self, b: Any) -> "Tensor": return _ops().add(self, b)
    def sub(self, b: Any) -> "Tensor": return _ops().sub(self, b)
    def mul(self, b: Any) -> "Tensor": return _ops().mul(self, b)
    def div(self, b: Any) -> "Tensor": return _ops().div(self, b)
    def pow(self, b: Any) -> "Tensor": return _ops().pow(self, b)
    def maximum(self, b: Any) -> "Tensor": return _ops().maximum(self, b)
    def minimum(self, b: Any) -> "Tensor": return _ops().minimum(self, b)
    def equal(self, b: Any) -> "Tensor": return _ops().equal(self, b)
    def not_equal(self, b: Any) -> "Tensor": return _ops().not_equal(self, b)
    def greater(self, b: Any) -> "Tensor": return _ops().greater(self, b)
    def greater_equal(self, b: Any) -> "Tensor": return _ops().greater_equal(self, b)
    def less(self, b: Any) -> "Tensor": return _ops().less(self, b)
    def less_equal(self, b: Any) -> "Tensor": return _ops().less_equal(self, b)
    def logical_and(self, b: Any) -> "Tensor": return _ops().logical_and(self, b)
    def logical_or(self, b: Any) -> "Tensor": return _ops().logical_or(self, b)
    def logical_not(self) -> "Tensor": return _ops().logical_not(self)
    def neg(self) -> "Tensor": return _ops().neg(self)
    def abs(self) -> "Tensor": return _ops().abs(self)
    def sign(self) -> "Tensor": return _ops().sign(self)
    def exp(self) -> "Tensor": return _ops().exp(self)
    def log(self) -> "Tensor": return _ops().log(self)
    def log1p(self) -> "Tensor": return _ops().log1p(self)
    def sqrt(self) -> "Tensor": return _ops().sqrt(self)
    def rsqrt(self) -> "Tensor": return _ops().rsqrt(self)
    def square(self) -> "Tensor": return _ops().square(self)
    def reciprocal(self) -> "Tensor": return _ops().reciprocal(self)
    def sin(self) -> "Tensor": return _ops().sin(self)
    def cos(self) -> "Tensor": return _ops().cos(self)
    def tanh(self) -> "Tensor": return _ops().tanh(self)
    def sigmoid(self) -> "Tensor": return _ops().sigmoid(self)
    def relu(self) -> "Tensor": return _ops().relu(self)
    def clip_by_value(self, lo: float, hi: float) -> "Tensor":
        return _ops().clip_by_value(self, lo, hi)
    def cast(self, dtype: str) -> "Tensor": return _ops().cast(self, dtype)
    def to_float(self) -> "Tensor": return _ops().cast(self, "float32")
    def to_int(self) -> "Tensor": return _ops().cast(self, "int32")
    def to_bool(self) -> "Tensor": return _ops().cast(self, "bool")
    def sum(self, axis: Any = None, keep_dims: bool = False) -> "Tensor":
        return _ops().sum(self, axis, keep_dims)
    def mean(self, axis: Any = None, keep_dims: bool = False) -> "Tensor":
        return _ops().mean(self, axis, keep_dims)
    def max(self, axis: Any = None, keep_dims: bool = False) -> "Tensor":
        return _ops().max(self, axis, keep_dims)
    def min(self, axis: Any = None, keep_dims: bool = False) -> "Tensor":
        return _ops().min(self, axis, keep_dims)
    def prod(self, axis: Any = None, keep_dims: bool = False) -> "Tensor":
        return _ops().prod(self, axis, keep_dims)
    def argmax(self, axis: int = 0) -> "Tensor": return _ops().argmax(self, axis)
    def argmin(self, axis: int = 0) -> "Tensor": return _ops().argmin(self, axis)
    def softmax(self, dim: int = -1) -> "Tensor": return _ops().softmax(self, dim)
    def log_softmax(self, axis: int = -1) -> "Tensor": return _ops().log_softmax(self, axis)
    def matmul(self, b: Any, transpose_a: bool = False, transpose_b: bool = False) -> "Tensor":
        return _ops().matmul(self, b, transpose_a, transpose_b)
    def dot(self, b: Any) -> "Tensor": return _ops().dot(self, b)
    def transpose(self, perm: Sequence[int] | None = None) -> "Tensor":
        return _ops().transpose(self, perm)
    def reshape(self, shape: Sequence[int]) -> "Tensor": return _ops().reshape(self, shape)
    def reshape_as(self, other: "Tensor") -> "Tensor": return _ops().reshape(self, other.shape)
    def expand_dims(self, axis: int = 0) -> "Tensor": return _ops().expand_dims(self, axis)
    def squeeze(self, axis: Any = None) -> "Tensor": return _ops().squeeze(self, axis)
    def flatten(self) -> "Tensor": return _ops().reshape(self, [self.size])
    def as1d(self) -> "Tensor": return _ops().reshape(self, [self.size])
    def as2d(self, rows: int, cols: int) -> "Tensor": return _ops().reshape(self, [rows, cols])
    def as3d(self, r: int, c: int, d: int) -> "Tensor": return _ops().reshape(self, [r, c, d])
    def as4d(self, r: int, c: int, d: int, d2: int) -> "Tensor":
        return _ops().reshape(self, [r, c, d, d2])
    def as_scalar(self) -> "Tensor": return _ops().reshape(self, [])
    def gather(self, indices: Any, axis: int = 0) -> "Tensor":
        return _ops().gather(self, indices, axis)
    def slice(self, begin: Any, size: Any = None) -> "Tensor":
        return _ops().slice(self, begin, size)
    def tile(self, reps: Sequence[int]) -> "Tensor": return _ops().tile(self, reps)
    def pad(self, paddings: Any, constant_value: float = 0) -> "Tensor":
        return _ops().pad(self, paddings, constant_value)
    def reverse(self, axis: Any = None) -> "Tensor": return _ops().reverse(self, axis)
    def broadcast_to(self, shape: Sequence[int]) -> "Tensor":
        return _ops().broadcast_to(self, shape)


class Variable(Tensor):
    """A mutable tensor for weights (TF.js ``tf.variable``); never disposed by ``tidy``."""

    _live: dict[str, "Variable"] = {}  # name -> variable, as TF.js's registeredVariables

    def __init__(self, backend: "Backend", data_id: int, shape: Sequence[int], dtype: str,
                 trainable: bool = True, name: str | None = None) -> None:
        super().__init__(backend, data_id, shape, dtype, owned=False)
        self.trainable = trainable
        self.name = _unique_variable_name(name or str(self.id))
        Variable._live[self.name] = self

    def assign(self, value: Any) -> "Variable":
        """Replace the value; shape and dtype must stay the same. Returns the variable."""
        from .engine import dispatch

        self.check_alive(f"assign to variable {self.name!r}")
        where = f"assign to variable {self.name!r}"
        # A tensor must already have the variable's dtype (TF.js); plain data is converted to it.
        new = dispatch.to_tensor(value, None if isinstance(value, Tensor) else self.dtype, where)
        if new.shape != self.shape or new.dtype != self.dtype:
            raise ValueError(
                f"assign to variable {self.name!r}: expected shape {list(self.shape)} dtype "
                f"{self.dtype}, got shape {list(new.shape)} dtype {new.dtype}")
        data_id, backend = dispatch.data_on(new, self.backend)
        scope.retain_data(backend, data_id)
        scope.release_data(self.backend, self.data_id)
        self.data_id = data_id
        if new is not value:
            new.dispose()
        return self

    def dispose(self) -> None:
        """Free the variable's data and release its name."""
        if not self.is_disposed:
            Variable._live.pop(self.name, None)
        super().dispose()



def _unique_variable_name(name: str) -> str:
    """TF.js appends _1, _2... when a variable name is already taken in the process."""
    unique, n = name, 0
    while unique in Variable._live:
        n += 1
        unique = f"{name}_{n}"
    return unique


def print_tensor(x: Tensor, verbose: bool = False) -> None:
    """Print a tensor in TF.js's layout (``tf.print``)."""
    x.print(verbose)


def live_variables() -> list[Variable]:
    """Every variable not yet disposed, in creation order."""
    return list(Variable._live.values())


def dispose_variables() -> None:
    """Dispose every live variable (TF.js ``tf.disposeVariables``)."""
    for v in live_variables():
        v.dispose()
