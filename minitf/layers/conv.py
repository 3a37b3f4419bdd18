"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D (TF.js
``tf.layers.conv1d``, ``conv2d``, ``conv2dTranspose``, ``depthwiseConv2d``, ``separableConv2d``).

``_Conv`` holds what they share: the kernel size, strides, padding, data format and dilation
read from the config, one ``build`` that adds the kernels a subclass lists plus the bias, one
``call`` (convolve, add the bias, activation) and one ``compute_output_shape``. A subclass names
its kernels and its convolution op; that is all. Images are channels-last
``[batch, height, width, channels]`` as in TF.js; ``data_format='channelsFirst'`` runs the same
ops between two transposes, as TF.js does. The helpers here are shared with pooling and padding.
"""
from __future__ import annotations

import numbers
from typing import Any, ClassVar, Sequence

from .. import activations, constraints, initializers, ops, regularizers
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, check_rank, data_format_arg, layer_factory

__all__ = ["conv1d", "conv2d", "conv2d_transpose", "depthwise_conv2d", "separable_conv2d"]


# -- helpers shared by the conv, pooling and padding layers ----------------------------------------
def int_tuple(value: Any, n: int, what: str, layer: Layer, minimum: int = 1) -> tuple[int, ...]:
    """``value`` as n ints >= ``minimum``: an int is repeated n times (TF.js normalizeArray)."""
    items = [value] * n if _is_int(value) else value
    try:
        items = list(items)
        ok = len(items) == n and all(_is_int(v) and v >= minimum for v in items)
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"{layer.class_name} {layer.name!r}: {what} must be an int >= {minimum} "
                         f"or a list of {n} of them, got {value!r}")
    return tuple(int(v) for v in items)


def positive_int(value: Any, what: str, layer: Layer) -> int:
    """``value`` as an int > 0, or a ValueError naming ``layer``."""
    if not (_is_int(value) and value > 0):
        raise ValueError(f"{layer.class_name} {layer.name!r}: {what} must be an int > 0, got "
                         f"{value!r}")
    return int(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)



def padding_arg(value: str, layer: Layer) -> str:
    """'valid' or 'same'. TF.js also lists 'causal' but no layer of it implements that."""
    if value not in ("valid", "same"):
        raise ValueError(f"{layer.class_name} {layer.name!r}: padding must be 'valid' or 'same', "
                         f"got {value!r}")
    return value


def conv_output_length(size: int | None, kernel: int, padding: str, stride: int,
                       dilation: int = 1) -> int | None:
    """Output length of a convolution or pooling window along one axis (TF.js
    convOutputLength): ``ceil(size / stride)`` for 'same', ``ceil((size - span + 1) / stride)``
    for 'valid', where ``span = (kernel - 1) * dilation + 1``. None stays None."""
    if size is None:
        return None
    span = (kernel - 1) * dilation + 1
    length = size if padding == "same" else size - span + 1
    return (length + stride - 1) // stride


def to_channels_last(x: Tensor, data_format: str) -> Tensor:
    """[batch, channels, *spatial] -> [batch, *spatial, channels] for channels_first data."""
    if data_format == "channels_last":
        return x
    return ops.transpose(x, [0, *range(2, x.rank), 1])


def from_channels_last(y: Tensor, data_format: str) -> Tensor:
    """The inverse of :func:`to_channels_last`."""
    if data_format == "channels_last":
        return y
    return ops.transpose(y, [0, y.rank - 1, *range(1, y.rank - 1)])


# -- the family base -------------------------------------------------------------------------------
class _Conv(Layer):
    """Shared by every convolution layer (TF.js BaseConv). Subclasses set ``rank``, list their
    kernels in ``_kernel_specs``, run their op in ``_convolve`` and say how many channels come
    out in ``_output_channels``."""

    rank: ClassVar[int] = 2
    has_dilation: ClassVar[bool] = True

    def __init__(self, kernel_size: int | Sequence[int], strides: int | Sequence[int] = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: int | Sequence[int] = 1, activation: Any = None,
                 use_bias: bool = True, bias_initializer: Any = "zeros",
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 bias_constraint: Any = None, **base: Any) -> None:
        super().__init__(**base)
        self.kernel_size = int_tuple(kernel_size, self.rank, "kernel_size", self)
        self.strides = int_tuple(strides, self.rank, "strides", self)
        self.padding = padding_arg(padding, self)
        self.data_format = data_format_arg(data_format, self)
        self.dilation_rate = int_tuple(dilation_rate, self.rank, "dilation_rate", self)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{self.class_name} {self.name!r}: strides {list(self.strides)} and "
                             f"dilation_rate {list(self.dilation_rate)} cannot both be > 1")
        if not self.has_dilation and max(self.dilation_rate) > 1:
            raise ValueError(f"{self.class_name} {self.name!r}: dilation_rate is not supported")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        self.bias: Tensor | None = None

    def _kernel_specs(self, in_channels: int) -> list[tuple[str, list[int], Any, Any, Any]]:
        """(name, shape, initializer, regularizer, constraint) of each kernel, in TF.js order."""
        raise NotImplementedError

    def _convolve(self, x: Tensor) -> Tensor:
        """The convolution of channels-last ``x`` with the kernels (no bias, no activation)."""
        raise NotImplementedError

    def _output_channels(self, in_channels: int | None) -> int | None:
        raise NotImplementedError

    def _output_length(self, size: int | None, axis: int) -> int | None:
        return conv_output_length(size, self.kernel_size[axis], self.padding, self.strides[axis],
                                  self.dilation_rate[axis])

    def _split(self, shape: Sequence[Any]) -> tuple[Any, list[Any]]:
        """(channels, spatial sizes) of an input shape, after checking its rank."""
        layout = "[batch, " + ("steps" if self.rank == 1 else "height, width") + ", channels]"
        if self.data_format == "channels_first":
            layout = "[batch, channels, height, width]"
        check_rank(self, shape, self.rank + 2, layout)
        if self.data_format == "channels_first":
            return shape[1], list(shape[2:])
        return shape[-1], list(shape[1:-1])

    def build(self, input_shape: Any) -> None:
        self.compute_output_shape(input_shape)  # checks the rank and the sizes, naming the layer
        in_channels, _ = self._split(tuple(input_shape))
        if in_channels is None:
            raise ValueError(f"{self.class_name} {self.name!r}: the channel dimension of the "
                             f"inputs must be known, got shape {list(input_shape)}")
        for name, shape, init, reg, constraint in self._kernel_specs(in_channels):
            setattr(self, name, self.add_weight(name, shape, "float32", init, reg, True,
                                                constraint))
        if self.use_bias:
            self.bias = self.add_weight("bias", [self._output_channels(in_channels)], "float32",
                                        self.bias_initializer, self.bias_regularizer, True,
                                        self.bias_constraint)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        self.compute_output_shape(inputs.shape)
        x = to_channels_last(inputs, self.data_format)
        fused = self._fused_activation()
        if fused is not None:  # convolution, bias and activation in one kernel
            y = ops.fused.conv2d(x, self.kernel, self.strides, self.padding, "NHWC",
                                 self.dilation_rate, bias=self.bias, activation=fused)
            return from_channels_last(y, self.data_format)
        y = self._convolve(x)
        if self.use_bias:
            y = ops.add(y, self.bias)
        return self.activation(from_channels_last(y, self.data_format))

    def _fused_activation(self) -> str | None:
        """The activation's name when ``tf.fused.conv2d`` can run this layer, else None."""
        return None

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        channels, spatial = self._split(shape)
        out = [self._output_length(size, axis) for axis, size in enumerate(spatial)]
        for axis, (size, length) in enumerate(zip(spatial, out)):
            if length is not None and length < 1:
                raise ValueError(
                    f"{self.class_name} {self.name!r}: the kernel ({self.kernel_size[axis]}, "
                    f"dilation {self.dilation_rate[axis]}) is larger than the input "
                    f"(size {size} on spatial axis {axis} of shape {list(shape)}) with padding "
                    f"'{self.padding}'; use padding='same' or a smaller kernel")
        if self.data_format == "channels_first":
            return (shape[0], self._output_channels(channels), *out)
        return (shape[0], *out, self._output_channels(channels))

    def get_config(self) -> dict[str, Any]:
        return {"kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate),
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                **super().get_config()}


class _FilterConv(_Conv):
    """A convolution with ``filters`` output channels and one ``kernel`` (TF.js Conv)."""

    def __init__(self, filters: int, kernel_size: int | Sequence[int],
                 kernel_initializer: Any = "glorot_normal", kernel_regularizer: Any = None,
                 kernel_constraint: Any = None, **conv: Any) -> None:
        super().__init__(kernel_size, **conv)
        self.filters = positive_int(filters, "filters", self)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.kernel: Tensor | None = None

    def _kernel_specs(self, in_channels: int) -> list[tuple[str, list[int], Any, Any, Any]]:
        return [("kernel", [*self.kernel_size, in_channels, self.filters],
                 self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint)]

    def _output_channels(self, in_channels: int | None) -> int:
        return self.filters

    def get_config(self) -> dict[str, Any]:
        return {"filters": self.filters,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                **super().get_config()}


# -- the layers ------------------------------------------------------------------------------------
@register_class
class Conv1D(_FilterConv):
    """1-D convolution over sequences [batch, steps, channels] -> [batch, new_steps, filters];
    kernel [kernel_size, channels, filters] (TF.js ``tf.layers.conv1d``). Channels last only,
    as in TF.js (its config has no data_format).

    >>> import minitf as tf
    >>> tf.layers.conv1d(filters=4, kernel_size=3).apply(tf.ones([2, 10, 3])).shape
    (2, 8, 4)
    """

    class_name = "Conv1D"
    rank = 1

    def __init__(self, filters: int, kernel_size: int | Sequence[int], **conv: Any) -> None:
        super().__init__(filters, kernel_size, **conv)
        if self.data_format != "channels_last":
            raise ValueError(f"Conv1D {self.name!r}: only data_format 'channelsLast' is supported")

    def _convolve(self, x: Tensor) -> Tensor:
        return ops.conv1d(x, self.kernel, self.strides[0], self.padding, "NWC",
                          self.dilation_rate[0])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return config


@register_class
class Conv2D(_FilterConv):
    """2-D convolution over images [batch, height, width, channels] -> [batch, new_h, new_w,
    filters]; kernel [kh, kw, channels, filters] (TF.js ``tf.layers.conv2d``). Defaults: strides
    1, padding 'valid', kernel ``glorot_normal``, bias ``zeros``, no activation.

    >>> import minitf as tf
    >>> tf.layers.conv2d(filters=8, kernel_size=3).apply(tf.ones([1, 28, 28, 1])).shape
    (1, 26, 26, 8)
    """

    class_name = "Conv2D"

    def _convolve(self, x: Tensor) -> Tensor:
        return ops.conv2d(x, self.kernel, self.strides, self.padding, "NHWC", self.dilation_rate)

    def _fused_activation(self) -> str | None:
        name = self.activation.name
        if (type(self)._convolve is Conv2D._convolve and self.use_bias
                and name in ops.fused.ACTIVATIONS and self.activation is activations.get(name)):
            return name
        return None


@register_class
class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution, the gradient of a Conv2D with respect to its input: it
    upsamples [batch, h, w, channels] to [batch, h * s + max(k - s, 0), ..., filters] ('valid')
    or [batch, h * s, w * s, filters] ('same'). Kernel [kh, kw, filters, channels], note the
    order (TF.js ``tf.layers.conv2dTranspose``). No dilation, as in TF.js.

    >>> import minitf as tf
    >>> tf.layers.conv2d_transpose(filters=2, kernel_size=3, strides=2,
    ...                            padding='same').apply(tf.ones([1, 4, 4, 3])).shape
    (1, 8, 8, 2)
    """

    class_name = "Conv2DTranspose"
    has_dilation = False

    def _kernel_specs(self, in_channels: int) -> list[tuple[str, list[int], Any, Any, Any]]:
        return [("kernel", [*self.kernel_size, self.filters, in_channels],
                 self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint)]

    def _output_length(self, size: int | None, axis: int) -> int | None:
        if size is None:  # TF.js deconvLength
            return None
        stride, kernel = self.strides[axis], self.kernel_size[axis]
        return size * stride + (max(kernel - stride, 0) if self.padding == "valid" else 0)

    def _convolve(self, x: Tensor) -> Tensor:
        out_shape = [x.shape[0], *(self._output_length(x.shape[i + 1], i) for i in range(2)),
                     self.filters]
        return ops.conv2d_transpose(x, self.kernel, out_shape, self.strides, self.padding)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["dilation_rate"]
        return config


@register_class
class DepthwiseConv2D(_Conv):
    """Depthwise 2-D convolution: each input channel is convolved with its own
    ``depth_multiplier`` filters, [batch, h, w, c] -> [batch, new_h, new_w, c * depth_multiplier];
    depthwise_kernel [kh, kw, c, depth_multiplier] (TF.js ``tf.layers.depthwiseConv2d``).
    TF.js ignores dilation_rate in this layer; minitf applies it, as Keras does.

    >>> import minitf as tf
    >>> tf.layers.depthwise_conv2d(kernel_size=3, depth_multiplier=2).apply(
    ...     tf.ones([1, 5, 5, 3])).shape
    (1, 3, 3, 6)
    """

    class_name = "DepthwiseConv2D"

    def __init__(self, kernel_size: int | Sequence[int], depth_multiplier: int = 1,
                 depthwise_initializer: Any = "glorot_normal", depthwise_regularizer: Any = None,
                 depthwise_constraint: Any = None, **conv: Any) -> None:
        super().__init__(kernel_size, **conv)
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier", self)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.depthwise_kernel: Tensor | None = None

    def _kernel_specs(self, in_channels: int) -> list[tuple[str, list[int], Any, Any, Any]]:
        return [("depthwise_kernel", [*self.kernel_size, in_channels, self.depth_multiplier],
                 self.depthwise_initializer, self.depthwise_regularizer,
                 self.depthwise_constraint)]

    def _output_channels(self, in_channels: int | None) -> int | None:
        return None if in_channels is None else in_channels * self.depth_multiplier

    def _convolve(self, x: Tensor) -> Tensor:
        return ops.depthwise_conv2d(x, self.depthwise_kernel, self.strides, self.padding, "NHWC",
                                    self.dilation_rate)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "depthwise_constraint": constraints.serialize(self.depthwise_constraint)}


@register_class
class SeparableConv2D(DepthwiseConv2D):
    """A depthwise convolution, then a 1x1 convolution mixing the channels into ``filters``:
    depthwise_kernel [kh, kw, c, depth_multiplier], pointwise_kernel [1, 1, c * depth_multiplier,
    filters] (TF.js ``tf.layers.separableConv2d``; both kernels default to ``glorot_uniform``).
    The config also records depth_multiplier, which TF.js's omits.

    >>> import minitf as tf
    >>> tf.layers.separable_conv2d(filters=4, kernel_size=3).apply(tf.ones([1, 5, 5, 3])).shape
    (1, 3, 3, 4)
    """

    class_name = "SeparableConv2D"

    def __init__(self, filters: int, kernel_size: int | Sequence[int],
                 depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", pointwise_regularizer: Any = None,
                 pointwise_constraint: Any = None, **conv: Any) -> None:
        super().__init__(kernel_size, depthwise_initializer=depthwise_initializer, **conv)
        self.filters = positive_int(filters, "filters", self)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.pointwise_kernel: Tensor | None = None

    def _kernel_specs(self, in_channels: int) -> list[tuple[str, list[int], Any, Any, Any]]:
        return [*super()._kernel_specs(in_channels),
                ("pointwise_kernel", [1, 1, in_channels * self.depth_multiplier, self.filters],
                 self.pointwise_initializer, self.pointwise_regularizer,
                 self.pointwise_constraint)]

    def _output_channels(self, in_channels: int | None) -> int:
        return self.filters

    def _convolve(self, x: Tensor) -> Tensor:
        return ops.separable_conv2d(x, self.depthwise_kernel, self.pointwise_kernel,
                                    self.strides, self.padding, self.dilation_rate, "NHWC")

    def get_config(self) -> dict[str, Any]:
        return {"filters": self.filters, **super().get_config(),
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
                "pointwise_constraint": constraints.serialize(self.pointwise_constraint)}


conv1d = layer_factory(Conv1D, "conv1d")
conv2d = layer_factory(Conv2D, "conv2d")
conv2d_transpose = layer_factory(Conv2DTranspose, "conv2d_transpose")
depthwise_conv2d = layer_factory(DepthwiseConv2D, "depthwise_conv2d")
separable_conv2d = layer_factory(SeparableConv2D, "separable_conv2d")
