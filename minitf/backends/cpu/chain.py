"""FusedConv2DChain for the ``cpu`` backend: a run of convolutions and max poolings, applied to
a few images at a time, for inference.

Run layer by layer, the mnist-node convnet writes each layer's output for the whole batch to
memory and the next layer reads it back: 11 MB after the first convolution, 9.4 MB after the
second, and so on, far more than the caches hold. Every stage of such a run works on each
image alone, though, so the whole run can go image chunk by image chunk instead: each worker
takes a few images through every stage, its intermediate results staying in two scratch
matrices of its own (in its L2 cache), and only the last stage writes to the output. The
arithmetic is the same as ``conv.py``'s and ``pool.py``'s, chunk for chunk, so the results are
too.

The gradient would need every intermediate output, which this kernel never keeps: the op
(``minitf.ops.fused.conv2d_chain``) runs the stages one by one instead when a tape records.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ...engine.registry import register_kernel
from ..numpy import chain as reference
from . import conv, pool, winograd, workers

CHAIN_BYTES = 1 << 20  # the largest stage output of a chunk: about what a core's L2 cache holds
SLOTS = ("chain0", "chain1")  # stage i writes SLOTS[i % 2] and reads what stage i - 1 wrote


def _plan(shape: Sequence[int], weights: Sequence[np.ndarray],
          stages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each stage with what its chunks need: the output shape of one image and the kernel's
    arguments (for a convolution, its filters as a [k, out] matrix and its bias)."""
    plan = []
    arrays = iter(weights)
    height, width = shape[1], shape[2]
    for stage in stages:
        step = dict(stage)
        if stage["op"] == "conv2d":
            filter, bias = next(arrays), next(arrays)
            kh, kw, c, out = filter.shape
            out_hw = conv._out_hw((height, width), (kh, kw), stage["strides"], stage["pad"],
                                  stage["dilations"])
            fits = conv._winograd_fits(filter, stage["strides"], stage["dilations"], out_hw,
                                       filter.dtype)
            step.update(filter=filter, w2=filter.reshape(kh * kw * c, out), bias=bias,
                        winograd=winograd.transform_filters(filter) if fits else None,
                        act=conv.ACTIVATION_CODES[stage["activation"]],
                        geometry=conv._geometry((kh, kw), stage["strides"], stage["pad"],
                                                stage["dilations"], out_hw))
        else:
            out = plan[-1]["image"][2] if plan else shape[3]  # pooling keeps the channels
            out_hw = conv._out_hw((height, width), stage["filter_size"], stage["strides"],
                                  stage["pad"], (1, 1))
            step.update(window=pool._window_args(stage["filter_size"], stage["strides"],
                                                 stage["pad"]))
        step["image"] = (*out_hw, out)
        height, width = out_hw
        plan.append(step)
    return plan


def _stage(step: dict[str, Any], a: np.ndarray, out: np.ndarray) -> None:
    """One stage on the images ``a`` of a chunk, into ``out``."""
    if step["op"] == "max_pool":
        pool.max_pool_images(a, out, *step["window"])
        return
    images = a.shape[0]
    if step["winograd"] is not None:  # the filters' transform, computed once per call
        product: conv.Winograd | conv.Windows | None = conv.Winograd(a, step["winograd"],
                                                                     step["pad"])
    else:
        product = conv._windows(a, step["filter"].shape[:2], step["strides"], step["pad"],
                                step["dilations"], step["image"][:2], step["image"][2],
                                [(0, images)])
    conv.conv_images(a, product, step["geometry"], 0, images, step["w2"], step["bias"],
                     step["act"], out.reshape(-1, step["image"][2]))


@register_kernel("FusedConv2DChain", "cpu")
def fused_conv2d_chain(x: np.ndarray, *weights: np.ndarray,
                       stages: Sequence[dict[str, Any]]) -> np.ndarray:
    if any(a.dtype != np.float32 for a in (x, *weights)):  # the kernels' one specialization
        return reference.fused_conv2d_chain(x, *weights, stages=stages)
    x = np.ascontiguousarray(x)
    plan = _plan(x.shape, [np.ascontiguousarray(w) for w in weights], stages)
    n = x.shape[0]
    y = np.empty((n, *plan[-1]["image"]), dtype=x.dtype)
    largest = max(math.prod(step["image"]) for step in plan) * x.itemsize

    def piece(images: tuple[int, int]) -> None:
        b0, b1 = images
        a = x[b0:b1]
        for i, step in enumerate(plan):
            shape = (b1 - b0, *step["image"])
            out = y[b0:b1] if i == len(plan) - 1 else workers.scratch(
                math.prod(shape[:-1]), shape[-1], x.dtype, SLOTS[i % 2]).reshape(shape)
            _stage(step, a, out)
            a = out

    workers.run(piece, conv._chunks(n, largest, CHAIN_BYTES))
    return y
