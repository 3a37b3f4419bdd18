"""Backends: where tensor data lives, and which backend runs the next op.

A backend owns a data store (``data_id -> array``) and supplies kernels through the registry.
Kernels it lacks fall back to the ``numpy`` reference backend: that is the one rule in
:func:`minitf.engine.registry.find_kernel`, counted in :attr:`Backend.fallbacks`.
"""
from __future__ import annotations

import itertools
import logging
from typing import Any, Callable

import numpy as np

log = logging.getLogger("minitf")


class Backend:
    """Base class: a store of arrays keyed by data id, plus conversions to and from NumPy.

    Subclasses for devices (``cuda``) override ``from_numpy``/``to_numpy`` so that data moves to
    the host only when asked; the NumPy and Numba backends keep NumPy arrays as they are.
    """

    name = "base"
    fallback: str | None = "numpy"  # where kernels this backend lacks are taken from
    host = True  # arrays are plain host NumPy arrays, readable by any other host backend

    def __init__(self) -> None:
        self.store: dict[int, Any] = {}
        self.fallbacks: dict[str, int] = {}  # kernel name -> times it fell back
        self._ids = itertools.count(1)

    def write(self, array: Any) -> int:
        """Store ``array`` (already in this backend's format) and return its new data id."""
        data_id = next(self._ids)
        self.store[data_id] = array
        return data_id

    def read(self, data_id: int) -> Any:
        """The stored array of ``data_id``, in this backend's format (no copy)."""
        return self.store[data_id]

    def release(self, data_id: int) -> None:
        """Forget ``data_id``; for device backends this frees the memory at once."""
        del self.store[data_id]

    def from_numpy(self, array: np.ndarray) -> Any:
        """Convert a host array to this backend's format (the identity for host backends)."""
        return array

    def to_numpy(self, array: Any) -> np.ndarray:
        """Convert an array of this backend to a host NumPy array (identity for host backends)."""
        return array

    def nbytes(self, array: Any) -> int:
        """Size of one stored array, for ``tf.memory()``."""
        return int(array.nbytes)


_backends: dict[str, Callable[[], Backend]] = {}
_instances: dict[str, Backend] = {}
_active: list[Backend] = []


def register_backend(name: str, factory: Callable[[], Backend]) -> None:
    """Make ``factory`` available as ``tf.set_backend(name)``; it is called on first use."""
    _backends[name] = factory


def backend_names() -> list[str]:
    """Names of all registered backends, in registration order."""
    return list(_backends)


def get_backend_instance(name: str) -> Backend:
    """The backend object called ``name``, created on first use."""
    if name not in _instances:
        if name not in _backends:
            raise ValueError(f"unknown backend {name!r}; registered backends: {backend_names()}")
        _instances[name] = _backends[name]()
    return _instances[name]


def set_backend(name: str) -> None:
    """Run the following ops on backend ``name`` (TF.js ``tf.setBackend``)."""
    backend = get_backend_instance(name)
    _active[:] = [backend]
    log.debug("backend set to %s", name)


def get_backend() -> str:
    """Name of the backend that runs the next op (TF.js ``tf.getBackend``)."""
    return active().name


def default_backend() -> str:
    """``cpu`` where it is registered, i.e. where numba imports, else ``numpy``."""
    return "cpu" if "cpu" in _backends else "numpy"


def active() -> Backend:
    """The active backend object, choosing the default on first use."""
    if not _active:
        from .. import env

        set_backend(env.backend_name() or default_backend())
    return _active[0]
