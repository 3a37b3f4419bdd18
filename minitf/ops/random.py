"""Seeded random tensors: random_normal, truncated_normal, random_uniform, and set_seed.

With ``seed`` the result depends on the seed alone, as in TF.js. Without one, a seed is drawn
from a global generator, which :func:`set_seed` (or ``MINITF_SEED``) makes reproducible.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import dtypes, env
from ..engine.dispatch import run_kernel
from ..tensor import Tensor
from ._op import op, shape_arg

__all__ = ["random_normal", "truncated_normal", "random_uniform", "set_seed"]

_global = {"rng": np.random.default_rng(env.default_seed())}


def set_seed(seed: int | None) -> None:
    """Seed the global generator used by random ops called without ``seed``."""
    _global["rng"] = np.random.default_rng(seed)


def draw_seed(seed: int | None) -> int:
    """``seed`` itself, or a fresh seed from the global generator."""
    if seed is not None:
        return int(seed)
    return int(_global["rng"].integers(0, 2**31 - 1))


def _float_dtype(dtype: str, where: str) -> str:
    dtype = dtypes.check(dtype, where)
    if not dtypes.is_float(dtype):
        raise TypeError(f"{where}: dtype must be float32 or float64, got {dtype}")
    return dtype


@op
def random_normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0,
                  dtype: str = "float32", seed: int | None = None) -> Tensor:
    """Samples of a normal distribution (TF.js ``tf.randomNormal``).

    >>> import minitf as tf
    >>> tf.random_normal([2, 3], seed=1).shape
    (2, 3)
    """
    return run_kernel("RandomNormal", {}, shape=shape_arg(shape, "random_normal"), mean=float(mean),
                      stddev=float(stddev), seed=draw_seed(seed),
                      dtype=_float_dtype(dtype, "random_normal"))


@op
def truncated_normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0,
                     dtype: str = "float32", seed: int | None = None) -> Tensor:
    """Normal samples redrawn when beyond two standard deviations (TF.js ``tf.truncatedNormal``)."""
    return run_kernel("TruncatedNormal", {}, shape=shape_arg(shape, "truncated_normal"),
                      mean=float(mean), stddev=float(stddev), seed=draw_seed(seed),
                      dtype=_float_dtype(dtype, "truncated_normal"))


@op
def random_uniform(shape: Sequence[int], minval: float = 0.0, maxval: float = 1.0,
                   dtype: str = "float32", seed: int | None = None) -> Tensor:
    """Samples uniform in ``[minval, maxval)`` (TF.js ``tf.randomUniform``); int32 allowed."""
    dtype = dtypes.check(dtype, "random_uniform")
    if dtype == dtypes.bool_:
        raise TypeError("random_uniform: dtype must be float32, float64 or int32")
    if maxval <= minval:
        raise ValueError(f"random_uniform: maxval ({maxval}) must be greater than minval "
                         f"({minval})")
    return run_kernel("RandomUniform", {}, shape=shape_arg(shape, "random_uniform"),
                      minval=minval, maxval=maxval, seed=draw_seed(seed), dtype=dtype)
