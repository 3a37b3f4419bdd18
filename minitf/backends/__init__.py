"""Backends supply kernels: arrays in, arrays out. ``numpy`` is the complete reference."""
from . import numpy  # noqa: F401  (registers the numpy backend and its kernels)
try:  # the Numba ``cpu`` backend, registered only where numba is installed
    from . import cpu  # noqa: F401
except ModuleNotFoundError as missing:
    if missing.name != "numba":
        raise
from . import cuda  # noqa: F401,E402  (registers ``cuda``; numba.cuda loads only when selected)
