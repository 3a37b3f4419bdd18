"""Binary elementwise kernels for the ``cuda`` backend, with NumPy broadcasting: arithmetic,
comparisons and logic; and Select, LogicalNot and Cast.

As in elementwise.py, each scalar function is a ``device_function`` lifted to a kernel by
``lift.py`` (``zip_kernel`` reads both inputs through broadcast strides, so ``[n, h, w, c] +
[c]`` copies nothing). Arithmetic without literals also runs for int32, comparisons for int32
and bool too; other dtypes, and inputs of two dtypes, run the numpy kernel on host copies.

Debugging: ``NUMBA_ENABLE_CUDASIM=1`` runs every function here as plain Python.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...dtypes import NUMPY
from ...engine.registry import register_kernel
from . import device, lift
from .device import cuda, device_function
from .elementwise import ONE, ZERO


# -- binary: f(a, b) ---------------------------------------------------------------------------
@device_function
def add(a, b):
    return a + b


@device_function
def sub(a, b):
    return a - b


@device_function
def multiply(a, b):
    return a * b


@device_function
def real_div(a, b):
    return a / b


@device_function
def maximum(a, b):
    return a if a > b or a != a else b  # a NaN on either side wins, as in np.maximum


@device_function
def minimum(a, b):
    return a if a < b or a != a else b


@device_function
def squared_difference(a, b):
    return (a - b) * (a - b)


@device_function
def pow_(a, b):
    return device.pow_(a, b)


@device_function
def relu_grad(dy, y):
    return dy * (ONE if y > ZERO else ZERO)  # dy * step(y): a NaN in dy stays NaN


@device_function
def prelu(x, alpha):
    return x if x > ZERO else alpha * x


@device_function
def equal(a, b):
    return a == b


@device_function
def not_equal(a, b):
    return a != b


@device_function
def greater(a, b):
    return a > b


@device_function
def greater_equal(a, b):
    return a >= b


@device_function
def less(a, b):
    return a < b


@device_function
def less_equal(a, b):
    return a <= b


@device_function
def logical_and(a, b):
    return a and b


@device_function
def logical_or(a, b):
    return a or b


# name -> (function, input dtypes run on the device, output dtype or None for the input's)
BINARY: dict[str, tuple[Callable, tuple[str, ...], str | None]] = {
    "Add": (add, ("float32", "int32"), None),
    "Sub": (sub, ("float32", "int32"), None),
    "Multiply": (multiply, ("float32", "int32"), None),
    "RealDiv": (real_div, ("float32",), None),
    "Maximum": (maximum, ("float32", "int32"), None),
    "Minimum": (minimum, ("float32", "int32"), None),
    "SquaredDifference": (squared_difference, ("float32",), None),
    "Pow": (pow_, ("float32",), None),
    "ReluGrad": (relu_grad, ("float32",), None),
    "Prelu": (prelu, ("float32",), None),
    "Equal": (equal, ("float32", "int32", "bool"), "bool"),
    "NotEqual": (not_equal, ("float32", "int32", "bool"), "bool"),
    "Greater": (greater, ("float32", "int32"), "bool"),
    "GreaterEqual": (greater_equal, ("float32", "int32"), "bool"),
    "Less": (less, ("float32", "int32"), "bool"),
    "LessEqual": (less_equal, ("float32", "int32"), "bool"),
    "LogicalAnd": (logical_and, ("bool",), "bool"),
    "LogicalOr": (logical_or, ("bool",), "bool"),
}


def _numba_type(dtype: str) -> str:
    return "boolean" if dtype == "bool" else dtype


def _register_binary(name: str, fn: Callable, allowed: tuple[str, ...], out: str | None) -> None:
    kernel = lift.zip_kernel(name, fn, [_numba_type(t) for t in allowed],
                             out and _numba_type(out))

    @register_kernel(name, "cuda")
    def run(a: Any, b: Any) -> Any:
        if a.dtype != b.dtype or not lift.dtypes_in((a,), allowed):
            return lift.on_host(name, a, b)
        return lift.run_broadcast(kernel, (a, b), np.dtype(out or a.dtype))


for _name, (_fn, _allowed, _out) in BINARY.items():
    _register_binary(_name, _fn, _allowed, _out)


# -- logic, select, cast -----------------------------------------------------------------------
@device_function
def logical_not(v, p, q):
    return not v


_logical_not = lift.map_kernel("LogicalNot", logical_not, "boolean")


@register_kernel("LogicalNot", "cuda")
def logical_not_(x: Any) -> Any:
    return lift.run_map(_logical_not, x)


@register_kernel("Select", "cuda")
def select(condition: Any, a: Any, b: Any) -> Any:
    if a.dtype != b.dtype:
        return lift.on_host("Select", condition, a, b)
    return lift.run_broadcast(lift.select_kernel, (condition, a, b), a.dtype)


@device.kernel("Cast", *[f"void({a}[::1], {b}[::1])" for a, b in (
    ("float32", "int32"), ("int32", "float32"), ("boolean", "float32"), ("boolean", "int32"))])
def _convert(x, out):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[i] = x[i]  # float to int truncates toward zero, as NumPy's astype does


@device.kernel("Cast", *[f"void({a}[::1], boolean[::1])" for a in ("float32", "int32")])
def _to_bool(x, out):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[i] = bool(x[i])  # x != 0, in x's own precision


@register_kernel("Cast", "cuda")
def cast(x: Any, *, dtype: str) -> Any:
    target = np.dtype(NUMPY[dtype])
    if not lift.dtypes_in((x,), ("float32", "int32", "bool")) or target == np.float64:
        return lift.on_host("Cast", x, dtype=dtype)
    out = device.empty(x.shape, target)
    kernel = _to_bool if target == np.bool_ else _convert
    device.launch(kernel, out.size, device.flat(x), device.flat(out))
    return out
