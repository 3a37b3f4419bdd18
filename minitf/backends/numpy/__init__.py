"""The NumPy backend: complete, vectorized and plain; the specification the other backends match.

Arrays are stored as they are (NumPy arrays on the host). Each kernel module registers its
kernels with ``@register_kernel(<TF.js kernel name>, "numpy")``.
"""
from ...engine.backend import Backend, register_backend


class NumpyBackend(Backend):
    """Host arrays, no fallback: every kernel must exist here."""

    name = "numpy"
    fallback = None


register_backend("numpy", NumpyBackend)

from . import creation, elementwise, reduction, shape, linalg, conv, pool, nn  # noqa: E402,F401
from . import chain  # noqa: E402,F401
from . import optimizers  # noqa: E402,F401
