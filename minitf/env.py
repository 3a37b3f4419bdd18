"""The one reader of ``os.environ``: which backend to start on, debug mode, the default seed.

Every other module asks this one, so a learner finds every environment switch of minitf here.

- ``MINITF_BACKEND``  backend to start on: ``cpu`` (the default where numba imports), ``numpy``,
  ``cuda`` (an NVIDIA GPU; docs/gpu.md).
- ``MINITF_NUM_THREADS``  threads for the ``cpu`` backend's kernels and BLAS (default: all cores).
- ``MINITF_DEBUG``    ``1`` logs the first fallback of each kernel to the numpy backend.
- ``MINITF_SIMD_LANES``  floats per vector in the ``cpu`` backend's matrix product, 8 or 16
  (default: 16 where the CPU has AVX-512, else 8); for tests (``backends/cpu/simd.py``).
- ``MINITF_SEED``     seed of the global random generator used when an op gets no ``seed``.
- ``MINITF_DATA``     a folder holding data set files (MNIST's IDX files...), looked at first.
- ``XDG_CACHE_HOME``  where the cache folder ``minitf/`` goes (default ``~/.cache``).
- ``MINITF_KEEP_FREED_MEMORY``  ``0`` lets the C allocator hand freed arrays back to the
  system at once, as it does by default (the ``cpu`` backend keeps them for reuse: see
  ``backends/cpu/memory.py``).
- ``OPENBLAS_CORETYPE``  set here (see :func:`choose_openblas_core`) on AVX-512 CPUs, unless
  the user set it.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping

AVX512_FLAGS = frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})


def backend_name() -> str | None:
    """The backend requested through ``MINITF_BACKEND``, or None to take the default."""
    name = os.environ.get("MINITF_BACKEND", "").strip().lower()
    return name or None


def num_threads() -> int | None:
    """The thread count from ``MINITF_NUM_THREADS``, or None to use every available core."""
    raw = os.environ.get("MINITF_NUM_THREADS", "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"MINITF_NUM_THREADS must be a positive integer, got {raw!r}")
    return value


def debug() -> bool:
    """True when ``MINITF_DEBUG`` is set to something other than ``0``/empty."""
    return os.environ.get("MINITF_DEBUG", "0").strip() not in ("", "0", "false", "False")


def default_seed() -> int | None:
    """The seed from ``MINITF_SEED``, or None for a fresh, unpredictable global generator."""
    raw = os.environ.get("MINITF_SEED", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"MINITF_SEED must be an integer, got {raw!r}") from None


def simd_lanes() -> int | None:
    """The vector width from ``MINITF_SIMD_LANES`` (8 or 16), or None to choose by CPU."""
    raw = os.environ.get("MINITF_SIMD_LANES", "").strip()
    if not raw:
        return None
    if raw not in ("8", "16"):
        raise ValueError(f"MINITF_SIMD_LANES must be 8 or 16, got {raw!r}")
    return int(raw)


def keep_freed_memory(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the ``cpu`` backend may tune the C allocator to keep freed memory for reuse:
    not when ``MINITF_KEEP_FREED_MEMORY`` is ``0``, nor when the user tuned glibc's malloc."""
    if environ.get("MINITF_KEEP_FREED_MEMORY", "1").strip() in ("0", "false", "False"):
        return False
    return not (any(name.startswith("MALLOC_") for name in environ)
                or "glibc.malloc" in environ.get("GLIBC_TUNABLES", ""))


def data_dir() -> Path | None:
    """The folder named by ``MINITF_DATA``, or None when unset or empty."""
    raw = os.environ.get("MINITF_DATA", "").strip()
    return Path(raw).expanduser() if raw else None


def cache_dir() -> Path:
    """minitf's cache folder: ``$XDG_CACHE_HOME/minitf``, or ``~/.cache/minitf``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".cache") / "minitf"


def cpu_flags() -> frozenset[str]:
    """The instruction-set flags of this CPU from /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def choose_openblas_core(flags: frozenset[str], environ: Mapping[str, str],
                         numpy_loaded: bool) -> str | None:
    """The ``OPENBLAS_CORETYPE`` to set before NumPy loads, or None to leave OpenBLAS alone.

    NumPy's bundled OpenBLAS picks its AVX2 ('Haswell') kernels on CPUs it does not know, such
    as AMD Zen 4/5, even when they have AVX-512; its 'SkylakeX' kernels then run float32
    matrix products about 1.9x faster (measured: 231 -> 438 GFLOP/s on a 2-core Zen 5). So on a
    CPU with every AVX-512 subset those kernels use, minitf asks for them. Nothing changes when
    the user chose a core type, or when NumPy is already loaded (too late: OpenBLAS reads the
    variable once, when it loads). Setting 'SkylakeX' on a CPU without AVX-512 would crash with
    an illegal instruction, hence the strict flag check.
    """
    if numpy_loaded or environ.get("OPENBLAS_CORETYPE"):
        return None
    return "SkylakeX" if AVX512_FLAGS <= flags else None


def prefer_fast_blas() -> None:
    """Apply :func:`choose_openblas_core` to this process (called first by ``import minitf``)."""
    core = choose_openblas_core(cpu_flags(), os.environ, "numpy" in sys.modules)
    if core is not None:
        os.environ["OPENBLAS_CORETYPE"] = core
