"""The ``cpu`` backend, minitf's default where numba imports: host NumPy arrays like ``numpy``,
with Numba parallel kernels for the hot paths of training (convolutions, pooling, elementwise
math, reductions, the optimizers' updates); every other kernel falls back to ``numpy`` through
:func:`minitf.engine.registry.find_kernel`, on the same arrays (no copies: both backends keep
plain NumPy arrays).

Numba's threading layer is set to ``workqueue`` here, before any parallel kernel can run (it
cannot change after the first parallel call); ``threads.py`` says how many cores are used, and
``memory.py`` why the backend asks malloc to keep freed memory.
Without numba this package raises ImportError and the backend is simply not registered
(minitf/backends/__init__.py guards the import), so ``numpy`` becomes the default.

To step into a kernel as plain Python (breakpoints, prints), run with ``NUMBA_DISABLE_JIT=1``.
"""
import numba

from ...engine.backend import Backend, register_backend
from . import memory

if numba.config.THREADING_LAYER in ("default", None):
    numba.config.THREADING_LAYER = "workqueue"


class CpuBackend(Backend):
    """Host arrays; kernels it lacks come from ``numpy``."""

    name = "cpu"
    fallback = "numpy"

    def __init__(self) -> None:
        super().__init__()
        memory.keep_freed_memory()  # no page faults on each step's big arrays


register_backend("cpu", CpuBackend)

from . import threads  # noqa: E402,F401  (applies MINITF_NUM_THREADS)

from . import conv, elementwise, linalg, pool, reduction  # noqa: E402,F401
from . import chain  # noqa: E402,F401
from . import optimizers  # noqa: E402,F401
