"""Pooling layers: MaxPooling1D/2D, AveragePooling1D/2D and their global forms (TF.js
``tf.layers.maxPooling2d``, ``averagePooling2d``, ``globalAveragePooling2d``...).

``_Pooling`` reads pool_size, strides (default: pool_size, so windows do not overlap), padding
and data format, and computes shapes; a subclass only names its op. Padded cells never count:
max ignores them and average divides by the number of real cells, as TF.js does.
``_GlobalPooling`` reduces all the steps or pixels of each channel to one number.
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar, Sequence

from .. import ops
from ..ops import pool
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, check_rank, data_format_arg, layer_factory
from .conv import (conv_output_length, from_channels_last, int_tuple, padding_arg, to_channels_last)

__all__ = ["max_pooling1d", "max_pooling2d", "max_pool1d", "max_pool2d", "average_pooling1d",
           "average_pooling2d", "avg_pool1d", "avg_pool2d", "avg_pooling1d", "avg_pooling2d",
           "global_average_pooling1d", "global_average_pooling2d", "global_max_pooling1d",
           "global_max_pooling2d", "global_max_pool1d", "global_max_pool2d"]


class _Pooling(Layer):
    """Shared by the windowed pooling layers (TF.js Pooling1D/Pooling2D)."""

    rank: ClassVar[int] = 2
    pool_op: ClassVar[Callable[..., Tensor]]  # (x, pool_size, strides, padding) on channels-last x

    def __init__(self, pool_size: int | Sequence[int] | None = None,
                 strides: int | Sequence[int] | None = None, padding: str = "valid",
                 data_format: str | None = None, **base: Any) -> None:
        super().__init__(**base)
        self.pool_size = int_tuple(2 if pool_size is None else pool_size, self.rank, "pool_size",
                                   self)
        self.strides = (self.pool_size if strides is None
                        else int_tuple(strides, self.rank, "strides", self))
        self.padding = padding_arg(padding, self)
        self.data_format = data_format_arg(data_format, self)
        if self.rank == 1 and self.data_format != "channels_last":
            raise ValueError(f"{self.class_name} {self.name!r}: only data_format 'channelsLast' "
                             "is supported, as in TF.js")

    def _split(self, shape: Sequence[Any]) -> list[Any]:
        """The spatial sizes of an input shape, after checking its rank."""
        first = self.data_format == "channels_first"
        layout = ("[batch, steps, channels]" if self.rank == 1 else
                  "[batch, channels, height, width]" if first else
                  "[batch, height, width, channels]")
        check_rank(self, shape, self.rank + 2, layout)
        return list(shape[2:] if first else shape[1:-1])

    def build(self, input_shape: Any) -> None:
        self.compute_output_shape(input_shape)  # checks the rank and the sizes, naming the layer

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        self.compute_output_shape(inputs.shape)
        size, strides = self.pool_size, self.strides
        if self.rank == 1:
            size, strides = size[0], strides[0]
        x = to_channels_last(inputs, self.data_format)
        return from_channels_last(self.pool_op(x, size, strides, self.padding),
                                  self.data_format)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        spatial = self._split(shape)
        out = [conv_output_length(n, k, self.padding, s)
               for n, k, s in zip(spatial, self.pool_size, self.strides)]
        if any(length is not None and length < 1 for length in out):
            raise ValueError(f"{self.class_name} {self.name!r}: pool_size {list(self.pool_size)} "
                             f"is larger than the input {list(shape)} with padding 'valid'; use "
                             "padding='same' or a smaller pool_size")
        if self.data_format == "channels_first":
            return (*shape[:2], *out)
        return (shape[0], *out, shape[-1])

    def get_config(self) -> dict[str, Any]:
        config = {"pool_size": list(self.pool_size), "padding": self.padding,
                  "strides": list(self.strides)}
        if self.rank == 2:  # TF.js's 1-D pooling configs have no data_format
            config["data_format"] = self.data_format
        return {**config, **super().get_config()}


@register_class
class MaxPooling1D(_Pooling):
    """The largest value of each window of ``pool_size`` steps, per channel:
    [batch, steps, channels] -> [batch, new_steps, channels] (TF.js ``tf.layers.maxPooling1d``).

    >>> import minitf as tf
    >>> tf.layers.max_pooling1d(pool_size=2).apply(tf.ones([1, 6, 3])).shape
    (1, 3, 3)
    """

    class_name = "MaxPooling1D"
    rank = 1
    pool_op = staticmethod(pool.max_pool1d)


@register_class
class AveragePooling1D(_Pooling):
    """The mean of each window of ``pool_size`` steps, per channel (TF.js
    ``tf.layers.averagePooling1d``)."""

    class_name = "AveragePooling1D"
    rank = 1
    pool_op = staticmethod(pool.avg_pool1d)


@register_class
class MaxPooling2D(_Pooling):
    """The largest value of each pool_size window, per channel: [batch, h, w, c] ->
    [batch, new_h, new_w, c] (TF.js ``tf.layers.maxPooling2d``; pool_size [2, 2] and strides
    = pool_size by default).

    >>> import minitf as tf
    >>> tf.layers.max_pooling2d(pool_size=[2, 2]).apply(tf.ones([1, 24, 24, 32])).shape
    (1, 12, 12, 32)
    """

    class_name = "MaxPooling2D"
    pool_op = staticmethod(pool.max_pool)


@register_class
class AveragePooling2D(_Pooling):
    """The mean of each pool_size window, per channel, over its real (unpadded) cells (TF.js
    ``tf.layers.averagePooling2d``)."""

    class_name = "AveragePooling2D"
    pool_op = staticmethod(pool.avg_pool)


class _GlobalPooling(Layer):
    """Reduce every step (1-D) or pixel (2-D) of each channel to one number: [batch, ...,
    channels] -> [batch, channels] (TF.js GlobalPooling1D/2D)."""

    rank: ClassVar[int] = 2
    reduce_op: ClassVar[Callable[..., Tensor]]  # (x, axis) -> x reduced over axis

    def __init__(self, data_format: str | None = None, **base: Any) -> None:
        super().__init__(**base)
        self.data_format = data_format_arg(data_format, self)
        if self.rank == 1 and self.data_format != "channels_last":
            raise ValueError(f"{self.class_name} {self.name!r}: only data_format 'channelsLast' "
                             "is supported, as in TF.js")

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        self.compute_output_shape(inputs.shape)
        first = self.data_format == "channels_first"
        axes = list(range(2, inputs.rank) if first else range(1, inputs.rank - 1))
        return self.reduce_op(inputs, axes)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        check_rank(self, shape, self.rank + 2, "[batch, steps, channels]" if self.rank == 1 else
                   "[batch, height, width, channels] or [batch, channels, height, width]")
        return (shape[0], shape[1] if self.data_format == "channels_first" else shape[-1])

    def get_config(self) -> dict[str, Any]:
        if self.rank == 1:  # TF.js's 1-D global pooling configs have no data_format
            return super().get_config()
        return {"data_format": self.data_format, **super().get_config()}


@register_class
class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over all steps of each channel (TF.js ``tf.layers.globalAveragePooling1d``).

    >>> import minitf as tf
    >>> tf.layers.global_average_pooling1d().apply(tf.ones([2, 5, 3])).shape
    (2, 3)
    """

    class_name = "GlobalAveragePooling1D"
    rank = 1
    reduce_op = staticmethod(ops.mean)


@register_class
class GlobalMaxPooling1D(_GlobalPooling):
    """The largest value over all steps of each channel (TF.js ``tf.layers.globalMaxPooling1d``)."""

    class_name = "GlobalMaxPooling1D"
    rank = 1
    reduce_op = staticmethod(ops.max)


@register_class
class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over all pixels of each channel (TF.js ``tf.layers.globalAveragePooling2d``).

    >>> import minitf as tf
    >>> tf.layers.global_average_pooling2d().apply(tf.ones([2, 4, 4, 8])).shape
    (2, 8)
    """

    class_name = "GlobalAveragePooling2D"
    reduce_op = staticmethod(ops.mean)


@register_class
class GlobalMaxPooling2D(_GlobalPooling):
    """The largest value over all pixels of each channel (TF.js
    ``tf.layers.globalMaxPooling2d``)."""

    class_name = "GlobalMaxPooling2D"
    reduce_op = staticmethod(ops.max)


max_pooling1d = max_pool1d = layer_factory(MaxPooling1D, "max_pooling1d")
max_pooling2d = max_pool2d = layer_factory(MaxPooling2D, "max_pooling2d")
average_pooling1d = avg_pool1d = avg_pooling1d = layer_factory(AveragePooling1D,
                                                               "average_pooling1d")
average_pooling2d = avg_pool2d = avg_pooling2d = layer_factory(AveragePooling2D,
                                                               "average_pooling2d")
global_average_pooling1d = layer_factory(GlobalAveragePooling1D, "global_average_pooling1d")
global_average_pooling2d = layer_factory(GlobalAveragePooling2D, "global_average_pooling2d")
global_max_pooling1d = global_max_pool1d = layer_factory(GlobalMaxPooling1D,
                                                         "global_max_pooling1d")
global_max_pooling2d = global_max_pool2d = layer_factory(GlobalMaxPooling2D,
                                                         "global_max_pooling2d")
