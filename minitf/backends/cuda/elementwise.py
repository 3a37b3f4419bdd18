"""Unary elementwise kernels for the ``cuda`` backend: math and activations (binary.py has the
binary ones, comparisons, logic, Select and Cast).

Each scalar function below is a ``device_function`` (compiled for the GPU, called from kernels)
and is lifted to a kernel by ``lift.py``. Unary functions take ``(v, p, q)``: ``p`` and ``q``
are float32 parameters (LeakyRelu's alpha, ClipByValue's bounds) that the others ignore.
Literals are written ``float32(1)``: a bare ``1.0`` is a float64 and would drag the whole
expression to double precision, which GPUs run many times slower.

NaN rules follow the numpy reference kernels: ``v > 0 or v != v`` keeps a NaN in Relu, as
``np.maximum`` does. These kernels run for float32; other dtypes run the numpy kernel on host
copies (``lift.on_host``, counted).

Debugging: ``NUMBA_ENABLE_CUDASIM=1`` runs every function here as plain Python.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...engine.registry import register_kernel
from . import device, lift
from .device import device_function, float32

SELU_ALPHA = np.float32(1.6732632423543772848170429916717)
SELU_SCALE = np.float32(1.0507009873554804934193349852946)
ZERO, ONE, SIX = np.float32(0), np.float32(1), np.float32(6)


# -- unary: f(v, p, q) -------------------------------------------------------------------------
@device_function
def neg(v, p, q):
    return -v


@device_function
def abs_(v, p, q):
    return abs(v)


@device_function
def sign(v, p, q):
    if v > ZERO:
        return ONE
    if v < ZERO:
        return -ONE
    return v  # 0 and NaN stay as they are


@device_function
def square(v, p, q):
    return v * v


@device_function
def identity(v, p, q):
    return v


@device_function
def exp(v, p, q):
    return device.exp(v)


@device_function
def log(v, p, q):
    return device.log(v)


@device_function
def log1p(v, p, q):
    return device.log1p(v)


@device_function
def sqrt(v, p, q):
    return device.sqrt(v)


@device_function
def rsqrt(v, p, q):
    return ONE / device.sqrt(v)


@device_function
def reciprocal(v, p, q):
    return ONE / v


@device_function
def sin(v, p, q):
    return device.sin(v)


@device_function
def cos(v, p, q):
    return device.cos(v)


@device_function
def tanh(v, p, q):
    return device.tanh(v)


@device_function
def erf(v, p, q):
    return float32(device.erf(v))


@device_function
def sigmoid(v, p, q):
    z = device.exp(-abs(v))  # z <= 1, so neither 1 / (1 + z) nor z / (1 + z) overflows
    return ONE / (ONE + z) if v >= ZERO else z / (ONE + z)


@device_function
def softplus(v, p, q):
    return device.log1p(device.exp(-abs(v))) + (v if v > ZERO else ZERO)


@device_function
def softsign(v, p, q):
    return v / (ONE + abs(v))


@device_function
def relu(v, p, q):
    return v if v > ZERO or v != v else ZERO


@device_function
def relu6(v, p, q):
    if v < ZERO:
        return ZERO
    return SIX if v > SIX else v


@device_function
def elu(v, p, q):
    return v if v > ZERO else device.expm1(v)


@device_function
def selu(v, p, q):
    return SELU_SCALE * (v if v > ZERO else SELU_ALPHA * device.expm1(v))


@device_function
def leaky_relu(v, p, q):
    return v if v > ZERO else p * v


@device_function
def step(v, p, q):
    return ONE if v > ZERO else p


@device_function
def clip(v, p, q):
    if v < p:
        return p
    return q if v > q else v


UNARY: dict[str, Callable] = {
    "Neg": neg, "Abs": abs_, "Sign": sign, "Square": square, "Identity": identity, "Exp": exp,
    "Log": log, "Log1p": log1p, "Sqrt": sqrt, "Rsqrt": rsqrt, "Reciprocal": reciprocal,
    "Sin": sin, "Cos": cos, "Tanh": tanh, "Erf": erf, "Sigmoid": sigmoid, "Softplus": softplus,
    "Softsign": softsign, "Relu": relu, "Relu6": relu6, "Elu": elu, "Selu": selu,
    "LeakyRelu": leaky_relu, "Step": step, "ClipByValue": clip,
}
# kernel attributes -> (p, q)
PARAMETERS: dict[str, Callable[..., tuple[float, float]]] = {
    "LeakyRelu": lambda alpha: (alpha, 0.0),
    "Step": lambda alpha: (alpha, 0.0),
    "ClipByValue": lambda clip_value_min, clip_value_max: (clip_value_min, clip_value_max),
}


def _register_unary(name: str, fn: Callable) -> None:
    kernel = lift.map_kernel(name, fn)
    parameters = PARAMETERS.get(name, lambda: (0.0, 0.0))

    @register_kernel(name, "cuda")
    def run(x: Any, **attrs: Any) -> Any:
        if x.dtype != np.float32:
            return lift.on_host(name, x, **attrs)
        return lift.run_map(kernel, x, *parameters(**attrs))


for _name, _fn in UNARY.items():
    _register_unary(_name, _fn)
