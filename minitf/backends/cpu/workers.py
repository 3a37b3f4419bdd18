"""The ``cpu`` backend's worker threads: big matrix products split into independent pieces.

A convolution over a batch is many independent pieces of work: im2col of a few images, one
matrix product, maybe col2im. Giving each worker thread its own pieces, with single-threaded
BLAS and serial Numba loops inside, keeps both cores busy all the time and the working set of
each piece in the cache. The other way round (one piece at a time, BLAS and Numba each
spreading it over every core) measured 1.5-10x slower on 2 cores: OpenBLAS's idle threads spin
for a while after each product and take the cores away from the Numba loop that follows.

Workers call only ``nogil`` Numba functions and NumPy, which release the GIL, so the threads
run truly in parallel. Each worker sets OpenBLAS to one thread for itself only
(``openblas_set_num_threads_local``); the process-wide setting that users' own NumPy code sees
is not touched. Where that function does not exist, one worker runs the pieces in order and
BLAS keeps its own threads.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, TypeVar

import numpy as np

from . import threads

T = TypeVar("T")

_pool: list[ThreadPoolExecutor | None] = [None]
_size = [0]
_local = threading.local()


def _single_threaded_blas() -> None:
    threads.set_local_blas_threads(1)


def pool() -> ThreadPoolExecutor:
    """The worker pool, one worker per thread of ``threads.get_num_threads()``."""
    wanted = threads.get_num_threads() if threads.has_local_blas_threads() else 1
    if _pool[0] is None or _size[0] != wanted:
        if _pool[0] is not None:
            _pool[0].shutdown(wait=True)
        _pool[0] = ThreadPoolExecutor(wanted, thread_name_prefix="minitf-cpu",
                                      initializer=_single_threaded_blas if wanted > 1 else None)
        _size[0] = wanted
    return _pool[0]


def size() -> int:
    """How many pieces run at once."""
    pool()
    return _size[0]


def run(fn: Callable[[T], object], pieces: Iterable[T]) -> list:
    """``[fn(piece) for piece in pieces]``, spread over the workers; exceptions propagate."""
    pieces = list(pieces)
    if len(pieces) == 1 or size() == 1:
        return [fn(piece) for piece in pieces]
    return list(pool().map(fn, pieces))


def scratch(rows: int, cols: int, dtype: np.dtype, slot: str = "cols") -> np.ndarray:
    """A [rows, cols] scratch matrix private to the calling thread, reused from call to call
    (a fresh large array per call costs more in page faults than the work itself)."""
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = {}
    size_ = rows * cols * np.dtype(dtype).itemsize
    buffer = buffers.get(slot)
    if buffer is None or buffer.nbytes < size_:
        buffer = buffers[slot] = np.empty(size_, dtype=np.uint8)
    return buffer[:size_].view(dtype).reshape(rows, cols)
