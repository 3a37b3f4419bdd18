"""Activation: a named activation function as a layer (TF.js ``tf.layers.activation``)."""
from __future__ import annotations

from typing import Any

from .. import activations
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, layer_factory

__all__ = ["activation"]


@register_class
class Activation(Layer):
    """Apply ``activation`` ('relu', 'softmax', 'hardSigmoid', ...) to the input.

    The same functions a Dense or Conv layer takes as ``activation``, as a layer of its own: useful
    to insert one after a layer built without it (a BatchNormalization between a Conv2D and its
    relu). Any shape; the output has the input's shape. Masks pass through unchanged.

    >>> import minitf as tf
    >>> tf.layers.activation(activation='relu').apply(tf.tensor([[-1.0, 2.0]])).array_sync()
    [[0.0, 2.0]]
    """

    class_name = "Activation"

    def __init__(self, activation: Any = None, **base: Any) -> None:
        super().__init__(**base)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {"activation": activations.serialize(self.activation), **super().get_config()}


activation = layer_factory(Activation, "activation")
