"""Reductions for the ``cuda`` backend: Sum, Mean, Prod, Max, Min, ArgMax and ArgMin on float32.

The reduced axes are moved last (a transpose, skipped when they already are), so the input is
a [rows, n] matrix and each row is reduced by one block of threads:

1. thread t combines elements t, t + T, t + 2T, ... of the row into one partial value (T is
   the block's thread count, a power of two);
2. the T partials go to shared memory (fast memory that the block's threads share), and a tree
   combines them: partial[t] with partial[t + T/2], then with t + T/4, ... until partial[0]
   holds the row's result. ``cuda.syncthreads()`` between the rounds makes every thread wait
   until the others have written their value.

A block walks rows ``blockIdx, blockIdx + blocks, ...``, like a grid-stride loop. No warp
shuffles: Numba's simulator cannot run them, and shared memory is fast enough here.
Other dtypes run the numpy kernel on host copies (``lift.on_host``, counted).

Debugging: ``NUMBA_ENABLE_CUDASIM=1`` runs the kernels as plain Python.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...engine.registry import register_kernel
from . import device, lift
from .device import INF, REDUCE_THREADS, cuda, device_function, float32, int32
from .shape import permute

SUM, PROD, MAX, MIN = 0, 1, 2, 3
CODES = {"Sum": SUM, "Mean": SUM, "Prod": PROD, "Max": MAX, "Min": MIN}
ZERO, ONE = np.float32(0), np.float32(1)


@device_function
def start(code):  # pragma: no cover  (device code)
    """The identity of the reduction: combining it with v gives v."""
    if code == SUM:
        return ZERO
    if code == PROD:
        return ONE
    return -INF if code == MAX else INF


@device_function
def combine(code, a, b):  # pragma: no cover  (device code)
    if code == SUM:
        return a + b
    if code == PROD:
        return a * b
    if code == MAX:
        return a if a > b or a != a else b  # NaN wins, as in np.max
    return a if a < b or a != a else b


@device_function
def tree(partial, code):  # pragma: no cover  (device code)
    """Combine the block's ``blockDim.x`` values in ``partial`` into ``partial[0]``; every
    thread of the block calls it, after a ``syncthreads`` that follows its write."""
    t = cuda.threadIdx.x
    half = cuda.blockDim.x // 2
    while half > 0:
        if t < half:
            partial[t] = combine(code, partial[t], partial[t + half])
        cuda.syncthreads()
        half //= 2


@device.kernel("Sum/Mean/Prod/Max/Min", "void(float32[::1], int64, int64, float32, float32[::1])")
def _reduce_rows(x, n, code, divisor, out):  # pragma: no cover  (device code)
    partial = cuda.shared.array(REDUCE_THREADS, float32)
    t = cuda.threadIdx.x
    for row in range(cuda.blockIdx.x, out.size, cuda.gridDim.x):
        acc = start(code)
        for j in range(t, n, cuda.blockDim.x):
            acc = combine(code, acc, x[row * n + j])
        partial[t] = acc
        cuda.syncthreads()
        tree(partial, code)
        if t == 0:
            out[row] = partial[0] / divisor  # divisor: n for Mean, 1 otherwise
        cuda.syncthreads()  # partial[0] is read before the next row overwrites it


@device_function
def beats(code, va, ia, vb, ib):  # pragma: no cover  (device code)
    """Whether candidate (value vb, index ib) replaces (va, ia) in ArgMax/ArgMin: index -1 is
    no candidate, a NaN beats numbers, and on ties the smaller index wins (NumPy's rules)."""
    if ib < 0:
        return False
    if ia < 0:
        return True
    if va != va:
        return vb != vb and ib < ia
    if vb != vb:
        return True
    if vb == va:
        return ib < ia
    return vb > va if code == MAX else vb < va


@device.kernel("ArgMax/ArgMin", "void(float32[::1], int64, int64, int32[::1])")
def _arg_rows(x, n, code, out):  # pragma: no cover  (device code)
    values = cuda.shared.array(REDUCE_THREADS, float32)
    indices = cuda.shared.array(REDUCE_THREADS, int32)
    t = cuda.threadIdx.x
    for row in range(cuda.blockIdx.x, out.size, cuda.gridDim.x):
        best_v, best_i = ZERO, int32(-1)
        for j in range(t, n, cuda.blockDim.x):
            if beats(code, best_v, best_i, x[row * n + j], j):
                best_v, best_i = x[row * n + j], int32(j)
        values[t], indices[t] = best_v, best_i
        cuda.syncthreads()
        half = cuda.blockDim.x // 2
        while half > 0:
            if t < half and beats(code, values[t], indices[t], values[t + half],
                                  indices[t + half]):
                values[t], indices[t] = values[t + half], indices[t + half]
            cuda.syncthreads()
            half //= 2
        if t == 0:
            out[row] = indices[0]
        cuda.syncthreads()


def rows_last(x: Any, axes: tuple[int, ...]) -> tuple[Any, int, int]:
    """x as a flat [rows, n] matrix with the ``axes`` to reduce last (transposed if needed)."""
    kept = [d for d in range(x.ndim) if d not in axes]
    if list(axes) != list(range(x.ndim - len(axes), x.ndim)):
        x = permute(x, kept + list(axes))
    rows = int(np.prod(x.shape[:len(kept)], dtype=np.int64))
    n = int(np.prod(x.shape[len(kept):], dtype=np.int64))
    return device.flat(x), rows, n


def _launch_rows(kernel: Any, rows: int, n: int, *args: Any) -> None:
    if rows > 0:
        kernel[min(rows, device.MAX_BLOCKS), device.reduce_threads(n)](*args)


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...], keep_dims: bool) -> tuple:
    return tuple(1 if d in axes else s for d, s in enumerate(shape) if keep_dims or d not in axes)


def reduce(x: Any, name: str, axes: tuple[int, ...], keep_dims: bool = False) -> Any:
    """Sum, Mean, Prod, Max or Min of a float32 device array over ``axes``."""
    shape = tuple(x.shape)
    flat, rows, n = rows_last(x, axes)
    out = device.empty((rows,), np.float32)
    divisor = np.float32(n if name == "Mean" else 1)
    _launch_rows(_reduce_rows, rows, n, flat, n, CODES[name], divisor, out)
    return out.reshape(_reduced_shape(shape, axes, keep_dims))


def _register(name: str) -> None:
    @register_kernel(name, "cuda")
    def run(x: Any, *, axes: tuple[int, ...], keep_dims: bool) -> Any:
        empty = any(x.shape[a] == 0 for a in axes)
        if x.dtype != np.float32 or (empty and name in ("Max", "Min")):
            return lift.on_host(name, x, axes=axes, keep_dims=keep_dims)
        return reduce(x, name, axes, keep_dims)


for _name in CODES:
    _register(_name)


def _register_arg(name: str, code: int) -> None:
    @register_kernel(name, "cuda")
    def run(x: Any, *, axis: int) -> Any:
        if x.dtype != np.float32 or x.shape[axis] == 0:
            return lift.on_host(name, x, axis=axis)
        flat, rows, n = rows_last(x, (axis,))
        out = device.empty((rows,), np.int32)
        _launch_rows(_arg_rows, rows, n, flat, n, code, out)
        return out.reshape(_reduced_shape(tuple(x.shape), (axis,), False))


_register_arg("ArgMax", MAX)
_register_arg("ArgMin", MIN)
