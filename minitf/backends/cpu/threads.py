"""How many cores the ``cpu`` backend uses, for its Numba kernels and for NumPy's BLAS.

One number, ``MINITF_NUM_THREADS`` when set (read at import), otherwise every core this process
may run on, sets three things: Numba's thread count for the ``prange`` loops, the number of
worker threads of ``workers.py`` (each of which runs BLAS single-threaded for itself), and the
process-wide OpenBLAS thread count (for products run outside the workers, and for the user's own
NumPy code). Nothing oversubscribes: a ``prange`` loop and the workers never run at the same
time, and Numba's ``workqueue`` layer lets idle threads sleep instead of spinning.
``set_num_threads(n)`` changes all three at run time; the parallel-training workers of
``tf.parallel`` use it to take their share of the machine.

NumPy's bundled OpenBLAS is reached through ctypes (the library is already loaded by NumPy, so
this only looks its functions up); where NumPy uses another BLAS, only Numba's count changes.
"""
from __future__ import annotations

import ctypes
import glob
import os

import numba
import numpy as np

from ... import env

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
            "openblas_get_num_threads64_", "openblas_get_num_threads")
_LOCAL_SETTERS = ("scipy_openblas_set_num_threads_local64_", "openblas_set_num_threads_local")
_CORENAMES = ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
              "openblas_get_corename64_", "openblas_get_corename")


def _openblas() -> ctypes.CDLL | None:
    """NumPy's OpenBLAS library, or None when NumPy ships no OpenBLAS we can find."""
    folder = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in sorted(glob.glob(os.path.join(folder, "*openblas*"))):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


_BLAS = _openblas()


def _function(names: tuple[str, ...]) -> object | None:
    """The first of ``names`` that the library exports, looked up once."""
    if names not in _found:
        _found[names] = next((getattr(_BLAS, name) for name in names
                              if _BLAS is not None and hasattr(_BLAS, name)), None)
    return _found[names]


_found: dict[tuple[str, ...], object | None] = {}


def available_cores() -> int:
    """The number of cores this process may run on (its CPU affinity, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def blas_threads() -> int | None:
    """OpenBLAS's thread count, or None when it cannot be reached."""
    getter = _function(_GETTERS)
    return int(getter()) if getter is not None else None  # type: ignore[operator]


def blas_core() -> str | None:
    """The CPU kernels OpenBLAS chose ('Haswell', 'Zen', 'SkylakeX'...), or None."""
    fn = _function(_CORENAMES)
    if fn is None:
        return None
    fn.restype = ctypes.c_char_p  # type: ignore[attr-defined]
    return fn().decode()  # type: ignore[operator]


def has_local_blas_threads() -> bool:
    """Whether OpenBLAS can take a thread count for one calling thread only (OpenBLAS 0.3.27+)."""
    return _function(_LOCAL_SETTERS) is not None


def set_local_blas_threads(n: int) -> None:
    """OpenBLAS threads for the calling thread only (the workers of ``workers.py`` use 1)."""
    setter = _function(_LOCAL_SETTERS)
    if setter is not None:
        setter(int(n))  # type: ignore[operator]


def get_num_threads() -> int:
    """The number of threads Numba's parallel kernels use."""
    return numba.get_num_threads()


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for Numba kernels and for BLAS (at most the cores Numba started with)."""
    if int(n) < 1:
        raise ValueError(f"set_num_threads: the thread count must be at least 1, got {n}")
    n = min(int(n), numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(n)
    setter = _function(_SETTERS)
    if setter is not None:
        setter(n)  # type: ignore[operator]


set_num_threads(env.num_threads() or available_cores())
