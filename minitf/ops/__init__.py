"""The ops: what each computes and its derivative, one family per file.

Each family lists its public ops in ``__all__``; this package re-exports them all, and the
``tf`` namespace re-exports this package.
"""
from . import (binary, broadcast, conv, creation, indexing, linalg, nn, pool, random, reduction,
               shape, unary)
from . import fused  # tf.fused.conv2d: a namespace, like TF.js's, not re-exported flat
from .creation import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from .unary import *  # noqa: F401,F403
from .binary import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pool import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403

__all__ = [name for family in (creation, random, unary, binary, reduction, shape, indexing,
                               linalg, conv, pool, nn) for name in family.__all__]
