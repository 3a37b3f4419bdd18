"""Lifting scalar device functions to kernels, broadcasting, and the host fallback.

A scalar function such as ``relu(v)`` is written once as a ``device_function`` and lifted:

- :func:`map_kernel` applies ``fn(v, p, q)`` to each element (``p``, ``q``: float32 parameters
  such as LeakyRelu's alpha; most functions ignore them);
- :func:`zip_kernel` applies ``fn(a, b)`` to pairs, with NumPy broadcasting;
- :func:`select_kernel` is ``where(condition, a, b)``, with broadcasting over all three.

Each generated kernel walks the output with a grid-stride loop: thread ``t`` of a launch with
``T`` threads in all handles elements ``t, t + T, t + 2T, ...``, so any launch size covers any
array. Broadcasting reads input element :func:`source` (a flat index computed from the output
index and the input's strides, where a broadcast axis has stride 0), so no broadcast copy is
ever made. :func:`broadcast_plan` computes those strides on the host, merging axes that can be
walked as one, so ``[n, h, w, c] + [c]`` becomes ``[n*h*w, c] + [0, 1]``.

When an array's dtype has no CUDA kernel (float64, say), :func:`on_host` runs the ``numpy``
reference kernel on host copies; the copies count in the backend's ``transfers``, and the
case counts in its ``fallbacks`` under ``"<kernel>:<dtype>"``.

Under ``NUMBA_ENABLE_CUDASIM=1`` every kernel here runs as plain Python: put a breakpoint in it.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import device
from .device import cuda, device_function

Shape = tuple[int, ...]


@device_function
def source(i, shape, strides):  # pragma: no cover  (device code)
    """The flat index, in an input with ``strides`` (in elements), of element ``i`` of a
    C-ordered array of ``shape``: i is split into coordinates from the last axis up."""
    index = 0
    for d in range(len(shape) - 1, -1, -1):
        index += (i % shape[d]) * strides[d]
        i //= shape[d]
    return index


def contiguous_strides(shape: Sequence[int]) -> Shape:
    """Element strides of a C-ordered array of ``shape``."""
    strides, step = [], 1
    for side in reversed(shape):
        strides.append(step)
        step *= side
    return tuple(reversed(strides))


def collapse(shape: Sequence[int], *strides: Sequence[int]) -> tuple[Shape, list[Shape]]:
    """Drop axes of size 1 and merge neighbours that every input walks as one axis; the
    result has rank >= 1 (a scalar becomes shape (1,), stride 0)."""
    kept = [d for d, side in enumerate(shape) if side != 1]
    out_shape, out_strides = [], [[] for _ in strides]
    for d in kept:
        if out_shape and all(s[d] * shape[d] == o[-1] for s, o in zip(strides, out_strides)):
            out_shape[-1] *= shape[d]  # the previous axis steps over this one exactly
            for s, o in zip(strides, out_strides):
                o[-1] = s[d]
        else:
            out_shape.append(shape[d])
            for s, o in zip(strides, out_strides):
                o.append(s[d])
    if not out_shape:
        return (1,), [(0,) for _ in strides]
    return tuple(out_shape), [tuple(o) for o in out_strides]


def broadcast_plan(out_shape: Sequence[int], *shapes: Sequence[int]) -> tuple[Shape, list[Shape]]:
    """The (collapsed) shape to walk and each input's strides for broadcasting to
    ``out_shape`` (0 along the axes an input is broadcast on)."""
    rank = len(out_shape)
    strides = []
    for shape in shapes:
        padded = (1,) * (rank - len(shape)) + tuple(shape)
        own = contiguous_strides(padded)
        strides.append(tuple(0 if side == 1 else s for side, s in zip(padded, own)))
    return collapse(out_shape, *strides)


def map_kernel(name: str, fn: Callable, in_type: str = "float32",
               out_type: str | None = None) -> Any:
    """A kernel setting ``out[i] = fn(x[i], p, q)``."""

    @device.kernel(name, f"void({in_type}[::1], float32, float32, {out_type or in_type}[::1])")
    def kernel(x, p, q, out):  # pragma: no cover  (device code)
        for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
            out[i] = fn(x[i], p, q)

    return kernel


def zip_kernel(name: str, fn: Callable, in_types: Sequence[str] = ("float32",),
               out_type: str | None = None) -> Any:
    """A kernel setting ``out[i] = fn(a[.], b[.])`` with a and b broadcast to out."""
    tup = "UniTuple(int64, 2)"
    sigs = [f"void({t}[::1], {t}[::1], {out_type or t}[::1], {tup}, {tup}, {tup})"
            for t in in_types]

    @device.kernel(name, *sigs)
    def kernel(a, b, out, shape, a_strides, b_strides):  # pragma: no cover  (device code)
        for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
            out[i] = fn(a[source(i, shape, a_strides)], b[source(i, shape, b_strides)])

    return kernel


@device.kernel("Select", *[f"void(boolean[::1], {t}[::1], {t}[::1], {t}[::1], UniTuple(int64, 2), "
                           f"UniTuple(int64, 2), UniTuple(int64, 2), UniTuple(int64, 2))"
                           for t in ("float32", "int32")])
def select_kernel(cond, a, b, out, shape, c_strides, a_strides,
                  b_strides):  # pragma: no cover  (device code)
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        if cond[source(i, shape, c_strides)]:
            out[i] = a[source(i, shape, a_strides)]
        else:
            out[i] = b[source(i, shape, b_strides)]


def run_map(kernel: Any, x: Any, p: float = 0.0, q: float = 0.0, out_dtype: Any = None) -> Any:
    """Launch a :func:`map_kernel` on ``x``; the output has x's shape."""
    out = device.empty(x.shape, out_dtype or x.dtype)
    device.launch(kernel, out.size, device.flat(x), np.float32(p), np.float32(q),
                  device.flat(out))
    return out


def run_broadcast(kernel: Any, arrays: Sequence[Any], out_dtype: Any) -> Any:
    """Launch a zip or select kernel on ``arrays`` broadcast together."""
    out_shape = np.broadcast_shapes(*(tuple(a.shape) for a in arrays))
    out = device.empty(out_shape, out_dtype)
    shape, strides = broadcast_plan(out_shape, *(tuple(a.shape) for a in arrays))
    device.launch(kernel, out.size, *(device.flat(a) for a in arrays), device.flat(out), shape,
                  *strides)
    return out


def dtypes_in(arrays: Sequence[Any], allowed: Sequence[str]) -> bool:
    """Whether every array has one of the ``allowed`` dtype names (``"float32"``...)."""
    return all(a is None or a.dtype.name in allowed for a in arrays)


def on_host(kernel_name: str, *arrays: Any, **attrs: Any) -> Any:
    """Run the ``numpy`` reference kernel on host copies of ``arrays`` (None passes through)
    and bring its output(s) back to the device; every copy is counted."""
    from ...engine.backend import get_backend_instance
    from ...engine.registry import find_kernel

    backend = get_backend_instance("cuda")
    reference, _ = find_kernel(kernel_name, get_backend_instance("numpy"))
    dtype = attrs.get("dtype") or next((a.dtype.name for a in arrays if a is not None), "")
    key = f"{kernel_name}:{dtype}"
    backend.fallbacks[key] = backend.fallbacks.get(key, 0) + 1
    result = reference(*(None if a is None else backend.to_numpy(a) for a in arrays), **attrs)
    if isinstance(result, tuple):
        return tuple(backend.from_numpy(np.asarray(r)) for r in result)
    return backend.from_numpy(np.asarray(result))
