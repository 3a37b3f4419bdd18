"""Keeping freed arrays' memory for reuse, so that a training step does not page-fault.

A training step allocates the same big arrays every time (a convolution's output, its input
gradient: about 10 MB each for the mnist-node convnet at batch 128) and frees them when
``tidy`` ends. glibc's malloc hands blocks that big straight back to the kernel (``munmap``,
or trimming the top of the heap), so the next step gets fresh pages, and the kernel must fault
in and zero every 4 KB page on first touch: about 5,400 page faults and 13 ms of one ~120 ms
step, measured. Raising malloc's mmap threshold to its maximum (32 MB on 64-bit) and its trim
threshold to 1 GB keeps those blocks in the heap, where the next step finds them already
mapped: 0-2 page faults per step, steps ~20% faster (docs/performance.md, log entry 9).

The price: the process keeps its peak heap size until it exits instead of giving memory back
between steps. Set ``MINITF_KEEP_FREED_MEMORY=0`` (or any ``MALLOC_*`` variable of glibc's own)
to leave the allocator alone. Only glibc has ``mallopt``; elsewhere nothing changes.
"""
from __future__ import annotations

import ctypes
import ctypes.util

from ... import env

M_TRIM_THRESHOLD = -1  # glibc's <malloc.h> parameter numbers
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # the largest value glibc accepts on 64-bit systems
TRIM_THRESHOLD = 1 << 30

applied = [False]


def keep_freed_memory() -> bool:
    """Tune glibc's malloc as described above; True when it took effect."""
    if applied[0] or not env.keep_freed_memory():
        return applied[0]
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    applied[0] = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return applied[0]
