"""The one module that imports ``numba.cuda``: device arrays, launches, math and the kernel list.

Every kernel file of the ``cuda`` backend takes what it needs from here (``cuda``, ``float32``,
``exp``...), so moving to another CUDA binding (numba-cuda-mlir) changes this file only.

- ``SIMULATED`` is True under Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``, set before
  numba is imported): kernels then run as plain Python threads on the CPU, so a breakpoint or a
  ``print`` inside a kernel works, and an out-of-bounds index raises ``IndexError``.
- ``kernel(name, *signatures)`` turns a Python function into a CUDA kernel and lists it in
  ``KERNELS`` with the argument types it is compiled for, so that a test can compile every
  kernel to PTX without a GPU and check that no float64 instruction slipped in.
- ``launch(kernel, n, *args)`` starts a one-dimensional grid-stride launch over ``n`` elements.
- The math functions (``exp``, ``log``...) are Python's ``math`` functions on the GPU, where
  Numba compiles them to float32 instructions; under the simulator they are NumPy's, which
  follow IEEE rules (``log(0) = -inf``) where ``math.log(0)`` would raise.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numba
import numpy as np
from numba import cuda, float32, int32  # noqa: F401  (float32/int32 cast literals in kernels)

SIMULATED = bool(numba.config.ENABLE_CUDASIM)

# Launch shapes. The simulator runs one Python thread per CUDA thread, so it gets small blocks;
# grid-stride loops make every kernel correct for any launch shape.
THREADS = 32 if SIMULATED else 256  # threads per block of an elementwise launch
MAX_BLOCKS = 2 if SIMULATED else 4096
REDUCE_THREADS = 128  # the most threads of a reduction block (a power of two)

if SIMULATED:
    exp, log, log1p, sqrt = np.exp, np.log, np.log1p, np.sqrt
    sin, cos, tanh, expm1, pow_ = np.sin, np.cos, np.tanh, np.expm1, np.power
else:
    exp, log, log1p, sqrt = math.exp, math.log, math.log1p, math.sqrt
    sin, cos, tanh, expm1, pow_ = math.sin, math.cos, math.tanh, math.expm1, math.pow
erf = math.erf

INF = np.float32(np.inf)  # globals are frozen into kernels as float32 constants

device_function = cuda.jit(device=True)

KERNELS: list[tuple[str, Callable, tuple[str, ...]]] = []  # (name, Python function, signatures)


def kernel(name: str, *signatures: str) -> Callable[[Callable], Any]:
    """Decorator: ``fn`` becomes a CUDA kernel, compiled lazily for the types of each launch.

    ``signatures`` (Numba type strings such as ``"void(float32[::1], float32[::1])"``) are the
    types the backend launches it with; the PTX test compiles each one.
    """

    def deco(fn: Callable) -> Any:
        KERNELS.append((name, fn, signatures))
        return cuda.jit(fn)

    return deco


def blocks_for(n: int, threads: int = THREADS) -> int:
    """Blocks of ``threads`` covering ``n`` elements, capped (grid-stride loops do the rest)."""
    return max(1, min(MAX_BLOCKS, -(-n // threads)))


def launch(fn: Any, n: int, *args: Any) -> None:
    """Run ``fn`` on a one-dimensional grid over ``n`` elements; nothing to do when n is 0."""
    if n > 0:
        fn[blocks_for(n), THREADS](*args)


def reduce_threads(n: int) -> int:
    """Threads for a block that reduces ``n`` values: a power of two, at most REDUCE_THREADS
    (16 at most under the simulator, where every thread is a Python thread)."""
    cap = 16 if SIMULATED else REDUCE_THREADS
    threads = 1
    while threads < min(n, cap):
        threads *= 2
    return threads


# -- device arrays -----------------------------------------------------------------------------
def empty(shape: tuple[int, ...], dtype: Any) -> Any:
    """A new, uninitialised device array; running out of memory names the request."""
    try:
        return cuda.device_array(tuple(shape), dtype=np.dtype(dtype))
    except Exception as err:  # the driver's error type differs by version
        _raise_if_out_of_memory(err, shape, dtype)
        raise


def to_device(array: np.ndarray) -> Any:
    """A device copy of a host array (one host-to-device transfer)."""
    try:
        # not np.ascontiguousarray, which turns a 0-d array into shape [1]
        return cuda.to_device(array if array.flags.c_contiguous else array.copy())
    except Exception as err:
        _raise_if_out_of_memory(err, array.shape, array.dtype)
        raise


def to_host(array: Any) -> np.ndarray:
    """A host copy of a device array (one device-to-host transfer; it waits for the kernels
    that write ``array``)."""
    return array.copy_to_host()


def flat(array: Any) -> Any:
    """The 1-D view of a C-contiguous device array (kernels index flat arrays)."""
    return array.reshape(int(array.size))


OUT_OF_MEMORY = 2  # CUDA_ERROR_OUT_OF_MEMORY


def _raise_if_out_of_memory(err: Exception, shape: Any, dtype: Any) -> None:
    if getattr(err, "code", None) == OUT_OF_MEMORY or "OUT_OF_MEMORY" in str(err):
        nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        raise MemoryError(f"cuda: out of device memory allocating an array of shape "
                          f"{list(shape)} and dtype {np.dtype(dtype)} ({nbytes:,} bytes); "
                          f"dispose tensors or use tf.tidy, or use a smaller batch") from err


def free_deferred() -> None:
    """Free at once the device memory whose last reference just went.

    Numba only queues a ``cuMemFree`` when a device array dies and flushes the queue later;
    clearing it here makes ``dispose``/``tidy`` free memory immediately. The simulator has no
    queue (its arrays are NumPy arrays, freed by Python).
    """
    if SIMULATED:
        return
    deallocations = getattr(cuda.current_context(), "deallocations", None)
    if deallocations is not None:
        deallocations.clear()


def memory_info() -> tuple[float, float]:
    """(free, total) device bytes; ``inf`` under the simulator."""
    info = cuda.current_context().get_memory_info()
    return float(info[0]), float(info[1])


def problem() -> str | None:
    """Why the ``cuda`` backend cannot run here, or None when it can."""
    if SIMULATED:
        return None
    if not cuda.is_available():
        return ("the cuda backend needs an NVIDIA GPU and its driver, and none was found "
                "(numba.cuda.is_available() is False; nvidia-smi shows what the system sees). "
                "To run the CUDA kernels on the CPU instead, set NUMBA_ENABLE_CUDASIM=1 before "
                "starting Python (slow: for tests only).")
    try:  # a GPU without the CUDA toolkit's compiler libraries cannot build kernels
        probe = empty((1,), np.float32)
        _probe[1, 1](probe)
        to_host(probe)
    except Exception as err:
        return (f"a GPU was found but a test kernel failed ({type(err).__name__}: {err}). "
                "numba-cuda needs the CUDA toolkit libraries (NVVM, NVRTC): "
                'pip install "minitf[cuda13]" for an NVIDIA driver >= 580, or '
                '"minitf[cuda12]" for a driver >= 525.')
    return None


@kernel("probe", "void(float32[::1])")
def _probe(out):  # pragma: no cover  (runs on the device)
    out[0] = float32(1.0)
