"""Pooling kernels on NumPy arrays, over the same window views as the convolutions
(``conv.windows``), with col2im (``conv.add_windows``) for the gradients.

Padded cells never count: max pooling pads with -inf, and average pooling divides each window
by its number of real cells. ``pad`` is TF's explicit form, resolved by ops/pool.py.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ...engine.registry import register_kernel
from .conv import Pairs, add_windows, windows

_NO_DILATION = (1, 1)


def _real_cells(x_shape: Sequence[int], filter_size: Sequence[int], strides: Sequence[int],
                pad: Pairs, dtype: np.dtype) -> np.ndarray:
    """How many unpadded cells each window holds, shaped [1, out_h, out_w, 1] to broadcast."""
    ones = np.ones((1, x_shape[1], x_shape[2], 1), dtype=dtype)
    return windows(ones, filter_size, strides, pad, _NO_DILATION).sum(axis=(3, 4))


@register_kernel("MaxPool", "numpy")
def max_pool(x: np.ndarray, *, filter_size: Sequence[int], strides: Sequence[int],
             pad: Pairs) -> np.ndarray:
    return windows(x, filter_size, strides, pad, _NO_DILATION, fill=-np.inf).max(axis=(3, 4))


@register_kernel("MaxPoolGrad", "numpy")
def max_pool_grad(dy: np.ndarray, x: np.ndarray, *, filter_size: Sequence[int],
                  strides: Sequence[int], pad: Pairs) -> np.ndarray:
    win = windows(x, filter_size, strides, pad, _NO_DILATION, fill=-np.inf)
    y = win.max(axis=(3, 4))
    claimed = np.zeros(y.shape, dtype=bool)
    cols = np.zeros(win.shape, dtype=dy.dtype)
    # Offsets in row-major order, so each window's dy goes to the first cell holding its
    # maximum, as TF does when there are ties.
    for i in range(filter_size[0]):
        for j in range(filter_size[1]):
            first = (win[:, :, :, i, j, :] == y) & ~claimed
            claimed |= first
            cols[:, :, :, i, j, :] = first * dy
    return add_windows(cols, x.shape, strides, pad, _NO_DILATION)


@register_kernel("AvgPool", "numpy")
def avg_pool(x: np.ndarray, *, filter_size: Sequence[int], strides: Sequence[int],
             pad: Pairs) -> np.ndarray:
    total = windows(x, filter_size, strides, pad, _NO_DILATION).sum(axis=(3, 4))
    return total / _real_cells(x.shape, filter_size, strides, pad, x.dtype)


@register_kernel("AvgPoolGrad", "numpy")
def avg_pool_grad(dy: np.ndarray, x: np.ndarray, *, filter_size: Sequence[int],
                  strides: Sequence[int], pad: Pairs) -> np.ndarray:
    kh, kw = filter_size
    n, out_h, out_w, c = dy.shape
    share = dy / _real_cells(x.shape, filter_size, strides, pad, dy.dtype)
    cols = np.broadcast_to(share[:, :, :, None, None, :], (n, out_h, out_w, kh, kw, c))
    return add_windows(cols, x.shape, strides, pad, _NO_DILATION)
