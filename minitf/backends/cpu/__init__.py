"""The ``cpu`` backend: host NumPy arrays like ``numpy``, with Numba kernels for the hot paths
only (convolutions, pooling); every other kernel falls back to ``numpy`` through
:func:`minitf.engine.registry.find_kernel`.

Numba's threading layer is set to ``workqueue`` here, before any parallel kernel can run (it
cannot change after the first parallel call). Without numba this package raises ImportError and
the backend is simply not registered (minitf/backends/__init__.py guards the import).

To step into a kernel as plain Python (breakpoints, prints), run with ``NUMBA_DISABLE_JIT=1``.
"""
import numba

from ...engine.backend import Backend, register_backend

if numba.config.THREADING_LAYER in ("default", None):
    numba.config.THREADING_LAYER = "workqueue"


class CpuBackend(Backend):
    """Host arrays; kernels it lacks come from ``numpy``."""

    name = "cpu"
    fallback = "numpy"


register_backend("cpu", CpuBackend)

from . import conv, pool  # noqa: E402,F401
