"""NumPy broadcasting: the result shape of two shapes, and the way back for gradients.

The tape calls :func:`unbroadcast` once for every input gradient, so per-op gradients return
the math at the broadcast shape and never re-derive reduction axes themselves.
"""
from __future__ import annotations

from typing import Sequence

from ..tensor import Tensor


def broadcast_shapes(a: Sequence[int], b: Sequence[int],
                     op_name: str = "broadcast") -> tuple[int, ...]:
    """The shape NumPy broadcasting gives for ``a`` and ``b``; a clear error if incompatible."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da != db and da != 1 and db != 1:
            raise ValueError(f"{op_name}: shapes {list(a)} and {list(b)} cannot be broadcast "
                             f"together (dimension -{i}: {da} vs {db})")
        out.append(db if da == 1 else da)
    return tuple(reversed(out))


def reduction_axes(in_shape: Sequence[int], out_shape: Sequence[int]) -> tuple[int, ...]:
    """The axes of ``out_shape`` that broadcasting stretched from ``in_shape`` (to sum over)."""
    lead = len(out_shape) - len(in_shape)
    axes = list(range(lead))
    for i, d in enumerate(in_shape):
        if d == 1 and out_shape[lead + i] != 1:
            axes.append(lead + i)
    return tuple(axes)


def unbroadcast(dx: Tensor, shape: Sequence[int]) -> Tensor:
    """Sum ``dx`` over broadcast axes so that it has ``shape`` (used by the tape only)."""
    from .reduction import sum as reduce_sum
    from .shape import reshape

    if tuple(dx.shape) == tuple(shape):
        return dx
    axes = reduction_axes(shape, dx.shape)
    summed = reduce_sum(dx, list(axes), keep_dims=True) if axes else dx
    return reshape(summed, shape)
