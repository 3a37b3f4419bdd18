"""The ``cuda`` backend: tensors live in GPU memory as Numba device arrays, and kernels written
with numba.cuda run on them; every kernel it lacks falls back to ``numpy`` through
:func:`minitf.engine.registry.find_kernel`, with the copies that takes counted.

Select it with ``tf.set_backend('cuda')`` or ``MINITF_BACKEND=cuda``. It needs numba-cuda with
the CUDA toolkit libraries (``pip install "minitf[cuda13]"`` for an NVIDIA driver >= 580,
``"minitf[cuda12]"`` for a driver >= 525) and a GPU. Without them ``import minitf`` works as
before and selecting ``cuda`` raises :class:`CudaUnavailable`, saying what is missing.

Nothing here imports numba.cuda until the backend is first selected (it takes half a second):
the kernel modules are imported, and so registered, by :func:`_create`. All of them take
numba.cuda from ``device.py``. To step through a kernel as plain Python on the CPU, run with
``NUMBA_ENABLE_CUDASIM=1`` (Numba's CUDA simulator; slow, for tests). docs/gpu.md walks through
how a kernel is written, launched and tested.

Data moves between host and device only in :meth:`CudaBackend.from_numpy` (uploads) and
:meth:`CudaBackend.to_numpy` (downloads), and both count into ``transfers``, so a test can
check that a training step keeps its tensors on the device.
"""
from __future__ import annotations

import importlib.util
from collections import OrderedDict
from typing import Any

import numpy as np

from ...engine.backend import Backend, register_backend

PIP_HINT = ('pip install "minitf[cuda13]" (NVIDIA driver >= 580) or "minitf[cuda12]" '
            '(driver >= 525)')
CONSTANTS = 128  # how many distinct one-element arrays stay cached on the device


class CudaUnavailable(RuntimeError):
    """Raised on selecting ``cuda`` where numba-cuda, the CUDA toolkit or a GPU is missing."""


class CudaBackend(Backend):
    """Device arrays (``numba.cuda`` DeviceNDArray); kernels it lacks come from ``numpy``."""

    name = "cuda"
    fallback = "numpy"
    host = False  # its arrays are device arrays: other backends reach them through copies

    def __init__(self) -> None:
        super().__init__()
        from . import device

        self.device = device
        self.transfers = {"to_device": 0, "to_host": 0}  # counted host<->device copies
        # One-element arrays (the 2 in ``x * 2``, a learning rate) are uploaded once and
        # shared: kernels never write into their inputs, so sharing is safe.
        self._constants: OrderedDict[tuple, Any] = OrderedDict()

    def from_numpy(self, array: np.ndarray) -> Any:
        if array.size == 1:
            key = (array.dtype.str, array.shape, array.tobytes())
            cached = self._constants.get(key)
            if cached is not None:
                self._constants.move_to_end(key)
                return cached
        self.transfers["to_device"] += 1
        data = self.device.to_device(array)
        if array.size == 1:
            self._constants[key] = data
            if len(self._constants) > CONSTANTS:
                self._constants.popitem(last=False)
        return data

    def to_numpy(self, array: Any) -> np.ndarray:
        self.transfers["to_host"] += 1
        return self.device.to_host(array)

    def release(self, data_id: int) -> None:
        """Drop the device array at once and flush Numba's queue of pending frees, so that
        ``dispose`` and ``tidy`` give the memory back immediately (not at a later GC)."""
        del self.store[data_id]
        self.device.free_deferred()

    def nbytes(self, array: Any) -> int:
        return int(array.size) * array.dtype.itemsize


def _numba_cuda_installed() -> bool:
    return importlib.util.find_spec("numba_cuda") is not None


def _create() -> CudaBackend:
    """Check that CUDA can run here, register the kernels, and make the backend."""
    if not _numba_cuda_installed():
        raise CudaUnavailable(f"the cuda backend needs the numba-cuda package with the CUDA "
                              f"toolkit libraries: {PIP_HINT}")
    from . import device

    problem = device.problem()
    if problem is not None:
        raise CudaUnavailable(problem)
    import_kernels()
    return CudaBackend()


def import_kernels() -> None:
    """Import (and so register) every kernel module; needs numba-cuda, not a GPU."""
    from . import binary, conv, creation, elementwise, linalg, nn, optimizers  # noqa: F401
    from . import pool, reduction, shape  # noqa: F401


register_backend("cuda", _create)
