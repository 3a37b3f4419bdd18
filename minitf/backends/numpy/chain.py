"""FusedConv2DChain, the reference: the stages of the chain one after the other, each over the
whole batch, with the numpy backend's own FusedConv2D and MaxPool kernels.

``stages`` is a tuple of dicts: ``{"op": "conv2d", "strides", "pad", "dilations",
"activation"}`` (its filter and bias come next from ``weights``, in stage order) or
``{"op": "max_pool", "filter_size", "strides", "pad"}``, with the attrs of those two kernels.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...engine.registry import register_kernel
from . import conv, pool


@register_kernel("FusedConv2DChain", "numpy")
def fused_conv2d_chain(x: np.ndarray, *weights: np.ndarray,
                       stages: Sequence[dict[str, Any]]) -> np.ndarray:
    arrays = iter(weights)
    for stage in stages:
        attrs = {key: value for key, value in stage.items() if key != "op"}
        if stage["op"] == "conv2d":
            x = conv.fused_conv2d(x, next(arrays), next(arrays), **attrs)
        else:
            x = pool.max_pool(x, **attrs)
    return x
