"""Noise layers: GaussianNoise, GaussianDropout, AlphaDropout (regularizers active in training).

Like Dropout, each is the identity unless called with ``training=True``. Random values are drawn
in float32 whatever the input's dtype, so float32 and float64 inputs see the same noise. TF.js
gives these layers no ``seed``; minitf accepts one (as Keras does) and saves it only when set,
so TF.js configs round-trip unchanged.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

from .. import ops
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, layer_factory
from .dropout import rate_arg

__all__ = ["gaussian_noise", "gaussian_dropout", "alpha_dropout"]

# The selu constants (Klambauer et al. 2017): selu(x) -> -ALPHA * SCALE as x -> -inf.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class _Noise(Layer):
    """Shared plumbing: masking passes through, shapes are unchanged, ``seed`` is optional."""

    def __init__(self, seed: int | None = None, **base: Any) -> None:
        super().__init__(**base)
        self.seed = seed
        self.supports_masking = True

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def seed_config(self) -> dict[str, Any]:
        return {} if self.seed is None else {"seed": self.seed}


@register_class
class GaussianNoise(_Noise):
    """Add zero-mean normal noise of ``stddev`` while training (TF.js ``tf.layers.gaussianNoise``).

    A way to regularize and augment real-valued inputs. Any shape; same output shape.

    >>> import minitf as tf
    >>> layer = tf.layers.gaussian_noise(stddev=0.1)
    >>> layer.apply(tf.ones([1, 2])).array_sync()  # inference: unchanged
    [[1.0, 1.0]]
    """

    class_name = "GaussianNoise"

    def __init__(self, stddev: float, seed: int | None = None, **base: Any) -> None:
        super().__init__(seed, **base)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or stddev < 0:
            raise ValueError(f"GaussianNoise {self.name!r}: stddev must be a number >= 0, got "
                             f"{stddev!r}")
        self.stddev = stddev

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        if not training:
            return inputs
        return ops.add(inputs, ops.random_normal(inputs.shape, 0, self.stddev, seed=self.seed))

    def get_config(self) -> dict[str, Any]:
        return {"stddev": self.stddev, **self.seed_config(), **super().get_config()}


@register_class
class GaussianDropout(_Noise):
    """Multiply by normal noise of mean 1 and stddev sqrt(rate / (1 - rate)) while training.

    The multiplicative noise has the variance of dropout with ``rate`` but no zeros
    (TF.js ``tf.layers.gaussianDropout``). ``rate`` 0 or 1 makes it the identity.
    """

    class_name = "GaussianDropout"

    def __init__(self, rate: float, seed: int | None = None, **base: Any) -> None:
        super().__init__(seed, **base)
        self.rate = rate_arg(self, rate)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        if not training or not 0 < self.rate < 1:
            return inputs
        stddev = math.sqrt(self.rate / (1 - self.rate))
        return ops.mul(inputs, ops.random_normal(inputs.shape, 1, stddev, seed=self.seed))

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate, **self.seed_config(), **super().get_config()}


@register_class
class AlphaDropout(_Noise):
    """Dropout for self-normalizing networks (selu): keeps the inputs' mean and variance.

    Dropped values are set to selu's negative saturation -alpha * scale instead of 0, and an
    affine map a * x + b restores mean 0 and variance 1 (Klambauer et al. 2017; TF.js
    ``tf.layers.alphaDropout``). ``noise_shape`` (None entries take the input's size) shapes
    the random mask. Like TF.js, the saved config holds only ``rate``, plus ``noise_shape`` and
    ``seed`` when set.

    >>> import minitf as tf
    >>> tf.layers.alpha_dropout(rate=0.2).apply(tf.ones([1, 2])).array_sync()  # inference
    [[1.0, 1.0]]
    """

    class_name = "AlphaDropout"

    def __init__(self, rate: float, noise_shape: Sequence[int | None] | None = None,
                 seed: int | None = None, **base: Any) -> None:
        super().__init__(seed, **base)
        self.rate = rate_arg(self, rate)
        self.noise_shape = None if noise_shape is None else \
            [None if d is None else int(d) for d in noise_shape]

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        if not training or not 0 < self.rate < 1:
            return inputs
        shape = inputs.shape if self.noise_shape is None else \
            [size if d is None else d for d, size in zip(self.noise_shape, inputs.shape)]
        keep = ops.cast(ops.greater_equal(ops.random_uniform(shape, seed=self.seed), self.rate),
                        "float32")
        alpha_p = -SELU_ALPHA * SELU_SCALE
        # a and b give the result mean 0 and variance 1 for inputs of mean 0 and variance 1.
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        # Dropped values become alpha_p. (TF.js 4.22 writes (keep - 1) * alpha_p, i.e. -alpha_p,
        # which shifts the mean; Keras and the paper use alpha_p.)
        dropped = ops.add(ops.mul(inputs, keep), ops.mul(ops.sub(1, keep), alpha_p))
        return ops.add(ops.mul(dropped, a), b)

    def get_config(self) -> dict[str, Any]:
        extra = {} if self.noise_shape is None else {"noise_shape": self.noise_shape}
        return {"rate": self.rate, **extra, **self.seed_config(), **super().get_config()}


gaussian_noise = layer_factory(GaussianNoise, "gaussian_noise")
gaussian_dropout = layer_factory(GaussianDropout, "gaussian_dropout")
alpha_dropout = layer_factory(AlphaDropout, "alpha_dropout")
