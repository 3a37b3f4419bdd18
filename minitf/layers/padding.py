"""Layers that change an image's height and width without weights: ZeroPadding2D, Cropping2D
and UpSampling2D (TF.js ``tf.layers.zeroPadding2d``, ``cropping2D``, ``upSampling2d``).

Each works on channels-last images [batch, height, width, channels] or, with
``data_format='channelsFirst'``, on [batch, channels, height, width].
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, check_rank, data_format_arg, layer_factory
from .conv import from_channels_last, int_tuple, to_channels_last

__all__ = ["zero_padding2d", "cropping2d", "up_sampling2d"]

Sides = tuple[tuple[int, int], tuple[int, int]]  # ((top, bottom), (left, right))


def _sides(value: Any, what: str, layer: Layer) -> Sides:
    """An int (all four sides), [height, width] (each side of an axis alike) or
    [[top, bottom], [left, right]], as TF.js reads ZeroPadding2D's padding and Cropping2D's
    cropping."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, (list, tuple)) for v in value):
        rows = [int_tuple(v, 2, what, layer, minimum=0) for v in value]
    else:
        height, width = int_tuple(value, 2, what, layer, minimum=0)
        rows = [(height, height), (width, width)]
    return rows[0], rows[1]


class _Spatial2D(Layer):
    """Shared by the three layers: the data format and the [height, width] axes."""

    def __init__(self, data_format: str | None = None, **base: Any) -> None:
        super().__init__(**base)
        self.data_format = data_format_arg(data_format, self)

    def _hw_axes(self, shape: Any) -> tuple[int, int]:
        check_rank(self, shape, 4, "[batch, channels, height, width]"
                   if self.data_format == "channels_first" else "[batch, height, width, channels]")
        return (2, 3) if self.data_format == "channels_first" else (1, 2)

    def _resized(self, input_shape: Any, new_size: Any) -> tuple:
        """``input_shape`` with height and width replaced by ``new_size(size, axis)``."""
        shape = list(input_shape)
        for axis, index in enumerate(self._hw_axes(shape)):
            shape[index] = None if shape[index] is None else new_size(shape[index], axis)
        return tuple(shape)

    def build(self, input_shape: Any) -> None:
        self.compute_output_shape(input_shape)  # checks the rank and the sizes, naming the layer

    def get_config(self) -> dict[str, Any]:
        return {"data_format": self.data_format, **super().get_config()}


@register_class
class ZeroPadding2D(_Spatial2D):
    """Add rows and columns of zeros around each image (TF.js ``tf.layers.zeroPadding2d``).

    ``padding``: an int for every side, [height, width] for symmetric padding, or
    [[top, bottom], [left, right]]; default 1 on every side.

    >>> import minitf as tf
    >>> tf.layers.zero_padding2d(padding=[[1, 0], [0, 2]]).apply(tf.ones([1, 3, 4, 2])).shape
    (1, 4, 6, 2)
    """

    class_name = "ZeroPadding2D"

    def __init__(self, padding: Any = None, data_format: str | None = None, **base: Any) -> None:
        super().__init__(data_format, **base)
        self.padding = _sides(1 if padding is None else padding, "padding", self)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        pads = [[0, 0], [0, 0], [0, 0], [0, 0]]
        for sides, axis in zip(self.padding, self._hw_axes(inputs.shape)):
            pads[axis] = list(sides)
        return ops.pad(inputs, pads)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._resized(input_shape, lambda n, axis: n + sum(self.padding[axis]))

    def get_config(self) -> dict[str, Any]:
        return {"padding": [list(p) for p in self.padding], **super().get_config()}


@register_class
class Cropping2D(_Spatial2D):
    """Cut rows and columns off the edges of each image (TF.js ``tf.layers.cropping2D``).

    ``cropping``: an int for every side, [height, width] for symmetric cropping, or
    [[top, bottom], [left, right]].

    >>> import minitf as tf
    >>> tf.layers.cropping2d(cropping=[[1, 0], [2, 1]]).apply(tf.ones([1, 4, 5, 2])).shape
    (1, 3, 2, 2)
    """

    class_name = "Cropping2D"

    def __init__(self, cropping: Any, data_format: str | None = None, **base: Any) -> None:
        super().__init__(data_format, **base)
        self.cropping = _sides(cropping, "cropping", self)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        out_shape = self.compute_output_shape(inputs.shape)
        begin = [0, 0, 0, 0]
        for (before, _), axis in zip(self.cropping, self._hw_axes(inputs.shape)):
            begin[axis] = before
        return ops.slice(inputs, begin, out_shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        def cropped(n: int, axis: int) -> int:
            if n - sum(self.cropping[axis]) < 1:
                raise ValueError(f"Cropping2D {self.name!r}: cropping {self.cropping[axis]} "
                                 f"leaves nothing of size {n} (input shape {list(input_shape)})")
            return n - sum(self.cropping[axis])

        return self._resized(input_shape, cropped)

    def get_config(self) -> dict[str, Any]:
        return {"cropping": [list(c) for c in self.cropping], **super().get_config()}


@register_class
class UpSampling2D(_Spatial2D):
    """Enlarge each image ``size`` = [sh, sw] times, repeating pixels ('nearest', the default)
    or interpolating between them ('bilinear') (TF.js ``tf.layers.upSampling2d``).

    Source positions follow TF.js's resize ops (no corner alignment, no half-pixel centres):
    output row r reads input row r * h / (h * sh).

    >>> import minitf as tf
    >>> tf.layers.up_sampling2d(size=[3, 2]).apply(tf.ones([1, 2, 3, 4])).shape
    (1, 6, 6, 4)
    """

    class_name = "UpSampling2D"

    def __init__(self, size: Any = (2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **base: Any) -> None:
        super().__init__(data_format, **base)
        self.size = int_tuple(size, 2, "size", self)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D {self.name!r}: interpolation must be 'nearest' or "
                             f"'bilinear', got {interpolation!r}")
        self.interpolation = interpolation

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        self._hw_axes(inputs.shape)
        y = to_channels_last(inputs, self.data_format)
        for axis in (2, 1):  # the width first, then the height, as TF.js's bilinear kernel
            y = self._resize(y, axis, y.shape[axis] * self.size[axis - 1])
        return from_channels_last(y, self.data_format)

    def _resize(self, x: Tensor, axis: int, size: int) -> Tensor:
        position = np.arange(size) * (x.shape[axis] / size)
        low = np.floor(position)
        if self.interpolation == "nearest":
            return ops.gather(x, low.astype(np.int32), axis)
        high = np.minimum(np.ceil(position), x.shape[axis] - 1).astype(np.int32)
        frac = np.reshape(position - low, [size if a == axis else 1 for a in range(4)])
        a, b = ops.gather(x, low.astype(np.int32), axis), ops.gather(x, high, axis)
        return ops.add(a, ops.mul(ops.sub(b, a), ops.tensor(frac, dtype=x.dtype)))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._resized(input_shape, lambda n, axis: n * self.size[axis])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        return {"size": list(self.size), "data_format": config.pop("data_format"),
                "interpolation": self.interpolation, **config}


zero_padding2d = layer_factory(ZeroPadding2D, "zero_padding2d")
cropping2d = layer_factory(Cropping2D, "cropping2d")
up_sampling2d = layer_factory(UpSampling2D, "up_sampling2d")
