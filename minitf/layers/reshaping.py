"""Layers that only move values around: Flatten, Reshape, Permute, RepeatVector.

None of them has weights or changes a value; their gradients are the inverse rearrangement.
Like TF.js, they keep the batch axis (axis 0) apart: shapes in their configs exclude it, and
Permute counts the other axes from 1.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

from .. import ops
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, check_rank, data_format_arg, layer_factory

__all__ = ["flatten", "reshape", "permute", "repeat_vector"]

@register_class
class Flatten(Layer):
    """[batch, d1, d2, ...] -> [batch, d1 * d2 * ...]: the bridge from conv layers to Dense.

    With ``data_format='channelsFirst'`` the channel axis (axis 1) is moved last before
    flattening, so the order of values matches a channels-last model's (what Keras does when
    converting weights between the two formats). Inputs need rank >= 3, as in TF.js.

    >>> import minitf as tf
    >>> tf.layers.flatten().apply(tf.zeros([2, 3, 4])).shape
    (2, 12)
    """

    class_name = "Flatten"
    keeps_input_dtype = True

    def __init__(self, data_format: str | None = None, **base: Any) -> None:
        super().__init__(**base)
        self.data_format = None if data_format is None else data_format_arg(data_format, self)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        check_rank(self, inputs.shape, 3, at_least=True)
        if self.data_format == "channels_first":
            inputs = ops.transpose(inputs, [0, *range(2, inputs.rank), 1])
        return ops.reshape(inputs, [inputs.shape[0], math.prod(inputs.shape[1:])])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        check_rank(self, input_shape, 3, at_least=True)
        if any(d is None for d in input_shape[1:]):
            raise ValueError(f"Flatten {self.name!r}: the input shape must be fully known apart "
                             f"from the batch, got {list(input_shape)}; give the first layer of "
                             "the model a complete input_shape")
        return (input_shape[0], math.prod(input_shape[1:]))

    def get_config(self) -> dict[str, Any]:
        config = {} if self.data_format is None else {"data_format": self.data_format}
        return {**config, **super().get_config()}


@register_class
class Reshape(Layer):
    """Reshape every example to ``target_shape`` (the batch axis is kept).

    One entry of ``target_shape`` may be -1 (or None): it is inferred from the input's size.
    As in TF.js, the saved config writes it as null, and the symbolic output shape leaves it
    unknown (None) because the batch size is unknown.

    >>> import minitf as tf
    >>> tf.layers.reshape(target_shape=[-1, 2]).apply(tf.zeros([3, 4, 3])).shape
    (3, 6, 2)
    """

    class_name = "Reshape"
    keeps_input_dtype = True

    def __init__(self, target_shape: Sequence[int | None], **base: Any) -> None:
        super().__init__(**base)
        if not isinstance(target_shape, (list, tuple)):
            raise TypeError(f"Reshape {self.name!r}: target_shape must be a list of ints, got "
                            f"{target_shape!r}")
        self.target_shape = tuple(None if d is None or d < 0 else int(d) for d in target_shape)
        if self.target_shape.count(None) > 1:
            raise ValueError(f"Reshape {self.name!r}: target_shape {list(target_shape)} may have "
                             "only one unknown (-1 or None) dimension")

    def _resolve(self, example_shape: Sequence[int]) -> list[int]:
        """target_shape with its unknown entry filled in for examples of ``example_shape``."""
        size = math.prod(example_shape)
        known = math.prod(d for d in self.target_shape if d is not None)
        resolved = list(self.target_shape)
        if None in resolved and known != 0 and size % known == 0:
            resolved[resolved.index(None)] = size // known
        if None in resolved or math.prod(resolved) != size:
            shown = [-1 if d is None else d for d in self.target_shape]
            raise ValueError(f"Reshape {self.name!r}: cannot reshape examples of shape "
                             f"{list(example_shape)} ({size} values) to {shown}: total size of "
                             "new array must be unchanged")
        return resolved

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        return ops.reshape(inputs, [inputs.shape[0], *self._resolve(inputs.shape[1:])])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if any(d is None for d in input_shape):  # TF.js: the unknown batch hides the -1 too
            return (input_shape[0], *self.target_shape)
        return (input_shape[0], *self._resolve(input_shape[1:]))

    def get_config(self) -> dict[str, Any]:
        return {"target_shape": list(self.target_shape), **super().get_config()}


@register_class
class Permute(Layer):
    """Reorder the non-batch axes: ``dims`` lists them counted from 1, as in TF.js and Keras.

    ``dims=[2, 1]`` swaps the two axes of [batch, time, features] (a transpose per example).

    >>> import minitf as tf
    >>> tf.layers.permute(dims=[2, 1]).apply(tf.zeros([5, 3, 4])).shape
    (5, 4, 3)
    """

    class_name = "Permute"
    keeps_input_dtype = True

    def __init__(self, dims: Sequence[int], **base: Any) -> None:
        super().__init__(**base)
        if not isinstance(dims, (list, tuple)) or \
                sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute {self.name!r}: dims must list the axes 1..n once each "
                             f"(the batch axis 0 excluded), got {dims!r}")
        self.dims = [int(d) for d in dims]

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        check_rank(self, inputs.shape, len(self.dims) + 1)
        return ops.transpose(inputs, [0, *self.dims])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        check_rank(self, input_shape, len(self.dims) + 1)
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict[str, Any]:
        return {"dims": list(self.dims), **super().get_config()}


@register_class
class RepeatVector(Layer):
    """[batch, features] -> [batch, n, features]: each vector repeated ``n`` times.

    The usual bridge from an encoder's last state to a decoder RNN that needs a sequence.

    >>> import minitf as tf
    >>> tf.layers.repeat_vector(n=3).apply(tf.zeros([2, 4])).shape
    (2, 3, 4)
    """

    class_name = "RepeatVector"
    keeps_input_dtype = True

    def __init__(self, n: int, **base: Any) -> None:
        super().__init__(**base)
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"RepeatVector {self.name!r}: n must be a positive int, got {n!r}")
        self.n = int(n)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        check_rank(self, inputs.shape, 2)
        return ops.tile(ops.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        check_rank(self, input_shape, 2)
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict[str, Any]:
        return {"n": self.n, **super().get_config()}


flatten = layer_factory(Flatten, "flatten")
reshape = layer_factory(Reshape, "reshape")
permute = layer_factory(Permute, "permute")
repeat_vector = layer_factory(RepeatVector, "repeat_vector")
