"""Embedding: integer ids -> learned dense vectors (TF.js ``tf.layers.embedding``)."""
from __future__ import annotations

import numbers
from typing import Any, Sequence

from .. import constraints, initializers, ops, regularizers
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, layer_factory

__all__ = ["embedding"]


def _positive_int(layer: Layer, value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"Embedding {layer.name!r}: {what} must be a positive int, got {value!r}")
    return int(value)


@register_class
class Embedding(Layer):
    """Look up row ``id`` of an [input_dim, output_dim] table for every id of the input.

    Input: ids of any shape [batch, ...], int32 or float (floats are truncated to int32, as in
    TF.js), each in [0, input_dim). Output: [batch, ..., output_dim] float32. The table starts
    uniform in [-0.05, 0.05) (TF.js ``randomUniform``). With ``mask_zero=True`` id 0 means
    padding: the layer passes the mask ``ids != 0`` on to the next layers (an RNN then skips
    those steps), so 0 cannot be a real id. ``input_length`` (an int, or a list for rank > 2
    ids) fixes the input's shape; like TF.js, an Embedding always knows its batch input shape
    ([None, input_length], or [None, None] without one), so it can start a Sequential model.

    >>> import minitf as tf
    >>> layer = tf.layers.embedding(input_dim=10, output_dim=3)
    >>> layer.apply(tf.tensor([[1, 2, 9]], dtype='int32')).shape
    (1, 3, 3)
    """

    class_name = "Embedding"

    def __init__(self, input_dim: int, output_dim: int,
                 embeddings_initializer: Any = "random_uniform",
                 embeddings_regularizer: Any = None, activity_regularizer: Any = None,
                 embeddings_constraint: Any = None, mask_zero: bool = False,
                 input_length: int | Sequence[int | None] | None = None, **base: Any) -> None:
        if base.get("batch_input_shape") is None and base.get("input_shape") is None:
            lengths = [None] if input_length is None else _as_list(input_length)
            base["batch_input_shape"] = [base.pop("batch_size", None), *lengths]
        super().__init__(**base)
        self.input_dim = _positive_int(self, input_dim, "input_dim")
        self.output_dim = _positive_int(self, output_dim, "output_dim")
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length
        self.embeddings: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        self.embeddings = self.add_weight("embeddings", [self.input_dim, self.output_dim],
                                          self.dtype, self.embeddings_initializer,
                                          self.embeddings_regularizer, True,
                                          self.embeddings_constraint)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        ids = inputs if inputs.dtype == "int32" else ops.cast(inputs, "int32")
        self.compute_output_shape(ids.shape)  # checks the shape against input_length
        return ops.gather(self.embeddings, ids)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor | None:
        """``inputs != 0`` when ``mask_zero``: True where an id is real, False for padding."""
        return ops.not_equal(inputs, 0) if self.mask_zero else None

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if self.input_length is None:
            return (*input_shape, self.output_dim)
        lengths = _as_list(self.input_length)
        if len(lengths) != len(input_shape) - 1 or any(
                want is not None and got is not None and want != got
                for want, got in zip(lengths, input_shape[1:])):
            raise ValueError(f"Embedding {self.name!r}: input_length is {self.input_length}, but "
                             f"the input has shape {list(input_shape)}")
        known = [got if want is None else want for want, got in zip(lengths, input_shape[1:])]
        return (input_shape[0], *known, self.output_dim)

    def get_config(self) -> dict[str, Any]:
        return {"input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero, "input_length": self.input_length,
                **super().get_config()}


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


embedding = layer_factory(Embedding, "embedding")
