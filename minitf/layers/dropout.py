"""Dropout, SpatialDropout1D, SpatialDropout2D: zero random inputs while training.

During training (``training=True``) each value is zeroed with probability ``rate`` and the
others are scaled by 1 / (1 - rate), so the expected sum stays the same; at inference the layer
is the identity (TF.js and Keras). The spatial variants drop whole channels: neighbouring
timesteps or pixels are strongly correlated, so dropping single values would regularize little.
"""
from __future__ import annotations

import numbers
from typing import Any, Sequence

from .. import ops
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, check_rank, data_format_arg, layer_factory

__all__ = ["dropout", "spatial_dropout1d", "spatial_dropout2d"]


def rate_arg(layer: Layer, rate: Any) -> float:
    """A drop probability in [0, 1]; TF.js clamps other values silently, minitf says so."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
        raise ValueError(f"{layer.class_name} {layer.name!r}: rate must be a number in [0, 1], "
                         f"got {rate!r}")
    return float(rate)


@register_class
class Dropout(Layer):
    """Zero each input with probability ``rate`` while training, scaling the rest by 1/(1-rate).

    ``noise_shape`` (batch axis included; None entries take the input's size) shapes the random
    mask, which is broadcast over the input: [batch, 1, features] drops the same features at
    every timestep. With ``seed`` every call draws the same mask, as in TF.js. ``rate`` 0 or 1
    makes the layer the identity (TF.js). Any input shape; same output shape.

    >>> import minitf as tf
    >>> layer = tf.layers.dropout(rate=0.5, seed=1)
    >>> layer.apply(tf.ones([1, 4])).array_sync()  # inference: unchanged
    [[1.0, 1.0, 1.0, 1.0]]
    >>> sorted(set(layer.apply(tf.ones([1, 100]), training=True).array_sync()[0]))
    [0.0, 2.0]
    """

    class_name = "Dropout"

    def __init__(self, rate: float, noise_shape: Sequence[int | None] | None = None,
                 seed: int | None = None, **base: Any) -> None:
        super().__init__(**base)
        self.rate = rate_arg(self, rate)
        self.noise_shape = None if noise_shape is None else \
            [None if d is None else int(d) for d in noise_shape]
        self.seed = seed
        self.supports_masking = True

    def mask_shape(self, inputs: Tensor) -> list[int] | None:
        """The shape of the random keep/drop mask for ``inputs`` (None: the input's shape)."""
        if self.noise_shape is None:
            return None
        if len(self.noise_shape) != inputs.rank:
            raise ValueError(f"{self.class_name} {self.name!r}: noise_shape {self.noise_shape} "
                             f"must have one entry per axis of the input {list(inputs.shape)}")
        return [size if d is None else d for d, size in zip(self.noise_shape, inputs.shape)]

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        if not training or not 0 < self.rate < 1:
            return inputs
        return ops.dropout(inputs, self.rate, self.mask_shape(inputs), self.seed)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed,
                **super().get_config()}


@register_class
class SpatialDropout1D(Dropout):
    """Dropout of whole feature channels of [batch, timesteps, channels] sequences.

    The mask has shape [batch, 1, channels]: a dropped channel is zero at every timestep
    (TF.js ``tf.layers.spatialDropout1d``). Inputs must have rank 3.

    >>> import minitf as tf
    >>> y = tf.layers.spatial_dropout1d(rate=0.5, seed=2).apply(tf.ones([1, 3, 4]), training=True)
    >>> all(row == y.array_sync()[0][0] for row in y.array_sync()[0])
    True
    """

    class_name = "SpatialDropout1D"
    input_rank = 3

    def __init__(self, rate: float, seed: int | None = None,
                 noise_shape: Sequence[int | None] | None = None, **base: Any) -> None:
        super().__init__(rate, seed=seed, **base)
        if noise_shape is not None:  # TF.js saves a null noise_shape for these layers
            raise ValueError(f"{self.class_name} {self.name!r}: the noise shape is fixed by the "
                             f"layer (whole channels); got noise_shape {noise_shape!r}")

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        check_rank(self, inputs.shape, self.input_rank)
        return super().call(inputs, training, **kwargs)

    def mask_shape(self, inputs: Tensor) -> list[int]:
        return [inputs.shape[0], 1, inputs.shape[2]]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        check_rank(self, input_shape, self.input_rank)
        return tuple(input_shape)


@register_class
class SpatialDropout2D(SpatialDropout1D):
    """Dropout of whole channels of [batch, rows, cols, channels] images (Keras
    ``SpatialDropout2D``; TF.js has no such layer).

    The mask has shape [batch, 1, 1, channels], or [batch, channels, 1, 1] with
    ``data_format='channelsFirst'``. Inputs must have rank 4.
    """

    class_name = "SpatialDropout2D"
    input_rank = 4

    def __init__(self, rate: float, data_format: str = "channels_last", seed: int | None = None,
                 **base: Any) -> None:
        super().__init__(rate, seed=seed, **base)
        self.data_format = data_format_arg(data_format, self)

    def mask_shape(self, inputs: Tensor) -> list[int]:
        batch, channels_first, *_, channels_last = inputs.shape
        if self.data_format == "channels_first":
            return [batch, channels_first, 1, 1]
        return [batch, 1, 1, channels_last]

    def get_config(self) -> dict[str, Any]:
        return {"data_format": self.data_format, **super().get_config()}


dropout = layer_factory(Dropout, "dropout")
spatial_dropout1d = layer_factory(SpatialDropout1D, "spatial_dropout1d")
spatial_dropout2d = layer_factory(SpatialDropout2D, "spatial_dropout2d")
