"""Dense: ``activation(inputs @ kernel + bias)`` over the last axis (TF.js ``tf.layers.dense``)."""
from __future__ import annotations

from typing import Any

from .. import activations, constraints, initializers, ops, regularizers
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, layer_factory

__all__ = ["dense"]


@register_class
class Dense(Layer):
    """A fully connected layer: kernel [in, units], optional bias [units], then the activation.

    Inputs of rank > 2 are multiplied along their last axis. TF.js defaults: kernel
    ``glorot_normal`` (a truncated normal), bias ``zeros``, activation linear.

    >>> import minitf as tf
    >>> tf.layers.dense(units=3).apply(tf.ones([2, 4])).shape
    (2, 3)
    """

    class_name = "Dense"

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_normal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **base: Any) -> None:
        super().__init__(**base)
        if int(units) < 1:
            raise ValueError(f"Dense {self.name!r}: units must be a positive int, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense {self.name!r}: the last input dimension must be known, got "
                             f"shape {list(input_shape)}")
        self.kernel = self.add_weight("kernel", [in_dim, self.units], "float32",
                                      self.kernel_initializer, self.kernel_regularizer, True,
                                      self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.units], "float32", self.bias_initializer,
                                        self.bias_regularizer, True, self.bias_constraint)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        if inputs.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"Dense {self.name!r}: expected inputs with last dimension "
                             f"{self.kernel.shape[0]}, got shape {list(inputs.shape)}")
        if inputs.rank > 2:  # multiply along the last axis of a batch of sequences or images
            flat = ops.reshape(inputs, [-1, inputs.shape[-1]])
            out = ops.reshape(ops.matmul(flat, self.kernel), [*inputs.shape[:-1], self.units])
        else:
            out = ops.matmul(inputs, self.kernel)
        if self.use_bias:
            out = ops.add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {"units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                **super().get_config()}


dense = layer_factory(Dense, "dense")
