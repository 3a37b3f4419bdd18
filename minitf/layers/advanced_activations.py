"""Activation layers with parameters: ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax.

Unlike ``tf.layers.activation``, these carry a setting (a cap, a slope, an axis) or, for PReLU,
a learned weight. All work elementwise (Softmax along ``axis``) and keep the input's shape.
"""
from __future__ import annotations

import numbers
from typing import Any, Sequence

from .. import constraints, initializers, ops, regularizers
from ..serialization import register_class
from ..tensor import Tensor
from .base import Layer, layer_factory

__all__ = ["re_lu", "relu", "leaky_re_lu", "leaky_relu", "prelu", "elu", "thresholded_re_lu",
           "thresholded_relu", "softmax"]


def _number(layer: Layer, value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{layer.class_name} {layer.name!r}: {what} must be a number, got "
                         f"{value!r}")
    return value


class _Elementwise(Layer):
    """Shared: masks pass through, and the output shape is the input shape."""

    def __init__(self, **base: Any) -> None:
        super().__init__(**base)
        self.supports_masking = True

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)


@register_class
class ReLU(_Elementwise):
    """max(x, 0), capped at ``max_value`` when given (TF.js ``tf.layers.reLU``).

    >>> import minitf as tf
    >>> tf.layers.re_lu(max_value=1).apply(tf.tensor([[-1.0, 0.5, 3.0]])).array_sync()
    [[0.0, 0.5, 1.0]]
    """

    class_name = "ReLU"

    def __init__(self, max_value: float | None = None, **base: Any) -> None:
        super().__init__(**base)
        if max_value is not None and _number(self, max_value, "max_value") < 0:
            raise ValueError(f"ReLU {self.name!r}: max_value must be >= 0, got {max_value!r}")
        self.max_value = max_value

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        out = ops.relu(inputs)
        return out if self.max_value is None else ops.clip_by_value(out, 0, self.max_value)

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, **super().get_config()}


@register_class
class LeakyReLU(_Elementwise):
    """x for x > 0, else alpha * x. TF.js's layer default is alpha = 0.3 (the ``tf.leakyRelu``
    op's is 0.2) (TF.js ``tf.layers.leakyReLU``).

    >>> import minitf as tf
    >>> [round(v, 4) for v in tf.layers.leaky_re_lu().apply(tf.tensor([-1.0, 2.0])).array_sync()]
    [-0.3, 2.0]
    """

    class_name = "LeakyReLU"

    def __init__(self, alpha: float = 0.3, **base: Any) -> None:
        super().__init__(**base)
        self.alpha = _number(self, alpha, "alpha")

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        return ops.leaky_relu(inputs, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha, **super().get_config()}


@register_class
class PReLU(_Elementwise):
    """x for x > 0, else alpha * x with a learned ``alpha`` per input value (He et al. 2015).

    ``alpha`` has the input's shape without the batch axis; ``shared_axes`` (counted from 1,
    like Permute's dims) share one alpha along those axes: [1, 2] for [batch, rows, cols,
    channels] images learns one alpha per channel. Starts at zero (TF.js ``tf.layers.prelu``).

    >>> import minitf as tf
    >>> layer = tf.layers.prelu(shared_axes=[1])
    >>> _ = layer.apply(tf.zeros([2, 5, 3]))
    >>> layer.get_weights()[0].shape
    (1, 3)
    """

    class_name = "PReLU"

    def __init__(self, alpha_initializer: Any = "zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: int | Sequence[int] | None = None,
                 **base: Any) -> None:
        super().__init__(**base)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if isinstance(shared_axes, numbers.Integral):
            shared_axes = [shared_axes]
        if shared_axes is not None and not all(
                isinstance(a, numbers.Integral) and a >= 1 for a in shared_axes):
            raise ValueError(f"PReLU {self.name!r}: shared_axes must be an int or a list of "
                             f"ints >= 1 (axis 0 is the batch), got {shared_axes!r}")
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]
        self.alpha: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if axis >= len(input_shape):
                raise ValueError(f"PReLU {self.name!r}: shared axis {axis} does not exist in "
                                 f"inputs of shape {list(input_shape)}")
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"PReLU {self.name!r}: the input sizes outside shared_axes must be "
                             f"known, got shape {list(input_shape)}")
        self.alpha = self.add_weight("alpha", shape, self.dtype, self.alpha_initializer,
                                     self.alpha_regularizer, True, self.alpha_constraint)

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        return ops.prelu(inputs, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {"alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes, **super().get_config()}


@register_class
class ELU(_Elementwise):
    """x for x > 0, else alpha * (e^x - 1) (Clevert et al. 2015; TF.js ``tf.layers.elu``).

    TF.js accepts only alpha = 1 and throws NotImplementedError otherwise; minitf computes any
    alpha, as Keras does.

    >>> import minitf as tf
    >>> round(tf.layers.elu().apply(tf.tensor([[-1.0]])).array_sync()[0][0], 4)
    -0.6321
    """

    class_name = "ELU"

    def __init__(self, alpha: float = 1.0, **base: Any) -> None:
        super().__init__(**base)
        self.alpha = _number(self, alpha, "alpha")

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        out = ops.elu(inputs)
        if self.alpha == 1:
            return out
        return ops.where(ops.greater(inputs, 0), out, ops.mul(out, self.alpha))

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha, **super().get_config()}


@register_class
class ThresholdedReLU(_Elementwise):
    """x where x > theta, else 0 (Konda et al. 2014; TF.js ``tf.layers.thresholdedReLU``).

    Its gradient is 1 where x > theta and 0 elsewhere (TF.js cannot differentiate this layer:
    it has no gradient for ``greater``; minitf treats the step as a constant mask).

    >>> import minitf as tf
    >>> tf.layers.thresholded_re_lu(theta=1).apply(tf.tensor([[0.5, 1.0, 2.0]])).array_sync()
    [[0.0, 0.0, 2.0]]
    """

    class_name = "ThresholdedReLU"

    def __init__(self, theta: float = 1.0, **base: Any) -> None:
        super().__init__(**base)
        self.theta = _number(self, theta, "theta")

    def call(self, inputs: Tensor, training: bool | None = None, **kwargs: Any) -> Tensor:
        return ops.mul(inputs, ops.cast(ops.greater(inputs, self.theta), inputs.dtype))

    def get_config(self) -> dict[str, Any]:
        return {"theta": self.theta, **super().get_config()}


@register_class
class Softmax(_Elementwise):
    """exp(x) / sum(exp(x)) along ``axis`` (an int, or a list of axes normalized together).

    TF.js's default axis is 1, which is the last axis of [batch, classes] inputs; pass
    ``axis=-1`` for the last axis of higher-rank inputs (TF.js cannot do other axes, minitf
    can). With a ``mask`` (1 keep, 0 drop; a [batch, steps] mask applies to every feature of
    each step), masked positions get -1e9 added before the softmax, so they get ~0 probability
    (TF.js ``tf.layers.softmax``).

    >>> import minitf as tf
    >>> tf.layers.softmax().apply(tf.tensor([[1.0, 1.0]])).array_sync()
    [[0.5, 0.5]]
    """

    class_name = "Softmax"

    def __init__(self, axis: int | Sequence[int] = 1, **base: Any) -> None:
        super().__init__(**base)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, numbers.Integral) and not isinstance(a, bool)
                               for a in axes):
            raise ValueError(f"Softmax {self.name!r}: axis must be an int or a list of ints, got "
                             f"{axis!r}")
        self.axis = [int(a) for a in axis] if isinstance(axis, (list, tuple)) else int(axis)

    def call(self, inputs: Tensor, training: bool | None = None, mask: Any = None,
             **kwargs: Any) -> Tensor:
        if mask is not None:
            mask = ops.cast(mask, inputs.dtype)
            while mask.rank < inputs.rank:
                mask = ops.expand_dims(mask, -1)
            inputs = ops.add(inputs, ops.mul(ops.sub(1, mask), -1e9))
        if isinstance(self.axis, list) and len(self.axis) > 1:
            # softmax over several axes at once: exp(x - logsumexp(x)), stable like softmax.
            return ops.exp(ops.sub(inputs, ops.logsumexp(inputs, self.axis, keep_dims=True)))
        axis = self.axis[0] if isinstance(self.axis, list) else self.axis
        return ops.softmax(inputs, axis)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis, **super().get_config()}


re_lu = relu = layer_factory(ReLU, "re_lu")
leaky_re_lu = leaky_relu = layer_factory(LeakyReLU, "leaky_re_lu")
prelu = layer_factory(PReLU, "prelu")
elu = layer_factory(ELU, "elu")
thresholded_re_lu = thresholded_relu = layer_factory(ThresholdedReLU, "thresholded_re_lu")
softmax = layer_factory(Softmax, "softmax")
