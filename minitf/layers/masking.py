"""Masking: mark the timesteps whose features all equal ``mask_value`` as padding."""
from __future__ import annotations

import numbers
from typing import Any

from .. import ops
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, layer_factory

__all__ = ["masking"]


@register_class
class Masking(Layer):
    """Skip padded timesteps: a step is padding when all its features equal ``mask_value``.

    Input [batch, timesteps, features] (any rank >= 2; the last axis holds the features).
    The output is the input with padded steps set to 0, i.e. ``x * any(x != mask_value, -1)``,
    and the layer passes the mask ``any(x != mask_value, -1)`` ([batch, timesteps], True for
    real steps) to the following layers, so an RNN keeps its state across the padding
    (TF.js ``tf.layers.masking``).

    >>> import minitf as tf
    >>> x = tf.tensor([[[1.0, 2.0], [0.0, 0.0]]])
    >>> tf.layers.masking().compute_mask(x).array_sync()
    [[True, False]]
    """

    class_name = "Masking"
    keeps_input_dtype = True

    def __init__(self, mask_value: float = 0.0, **base: Any) -> None:
        super().__init__(**base)
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Real):
            raise ValueError(f"Masking {self.name!r}: mask_value must be a number, got "
                             f"{mask_value!r}")
        self.mask_value = mask_value
        self.supports_masking = True

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        keep = ops.any(ops.not_equal(inputs, self.mask_value), -1, keep_dims=True)
        return ops.mul(inputs, ops.cast(keep, inputs.dtype))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor:
        """True for the steps that hold at least one feature different from ``mask_value``."""
        return ops.any(ops.not_equal(inputs, self.mask_value), -1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {"mask_value": self.mask_value, **super().get_config()}


masking = layer_factory(Masking, "masking")
