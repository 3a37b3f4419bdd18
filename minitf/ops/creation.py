"""Creating tensors: from data (tensor, tensor1d..4d, scalar), filled (zeros, ones, fill),
sequences (range, linspace), eye, one_hot, clone and variable.

Data given by the user is copied into the active backend; everything else runs a kernel, so a
device backend fills memory on the device instead of copying from the host.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import dtypes
from ..engine.dispatch import make_tensor, make_variable, run_kernel, to_tensor
from ..tensor import Tensor, Variable
from ._op import TensorLike, gradient, op, shape_arg, tensor_arg

__all__ = ["tensor", "tensor1d", "tensor2d", "tensor3d", "tensor4d", "tensor5d", "scalar",
           "zeros", "ones", "zeros_like", "ones_like", "fill", "range", "linspace", "eye",
           "one_hot", "clone", "variable"]


def tensor(values: TensorLike, shape: Sequence[int] | None = None,
           dtype: str | None = None) -> Tensor:
    """A tensor holding a copy of ``values`` (nested lists, a NumPy array or a number).

    With ``shape``, flat values are reshaped to it. Floats default to float32, as in TF.js.

    >>> import minitf as tf
    >>> tf.tensor([1, 2, 3, 4], [2, 2]).shape
    (2, 2)
    """
    if isinstance(values, Tensor):
        return to_tensor(values.clone(), dtype, where="tf.tensor")
    try:
        array = np.asarray(values)
    except ValueError as err:
        raise ValueError(f"tf.tensor: values are ragged or not numeric: {err}") from None
    if array.dtype == object:
        raise ValueError("tf.tensor: values are ragged or not numeric")
    if dtype is not None:
        dtype = dtypes.check(dtype, "tf.tensor")
    elif array.dtype.kind == "f":
        dtype = dtypes.float32
    else:
        dtype = dtypes.from_numpy(array.dtype)
    if shape is not None:
        shape = shape_arg(shape, "tf.tensor")
        expected = int(np.prod(shape, dtype=np.int64))
        if array.size != expected:
            if array.size == 1:
                array = np.full(shape, array.reshape(()))
            else:
                raise ValueError(f"tf.tensor: based on the provided shape {list(shape)}, the "
                                 f"tensor should have {expected} values but has {array.size}")
        array = array.reshape(shape)
    return make_tensor(array, dtype)


def _ranked(rank: int, values: TensorLike, shape: Sequence[int] | None,
            dtype: str | None) -> Tensor:
    t = tensor(values, shape, dtype)
    if t.rank != rank:
        t.dispose()
        raise ValueError(f"tf.tensor{rank}d: values must be rank {rank}, got shape "
                         f"{list(np.shape(values)) if shape is None else list(shape)}")
    return t


def tensor1d(values: TensorLike, dtype: str | None = None) -> Tensor:
    """A rank-1 tensor (TF.js ``tf.tensor1d``)."""
    return _ranked(1, values, None, dtype)


def tensor2d(values: TensorLike, shape: Sequence[int] | None = None,
             dtype: str | None = None) -> Tensor:
    """A rank-2 tensor (TF.js ``tf.tensor2d``)."""
    return _ranked(2, values, shape, dtype)


def tensor3d(values: TensorLike, shape: Sequence[int] | None = None,
             dtype: str | None = None) -> Tensor:
    """A rank-3 tensor (TF.js ``tf.tensor3d``)."""
    return _ranked(3, values, shape, dtype)


def tensor4d(values: TensorLike, shape: Sequence[int] | None = None,
             dtype: str | None = None) -> Tensor:
    """A rank-4 tensor (TF.js ``tf.tensor4d``), e.g. a batch of NHWC images."""
    return _ranked(4, values, shape, dtype)


def tensor5d(values: TensorLike, shape: Sequence[int] | None = None,
             dtype: str | None = None) -> Tensor:
    """A rank-5 tensor (TF.js ``tf.tensor5d``)."""
    return _ranked(5, values, shape, dtype)


def scalar(value: float | int | bool, dtype: str | None = None) -> Tensor:
    """A rank-0 tensor (TF.js ``tf.scalar``)."""
    if np.ndim(value) != 0:
        raise ValueError(f"tf.scalar: expected a single number, got shape {list(np.shape(value))}")
    return tensor(value, None, dtype)


@op
def fill(shape: Sequence[int], value: float, dtype: str | None = None) -> Tensor:
    """A tensor of ``shape`` with every element equal to ``value`` (TF.js ``tf.fill``)."""
    if dtype is None:  # TF.js: float32 for a number
        dtype = dtypes.bool_ if isinstance(value, (bool, np.bool_)) else dtypes.float32
    return run_kernel("Fill", {}, shape=shape_arg(shape, "fill"), value=value,
                      dtype=dtypes.check(dtype, "fill"))


def zeros(shape: Sequence[int], dtype: str = "float32") -> Tensor:
    """A tensor of zeros (TF.js ``tf.zeros``)."""
    return fill(shape, 0, dtype)


def ones(shape: Sequence[int], dtype: str = "float32") -> Tensor:
    """A tensor of ones (TF.js ``tf.ones``)."""
    return fill(shape, 1, dtype)


def zeros_like(x: TensorLike) -> Tensor:
    """Zeros with the shape and dtype of ``x`` (TF.js ``tf.zerosLike``)."""
    t = tensor_arg(x, "x", "zeros_like")
    return fill(t.shape, 0, t.dtype)


def ones_like(x: TensorLike) -> Tensor:
    """Ones with the shape and dtype of ``x`` (TF.js ``tf.onesLike``)."""
    t = tensor_arg(x, "x", "ones_like")
    return fill(t.shape, 1, t.dtype)


@op
def range(start: float, stop: float | None = None, step: float = 1,  # noqa: A001 (TF.js name)
          dtype: str = "float32") -> Tensor:
    """``[start, start+step, ...)`` up to ``stop`` exclusive (TF.js ``tf.range``)."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("range: step cannot be 0")
    return run_kernel("Range", {}, start=start, stop=stop, step=step,
                      dtype=dtypes.check(dtype, "range"))


@op
def linspace(start: float, stop: float, num: int) -> Tensor:
    """``num`` evenly spaced float32 values from ``start`` to ``stop``, both included (TF.js)."""
    if num <= 0:
        raise ValueError(f"linspace: num must be positive, got {num}")
    return run_kernel("LinSpace", {}, start=start, stop=stop, num=int(num), dtype=dtypes.float32)


@op
def eye(num_rows: int, num_columns: int | None = None, batch_shape: Sequence[int] | None = None,
        dtype: str = "float32") -> Tensor:
    """An identity matrix, optionally repeated over ``batch_shape`` (TF.js ``tf.eye``)."""
    return run_kernel("Eye", {}, num_rows=int(num_rows),
                      num_columns=int(num_rows if num_columns is None else num_columns),
                      batch_shape=shape_arg(batch_shape or (), "eye", "batch_shape"),
                      dtype=dtypes.check(dtype, "eye"))


@op
def one_hot(indices: TensorLike, depth: int, on_value: float = 1, off_value: float = 0,
            dtype: str = "int32") -> Tensor:
    """Rows of ``depth`` values, ``on_value`` at each index (TF.js ``tf.oneHot``; int32 by default).

    >>> import minitf as tf
    >>> tf.one_hot(tf.tensor1d([0, 2], "int32"), 3).array_sync()
    [[1, 0, 0], [0, 0, 1]]
    """
    idx = tensor_arg(indices, "indices", "one_hot")
    if idx.dtype != dtypes.int32:
        raise TypeError(f"one_hot: indices must be int32, got {idx.dtype}")
    if depth < 1:
        raise ValueError(f"one_hot: depth must be at least 1, got {depth}")
    return run_kernel("OneHot", {"indices": idx}, depth=int(depth), on_value=on_value,
                      off_value=off_value, dtype=dtypes.check(dtype, "one_hot"))


@op
def clone(x: TensorLike) -> Tensor:
    """A new tensor with the values of ``x``; gradients pass straight through (TF.js clone)."""
    return run_kernel("Identity", {"x": tensor_arg(x, "x", "clone")})


@gradient("Identity")
def _identity_grad(dy: Tensor) -> Tensor:
    return dy


def variable(initial_value: TensorLike, trainable: bool = True, name: str | None = None,
             dtype: str | None = None) -> Variable:
    """A mutable tensor for weights, never disposed by ``tidy`` (TF.js ``tf.variable``).

    >>> import minitf as tf
    >>> v = tf.variable(tf.zeros([2]))
    >>> v.assign(tf.ones([2])).array_sync()
    [1.0, 1.0]
    """
    return make_variable(initial_value, trainable, name, dtypes.check(dtype) if dtype else None)
