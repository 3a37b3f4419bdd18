"""Creation kernels for the ``cuda`` backend: Fill, OneHot and RandomUniform (dropout's masks).

RandomUniform is counter-based: element i gets ``hash(seed, i)``, so every thread computes its
numbers independently, and the same seed gives the same tensor on any launch shape. The hash is
Chris Wellons' "lowbias32" integer mixer, applied twice; its top 24 bits make a float32 in
[0, 1) (a float32 holds 24 significant bits). The numbers differ from the numpy kernel's (another
generator), but have the same distribution; int32 draws run the numpy kernel on the host.

Debugging: ``NUMBA_ENABLE_CUDASIM=1`` runs the kernels as plain Python.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...dtypes import NUMPY
from ...engine.registry import register_kernel
from . import device, lift
from .device import cuda, device_function, float32

MASK32 = 0xFFFFFFFF
TWO_TO_MINUS_24 = np.float32(2.0 ** -24)


@device.kernel("Fill", *[f"void({t}[::1], {t})" for t in ("float32", "int32", "boolean")])
def _fill(out, value):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[i] = value


def full(shape: tuple[int, ...], value: Any) -> Any:
    """A new device array of ``shape`` filled with ``value`` (a NumPy scalar: its dtype is the
    array's)."""
    value = np.asarray(value)[()]
    out = device.empty(shape, value.dtype)
    device.launch(_fill, out.size, device.flat(out), value)
    return out


@register_kernel("Fill", "cuda")
def fill(*, shape: tuple[int, ...], value: float, dtype: str) -> Any:
    return full(tuple(shape), np.asarray(value).astype(NUMPY[dtype]))


@device.kernel("OneHot", "void(int32[::1], float32[::1], int64, float32, float32)")
def _one_hot(indices, out, depth, on, off):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[i] = on if indices[i // depth] == i % depth else off


@register_kernel("OneHot", "cuda")
def one_hot(indices: Any, *, depth: int, on_value: float, off_value: float, dtype: str) -> Any:
    if dtype != "float32" or indices.dtype != np.int32:
        return lift.on_host("OneHot", indices, depth=depth, on_value=on_value,
                            off_value=off_value, dtype=dtype)
    out = device.empty((*indices.shape, depth), np.float32)
    device.launch(_one_hot, out.size, device.flat(indices), device.flat(out), depth,
                  np.float32(on_value), np.float32(off_value))
    return out


@device_function
def mix32(x):  # pragma: no cover  (device code)
    """lowbias32: a bijection of 32-bit integers that scatters neighbouring inputs."""
    x ^= x >> 16
    x = (x * 0x7FEB352D) & MASK32
    x ^= x >> 15
    x = (x * 0x846CA68B) & MASK32
    x ^= x >> 16
    return x


@device.kernel("RandomUniform", "void(float32[::1], int64, float32, float32)")
def _uniform(out, seed, low, span):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        h = mix32((mix32(i & MASK32) + seed) & MASK32)
        out[i] = low + float32(h >> 8) * TWO_TO_MINUS_24 * span


@register_kernel("RandomUniform", "cuda")
def random_uniform(*, shape: tuple[int, ...], minval: float, maxval: float, seed: int,
                   dtype: str) -> Any:
    if dtype != "float32":
        return lift.on_host("RandomUniform", shape=shape, minval=minval, maxval=maxval,
                            seed=seed, dtype=dtype)
    out = device.empty(tuple(shape), np.float32)
    seed32 = int(seed) & MASK32
    device.launch(_uniform, out.size, device.flat(out), seed32, np.float32(minval),
                  np.float32(maxval - minval))
    return out
